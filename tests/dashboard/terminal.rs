//! The real binary in a real pseudo-terminal, read back through a terminal emulator
//! (vt100): start the demo, stop streaming on a phone, quit, and check the terminal
//! was restored (main screen back, cursor shown, raw mode off).

use std::time::Duration;

use crate::pty;

use pty::{Pty, simulator_for, simulator_with_config};

#[test]
fn demo_start_stop_streaming_and_quit_restores_the_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let audit = home.path().join("audit.jsonl");
    let audit_arg = audit.display().to_string();
    let mut pty = Pty::spawn(&["--audit-log", &audit_arg], home.path());
    let screen = pty.wait_for("Phones 200/200");
    assert!(screen.contains("SIMULATOR"), "{screen}");
    pty.send(" ");
    pty.send("s");
    pty.wait_for("Confirm: stop streaming");
    pty.send("y");
    pty.wait_for("1 done — finished");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    std::thread::sleep(Duration::from_millis(200));
    let parser = pty.screen.lock().expect("lock");
    let screen = parser.screen();
    assert!(!screen.alternate_screen(), "back on the main screen");
    assert!(!screen.hide_cursor(), "cursor shown again");
    assert!(
        !screen.contents().contains("Phones 200/200"),
        "dashboard gone"
    );
    let audit = std::fs::read_to_string(&audit).expect("audit written");
    assert_eq!(audit.lines().count(), 3, "targets, sent, outcome: {audit}");
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in ["-TERM", "-HUP"] {
        let home = tempfile::tempdir().expect("tempdir");
        let audit = home.path().join("audit.jsonl");
        let audit_arg = audit.display().to_string();
        let mut pty = Pty::spawn(&["--demo", "--audit-log", &audit_arg], home.path());
        pty.wait_for("Phones 200/200");
        let pid = pty.pid.expect("pid");
        let status = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        pty.wait_exit();
        std::thread::sleep(Duration::from_millis(200));
        let parser = pty.screen.lock().expect("lock");
        assert!(!parser.screen().alternate_screen(), "{signal}");
        assert!(!parser.screen().hide_cursor(), "{signal}");
        let raw = pty.raw.lock().expect("lock");
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains("\u{1b}[?1049l"),
            "{signal}: left the alternate screen"
        );
    }
}

#[test]
fn resizing_at_any_moment_redraws_to_fit() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::spawn(&["--demo", "--audit-log", "/dev/null"], home.path());
    pty.wait_for("1 Phones");
    pty.resize(80, 24);
    let screen = pty.wait_for("1:Phones");
    assert!(
        screen.contains("Run "),
        "one-line header at 80x24:\n{screen}"
    );
    pty.resize(20, 5);
    pty.wait_for("too small");
    pty.resize(160, 48);
    pty.wait_for("1 Phones");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0, "no panic at any size");
}

/// The audit log's lines, parsed.
fn audit_events(audit: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(audit)
        .expect("audit")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

fn count(lines: &[serde_json::Value], event: &str) -> usize {
    lines.iter().filter(|l| l["event"] == event).count()
}

/// A dashboard on a fresh simulator (its profile given `profile_extra`) in a terminal
/// `size`, with its audit log at the returned path.
fn audited_dashboard(
    size: (u16, u16),
    profile_extra: &str,
) -> (
    tempfile::TempDir,
    tokio::runtime::Runtime,
    phonedeck::sim::SimHandle,
    Pty,
    std::path::PathBuf,
) {
    audited_dashboard_with_env(size, profile_extra, &[])
}

/// As `audited_dashboard`, with more environment for phonedeck.
fn audited_dashboard_with_env(
    size: (u16, u16),
    profile_extra: &str,
    env: &[(&str, &str)],
) -> (
    tempfile::TempDir,
    tokio::runtime::Runtime,
    phonedeck::sim::SimHandle,
    Pty,
    std::path::PathBuf,
) {
    let home = tempfile::tempdir().expect("tempdir");
    let (runtime, sim, config) = simulator_with_config("", home.path(), profile_extra);
    let audit = home.path().join("audit.jsonl");
    let audit_arg = audit.display().to_string();
    let token = sim.credentials().token.clone();
    let pty = Pty::spawn_sized(
        size,
        &["--config", &config, "--audit-log", &audit_arg],
        home.path(),
        &[&[("PD_TEST_TOKEN", token.as_str())], env].concat(),
    );
    pty.wait_for("Phones 200/200");
    (home, runtime, sim, pty, audit)
}

/// Slows the simulator down, then stops streaming on all 200 phones (count typed).
fn stop_streaming_on_all(sim: &phonedeck::sim::SimHandle, pty: &mut Pty) {
    sim.set_faults(phonedeck::sim::Faults {
        latency: Duration::from_millis(300),
        ..Default::default()
    });
    pty.send("A");
    pty.send("s");
    pty.wait_for("Type 200 and press Enter");
    pty.send("200\r");
    pty.wait_for("stop streaming on 200 target(s)");
}

#[test]
fn quitting_stops_sending_and_records_what_was_in_flight() {
    let (_home, _runtime, sim, mut pty, audit) = audited_dashboard((120, 40), "max_in_flight = 1");
    sim.set_faults(phonedeck::sim::Faults {
        latency: Duration::from_millis(400),
        ..Default::default()
    });
    pty.send("   ");
    pty.send("s");
    pty.wait_for("Confirm: stop streaming");
    pty.send("y");
    pty.send("q");
    pty.wait_for("Quit?");
    pty.send("y");
    assert_eq!(pty.wait_exit(), 0);
    let lines = audit_events(&audit);
    assert_eq!(count(&lines, "sent"), count(&lines, "outcome"), "{lines:?}");
    assert!(count(&lines, "not_sent") >= 1, "the last were never sent");
    assert_eq!(count(&lines, "sent") + count(&lines, "not_sent"), 3);
}

#[test]
fn ctrl_c_mid_bulk_sends_nothing_new_and_the_exit_line_accounts_for_every_target() {
    let (_home, _runtime, sim, mut pty, audit) = audited_dashboard((120, 40), "max_in_flight = 2");
    let audit_arg = audit.display().to_string();
    stop_streaming_on_all(&sim, &mut pty);
    std::thread::sleep(Duration::from_millis(1000));
    pty.send("\x03");
    assert_eq!(pty.wait_exit(), 0);
    let exit_line = pty.wait_for("not sent");
    assert!(
        exit_line.contains("1 action(s) on 200 target(s)"),
        "{exit_line}"
    );
    assert!(exit_line.contains(&audit_arg), "{exit_line}");
    let stops = || {
        sim.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/streaming/stop"))
            .count()
    };
    let (requests, all) = (stops(), sim.requests().len());
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(
        sim.requests().len(),
        all,
        "nothing sent after the exit, not even a poll"
    );
    let lines = audit_events(&audit);
    assert_eq!(count(&lines, "sent"), requests);
    assert_eq!(count(&lines, "outcome"), requests, "every request answered");
    assert_eq!(count(&lines, "sent") + count(&lines, "not_sent"), 200);
    assert!(count(&lines, "not_sent") > 100, "most were never sent");
}

#[test]
fn the_cancel_key_stops_a_bulk_action_without_quitting() {
    let (_home, _runtime, sim, mut pty, audit) = audited_dashboard((160, 48), "max_in_flight = 2");
    stop_streaming_on_all(&sim, &mut pty);
    std::thread::sleep(Duration::from_millis(600));
    pty.send("c");
    let screen = pty.wait_for("not sent — cancelled");
    assert!(
        screen.contains("Phones 200/200"),
        "still running:\n{screen}"
    );
    let lines = audit_events(&audit);
    assert_eq!(count(&lines, "sent"), count(&lines, "outcome"));
    assert_eq!(count(&lines, "sent") + count(&lines, "not_sent"), 200);
    // What was not sent is one key away, confirmed like any action.
    pty.send("t");
    pty.wait_for("retry of action");
    pty.send("\x1b");
    pty.wait_for("cancelled; nothing was sent");
    pty.send("L");
    pty.wait_for("Enter whole line");
    pty.send("\r");
    pty.wait_for("Activity entry");
    pty.send("\x1b");
    pty.send("\x1b");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0, "nothing runs: q quits at once");
}

#[test]
fn enter_shows_a_row_whole_and_y_copies_its_id_through_the_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config) = simulator_with_config("", home.path(), "");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("clipboard = true\n{text}")).expect("config");
    let mut pty = Pty::dashboard(&config, home.path(), &sim.credentials().token);
    pty.wait_for("Phones 200/200");
    pty.send("4");
    pty.wait_for("SERVER ID");
    pty.send("\r");
    let screen = pty.wait_for("Status changes seen since phonedeck started");
    assert!(
        screen.contains("OS-EXT-STS:task_state"),
        "raw field names:\n{screen}"
    );
    let id = sim.with_fleet(|f| f.servers[0].id.clone());
    assert!(screen.contains(&format!("Servers {id}")), "{screen}");
    pty.send("y");
    pty.wait_for("copied");
    let encoded = base64::engine::Engine::encode(&base64::engine::general_purpose::STANDARD, &id);
    let raw = String::from_utf8_lossy(&pty.raw.lock().expect("lock")).to_string();
    assert!(
        raw.contains(&format!("\x1b]52;c;{encoded}\x07")),
        "the OSC 52 sequence carries the id"
    );
    pty.send("\x1b");
    pty.wait_for("SERVER ID");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn filter_prompt_recall_clear_and_sort_keys_in_a_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config) = simulator_with_config("", home.path(), "");
    let mut pty = Pty::dashboard(&config, home.path(), &sim.credentials().token);
    pty.wait_for("Phones 200/200");
    pty.send("/offline\r");
    pty.wait_for("/offline");
    pty.send("/");
    pty.wait_for("type to filter");
    pty.send("running\r");
    let screen = pty.wait_for("/running");
    assert!(!screen.contains("offlinerunning"), "{screen}");
    // A new prompt, Ctrl-U, then ↑ twice: the filter before the latest.
    pty.send("/xyz");
    pty.wait_for("no row matches /xyz");
    pty.send("\x15");
    pty.send("\x1b[A");
    pty.send("\x1b[A\r");
    pty.wait_for("/offline");
    pty.send("\x1b");
    pty.wait_for("Phones 200/200");
    pty.send("\x1bn");
    pty.wait_for("sort:name↑");
    pty.send("\x1bn");
    pty.wait_for("sort:name↓");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn wait_shows_its_progress_on_a_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let options = phonedeck::sim::SimOptions {
        churn_per_sec: 0.0,
        transition: Duration::from_secs(2),
        ..Default::default()
    };
    let (_runtime, sim, config) = simulator_for(options, home.path(), "");
    let server = sim.with_fleet(|f| {
        f.servers
            .iter()
            .find(|s| s.status == "ACTIVE")
            .map(|s| s.id.clone())
            .expect("an active server")
    });
    let audit = home.path().join("audit.jsonl").display().to_string();
    let mut pty = Pty::spawn_with_env(
        &[
            "--config",
            &config,
            "--audit-log",
            &audit,
            "servers",
            "stop",
            &server,
            "--yes",
            "--wait",
        ],
        home.path(),
        &[("PD_TEST_TOKEN", &sim.credentials().token)],
    );
    pty.wait_for("waiting for 1 server(s) to be SHUTOFF");
    assert_eq!(pty.wait_exit(), 0);
    pty.wait_for("ok");
}

#[test]
fn escape_sequences_from_the_network_never_reach_the_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config) = simulator_with_config("hostile-names", home.path(), "");
    let token = sim.credentials().token.clone();
    let mut pty = Pty::dashboard(&config, home.path(), &token);
    let screen = pty.wait_for("Phones 200/200");
    assert!(screen.contains("\\u{1b}]0;own"), "shown as text:\n{screen}");
    assert!(screen.contains("\\u{1b}[2J"), "shown as text:\n{screen}");
    pty.send("4");
    let screen = pty.wait_for("Servers 12/12");
    assert!(screen.contains("\\u{1b}]0;own"), "{screen}");
    pty.send("q");
    pty.wait_exit();
    let raw = pty.raw.lock().expect("lock");
    let needle = b"\x1b]0;owned";
    assert!(
        !raw.windows(needle.len()).any(|w| w == needle),
        "the OSC title sequence reached the terminal raw"
    );
}

#[test]
fn an_idle_dashboard_writes_nothing_to_the_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config) = simulator_with_config("", home.path(), "poll_interval_secs = 2");
    let token = sim.credentials().token.clone();
    let mut pty = Pty::dashboard(&config, home.path(), &token);
    pty.wait_for("live, every 2s");
    std::thread::sleep(Duration::from_millis(1_500));
    let before = pty.raw.lock().expect("lock").len();
    // Three polls with nothing changed: not a byte, not even a cursor hide.
    std::thread::sleep(Duration::from_secs(6));
    let after = pty.raw.lock().expect("lock").len();
    assert_eq!(after, before, "{}", pty.contents());
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

/// Whether the bytes set a foreground or background colour (SGR 30-37, 38, 40-47, 48,
/// 90-97, 100-107); resets (39, 49, 0) are not colours.
fn sets_a_colour(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    text.split("\u{1b}[").skip(1).any(|sequence| {
        let Some(end) = sequence.find(|c: char| c.is_ascii_alphabetic()) else {
            return false;
        };
        sequence[end..].starts_with('m')
            && sequence[..end].split(';').any(|code| {
                matches!(
                    code.parse::<u16>(),
                    Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
                )
            })
    })
}

#[test]
fn colours_fit_the_terminal_and_no_color_turns_them_off() {
    let home = tempfile::tempdir().expect("tempdir");
    // (NO_COLOR, TERM, colour codes expected, crossterm's 256-colour form expected)
    let cases = [
        ("1", "screen", false, false),
        ("", "screen", true, false),
        ("", "linux", true, false),
        ("", "tmux-256color", true, true),
    ];
    for (no_color, term, coloured, full_palette) in cases {
        let mut pty = Pty::spawn_with_env(
            &["--demo", "--audit-log", "/dev/null"],
            home.path(),
            &[("NO_COLOR", no_color), ("TERM", term), ("COLORTERM", "")],
        );
        let screen = pty.wait_for("Phones 200/200");
        assert!(
            screen.contains("Offline") && screen.contains("Running"),
            "statuses in words: {screen}"
        );
        pty.send("q");
        assert_eq!(pty.wait_exit(), 0);
        let raw = pty.raw.lock().expect("lock");
        let case = format!("NO_COLOR={no_color:?} TERM={term}");
        assert_eq!(sets_a_colour(&raw), coloured, "{case}");
        let long_form = raw.windows(5).any(|w| w == b"38;5;");
        assert_eq!(long_form, full_palette, "{case}");
    }
}

#[test]
fn keys_rebound_in_the_config_are_in_force_in_hints_help_and_conflicts() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config) = simulator_with_config("", home.path(), "");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("\n[keys]\nquit = \"x\"\nfreeze = \"s\"\nrefresh = [\"ctrl-r\", \"F5\"]\n");
    std::fs::write(&config, text).expect("config written");
    let token = sim.credentials().token.clone();
    let mut pty = Pty::dashboard(&config, home.path(), &token);
    pty.wait_for("Phones 200/200");
    // Reported at start-up, in the activity log.
    pty.wait_for("[keys]: key s was bound to stop; it now does freeze");
    pty.wait_for("stop has no key left");
    pty.send("s");
    pty.wait_for("FROZEN");
    let screen = pty.wait_for("x quit");
    assert!(
        !screen.contains("stop streaming"),
        "no hint for an unbound action"
    );
    pty.send("?");
    let help = pty.wait_for("Ctrl-r F5");
    assert!(help.contains("refresh now"), "{help}");
    pty.send("\u{1b}");
    pty.send("x");
    assert_eq!(pty.wait_exit(), 0);
}

/// A second profile, read-only, on the same simulator.
fn add_read_only_profile(config: &str) {
    let text = std::fs::read_to_string(config).expect("config");
    let second = text
        .replace("[profiles.sim]", "[profiles.sim-ro]")
        .replace("[profiles.sim.", "[profiles.sim-ro.")
        .replace("live_domains", "read_only = true\nlive_domains");
    std::fs::write(config, format!("{text}\n{second}")).expect("config written");
}

#[test]
fn command_line_switches_pane_filter_and_profile_with_completion() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config) = simulator_with_config("", home.path(), "");
    add_read_only_profile(&config);
    let token = sim.credentials().token.clone();
    let mut pty = Pty::spawn_with_env(
        &[
            "--config",
            &config,
            "--profile",
            "sim",
            "--audit-log",
            "/dev/null",
        ],
        home.path(),
        &[("PD_TEST_TOKEN", &token)],
    );
    pty.wait_for("Phones 200/200");
    pty.send(":fil\tofflin\t\r");
    pty.wait_for("Phones 27/200 /offline");
    pty.send(":se\t\r");
    pty.wait_for("Servers 12/12");
    pty.send(":pro\tsim-");
    let typed = pty.wait_for(":profile sim-");
    assert!(typed.contains("sim-ro"), "candidates shown: {typed}");
    pty.send("\t\r");
    let screen = pty.wait_for("switched to profile sim-ro (read-only)");
    assert!(screen.contains("READ-ONLY"), "{screen}");
    pty.wait_for("Servers 12/12");
    pty.send("1");
    pty.send("s");
    pty.wait_for("read-only");
    pty.send(":profile nope\r");
    pty.wait_for("no profile `nope`; known: sim, sim-ro");
    pty.send(":q\r");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn write_on_a_read_only_profile_needs_its_name_typed() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config) = simulator_with_config("", home.path(), "");
    add_read_only_profile(&config);
    let token = sim.credentials().token.clone();
    let start = || {
        let pty = Pty::spawn_with_env(
            &[
                "--config",
                &config,
                "--profile",
                "sim-ro",
                "--write",
                "--audit-log",
                "/dev/null",
            ],
            home.path(),
            &[("PD_TEST_TOKEN", &token)],
        );
        pty.wait_for("Type sim-ro to confirm");
        pty
    };
    let mut pty = start();
    pty.send("sim-ro\r");
    let screen = pty.wait_for("Phones 200/200");
    assert!(
        !screen.contains("READ-ONLY"),
        "writes allowed for this run:\n{screen}"
    );
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);

    let mut pty = start();
    pty.send("yes\r");
    pty.wait_for("--write not confirmed; nothing was sent");
    assert_eq!(pty.wait_exit(), 2);
}

#[test]
fn with_mouse_on_a_click_on_a_tab_switches_pane_and_reporting_is_turned_off_at_exit() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config) = simulator_with_config("", home.path(), "");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("mouse = true\n{text}")).expect("config written");
    let token = sim.credentials().token.clone();
    let mut pty = Pty::dashboard(&config, home.path(), &token);
    pty.wait_for("Phones 200/200");
    // An SGR mouse press and release on "4 Servers" (1-based column 41, row 3).
    pty.send("\u{1b}[<0;41;3M\u{1b}[<0;41;3m");
    pty.wait_for("Servers 12/12");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    let raw = String::from_utf8_lossy(&pty.raw.lock().expect("lock")).into_owned();
    let on = raw
        .find("\u{1b}[?1000h")
        .expect("mouse reporting turned on");
    let off = raw
        .rfind("\u{1b}[?1000l")
        .expect("mouse reporting turned off");
    assert!(off > on);
}

/// After the dashboard exited mid-bulk: nothing more is sent, and each request sent
/// has its `sent` and outcome lines (those in flight were waited for). Returns how
/// many were sent.
fn stopped_sending_and_answered(sim: &phonedeck::sim::SimHandle, audit: &std::path::Path) -> usize {
    let stops = || {
        sim.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/streaming/stop"))
            .count()
    };
    let requests = stops();
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(stops(), requests, "nothing sent after the exit");
    let lines = audit_events(audit);
    assert_eq!(count(&lines, "sent"), requests);
    assert_eq!(
        count(&lines, "outcome"),
        requests,
        "those in flight were waited for"
    );
    requests
}

#[test]
fn a_lost_terminal_mid_bulk_stops_sending_and_accounts_for_every_target() {
    let (_home, _runtime, sim, mut pty, audit) = audited_dashboard((120, 40), "max_in_flight = 2");
    stop_streaming_on_all(&sim, &mut pty);
    std::thread::sleep(Duration::from_millis(800));
    // The SSH session dies: SIGHUP, and the terminal can no longer be drawn on.
    pty.hang_up("j");
    assert_eq!(pty.wait_exit(), 0);
    let requests = stopped_sending_and_answered(&sim, &audit);
    let audit_arg = audit.display().to_string();
    let action = std::fs::read_to_string(&audit)
        .expect("audit")
        .lines()
        .find_map(|l| {
            let line: serde_json::Value = serde_json::from_str(l).ok()?;
            line["action_id"].as_str().map(str::to_string)
        })
        .expect("an action id");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .args([
            "--audit-log",
            &audit_arg,
            "audit",
            "--action",
            &action,
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    let targets: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let targets = targets.as_array().expect("targets");
    assert_eq!(targets.len(), 200, "every target has its outcome");
    let outcome = |name: &str| targets.iter().filter(|t| t["outcome"] == name).count();
    assert_eq!(outcome("ok"), requests);
    assert_eq!(
        outcome("not_sent"),
        200 - requests,
        "the rest were never sent"
    );
}

#[test]
fn a_panic_in_the_ui_mid_bulk_stops_sending_and_accounts_for_every_target() {
    let (_home, _runtime, sim, mut pty, audit) = audited_dashboard_with_env(
        (120, 40),
        "max_in_flight = 2",
        &[("PHONEDECK_TEST_PANIC_KEY", "!")],
    );
    stop_streaming_on_all(&sim, &mut pty);
    std::thread::sleep(Duration::from_millis(800));
    pty.send("!");
    pty.wait_for("hit a bug (PHONEDECK_TEST_PANIC_KEY was pressed) and stopped sending");
    assert_eq!(pty.wait_exit(), 1);
    let requests = stopped_sending_and_answered(&sim, &audit);
    let lines = audit_events(&audit);
    assert_eq!(
        count(&lines, "not_sent"),
        200 - requests,
        "the rest are recorded never sent"
    );
    let screen = pty.contents();
    assert!(
        !screen.contains("Phones 200/200"),
        "the terminal was restored:\n{screen}"
    );
}
