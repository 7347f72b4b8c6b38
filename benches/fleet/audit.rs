//! Listing 100,000 targets before an action's first request, and reading a 100 MB
//! audit log back: `phonedeck audit` (every action summarised) and
//! `phonedeck audit --action ID` (one action's targets), the real binary printing its
//! default table to /dev/null. Two logs of the same size: one action with every target, and one
//! target an action.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Figure;

const LOG_BYTES: u64 = 100 * 1024 * 1024;
const LIMIT: Duration = Duration::from_secs(1);

/// Writes `sent` and `outcome` lines until the log holds 100 MB; `targets_per_action`
/// targets share an action id. Returns the first action's id.
fn write_log(path: &std::path::Path, targets_per_action: usize) -> String {
    let file = std::fs::File::create(path).expect("audit file");
    let mut out = std::io::BufWriter::new(file);
    let (mut written, mut target) = (0u64, 0usize);
    let action_of = |target: usize| format!("{:012x}", target / targets_per_action);
    while written < LOG_BYTES {
        let action = action_of(target);
        let id = format!("phone-{target:08}");
        let request = format!("{target:032x}");
        let sent = format!(
            r#"{{"time":"2026-11-23T10:00:00.000Z","event":"sent","profile":"prod","action":"stop-streaming","action_id":"{action}","target":"{id}","client_request_id":"{request}"}}"#
        );
        let outcome = format!(
            r#"{{"time":"2026-11-23T10:00:01.000Z","event":"outcome","profile":"prod","action":"stop-streaming","action_id":"{action}","target":"{id}","client_request_id":"{request}","outcome":"failed","error_code":"KOOPHONE.API.1001","error_msg":"Insufficient instance permissions","request_id":"{request}"}}"#
        );
        writeln!(out, "{sent}\n{outcome}").expect("writes");
        written += (sent.len() + outcome.len() + 2) as u64;
        target += 1;
    }
    out.flush().expect("flushes");
    action_of(0)
}

fn time_audit(log: &std::path::Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--audit-log")
        .arg(log)
        .arg("audit")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("runs");
    assert!(status.success(), "phonedeck audit failed");
    started.elapsed()
}

/// Listing an action's 100,000 targets in the audit log before its first request
/// (written and fsynced), as the executor does.
pub async fn list_targets() -> Figure {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = phonedeck::audit::AuditLog::open(
        &dir.path().join("audit.jsonl"),
        "bench",
        phonedeck::audit::Links::Follow,
    )
    .expect("audit");
    let targets: Vec<String> = (0..100_000).map(|i| format!("phone-{i:08}")).collect();
    let action = phonedeck::audit::RunRef::new(None);
    let started = Instant::now();
    log.targets(
        phonedeck::action_kind::ActionKind::StopStreaming,
        &targets,
        &action,
    )
    .await
    .expect("listed");
    Figure::timed(
        "audit, list 100000 targets before the first request".into(),
        started.elapsed(),
        Duration::from_millis(100),
        1.0,
    )
}

pub fn read_back() -> Vec<Figure> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut figures = Vec::new();
    for (shape, per_action) in [("one action", usize::MAX), ("one target an action", 1)] {
        let log = dir.path().join("audit.jsonl");
        let first = write_log(&log, per_action);
        for (what, args) in [
            ("every action", vec![]),
            ("one action's targets", vec!["--action", first.as_str()]),
        ] {
            figures.push(Figure::timed(
                format!("audit, 100 MB log ({shape}): {what}"),
                time_audit(&log, &args),
                LIMIT,
                1.0,
            ));
        }
    }
    figures
}
