//! Acting from the dashboard: confirm, run, follow through, cancel, retry and quit,
//! every target accounted for in the activity log and the audit.

use std::collections::HashSet;
use std::time::Duration;

use crate::common::harness::Harness;
use crate::common::*;
use crossterm::event::KeyCode;
use phonedeck::api::server_status::ServerStatus;
use phonedeck::app::run_id::RunId;
use phonedeck::app::{Mode, Pane};

use super::support::*;

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
    let screen = ui.screen(80, 24);
    assert!(
        screen.contains("1 restart job(s) still followed"),
        "{screen}"
    );
    assert!(
        screen.contains("phonedeck jobs job-1"),
        "names the job: {screen}"
    );
    assert!(screen.contains("Quit anyway?"), "{screen}");
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
