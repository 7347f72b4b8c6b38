//! The real binary in a real pseudo-terminal, read back through a terminal emulator
//! (vt100). Shared by the terminal tests and the fleet benchmark.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub const WIDTH: u16 = 120;
pub const HEIGHT: u16 = 40;

pub struct Pty {
    pub pid: Option<u32>,
    pub screen: Arc<Mutex<vt100::Parser>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    /// The terminal's side of the pseudo-terminal: the master, its writer and its
    /// reader (on a thread). All three closed is the terminal gone (`hang_up`).
    writer: Option<Box<dyn Write + Send>>,
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
    reader: Option<std::thread::JoinHandle<()>>,
    closing: Arc<std::sync::atomic::AtomicBool>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Pty {
    pub fn spawn(args: &[&str], home: &std::path::Path) -> Pty {
        Pty::spawn_with_env(args, home, &[])
    }

    pub fn spawn_with_env(args: &[&str], home: &std::path::Path, env: &[(&str, &str)]) -> Pty {
        Pty::spawn_sized((WIDTH, HEIGHT), args, home, env)
    }

    /// The dashboard on a simulator's config (see `simulator_for`), audit log discarded.
    pub fn dashboard(config: &str, home: &std::path::Path, token: &str) -> Pty {
        Pty::spawn_with_env(
            &["--config", config, "--audit-log", "/dev/null"],
            home,
            &[("PD_TEST_TOKEN", token)],
        )
    }

    /// Starts phonedeck with `args` in a `cols` x `rows` terminal, with its own HOME.
    pub fn spawn_sized(
        (cols, rows): (u16, u16),
        args: &[&str],
        home: &std::path::Path,
        env: &[(&str, &str)],
    ) -> Pty {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
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
        let pid = child.process_id();
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).expect("rows"),
            std::num::NonZeroU16::new(cols).expect("columns"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let (screen_in, raw_in) = (screen.clone(), raw.clone());
        let closing = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = closing.clone();
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 || stop.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                screen_in.lock().expect("lock").process(&buffer[..n]);
                raw_in.lock().expect("lock").extend_from_slice(&buffer[..n]);
            }
        });
        let writer = pty.master.take_writer().expect("writer");
        Pty {
            pid,
            screen,
            raw,
            writer: Some(writer),
            master: Some(pty.master),
            reader: Some(reader),
            closing,
            child,
        }
    }

    /// The terminal goes away, as when an SSH session dies: every descriptor of the
    /// master side is closed, so the program gets SIGHUP and its writes fail. The
    /// reader thread leaves after its next read, which `keys` provoke.
    pub fn hang_up(&mut self, keys: &str) {
        self.closing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.reader.as_ref().is_some_and(|r| !r.is_finished()) {
            assert!(
                Instant::now() < deadline,
                "the terminal's reader never left"
            );
            self.send(keys);
        }
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the reader thread ends");
        }
        self.writer = None;
        self.master = None;
    }

    /// Resizes the terminal, as a window manager would (the program gets SIGWINCH).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .as_ref()
            .expect("the terminal is still there")
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

    pub fn contents(&self) -> String {
        self.screen.lock().expect("lock").screen().contents()
    }

    pub fn wait_for(&self, text: &str) -> String {
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

    pub fn send(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("the terminal is still there");
        writer.write_all(keys.as_bytes()).expect("typed");
        writer.flush().expect("flushed");
        std::thread::sleep(Duration::from_millis(150));
    }

    pub fn wait_exit(&mut self) -> u32 {
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

/// Starts a steady simulator (no churn) with `faults` and writes a config for it;
/// returns the runtime serving it, the simulator and the config path.
pub fn simulator_with_config(
    faults: &str,
    home: &std::path::Path,
    profile_extra: &str,
) -> (tokio::runtime::Runtime, phonedeck::sim::SimHandle, String) {
    let options = phonedeck::sim::SimOptions {
        faults: faults.parse().expect("faults"),
        churn_per_sec: 0.0,
        ..Default::default()
    };
    simulator_for(options, home, profile_extra)
}

/// Starts a simulator with `options` and writes a config for it (profile `sim`, the
/// token read from `PD_TEST_TOKEN`).
pub fn simulator_for(
    options: phonedeck::sim::SimOptions,
    home: &std::path::Path,
    profile_extra: &str,
) -> (tokio::runtime::Runtime, phonedeck::sim::SimHandle, String) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
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
