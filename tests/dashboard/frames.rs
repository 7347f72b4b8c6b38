//! Snapshots of real rendered frames (ratatui TestBackend) from fixed data and a
//! fixed clock: every pane, the header, the help overlay and both dialogs, at 80x24
//! and 160x48. CI (CI=true) fails on any changed or missing snapshot.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phonedeck::action_kind::ActionKind;
use phonedeck::api::compute::Server;
use phonedeck::api::cph::{EncodeServer, EncoderStatus, Job, JobStatus};
use phonedeck::api::koophone::{BatchStatus, ChunkFailure, Instance, PhoneStatus, StatusResult};
use phonedeck::api::live::{DomainStreams, Stream};
use phonedeck::api::tolerant::Rows;
use phonedeck::api::{ApiError, ErrorKind, Service, TargetOutcome};
use phonedeck::app::pane::listing::Listing;
use phonedeck::app::run_id::RunId;
use phonedeck::app::{AppState, Clock, Msg, Settings, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn instance(i: usize, status: i64) -> Instance {
    Instance {
        instance_id: format!("ph{i:06}"),
        instance_name: format!("phone-{i:05}"),
        region: Some("cn-north-4".into()),
        instance_sku: None,
        running_status: Some(PhoneStatus(status)),
        frozen_status: Some(0),
    }
}

fn stream(i: usize) -> Stream {
    Stream {
        publish_domain: "publish.example.com".into(),
        app: "live".into(),
        stream: format!("room-{i:04}"),
        video_codec: Some("H264".into()),
        audio_codec: Some("AAC".into()),
        video_frame_rate: Some(30.0),
        audio_frame_rate: Some(44.0),
        video_bitrate: Some(1500.0 + 100.0 * i as f64),
        audio_bitrate: Some(128.0),
        resolution: Some("1280x720".into()),
        client_ip: Some(format!("198.51.100.{}", 10 + i)),
        start_time: Some(format!("2026-11-22T02:{:02}:00Z", 10 + i)),
        other: Default::default(),
    }
}

fn encoder(i: usize, status: i64) -> EncodeServer {
    EncodeServer {
        encode_server_id: format!("{i:032x}"),
        encode_server_name: format!("encoder-{:02}", i + 1),
        encode_server_ip: Some(format!("192.0.2.{}", 20 + i)),
        server_id: None,
        kind: Some(1),
        status: Some(EncoderStatus(status)),
        other: Default::default(),
    }
}

fn server(i: usize, status: &str, task: Option<&str>) -> Server {
    Server {
        id: format!("00000000-0000-4000-8000-{i:012}"),
        name: format!("cph-host-{:02}", i + 1),
        status: Some(status.to_string().into()),
        task_state: task.map(str::to_string),
        vm_state: None,
        power_state: None,
        fault: None,
        other: Default::default(),
    }
}

struct Fixture {
    state: AppState,
    clock: Clock,
}

impl Fixture {
    fn send(&mut self, msg: Msg) {
        // Effects are requests the shell would start; snapshots draw the state alone.
        let _ = update(&mut self.state, msg, self.clock);
    }

    fn key(&mut self, code: KeyCode) {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.send(Msg::Key(KeyEvent::new(code, modifiers)));
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn advance(&mut self, secs: u64) {
        self.clock.now += Duration::from_secs(secs);
        self.clock.wall += chrono::TimeDelta::seconds(secs as i64);
        self.send(Msg::Tick);
    }

    fn render(&self, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| phonedeck::ui::draw(frame, &self.state))
            .expect("draws");
        terminal
    }
}

/// A fleet in trouble: some Offline phones, an abnormal encoder with a failed job,
/// a server powering off, and a refresh error in the log.
fn fixture() -> Fixture {
    let clock = Clock {
        now: Instant::now(),
        wall: Utc
            .with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
            .single()
            .expect("time"),
    };
    let settings = Settings {
        profile: "prod-eu".into(),
        simulator: true,
        read_only: false,
        session: "5e551011".into(),
        ..Settings::default()
    };
    let mut f = Fixture {
        state: AppState::new(settings, clock),
        clock,
    };
    let statuses = [
        2, 2, 3, 2, 1, 3, 2, 4, 5, 0, 7, 2, 3, 2, 2, 2, 3, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2,
    ];
    let phones: Rows<Instance> = statuses
        .iter()
        .enumerate()
        .map(|(i, &s)| instance(i, s))
        .collect();
    f.send(Msg::Listed(Listing::Phones(Ok(phones))));
    f.send(Msg::Listed(Listing::Streams(vec![DomainStreams {
        domain: "publish.example.com".into(),
        streams: Ok((0..6).map(stream).collect()),
    }])));
    f.send(Msg::Listed(Listing::Encoders(Ok(Rows::new(vec![
        encoder(0, 1),
        encoder(1, 2),
        encoder(2, 3),
        encoder(3, 1),
    ])))));
    f.send(Msg::Listed(Listing::Servers(Ok(Rows::new(vec![
        server(0, "ACTIVE", None),
        server(1, "ACTIVE", Some("powering-off")),
        server(2, "SHUTOFF", None),
        server(3, "ERROR", None),
    ])))));
    f.advance(5);
    // One poll changes a phone (highlighted), one chunk of another poll fails.
    f.send(Msg::StatusPolled(BatchStatus {
        chunks: 1,
        results: vec![StatusResult {
            instance_id: "ph000001".into(),
            status: Some(PhoneStatus::OFFLINE),
        }],
        failures: vec![],
        dropped: 0,
    }));
    f.advance(200);
    f
}

fn with_activity(f: &mut Fixture) {
    f.key(KeyCode::Char('3'));
    f.key(KeyCode::Char('j'));
    f.key(KeyCode::Char('r'));
    f.key(KeyCode::Char('y'));
    let encoder_id = format!("{:032x}", 1);
    f.send(Msg::RunOutcome {
        run: RunId(1),
        outcome: TargetOutcome {
            job_id: Some("job-0001".into()),
            ..TargetOutcome::ok(&encoder_id, Some("req-1".into()))
        },
    });
    f.send(Msg::RunFinished { run: RunId(1) });
    f.send(Msg::JobsPolled(vec![(
        "job-0001".into(),
        Ok(Job {
            job_id: "job-0001".into(),
            status: Some(JobStatus::FAILED),
            begin_time: None,
            end_time: None,
            server_id: None,
            encode_server_id: None,
            error_code: Some("CPS.0242".into()),
            error_msg: Some("encode server did not come back".into()),
            execute_msg: None,
        }),
    )]));
    f.key(KeyCode::Char('1'));
    f.send(Msg::RunOutcome {
        run: RunId(99),
        outcome: TargetOutcome::ok("ignored", None),
    });
    f.send(Msg::Listed(Listing::Servers(Err(ApiError::new(
        Service::Compute,
        ErrorKind::Timeout,
        "no answer in time",
    )))));
}

fn snapshot_all_sizes(name: &str, f: &Fixture) {
    for (width, height) in SIZES {
        let terminal = f.render(width, height);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn phones_pane_with_header() {
    snapshot_all_sizes("phones", &fixture());
}

#[test]
fn phones_pane_filtered_sorted_and_marked() {
    let mut f = fixture();
    f.key(KeyCode::Char('/'));
    f.type_text("offline");
    f.key(KeyCode::Enter);
    f.key(KeyCode::Char(' '));
    f.key(KeyCode::Char('o'));
    f.key(KeyCode::Char('O'));
    snapshot_all_sizes("phones_filtered", &f);
}

#[test]
fn streams_pane() {
    let mut f = fixture();
    f.key(KeyCode::Char('2'));
    snapshot_all_sizes("streams", &f);
}

#[test]
fn encoders_pane_with_jobs_and_activity() {
    let mut f = fixture();
    with_activity(&mut f);
    f.key(KeyCode::Char('3'));
    snapshot_all_sizes("encoders", &f);
}

#[test]
fn servers_pane() {
    let mut f = fixture();
    f.key(KeyCode::Char('4'));
    snapshot_all_sizes("servers", &f);
}

#[test]
fn help_overlay() {
    let mut f = fixture();
    f.key(KeyCode::Char('?'));
    snapshot_all_sizes("help", &f);
}

#[test]
fn help_scrolls_on_a_small_terminal() {
    let mut f = fixture();
    f.send(Msg::Resize {
        width: 50,
        height: 12,
    });
    f.key(KeyCode::Char('?'));
    insta::assert_snapshot!("help_50x12_top", f.render(50, 12).backend());
    f.key(KeyCode::PageDown);
    f.key(KeyCode::PageDown);
    insta::assert_snapshot!("help_50x12_paged", f.render(50, 12).backend());
    f.key(KeyCode::Char('G'));
    insta::assert_snapshot!("help_50x12_end", f.render(50, 12).backend());
}

#[test]
fn a_dialog_too_tall_for_the_screen_keeps_its_buttons() {
    let mut f = fixture();
    f.key(KeyCode::Char('4'));
    f.key(KeyCode::Char('A'));
    f.key(KeyCode::Char('s'));
    let terminal = f.render(50, 10);
    let screen: String = (terminal.backend().buffer().content.iter())
        .map(|cell| cell.symbol())
        .collect();
    assert!(screen.contains("Cancel (n)"), "{screen}");
    assert!(screen.contains("stop server (y)"), "{screen}");
    insta::assert_snapshot!("confirm_warning_50x10", terminal.backend());
}

#[test]
fn a_narrow_screen_keeps_the_profile_names_status_and_last_error_before_ids() {
    let text = |f: &Fixture, width, height| -> String {
        let terminal = f.render(width, height);
        (terminal.backend().buffer().content.iter())
            .map(|cell| cell.symbol())
            .collect()
    };
    let mut f = fixture();
    let phones = text(&f, 50, 12);
    assert!(phones.contains("prod-eu"), "the profile, always: {phones}");
    assert!(
        phones.contains("NAME") && !phones.contains("INSTANCE ID"),
        "{phones}"
    );
    f.key(KeyCode::Char('4'));
    let servers = text(&f, 80, 24);
    assert!(servers.contains("LAST ERROR"), "{servers}");
    assert!(
        !servers.contains("SERVER ID"),
        "the UUID goes first: {servers}"
    );
}

#[test]
fn a_failed_status_batch_marks_only_its_phones_stale_and_counts_them() {
    let mut f = fixture();
    let error = ApiError::new(Service::KooPhone, ErrorKind::Timeout, "no answer in time");
    f.send(Msg::StatusPolled(BatchStatus {
        chunks: 2,
        results: vec![],
        failures: vec![ChunkFailure {
            ids: (0..5).map(|i| format!("ph{i:06}")).collect(),
            error,
        }],
        dropped: 0,
    }));
    let screen = format!("{}", f.render(160, 48).backend());
    let header = screen.lines().next().unwrap_or_default();
    assert!(header.contains("PARTLY STALE"), "{header}");
    assert!(
        header.contains("5 of 30 phones not refreshed: 1 batch(es) failed"),
        "{header}"
    );
}

#[test]
fn an_ended_runs_summary_stays_in_view_above_later_notes() {
    let mut f = fixture();
    f.key(KeyCode::Char('s'));
    f.key(KeyCode::Char('y'));
    f.send(Msg::RunOutcome {
        run: RunId(1),
        outcome: TargetOutcome::ok("ph000000", None),
    });
    f.send(Msg::RunFinished { run: RunId(1) });
    for i in 0..20 {
        f.send(Msg::Note(format!("the token had expired, note {i}")));
    }
    let screen = format!("{}", f.render(80, 24).backend());
    assert!(
        screen.contains("stop streaming on 1 target(s): 1 done — finished"),
        "{screen}"
    );
    assert!(
        screen.contains("note 19"),
        "the latest noise still shows: {screen}"
    );
}

#[test]
fn confirm_dialog_with_buttons() {
    let mut f = fixture();
    f.key(KeyCode::Char(' '));
    f.key(KeyCode::Char(' '));
    f.key(KeyCode::Char('s'));
    snapshot_all_sizes("confirm_buttons", &f);
}

#[test]
fn confirm_dialog_with_typed_count_and_hidden_marks() {
    let mut f = fixture();
    f.key(KeyCode::Char('A'));
    f.key(KeyCode::Char('/'));
    f.type_text("running");
    f.key(KeyCode::Enter);
    f.key(KeyCode::Char('s'));
    f.type_text("3");
    snapshot_all_sizes("confirm_typed", &f);
}

#[test]
fn quit_dialog() {
    let mut f = fixture();
    f.key(KeyCode::Char('s'));
    f.key(KeyCode::Char('y'));
    f.key(KeyCode::Char('q'));
    assert_eq!(f.state.mode, phonedeck::app::Mode::ConfirmQuit);
    snapshot_all_sizes("quit", &f);
}

#[test]
fn expanded_activity_log_and_read_only_badge() {
    let mut f = fixture();
    f.state.settings.read_only = true;
    with_activity(&mut f);
    f.key(KeyCode::Char('s'));
    f.key(KeyCode::Char('l'));
    snapshot_all_sizes("activity_expanded", &f);
}

#[test]
fn too_small_terminal_shows_a_notice() {
    let terminal = fixture().render(20, 5);
    insta::assert_snapshot!("too_small_20x5", terminal.backend());
}

#[test]
fn status_colours() {
    let terminal = fixture().render(80, 24);
    insta::assert_debug_snapshot!("phones_colours_80x24", terminal.backend().buffer());
}

#[test]
fn light_theme_colours() {
    let mut f = fixture();
    f.state.settings.theme = phonedeck::theme::Theme::built_in("light").expect("light");
    let terminal = f.render(80, 24);
    let buffer = terminal.backend().buffer();
    let starting = buffer
        .content()
        .iter()
        .find(|cell| cell.symbol() == "S" && cell.fg == ratatui::style::Color::Blue);
    assert!(
        starting.is_some(),
        "Starting is blue, not yellow, on a light background"
    );
    insta::assert_debug_snapshot!("phones_colours_light_80x24", buffer);
}

#[test]
fn action_kind_labels_used_in_dialogs() {
    assert_eq!(ActionKind::PauseStream.label(), "pause stream");
}

/// An audit line as the log has it (from this run or an earlier one).
fn audit_record(line: &str) -> phonedeck::audit::read::Record {
    serde_json::from_str(line).expect("an audit line")
}

#[test]
fn detail_view_of_one_phone() {
    let mut f = fixture();
    f.key(KeyCode::Char('j'));
    f.key(KeyCode::Enter);
    let target = "ph000001".to_string();
    f.send(Msg::AuditRead {
        target: target.clone(),
        result: Ok(vec![
            audit_record(
                r#"{"time":"2026-11-21T22:10:00.000Z","event":"sent","profile":"prod-eu","action":"stop-streaming","action_id":"0a1b2c3d4e5f","target":"ph000001","client_request_id":"c-1"}"#,
            ),
            audit_record(
                r#"{"time":"2026-11-21T22:10:01.000Z","event":"outcome","profile":"prod-eu","action":"stop-streaming","action_id":"0a1b2c3d4e5f","target":"ph000001","client_request_id":"c-1","outcome":"failed","error_code":"KOOPHONE.API.1001","error_msg":"Insufficient instance permissions.","request_id":"b4112044-77aa"}"#,
            ),
        ]),
    });
    let record = [
        ("billing_mode", "PERIOD"),
        ("frozen_status", "0"),
        ("instance_id", "ph000001"),
        ("instance_name", "phone-00001"),
        ("instance_sku", "kp.standard.2"),
        ("login_status", "0"),
        ("region", "cn-east-3"),
        ("running_status", "3"),
    ];
    f.send(Msg::PhoneRecordRead {
        id: target.clone(),
        result: Ok(record
            .into_iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()),
    });
    for (width, height) in [(80, 24), (160, 48)] {
        let terminal = f.render(width, height);
        insta::assert_snapshot!(format!("detail_{width}x{height}"), terminal.backend());
    }
}

/// The dashboard before any answer has come.
fn before_the_first_answer() -> Fixture {
    let f = fixture();
    let settings = f.state.settings.clone();
    Fixture {
        state: AppState::new(settings, f.clock),
        clock: f.clock,
    }
}

const LEGIBILITY_SIZES: [(u16, u16); 3] = [(40, 10), (80, 24), (120, 40)];

#[test]
fn loading_shows_no_reassuring_zeros() {
    let f = before_the_first_answer();
    for (width, height) in LEGIBILITY_SIZES {
        let terminal = f.render(width, height);
        let text = format!("{}", terminal.backend());
        assert!(
            !text.contains(" 0 "),
            "no zero count while loading:\n{text}"
        );
        insta::assert_snapshot!(format!("loading_{width}x{height}"), terminal.backend());
    }
    insta::assert_debug_snapshot!("loading_colours_80x24", f.render(80, 24).backend().buffer());
}

#[test]
fn failed_actions_fill_last_error_and_keep_it_across_polls() {
    let mut f = fixture();
    f.key(KeyCode::Char('s'));
    f.key(KeyCode::Char('y'));
    f.send(Msg::RunOutcome {
        run: RunId(1),
        outcome: TargetOutcome::failed(
            "ph000000",
            Some("KOOPHONE.API.1001".into()),
            "Insufficient instance permissions.",
            Some("b4112044-77aa".into()),
        ),
    });
    f.send(Msg::RunFinished { run: RunId(1) });
    // A later poll that answers for the phone does not wipe why the action failed.
    f.send(Msg::StatusPolled(BatchStatus {
        chunks: 1,
        results: vec![StatusResult {
            instance_id: "ph000000".into(),
            status: Some(PhoneStatus::RUNNING),
        }],
        failures: vec![],
        dropped: 0,
    }));
    for (width, height) in LEGIBILITY_SIZES {
        let terminal = f.render(width, height);
        insta::assert_snapshot!(format!("last_error_{width}x{height}"), terminal.backend());
    }
    let text = format!("{}", f.render(120, 40).backend());
    assert!(text.contains("KOOPHONE.API.1001 Insufficient"), "{text}");
    insta::assert_debug_snapshot!(
        "last_error_colours_80x24",
        f.render(80, 24).backend().buffer()
    );
}

#[test]
fn a_narrow_header_keeps_the_offline_count_and_cuts_whole_items() {
    let mut f = fixture();
    f.send(Msg::Listed(Listing::Servers(Err(ApiError::new(
        Service::Compute,
        ErrorKind::Timeout,
        "no answer in time",
    )))));
    // Staleness is the pane's: the Phones pane in view is fresh.
    let phones = format!("{}", f.render(60, 20).backend());
    assert!(!phones.contains("STALE"), "{phones}");
    f.key(KeyCode::Char('4'));
    for (width, height) in [(40, 10), (60, 20)] {
        let terminal = f.render(width, height);
        let header = format!("{}", terminal.backend())
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(header.contains("Off 6"), "{header}");
        assert!(header.contains("STALE"), "{header}");
        insta::assert_snapshot!(
            format!("narrow_header_{width}x{height}"),
            terminal.backend()
        );
    }
    insta::assert_debug_snapshot!(
        "narrow_header_colours_40x10",
        f.render(40, 10).backend().buffer()
    );
}
