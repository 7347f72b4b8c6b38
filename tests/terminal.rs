//! The real binary in a real pseudo-terminal, read back through a terminal emulator
//! (vt100): start the demo, stop streaming on a phone, quit, and check the terminal
//! was restored (main screen back, cursor shown, raw mode off).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

struct Pty {
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Pty {
    fn spawn(args: &[&str], home: &std::path::Path) -> Pty {
        Pty::spawn_with_env(args, home, &[])
    }

    fn spawn_with_env(args: &[&str], home: &std::path::Path, env: &[(&str, &str)]) -> Pty {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: HEIGHT,
                cols: WIDTH,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_phonedeck"));
        command.args(args);
        command.env("HOME", home);
        command.env("XDG_CONFIG_HOME", home.join("config"));
        command.env("XDG_DATA_HOME", home.join("data"));
        command.env("TERM", "xterm-256color");
        command.env_remove("PHONEDECK_CONFIG");
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pty.slave.spawn_command(command).expect("starts");
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(HEIGHT).expect("rows"),
            std::num::NonZeroU16::new(WIDTH).expect("columns"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let (screen_in, raw_in) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                screen_in.lock().expect("lock").process(&buffer[..n]);
                raw_in.lock().expect("lock").extend_from_slice(&buffer[..n]);
            }
        });
        let writer = pty.master.take_writer().expect("writer");
        Pty {
            screen,
            raw,
            writer,
            child,
            master: pty.master,
        }
    }

    /// Resizes the terminal, as a window manager would (the program gets SIGWINCH).
    fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resized");
        let (rows, cols) = (
            std::num::NonZeroU16::new(rows).expect("rows"),
            std::num::NonZeroU16::new(cols).expect("columns"),
        );
        self.screen
            .lock()
            .expect("lock")
            .screen_mut()
            .set_size(rows, cols);
    }

    fn contents(&self) -> String {
        self.screen.lock().expect("lock").screen().contents()
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let contents = self.contents();
            if contents.contains(text) {
                return contents;
            }
            assert!(
                Instant::now() < deadline,
                "`{text}` never appeared:\n{contents}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("typed");
        self.writer.flush().expect("flushed");
        std::thread::sleep(Duration::from_millis(150));
    }

    fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("status") {
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "did not exit:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

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
    pty.wait_for("1/1 done — finished");
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
    assert_eq!(audit.lines().count(), 2, "{audit}");
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in ["-TERM", "-HUP"] {
        let home = tempfile::tempdir().expect("tempdir");
        let audit = home.path().join("audit.jsonl");
        let audit_arg = audit.display().to_string();
        let mut pty = Pty::spawn(&["--demo", "--audit-log", &audit_arg], home.path());
        pty.wait_for("Phones 200/200");
        let pid = pty.child.process_id().expect("pid");
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

/// Starts a simulator with `faults` and writes a config for it; returns the runtime
/// serving it, the simulator and the config path.
fn simulator_with_config(
    faults: &str,
    home: &std::path::Path,
    profile_extra: &str,
) -> (tokio::runtime::Runtime, phonedeck::sim::SimHandle, String) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let options = phonedeck::sim::SimOptions {
        faults: faults.parse().expect("faults"),
        churn_per_sec: 0.0,
        ..Default::default()
    };
    let sim = runtime
        .block_on(phonedeck::sim::start(options))
        .expect("simulator");
    let config = home.join("config.toml");
    let base = sim.base_url();
    std::fs::write(
        &config,
        format!(
            "[profiles.sim]\nproject_id = \"{}\"\nlive_domains = [\"publish.example.com\"]\n{profile_extra}\n\
             [profiles.sim.endpoints]\nkoophone = \"{base}\"\nlive = \"{base}\"\ncompute = \"{base}\"\ncph = \"{base}\"\n\
             [profiles.sim.auth]\ntoken_env = \"PD_TEST_TOKEN\"\n",
            sim.credentials().project_id
        ),
    )
    .expect("config");
    (runtime, sim, config.display().to_string())
}

#[test]
fn quitting_waits_for_running_actions_and_records_their_outcomes() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config) = simulator_with_config("", home.path(), "max_in_flight = 1");
    let audit = home.path().join("audit.jsonl");
    let audit_arg = audit.display().to_string();
    let token = sim.credentials().token.clone();
    let mut pty = Pty::spawn_with_env(
        &["--config", &config, "--audit-log", &audit_arg],
        home.path(),
        &[("PD_TEST_TOKEN", &token)],
    );
    pty.wait_for("Phones 200/200");
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
    let text = std::fs::read_to_string(&audit).expect("audit");
    let events: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["event"].to_string())
        .collect();
    assert_eq!(
        events.iter().filter(|e| e.contains("sent")).count(),
        3,
        "{text}"
    );
    assert_eq!(
        events.iter().filter(|e| e.contains("outcome")).count(),
        3,
        "{text}"
    );
}

#[test]
fn escape_sequences_from_the_network_never_reach_the_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_runtime, sim, config_arg) = simulator_with_config("hostile-names", home.path(), "");
    let token = sim.credentials().token.clone();
    let mut pty = Pty::spawn_with_env(
        &["--config", &config_arg, "--audit-log", "/dev/null"],
        home.path(),
        &[("PD_TEST_TOKEN", &token)],
    );
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
