//! Targets 4 and 6: the real dashboard in a pseudo-terminal. Idle cost is read from
//! /proc (CPU) and from the bytes the terminal receives; start-up is the time from
//! spawning the demo to its first frame on screen.

use std::time::{Duration, Instant};

use phonedeck::api::koophone::PhoneStatus;
use phonedeck::sim::{FleetSize, SimOptions};

use crate::Figure;
use crate::pty::{Pty, simulator_for};

const IDLE_PHONES: usize = 1_000;
const POLL_SECS: u64 = 5;
const WARM_UP: Duration = Duration::from_secs(15);
const IDLE_WINDOW: Duration = Duration::from_secs(60);

/// CPU time (user + system) the process has used so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("process stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after_name = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let ticks = fields[11] + fields[12];
    Duration::from_secs_f64(ticks as f64 / clock_ticks_per_sec())
}

fn clock_ticks_per_sec() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

fn bytes_written(pty: &Pty) -> usize {
    pty.raw.lock().expect("lock").len()
}

/// A steady fleet of 1,000 phones, the dashboard at 120x40 polling every 5 s: CPU
/// and bytes over 60 s, then the bytes one status change on screen costs.
pub fn idle() -> Vec<Figure> {
    let home = tempfile::tempdir().expect("tempdir");
    let options = SimOptions {
        size: FleetSize {
            phones: IDLE_PHONES,
            ..SimOptions::default().size
        },
        churn_per_sec: 0.0,
        ..SimOptions::default()
    };
    let extra = format!("poll_interval_secs = {POLL_SECS}");
    let (_runtime, sim, config) = simulator_for(options, home.path(), &extra);
    let token = sim.credentials().token.clone();
    let pty = Pty::dashboard(&config, home.path(), &token);
    let pid = pty.pid.expect("pid");
    pty.wait_for(&format!("Phones {IDLE_PHONES}/{IDLE_PHONES}"));
    std::thread::sleep(WARM_UP);

    let (cpu_before, bytes_before) = (cpu_time(pid), bytes_written(&pty));
    std::thread::sleep(IDLE_WINDOW);
    let (cpu, bytes) = (
        cpu_time(pid) - cpu_before,
        bytes_written(&pty) - bytes_before,
    );
    let cpu_share = cpu.as_secs_f64() / IDLE_WINDOW.as_secs_f64();
    let per_minute = bytes as f64 * 60.0 / IDLE_WINDOW.as_secs_f64();

    // One phone on screen changes status; two polls show it, highlighted, then plain.
    let window = Duration::from_secs(2 * POLL_SECS);
    let changed_before = bytes_written(&pty);
    let name = sim.with_fleet(|fleet| {
        let phone = &mut fleet.phones[0];
        phone.status = if phone.status == PhoneStatus::OFFLINE {
            PhoneStatus::RUNNING
        } else {
            PhoneStatus::OFFLINE
        };
        phone.name.clone()
    });
    std::thread::sleep(window);
    let idle_share = per_minute * window.as_secs_f64() / 60.0;
    let change = (bytes_written(&pty) - changed_before) as f64 - idle_share;
    let screen = pty.contents();
    assert!(screen.contains(&name), "the changed phone is on screen");

    vec![
        Figure {
            name: format!("4. idle CPU, {IDLE_PHONES} phones, poll {POLL_SECS} s, 60 s"),
            measured: format!("{:.2} % core", cpu_share * 100.0),
            limit: "1 % core".into(),
            ratio: Some(cpu_share / 0.01),
            met: Some(cpu_share < 0.01),
        },
        Figure {
            name: "4. idle terminal output, per minute".into(),
            measured: format!("{per_minute:.0} B"),
            limit: "2048 B".into(),
            ratio: Some(per_minute / 2048.0),
            met: Some(per_minute < 2048.0),
        },
        Figure {
            name: "4. one status change on screen (beyond idle)".into(),
            measured: format!("{change:.0} B"),
            limit: "500 B".into(),
            ratio: Some(change / 500.0),
            met: Some(change < 500.0),
        },
    ]
}

const STARTUP_LIMIT: Duration = Duration::from_millis(300);
const STARTUP_RUNS: usize = 5;

/// The median over five runs of: spawn `phonedeck --demo` until its header is drawn.
pub fn startup() -> Figure {
    let mut times: Vec<Duration> = (0..STARTUP_RUNS).map(|_| first_frame()).collect();
    times.sort();
    let median = times[STARTUP_RUNS / 2];
    Figure {
        name: format!("6. start-up to first frame, demo (median of {STARTUP_RUNS})"),
        measured: format!("{} ms", median.as_millis()),
        limit: format!("{} ms", STARTUP_LIMIT.as_millis()),
        ratio: Some(median.as_secs_f64() / STARTUP_LIMIT.as_secs_f64()),
        met: Some(median <= STARTUP_LIMIT),
    }
}

fn first_frame() -> Duration {
    let home = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let mut pty = Pty::spawn(&["--demo", "--audit-log", "/dev/null"], home.path());
    while !pty.contents().contains("SIMULATOR") {
        assert!(started.elapsed() < Duration::from_secs(10), "no frame");
        std::thread::sleep(Duration::from_millis(1));
    }
    let took = started.elapsed();
    pty.send("q");
    pty.wait_exit();
    took
}
