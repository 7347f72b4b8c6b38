//! Scripted key sequences through the dashboard's real update loop and effects,
//! against the in-process simulator.

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use common::harness::Harness;
use common::*;
use crossterm::event::KeyCode;
use phonedeck::api::koophone::PhoneStatus;
use phonedeck::api::server_status::ServerStatus;
use phonedeck::app::run_id::RunId;
use phonedeck::app::{Mode, Pane};

fn offline_ids(sim: &phonedeck::sim::SimHandle) -> HashSet<String> {
    sim.with_fleet(|f| {
        f.phones
            .iter()
            .filter(|p| p.status == PhoneStatus::OFFLINE)
            .map(|p| p.id.clone())
            .collect()
    })
}

fn stopped_ids(sim: &phonedeck::sim::SimHandle) -> HashSet<String> {
    stopped_requests(sim).into_iter().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_mark_all_and_stop_streaming_with_typed_count() {
    let sim = start_sim().await;
    let offline = offline_ids(&sim);
    assert!(offline.len() >= 10, "the typed-count path is exercised");
    let mut ui = Harness::new(&sim, false).await;
    assert_eq!(ui.state.panes.phones.table.rows.len(), 250);

    ui.key(KeyCode::Char('/')).await;
    ui.type_text("OFFLINE").await;
    ui.key(KeyCode::Enter).await;
    assert_eq!(
        ui.state.panes.phones.table.view.visible.len(),
        offline.len()
    );
    let screen = ui.screen(120, 40);
    assert!(
        screen.contains(&format!("Phones {}/250 /OFFLINE", offline.len())),
        "{screen}"
    );

    ui.key(KeyCode::Char('A')).await;
    ui.key(KeyCode::Char('s')).await;
    let Mode::Confirm(dialog) = &ui.state.mode else {
        panic!("a confirmation dialog opens");
    };
    assert_eq!(dialog.targets.len(), offline.len());
    assert!(
        ui.screen(120, 40)
            .contains(&format!("Type {} and press Enter", offline.len()))
    );

    // A wrong count sends nothing.
    ui.type_text("1").await;
    ui.key(KeyCode::Enter).await;
    assert_eq!(ui.state.mode, Mode::Normal);
    assert!(mutations(&sim).is_empty());

    ui.key(KeyCode::Char('s')).await;
    ui.type_text(&offline.len().to_string()).await;
    ui.key(KeyCode::Enter).await;
    assert_eq!(stopped_ids(&sim), offline, "exactly the marked phones");
    let screen = ui.screen(120, 40);
    let progress = format!(
        "stop streaming on {0} target(s): {0} done — finished",
        offline.len()
    );
    assert!(screen.contains(&progress), "{screen}");
    let audit = ui.audit_lines();
    assert_eq!(audit[0]["event"], "targets");
    assert_eq!(audit.len(), 1 + offline.len() * 2);
    assert!(
        ui.state.panes.phones.table.view.marks.is_empty(),
        "marks are spent by the action"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn confirm_focus_starts_on_cancel_and_failures_show_code_and_request_id() {
    let sim = start_sim().await;
    sim.set_faults(phonedeck::sim::Faults {
        deny_rate: 1.0,
        ..Default::default()
    });
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Char(' ')).await;
    ui.key(KeyCode::Char(' ')).await;
    ui.key(KeyCode::Char('s')).await;
    ui.key(KeyCode::Enter).await;
    assert!(
        mutations(&sim).is_empty(),
        "Enter on the focused Cancel sends nothing"
    );
    ui.key(KeyCode::Char('s')).await;
    ui.key(KeyCode::Char('y')).await;
    assert_eq!(mutations(&sim).len(), 2);
    let screen = ui.screen(160, 48);
    assert!(screen.contains("0 done, 2 failed"), "{screen}");
    assert!(screen.contains("KOOPHONE.API.1001"), "{screen}");
    assert!(screen.contains("request id"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_encoder_and_watch_its_job_fail() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Char('3')).await;
    assert_eq!(ui.state.pane, Pane::Encoders);
    for _ in 0..3 {
        ui.key(KeyCode::Char('j')).await;
    }
    ui.key(KeyCode::Char('r')).await;
    ui.key(KeyCode::Char('y')).await;
    assert_eq!(ui.state.jobs.len(), 1);
    let screen = ui.screen(120, 40);
    assert!(screen.contains("running"));
    assert!(
        screen.contains("1 done, 0 confirmed — awaiting 1…"),
        "not finished while its job runs: {screen}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(120, 40);
    assert!(screen.contains("failed CPS.0242"), "{screen}");
    assert!(screen.contains("Abnormal"), "{screen}");
    let encoder = ui.state.encoder_name(&ui.state.jobs[0].encoder_id);
    assert!(
        screen.contains(&format!("restart of {encoder}: job")),
        "the job's line names the encoder: {screen}"
    );
    assert!(
        screen.contains("0 done, 1 failed, 1 went wrong after — finished"),
        "{screen}"
    );
    // The job's failure is the restart's outcome: on its row, in the audit, for `t`.
    let encoder_id = ui.state.jobs[0].encoder_id.clone();
    let settled: Vec<serde_json::Value> = ui
        .audit_lines()
        .into_iter()
        .filter(|l| l["event"] == "settled")
        .collect();
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled[0]["target"], encoder_id.as_str());
    assert_eq!(settled[0]["outcome"], "failed");
    assert_eq!(settled[0]["error_code"], "CPS.0242");
    assert!(screen.contains("CPS.0242"), "LAST ERROR: {screen}");
    ui.key(KeyCode::Char('t')).await;
    let Mode::Confirm(dialog) = &ui.state.mode else {
        panic!("t offers to retry the failed restart");
    };
    assert_eq!(dialog.targets, [encoder_id]);
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_a_server_and_see_it_power_off() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Char('4')).await;
    ui.key(KeyCode::Char('s')).await;
    ui.key(KeyCode::Char('y')).await;
    let screen = ui.screen(120, 40);
    assert!(screen.contains("powering-off"), "{screen}");
    assert!(screen.contains("0 confirmed — awaiting 1…"), "{screen}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    ui.advance(Duration::from_secs(6)).await;
    let first = &ui.state.panes.servers.rows[0].0;
    assert_eq!(first.status, Some(ServerStatus::Shutoff));
    let screen = ui.screen(120, 40);
    assert!(
        screen.contains("1 done, 1 confirmed — finished"),
        "confirmed once a poll shows SHUTOFF: {screen}"
    );
    ui.key(KeyCode::Char('S')).await;
    ui.key(KeyCode::Char('y')).await;
    assert!(ui.screen(120, 40).contains("powering-on"));
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_action_keys_refuse_and_send_nothing() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, true).await;
    for (pane, key) in [('1', 's'), ('2', 'p'), ('3', 'r'), ('4', 's'), ('4', 'S')] {
        ui.key(KeyCode::Char(pane)).await;
        ui.key(KeyCode::Char(key)).await;
        assert_eq!(ui.state.mode, Mode::Normal);
        assert!(ui.screen(120, 40).contains("read-only"));
    }
    assert!(mutations(&sim).is_empty());
    assert!(ui.screen(120, 40).contains("READ-ONLY"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_poll_keeps_data_marks_stale_and_recovers() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    assert!(
        ui.screen(120, 40).contains("live, every 5s"),
        "quiet while polls keep up"
    );
    ui.key(KeyCode::Char(' ')).await;
    sim.set_faults(phonedeck::sim::Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    ui.advance(Duration::from_secs(6)).await;
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "last known data kept"
    );
    let screen = ui.screen(120, 40);
    assert!(screen.contains("STALE"), "{screen}");
    assert!(
        screen.contains("refreshed 6s ago"),
        "the age shows once late: {screen}"
    );
    assert!(screen.contains("refresh of"), "{screen}");
    assert_eq!(
        ui.state.panes.phones.table.view.marks.len(),
        1,
        "marks survive refreshes"
    );
    sim.set_faults(phonedeck::sim::Faults::default());
    ui.advance(Duration::from_secs(60)).await;
    assert!(!ui.screen(120, 40).contains("STALE"), "recovered by itself");
}

#[tokio::test(flavor = "multi_thread")]
async fn quit_asks_while_actions_run() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    ui.state.running = vec![RunId(1)];
    ui.key(KeyCode::Char('q')).await;
    assert_eq!(ui.state.mode, Mode::ConfirmQuit);
    ui.key(KeyCode::Char('n')).await;
    assert!(!ui.state.quit);
    ui.key(KeyCode::Char('q')).await;
    ui.key(KeyCode::Char('y')).await;
    assert!(
        ui.state.stopping && !ui.state.quit,
        "waits for the requests in flight"
    );
    ui.dispatch(phonedeck::app::Msg::RunFinished { run: RunId(1) })
        .await;
    assert!(ui.state.quit, "quits once the action has ended");
}

#[tokio::test(flavor = "multi_thread")]
async fn simulator_stopped_then_restarted_on_the_same_port_recovers() {
    let sim = start_sim().await;
    let addr = sim.addr();
    let mut ui = Harness::new(&sim, false).await;
    drop(sim);
    tokio::time::sleep(Duration::from_millis(100)).await;
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(120, 40);
    assert!(screen.contains("STALE"), "{screen}");
    assert!(screen.contains("cannot connect"), "{screen}");
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "last data kept"
    );
    let mut options = sim_options();
    options.listen = addr;
    let _again = start_sim_with(options).await;
    ui.advance(Duration::from_secs(60)).await;
    let screen = ui.screen(120, 40);
    assert!(!screen.contains("STALE"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_answers_mark_the_data_stale_without_losing_it() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults(phonedeck::sim::Faults {
        truncated_rate: 1.0,
        ..Default::default()
    });
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    assert!(screen.contains("STALE"), "{screen}");
    assert!(screen.contains("unexpected response"), "{screen}");
    assert_eq!(ui.state.panes.phones.table.rows.len(), 250);
    assert!(!ui.state.panes.servers.rows.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_shown_and_stretches_the_poll_interval() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults(phonedeck::sim::Faults {
        throttle_rate: 1.0,
        ..Default::default()
    });
    ui.advance(Duration::from_secs(6)).await;
    assert!(ui.screen(120, 40).contains("THROTTLED"));
    let next = ui.state.panes.servers.feed.next_due;
    assert!(
        next >= ui.clock.now + Duration::from_secs(10),
        "backs off beyond one interval"
    );
    let requests = sim.requests().len();
    ui.advance(Duration::from_secs(6)).await;
    assert_eq!(sim.requests().len(), requests, "no polls while backing off");
    sim.set_faults(phonedeck::sim::Faults::default());
    ui.advance(Duration::from_secs(60)).await;
    assert!(
        !ui.screen(120, 40).contains("THROTTLED"),
        "recovers by itself"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rejected_credentials_show_a_banner_and_keep_the_data() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.revoke_token(&sim.credentials().token.clone());
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    assert!(screen.contains("CREDENTIALS REJECTED"), "{screen}");
    assert!(screen.contains("APIGW.0307"), "{screen}");
    assert_eq!(ui.state.panes.phones.table.rows.len(), 250);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_renewed_with_a_short_note() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "tok-A").expect("write");
    sim.accept_token("tok-A");
    let mut config = config_for(&sim);
    config.credentials.token = Some(phonedeck::api::TokenSource::Command(
        phonedeck::api::TokenCommand::new(vec!["cat".into(), token_file.display().to_string()]),
    ));
    let mut ui = Harness::with_config(config).await;
    sim.revoke_token("tok-A");
    std::fs::write(&token_file, "tok-B").expect("write");
    sim.accept_token("tok-B");
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    assert!(
        screen.contains("token had expired and was renewed"),
        "{screen}"
    );
    assert!(!screen.contains("STALE"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mutation_that_timed_out_is_shown_as_unknown_with_its_request_id() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.limits.request_timeout = Duration::from_millis(300);
    let mut ui = Harness::with_config(config).await;
    sim.set_faults(phonedeck::sim::Faults {
        hang_rate: 1.0,
        ..Default::default()
    });
    ui.key(KeyCode::Char('s')).await;
    ui.key(KeyCode::Char('y')).await;
    ui.key(KeyCode::Char('l')).await;
    let screen = ui.screen(160, 48);
    assert!(screen.contains("0 done, 1 unknown"), "{screen}");
    // The message first; the request id last, so a wide screen shows it whole.
    let screen = ui.screen(300, 48);
    let line = screen
        .lines()
        .find(|l| l.contains("stop streaming") && l.contains(" unknown: "))
        .unwrap_or_else(|| panic!("a line for the target:\n{screen}"));
    assert!(
        line.find("no answer in time") < line.find("[request id"),
        "{line}"
    );
    let outcome = ui
        .audit_lines()
        .into_iter()
        .find(|l| l["event"] == "outcome")
        .expect("outcome line");
    assert_eq!(outcome["outcome"], "unknown");
}

#[tokio::test(flavor = "multi_thread")]
async fn over_budget_polls_cover_the_screen_first_and_show_the_oldest_row() {
    let sim = start_sim_sized(|size| size.phones = 1_000).await;
    let mut config = config_for(&sim);
    config.max_requests_per_sec = Some(20.0);
    let mut ui = Harness::with_config(config).await;
    assert_eq!(ui.state.panes.phones.table.rows.len(), 1_000, "listed");
    // 20 req/s x 1 s x 0.8 - 3 others = 13 requests: 416 of the 1,000 phones a poll.
    ui.state.settings.poll_interval = Duration::from_secs(1);
    let status_requests = || {
        sim.requests()
            .iter()
            .filter(|r| r.path.ends_with("batch-query-status"))
            .count()
    };
    let offline = offline_ids(&sim);
    let on_screen = ui.state.panes.phones.table.rows[3].id.clone();
    sim.with_fleet(|fleet| {
        let phone = fleet
            .phones
            .iter_mut()
            .find(|p| p.id == on_screen)
            .expect("phone");
        phone.status = if offline.contains(&on_screen) {
            PhoneStatus::RUNNING
        } else {
            PhoneStatus::OFFLINE
        };
    });
    ui.advance(Duration::from_secs(6)).await;
    assert_eq!(
        status_requests(),
        13,
        "one poll, within its share of the budget"
    );
    let row = ui
        .state
        .panes
        .phones
        .table
        .rows
        .iter()
        .find(|p| p.id == on_screen)
        .expect("row");
    assert_eq!(
        row.changed_in_poll,
        Some(ui.state.panes.phones.polls),
        "the row on screen was polled"
    );
    let screen = ui.screen(120, 40);
    assert!(screen.contains("oldest row 6s"), "{screen}");
    for _ in 0..2 {
        ui.advance(Duration::from_secs(1)).await;
    }
    let screen = ui.screen(120, 40);
    assert!(
        screen.contains("oldest row 2s"),
        "three polls covered the fleet:\n{screen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_header_shows_offline_climbing_over_the_last_hour() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    for minute in 1..=4 {
        sim.with_fleet(|fleet| {
            for phone in fleet.phones.iter_mut().take(minute * 40) {
                phone.status = PhoneStatus::OFFLINE;
            }
        });
        ui.advance(Duration::from_secs(61)).await;
    }
    let screen = ui.screen(160, 48);
    let tabs_line = screen.lines().nth(2).expect("third line");
    let trend = tabs_line
        .split("Offline, max per minute, last 5m: ")
        .nth(1)
        .unwrap_or_else(|| panic!("a five-minute trend: {tabs_line}"));
    let bars: Vec<char> = trend
        .chars()
        .filter(|c| ('▁'..='█').contains(c) || *c == ' ')
        .skip_while(|c| *c != ' ')
        .skip(1)
        .collect();
    assert_eq!(bars.len(), 5, "{trend}");
    assert!(bars.windows(2).all(|w| w[0] <= w[1]), "climbing: {trend}");
    assert_eq!(bars.last(), Some(&'█'));
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_write_the_shown_rows_and_the_activity_log_and_say_where() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let dir = tempfile::tempdir().expect("tempdir");
    ui.state.settings.export_dir = dir.path().join("incident");
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("offline").await;
    ui.key(KeyCode::Enter).await;
    let shown = ui.state.panes.phones.table.view.visible.len();
    ui.key(KeyCode::Char('e')).await;
    let screen = ui.screen(160, 48);
    assert!(
        screen.contains(&format!("wrote {shown} phones to")),
        "{screen}"
    );
    let files = |extension: &str| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir.path().join("incident"))
            .expect("export dir created")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == extension))
            .collect()
    };
    let csv = std::fs::read_to_string(&files("csv")[0]).expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "INSTANCE ID,NAME,STATUS,SINCE,LAST ERROR");
    assert_eq!(lines.len(), shown + 1, "the filter applies");
    assert!(lines[1..].iter().all(|l| l.contains(",Offline,")), "{csv}");

    ui.key(KeyCode::Char('E')).await;
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files("json")[0]).expect("json"))
            .expect("valid JSON");
    assert_eq!(json.as_array().expect("array").len(), shown);
    // The schema `phonedeck status -o json` prints: raw values, a name beside the enum.
    assert_eq!(json[0]["status"], 3);
    assert_eq!(json[0]["status_name"], "Offline");
    let keys: Vec<&String> = json[0].as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["instance_id", "instance_name", "status", "status_name"]
    );

    ui.key(KeyCode::Char('w')).await;
    let log = std::fs::read_to_string(&files("log")[0]).expect("log");
    assert!(log.contains(&format!("wrote {shown} phones to")), "{log}");
    assert!(
        log.lines().nth(1).is_some_and(|l| l.starts_with("20")),
        "timestamped: {log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mouse_clicks_pick_tabs_and_rows_and_the_wheel_scrolls_only_when_enabled() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let click = |column, row| {
        phonedeck::app::Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: crossterm::event::KeyModifiers::NONE,
        })
    };
    let wheel_down = phonedeck::app::Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 10,
        modifiers: crossterm::event::KeyModifiers::NONE,
    });
    ui.dispatch(wheel_down.clone()).await;
    assert_eq!(ui.state.panes.phones.table.view.cursor, 0, "off by default");
    ui.state.settings.mouse = true;
    ui.dispatch(wheel_down).await;
    assert_eq!(ui.state.panes.phones.table.view.cursor, 3);
    // 120x40: three header lines, the table's title and column header, then rows.
    ui.dispatch(click(10, 5 + 7)).await;
    assert_eq!(ui.state.panes.phones.table.view.cursor, 7);
    ui.dispatch(click(40, 2)).await;
    assert_eq!(ui.state.pane, Pane::Servers);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sparse_fleet_shows_every_row_with_unknown_fields_as_dashes() {
    let sim = start_sim().await;
    sim.set_faults(phonedeck::sim::Faults {
        sparse: true,
        ..Default::default()
    });
    let mut ui = Harness::new(&sim, false).await;
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "no sparse row is lost"
    );
    let unknown = ui
        .state
        .panes
        .phones
        .table
        .rows
        .iter()
        .filter(|p| p.status.is_none())
        .count();
    assert!(unknown > 0, "some phones have no status in a sparse answer");
    assert_eq!(ui.state.panes.encoders.rows.len(), 5);
    assert_eq!(ui.state.panes.servers.rows.len(), 6);
    assert!(
        ui.state.panes.phones.table.feed.error.is_none(),
        "a sparse answer is no error"
    );
    let log: Vec<String> = ui
        .state
        .activity
        .entries
        .iter()
        .map(|(_, e)| ui.state.activity.text(e))
        .collect();
    for what in ["phone", "server"] {
        let note = format!("1 {what} row(s) in the answer had no id and were left out");
        assert!(
            log.iter().any(|line| line.contains(&note)),
            "the activity log counts dropped {what} rows: {log:?}"
        );
    }
    let screen = ui.screen(120, 40);
    assert!(screen.contains("Phones 250"), "{screen}");
    assert!(
        screen.contains("–"),
        "an unknown status is drawn as a dash: {screen}"
    );
    ui.key(KeyCode::Char('4')).await;
    let screen = ui.screen(120, 40);
    assert!(screen.contains("Servers 6"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_koophone_error_inside_data_keeps_the_fleet_and_says_why() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    assert_eq!(ui.state.panes.phones.table.rows.len(), 250);
    sim.set_faults(phonedeck::sim::Faults {
        sparse: true,
        error_rate: 1.0,
        ..Default::default()
    });
    ui.key(KeyCode::Char('R')).await;
    let error = ui
        .state
        .panes
        .phones
        .table
        .feed
        .error
        .clone()
        .expect("the poll failed");
    assert!(error.contains("KOOPHONE.API.9999"), "{error}");
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "the last data stays on screen"
    );
    let screen = ui.screen(120, 40);
    assert!(screen.contains("STALE"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_ctrl_c_quits_at_once_and_q_asks_while_a_job_is_followed() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    use phonedeck::app::{Effect, Msg, update};
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let ctrl_c = || Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    ui.state.running = vec![RunId(1)];
    let effects = update(&mut ui.state, ctrl_c(), ui.clock);
    assert!(
        effects.contains(&Effect::CancelRun(RunId(1))),
        "{effects:?}"
    );
    assert!(
        ui.state.stopping && !ui.state.quit,
        "waits for those in flight"
    );
    update(&mut ui.state, ctrl_c(), ui.clock);
    assert!(ui.state.quit, "the second Ctrl-C does not wait");

    let mut ui = Harness::new(&sim, false).await;
    ui.state.jobs.push(phonedeck::app::jobs::JobRow {
        job_id: "job-1".into(),
        request_id: None,
        run: RunId(1),
        encoder_id: "e1".into(),
        state: phonedeck::app::jobs::JobState::Running,
        started: ui.clock.now,
    });
    ui.key(KeyCode::Char('q')).await;
    assert_eq!(ui.state.mode, Mode::ConfirmQuit);
    assert!(
        ui.screen(80, 24)
            .contains("1 restart job(s) still followed")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cancel_command_stops_running_actions_and_says_so() {
    use phonedeck::app::{Effect, Msg, update};
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    ui.state.running = vec![RunId(4)];
    let mut effects = Vec::new();
    for key in [":", "c", "a", "n", "c", "e", "l"] {
        let code = KeyCode::Char(key.chars().next().expect("a key"));
        let event = crossterm::event::KeyEvent::from(code);
        effects = update(&mut ui.state, Msg::Key(event), ui.clock);
    }
    effects.extend(update(
        &mut ui.state,
        Msg::Key(crossterm::event::KeyEvent::from(KeyCode::Enter)),
        ui.clock,
    ));
    assert!(
        effects.contains(&Effect::CancelRun(RunId(4))),
        "{effects:?}"
    );
    assert!(!ui.state.quit && !ui.state.stopping);
    assert!(ui.screen(120, 40).contains("cancelling 1 action(s)"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_retry_key_re_runs_the_last_action_on_its_failed_targets_only() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults(phonedeck::sim::Faults {
        deny_rate: 0.5,
        ..Default::default()
    });
    ui.type_text("      ").await;
    ui.key(KeyCode::Char('s')).await;
    ui.key(KeyCode::Char('y')).await;
    let denied: Vec<String> = ui
        .audit_lines()
        .iter()
        .filter(|l| l["outcome"] == "failed")
        .map(|l| l["target"].as_str().expect("target").to_string())
        .collect();
    assert!(
        !denied.is_empty() && denied.len() < 6,
        "some fail: {denied:?}"
    );
    let action_id = ui.audit_lines()[0]["action_id"]
        .as_str()
        .expect("id")
        .to_string();

    sim.set_faults(phonedeck::sim::Faults::default());
    ui.key(KeyCode::Char('t')).await;
    let Mode::Confirm(dialog) = &ui.state.mode else {
        panic!("the retry is confirmed like any action");
    };
    assert_eq!(dialog.targets, denied);
    let screen = ui.screen(120, 40);
    assert!(
        screen.contains(&format!(
            "retry of action {action_id}: {} of 6 targets",
            denied.len()
        )),
        "{screen}"
    );
    let before = stopped_requests(&sim);
    ui.key(KeyCode::Char('y')).await;
    let sent: Vec<String> = stopped_requests(&sim)[before.len()..].to_vec();
    let mut expected = denied.clone();
    expected.sort();
    let mut sent_sorted = sent.clone();
    sent_sorted.sort();
    assert_eq!(sent_sorted, expected, "exactly the failed targets");
    let retry_lines: Vec<serde_json::Value> = ui
        .audit_lines()
        .into_iter()
        .filter(|l| l["retry_of"] == action_id.as_str())
        .collect();
    assert_eq!(retry_lines[0]["event"], "targets");
    assert_eq!(
        retry_lines.len(),
        1 + 2 * denied.len(),
        "targets, then sent and outcome each"
    );
    ui.key(KeyCode::Char('t')).await;
    assert!(
        ui.screen(120, 40)
            .contains("nothing to retry: every target of action"),
        "the retry itself went through"
    );
}

/// Every stop-streaming request the simulator received, in order.
fn stopped_requests(sim: &phonedeck::sim::SimHandle) -> Vec<String> {
    mutations(sim)
        .iter()
        .filter(|r| r.path.ends_with("/streaming/stop"))
        .map(|r| {
            let body: serde_json::Value = serde_json::from_str(&r.body).expect("json");
            body["instance_id"].as_str().expect("id").to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_detail_view_shows_a_targets_audit_lines_from_every_run() {
    let sim = start_sim().await;
    let mut first_run = Harness::new(&sim, false).await;
    first_run.key(KeyCode::Char('s')).await;
    first_run.key(KeyCode::Char('y')).await;
    let first_action = first_run.audit_lines()[0]["action_id"]
        .as_str()
        .expect("id")
        .to_string();
    let log = std::fs::read(first_run.audit_dir.path().join("audit.jsonl")).expect("log");

    let mut second_run = Harness::new(&sim, false).await;
    std::fs::write(second_run.audit_dir.path().join("audit.jsonl"), log).expect("same log");
    second_run.key(KeyCode::Char('s')).await;
    second_run.key(KeyCode::Char('y')).await;
    second_run.key(KeyCode::Enter).await;
    let Mode::Detail(detail) = &second_run.state.mode else {
        panic!("Enter opens the row's detail");
    };
    let phone = detail.key.clone();
    let second_action = second_run
        .audit_lines()
        .iter()
        .rev()
        .find_map(|l| l["action_id"].as_str().map(str::to_string))
        .expect("id");
    assert_ne!(first_action, second_action);
    let screen = second_run.screen(200, 60);
    assert!(screen.contains(&format!("Phones {phone}")), "{screen}");
    assert!(
        screen.contains(&format!("action {first_action}")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("action {second_action}")),
        "{screen}"
    );
    second_run.key(KeyCode::Esc).await;
    assert_eq!(second_run.state.mode, Mode::Normal);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_earlier_action_is_retried_from_the_focused_activity_log() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults(phonedeck::sim::Faults {
        deny_rate: 0.5,
        ..Default::default()
    });
    ui.type_text("      ").await;
    ui.key(KeyCode::Char('s')).await;
    ui.key(KeyCode::Char('y')).await;
    let first_action = ui.audit_lines()[0]["action_id"]
        .as_str()
        .expect("id")
        .to_string();
    sim.set_faults(phonedeck::sim::Faults::default());
    ui.key(KeyCode::Char('4')).await;
    ui.key(KeyCode::Char('s')).await;
    ui.key(KeyCode::Char('y')).await;
    ui.key(KeyCode::Char('t')).await;
    assert!(
        ui.screen(120, 40).contains("nothing to retry"),
        "the latest action went through"
    );

    ui.key(KeyCode::Char('L')).await;
    let first_entry = ui
        .state
        .activity
        .entries
        .iter()
        .position(|(_, e)| matches!(e, phonedeck::app::activity::Entry::Run(_)))
        .expect("the first action's entry");
    while !matches!(ui.state.mode, Mode::Activity { selected } if selected == first_entry + 1) {
        ui.key(KeyCode::Char('k')).await;
    }
    // A failed target's line, opened in full: the request id is there.
    ui.key(KeyCode::Enter).await;
    let screen = ui.screen(100, 30);
    assert!(screen.contains("Activity entry"), "{screen}");
    assert!(screen.contains("request id"), "{screen}");
    ui.key(KeyCode::Esc).await;
    ui.key(KeyCode::Char('t')).await;
    let Mode::Confirm(dialog) = &ui.state.mode else {
        panic!("retrying the selected entry's action asks first");
    };
    let retry = dialog.retry_of.as_ref().expect("a retry");
    assert_eq!(retry.action_id, first_action);
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_behave_as_a_k9s_user_expects() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    use phonedeck::app::Msg;
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let filter = |ui: &Harness| ui.state.panes.phones.table.view.filter.clone();
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("offline").await;
    ui.key(KeyCode::Enter).await;
    // `/` opens an empty prompt: typing replaces the filter, never appends to it.
    ui.key(KeyCode::Char('/')).await;
    assert_eq!(filter(&ui), "");
    ui.type_text("running").await;
    ui.key(KeyCode::Enter).await;
    assert_eq!(filter(&ui), "running");
    // ↑ recalls the earlier filters, the latest first.
    ui.key(KeyCode::Char('/')).await;
    ui.key(KeyCode::Up).await;
    assert_eq!(filter(&ui), "running");
    ui.key(KeyCode::Up).await;
    assert_eq!(filter(&ui), "offline");
    // Ctrl-W deletes a word, Ctrl-U the line.
    let ctrl = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    ui.type_text(" phone").await;
    ui.dispatch(ctrl('w')).await;
    assert_eq!(filter(&ui), "offline ");
    ui.dispatch(ctrl('u')).await;
    assert_eq!(filter(&ui), "");
    // Several words must all match; `!word` excludes.
    ui.type_text("phone !running").await;
    ui.key(KeyCode::Enter).await;
    let rows = &ui.state.panes.phones.table;
    assert!(!rows.view.visible.is_empty());
    assert!(
        rows.view
            .visible
            .iter()
            .all(|&i| rows.rows[i].status != Some(PhoneStatus::RUNNING))
    );
    // A filter that matches nothing says so.
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("no-such-phone").await;
    assert!(ui.screen(120, 40).contains("no row matches /no-such-phone"));
    ui.key(KeyCode::Enter).await;
    // Esc in the pane clears the filter in force.
    ui.key(KeyCode::Esc).await;
    assert_eq!(filter(&ui), "");
    assert_eq!(ui.state.panes.phones.table.view.visible.len(), 250);
    // Alt and a column's letter sorts by it; again, the other way.
    let alt = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT));
    ui.dispatch(alt('n')).await;
    assert_eq!(ui.state.panes.phones.table.view.sort, Some((1, false)));
    ui.dispatch(alt('n')).await;
    assert_eq!(ui.state.panes.phones.table.view.sort, Some((1, true)));
    assert!(ui.screen(120, 40).contains("sort:name↓"));
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_profile_keeps_the_filters() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("offline").await;
    ui.key(KeyCode::Enter).await;
    let settings = ui.state.settings.clone();
    ui.dispatch(phonedeck::app::Msg::ProfileSwitched(Ok(settings)))
        .await;
    assert_eq!(ui.state.panes.phones.table.view.filter, "offline");
    assert!(ui.screen(120, 40).contains("/offline"));
}

#[tokio::test(flavor = "multi_thread")]
async fn failing_refreshes_are_one_counted_line_and_the_recovery_is_logged() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults(phonedeck::sim::Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    for _ in 0..4 {
        ui.advance(Duration::from_secs(60)).await;
    }
    let lines: Vec<String> = ui
        .state
        .activity
        .entries
        .iter()
        .map(|(_, e)| ui.state.activity.text(e))
        .filter(|t| t.starts_with("refresh of servers failed"))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "one line for the run of failures: {lines:?}"
    );
    assert!(lines[0].contains("4 times in a row"), "{lines:?}");
    sim.set_faults(phonedeck::sim::Faults::default());
    ui.advance(Duration::from_secs(60)).await;
    let screen = ui.screen(120, 40);
    assert!(
        screen.contains("servers refresh recovered after"),
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_actions_line_stays_in_view_above_the_noise() {
    use phonedeck::app::activity::{Entry, RunProgress};
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let now = ui.clock.now;
    ui.state.activity.start(
        now,
        RunProgress {
            ok: 3,
            ..RunProgress::new(
                RunId(7),
                "5e551011-7".into(),
                phonedeck::action_kind::ActionKind::StopServer,
                (0..40).map(|n| format!("server-{n}")).collect(),
                now,
            )
        },
    );
    for i in 0..30 {
        ui.state.log_activity(Entry::Note(format!("note {i}")));
    }
    let screen = ui.screen(80, 24);
    assert!(screen.contains("stop server on 40 target(s)"), "{screen}");
    assert!(screen.contains("note 29"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dialogs_name_their_targets_and_warn_what_cannot_apply() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Char('4')).await;
    ui.key(KeyCode::Char('A')).await;
    ui.key(KeyCode::Char('s')).await;
    let screen = ui.screen(120, 40);
    let shutoff = ui
        .state
        .panes
        .servers
        .rows
        .iter()
        .filter(|s| s.0.status == Some(ServerStatus::Shutoff))
        .count();
    assert!(shutoff > 0, "the test fleet has a stopped server");
    let first = &ui.state.panes.servers.rows[0].0;
    assert!(
        screen.contains(&format!("{:<16} {}", first.name, first.id)),
        "name beside id: {screen}"
    );
    let verb = if shutoff == 1 { "is" } else { "are" };
    assert!(
        screen.contains(&format!(
            "{shutoff} of them {verb} already SHUTOFF: stop server will fail on those"
        )),
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_answered_without_its_entry_is_settled_by_the_requests_jobs() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults(phonedeck::sim::Faults {
        unlisted_restarts_rate: 1.0,
        ..Default::default()
    });
    ui.key(KeyCode::Char('3')).await;
    ui.key(KeyCode::Char('r')).await;
    ui.key(KeyCode::Char('y')).await;
    let listed = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/cloud-phone/jobs"))
        .filter(|r| {
            r.query
                .as_deref()
                .is_some_and(|q| q.starts_with("request_id="))
        })
        .count();
    assert_eq!(listed, 1, "the request's jobs were read back once");
    let reconciled = ui
        .audit_lines()
        .into_iter()
        .find(|l| l["event"] == "reconciled")
        .expect("a reconciled line");
    assert_eq!(reconciled["reconciled"], "happened");
    let job_id = reconciled["job_id"].as_str().expect("the job found");
    assert_eq!(ui.state.jobs.len(), 1, "the job found is followed");
    assert_eq!(ui.state.jobs[0].job_id, job_id);
    tokio::time::sleep(Duration::from_millis(300)).await;
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    assert!(screen.contains("finished"), "{screen}");
    assert!(screen.contains("1 confirmed"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_detail_view_shows_every_field_the_service_returns() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Enter).await;
    let Mode::Detail(detail) = &ui.state.mode else {
        panic!("Enter opens the row's detail");
    };
    let phone = detail.key.clone();
    let asked: Vec<String> = sim
        .requests()
        .into_iter()
        .filter_map(|r| r.query)
        .filter(|q| q.contains("instance_id="))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(
        asked[0].contains(&format!("instance_id={phone}")),
        "{asked:?}"
    );
    let screen = ui.screen(120, 40);
    // Fields the table does not keep, under the service's own names.
    for field in [
        "billing_mode: PERIOD",
        "login_status: 0",
        "instance_sku: kp.standard.2",
    ] {
        assert!(screen.contains(field), "{field}: {screen}");
    }
    ui.key(KeyCode::Esc).await;

    sim.set_faults(phonedeck::sim::Faults {
        forbidden_rate: 1.0,
        ..Default::default()
    });
    ui.key(KeyCode::Enter).await;
    let screen = ui.screen(160, 40);
    assert!(
        screen.contains("the whole record cannot be read"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("instance_id: {phone}")),
        "the row's own fields stay: {screen}"
    );
    ui.key(KeyCode::Esc).await;

    // Other rows keep every field of their listing: an encoder's key pair and access.
    ui.key(KeyCode::Char('3')).await;
    ui.key(KeyCode::Enter).await;
    let screen = ui.screen(160, 40);
    assert!(screen.contains("keypair_name: cph-key"), "{screen}");
    assert!(screen.contains("access_infos: [{"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_stream_is_confirmed_dropped_then_seen_pushed_again() {
    // A publisher that reconnects 2 s after the block (two transitions): long enough
    // that a loaded machine cannot see it back before the first poll.
    let mut options = sim_options();
    options.transition = Duration::from_secs(1);
    let sim = start_sim_with(options).await;
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Char('2')).await;
    assert_eq!(ui.state.pane, Pane::Streams);
    ui.key(KeyCode::Char('p')).await;
    ui.key(KeyCode::Char('y')).await;
    // The next poll no longer lists it: confirmed.
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    assert!(screen.contains("1 confirmed — finished"), "{screen}");
    assert!(!screen.contains("pushed again"), "{screen}");
    tokio::time::sleep(Duration::from_millis(2200)).await;
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    assert!(
        screen.contains("1 confirmed, 1 pushed again — finished"),
        "{screen}"
    );
    assert!(
        screen.contains("live/room-0000 is pushed again, 12 s after it was seen dropped"),
        "dropped in the refresh after the action, seen back two polls later: {screen}"
    );
    // Said once.
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    assert_eq!(screen.matches("is pushed again").count(), 1, "{screen}");
}

/// App `live/x` with stream `y`, and app `live` with stream `x/y`: two rows, two
/// keys, and pausing one pauses exactly that one.
#[tokio::test(flavor = "multi_thread")]
async fn of_two_streams_whose_parts_collide_the_row_paused_is_the_row_chosen() {
    let sim = start_sim().await;
    let domain = colliding_streams(&sim);
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Char('2')).await;
    let screen = ui.screen(160, 48);
    assert!(screen.contains(&format!("{domain}/live%2Fx/y")), "{screen}");
    assert!(screen.contains(&format!("{domain}/live/x%2Fy")), "{screen}");
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("live/x%2Fy").await;
    ui.key(KeyCode::Enter).await;
    ui.key(KeyCode::Char('p')).await;
    ui.key(KeyCode::Char('y')).await;
    let paused: Vec<serde_json::Value> = mutations(&sim)
        .iter()
        .map(|r| serde_json::from_str(&r.body).expect("json"))
        .collect();
    assert_eq!(paused.len(), 1, "{paused:?}");
    assert_eq!(paused[0]["app_name"], "live");
    assert_eq!(paused[0]["stream_name"], "x/y");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_that_reorders_itself_is_shown_escaped_in_the_table_and_the_dialog() {
    let sim = start_sim().await;
    sim.with_fleet(|fleet| {
        for phone in &mut fleet.phones {
            phone.name = format!("\u{202e}\u{200b}{}", phone.name);
        }
    });
    let mut ui = Harness::new(&sim, false).await;
    let table = ui.screen(160, 40);
    assert!(table.contains("\\u{202e}"), "{table}");
    ui.key(KeyCode::Char('s')).await;
    assert!(matches!(ui.state.mode, Mode::Confirm(_)), "a dialog opens");
    let dialog = ui.screen(160, 40);
    assert!(dialog.contains("\\u{202e}"), "{dialog}");
    for screen in [table, dialog] {
        assert!(
            !screen.contains(['\u{202e}', '\u{200b}']),
            "an invisible character reached the screen"
        );
    }
    ui.key(KeyCode::Char('n')).await;
    assert!(mutations(&sim).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_credential_pauses_polls_until_r_tries_it_once_more() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let token = sim.credentials().token.clone();
    // KooPhone's requests carry the token; the other services are signed with AK/SK.
    let with_token = || {
        sim.requests()
            .iter()
            .filter(|r| r.signed_headers.is_empty())
            .count()
    };
    sim.revoke_token(&token);
    let before = with_token();
    ui.advance(Duration::from_secs(5)).await;
    // The poll's 8 status requests left together, as the token worked until then;
    // one renewed token is tried alone, refused, and the rest are not sent.
    let first_poll = with_token() - before;
    assert!((2..=9).contains(&first_poll), "{first_poll} requests");
    for _ in 0..12 {
        ui.advance(Duration::from_secs(5)).await;
    }
    assert_eq!(
        with_token() - before,
        first_poll,
        "a minute of polls sent no more"
    );
    let screen = ui.screen(160, 48);
    assert!(screen.contains("PAUSED: CREDENTIALS REFUSED"), "{screen}");
    assert!(screen.contains("CREDENTIALS REJECTED"), "{screen}");
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "the data is kept"
    );

    sim.accept_token(&token);
    ui.key(KeyCode::Char('R')).await;
    ui.advance(Duration::from_secs(1)).await;
    let screen = ui.screen(160, 48);
    assert!(!screen.contains("PAUSED"), "{screen}");
    assert!(ui.state.credentials_problem().is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_detail_view_masks_a_password_in_any_url_field() {
    let sim = start_sim().await;
    sim.with_fleet(|fleet| {
        for phone in &mut fleet.phones {
            phone.name = "rtsp://admin:hunter2-S3cret@10.1.2.3/live".into();
        }
    });
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Enter).await;
    assert!(
        matches!(ui.state.mode, Mode::Detail(_)),
        "Enter opens the detail"
    );
    let screen = ui.screen(160, 40);
    assert!(
        screen.contains("rtsp://admin:***@10.1.2.3/live"),
        "{screen}"
    );
    let record_lines: Vec<&str> = screen.lines().filter(|l| l.contains(": rtsp")).collect();
    assert!(!record_lines.is_empty(), "{screen}");
    for line in record_lines {
        assert!(!line.contains("hunter2"), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_is_said_in_the_activity_log_and_every_target_is_counted() {
    let Some(disk) = SmallDisk::mount("64k") else {
        panic!("this test mounts a 64 KiB tmpfs and needs root (CI runs as root)");
    };
    std::fs::write(disk.dir.path().join("filler"), vec![0u8; 52 * 1024]).expect("filler");
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let audit = disk.dir.path().join("audit.jsonl");
    ui.executor.audit = Some(
        phonedeck::audit::AuditLog::open(&audit, "test", phonedeck::audit::Links::Follow)
            .expect("audit on the small disk"),
    );
    stop_streaming_on_every_phone(&mut ui).await;
    let screen = ui.screen(200, 48);
    assert!(screen.contains("could not be written"), "{screen}");
    let text = std::fs::read_to_string(&audit).expect("audit");
    let sent = text
        .lines()
        .filter(|l| l.contains(r#""event":"sent""#))
        .count();
    assert_eq!(
        mutations(&sim).len(),
        sent,
        "nothing sent without its sent line"
    );
    let summary = ui.state.activity.exit_summary(8).expect("a summary");
    assert!(summary.contains("250 target(s)"), "{summary}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_sessions_undone_action_is_listed_at_start_and_retried_with_t_or_its_id() {
    let sim = start_sim().await;
    let mut first = Harness::new(&sim, false).await;
    sim.set_faults("deny=0.5".parse().expect("faults"));
    stop_streaming_on_every_phone(&mut first).await;
    let failed = first.state.activity.latest().expect("the action").failed;
    assert!(failed > 0, "some were denied");
    let action_id = first
        .state
        .activity
        .latest()
        .expect("the action")
        .action_id
        .clone();
    let audit_path = first.audit_dir.path().join("audit.jsonl");
    sim.set_faults(phonedeck::sim::Faults::default());

    // The session drops; a new dashboard on the same audit log starts.
    let mut second = Harness::new(&sim, false).await;
    second.executor.audit = Some(
        phonedeck::audit::AuditLog::open(&audit_path, "test", phonedeck::audit::Links::Follow)
            .expect("the same audit log"),
    );
    second.state.earlier_runs_asked = false;
    second.advance(Duration::from_secs(1)).await;
    let screen = second.screen(200, 48);
    assert!(screen.contains("from an earlier run at"), "{screen}");
    assert!(screen.contains(&action_id), "{screen}");
    assert!(
        second.state.activity.exit_summary(8).is_none(),
        "an earlier run is not this session's work"
    );
    second.key(KeyCode::Char(':')).await;
    second.type_text("retry ").await;
    second.type_text(&action_id[..4]).await;
    second.key(KeyCode::Tab).await;
    assert_eq!(
        second.state.mode,
        Mode::Command(format!("retry {action_id}"))
    );
    second.key(KeyCode::Enter).await;
    let Mode::Confirm(dialog) = &second.state.mode else {
        panic!("a retry dialog: {:?}", second.state.flash);
    };
    assert_eq!(dialog.targets.len(), failed);
    assert_eq!(
        dialog.retry_of.as_ref().map(|r| r.action_id.as_str()),
        Some(action_id.as_str())
    );
    second.type_text(&failed.to_string()).await;
    second.key(KeyCode::Enter).await;
    let retry = second.state.activity.latest().expect("the retry");
    assert_eq!(retry.ok, failed, "the retry did them: {}", retry.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_reaches_its_state_went_wrong_after_and_the_audit_says_so() {
    let mut options = sim_options();
    options.transition = Duration::from_secs(3_600);
    let sim = start_sim_with(options).await;
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Char('4')).await;
    ui.key(KeyCode::Char('s')).await;
    ui.key(KeyCode::Char('y')).await;
    let server = ui.state.panes.servers.rows[ui.state.panes.servers.view.visible[0]]
        .0
        .id
        .clone();
    ui.advance(Duration::from_secs(60)).await;
    assert!(
        ui.state
            .activity
            .latest()
            .is_some_and(|p| !p.awaiting.is_empty()),
        "still awaited within the window"
    );
    ui.advance(Duration::from_secs(300)).await;
    let progress = ui.state.activity.latest().expect("the action");
    assert_eq!(
        (progress.ok, progress.failed, progress.went_wrong),
        (0, 1, 1)
    );
    let settled: Vec<serde_json::Value> = ui
        .audit_lines()
        .into_iter()
        .filter(|l| l["event"] == "settled")
        .collect();
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled[0]["error_code"], "FOLLOW_THROUGH");
    assert!(
        settled[0]["error_msg"]
            .as_str()
            .is_some_and(|m| m.contains("not SHUTOFF within 5 min")),
        "{}",
        settled[0]
    );
    let screen = ui.screen(200, 48);
    assert!(screen.contains("FOLLOW_THROUGH"), "LAST ERROR: {screen}");
    ui.key(KeyCode::Char('t')).await;
    let Mode::Confirm(dialog) = &ui.state.mode else {
        panic!("t retries it");
    };
    assert_eq!(dialog.targets, [server]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_actions_entry_opens_its_targets_by_cause_and_marks_a_group_in_the_pane() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults("deny=0.5".parse().expect("faults"));
    stop_streaming_on_every_phone(&mut ui).await;
    let failed = ui.state.activity.latest().expect("the action").failed;
    assert!(failed > 0);
    let entry = ui
        .state
        .activity
        .entries
        .iter()
        .position(|(_, e)| matches!(e, phonedeck::app::activity::Entry::Run(_)))
        .expect("the action's entry");
    ui.state.mode = Mode::Activity { selected: entry };
    ui.key(KeyCode::Enter).await;
    assert!(
        matches!(ui.state.mode, Mode::RunTargets { .. }),
        "{:?}",
        ui.state.mode
    );
    let screen = ui.screen(160, 48);
    assert!(
        screen.contains(&format!("{failed}  failed: KOOPHONE")),
        "{screen}"
    );
    // The largest group is first: move to the failures if they are not.
    let ok = ui.state.activity.latest().expect("the action").ok;
    if ok > failed {
        ui.key(KeyCode::Char('j')).await;
    }
    ui.key(KeyCode::Char('m')).await;
    assert_eq!(ui.state.pane, Pane::Phones);
    let marks = &ui.state.panes.phones.table.view.marks;
    assert_eq!(marks.len(), failed, "{:?}", ui.state.flash);
    let denied: HashSet<String> = ui
        .audit_lines()
        .into_iter()
        .filter(|l| l["outcome"] == "failed")
        .filter_map(|l| l["target"].as_str().map(str::to_string))
        .collect();
    assert_eq!(*marks, denied, "exactly the failed ones");
}

/// Marks all 250 phones, stops streaming on them, types the count and confirms.
async fn stop_streaming_on_every_phone(ui: &mut Harness) {
    ui.key(KeyCode::Char('A')).await;
    ui.key(KeyCode::Char('s')).await;
    ui.type_text("250").await;
    ui.key(KeyCode::Enter).await;
}
