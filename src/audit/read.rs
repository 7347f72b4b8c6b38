//! Reading the audit log back (`phonedeck audit`, `phonedeck retry`): every line a
//! record, a torn or foreign line skipped and counted, never a reason to fail. The file
//! is streamed a line at a time, keeping only the records asked for (one target's).

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::action_kind::ActionKind;
use crate::api::Outcome;
use crate::api::outcome::Settled;

use super::event::Event;

/// One line of the audit log as written by `AuditLog` (older lines have no
/// `action_id`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Record {
    pub time: DateTime<Utc>,
    pub event: Event,
    #[serde(default)]
    pub profile: String,
    pub action: ActionKind,
    #[serde(default)]
    pub action_id: Option<String>,
    #[serde(default)]
    pub retry_of: Option<String>,
    /// Empty on a `targets` line (which lists an action's targets instead).
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub client_request_id: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub job_id: Option<String>,
    /// What reading back settled, on `reconciled` lines.
    #[serde(default)]
    pub reconciled: Option<Settled>,
    #[serde(default)]
    pub seen: Option<String>,
}

/// The log's records, and the lines that could not be read (line numbers).
#[derive(Debug, Default)]
pub struct Records {
    pub records: Vec<Record>,
    pub skipped: Vec<usize>,
}

/// What to say on stderr about skipped lines (their numbers), if any.
pub fn skip_note(skipped: &[usize], path: &Path) -> Option<String> {
    let (first, count) = (skipped.first()?, skipped.len());
    Some(format!(
        "{count} line(s) of {} could not be read and were skipped (first: line {first}; a torn last line is what a crash mid-write leaves)",
        path.display()
    ))
}

/// Calls `each` with every line of `input` that is not blank, and its number, one
/// line at a time (never the whole file in memory).
pub fn for_each_line(
    mut input: impl std::io::BufRead,
    mut each: impl FnMut(usize, &[u8]),
) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        number += 1;
        if !line.iter().all(u8::is_ascii_whitespace) {
            each(number, &line);
        }
    }
}

/// Reads the records `keep` wants from `input`; a line that is not a record, or not
/// UTF-8, is skipped and counted.
pub fn parse_matching(
    input: impl std::io::BufRead,
    mut keep: impl FnMut(&Record) -> bool,
) -> std::io::Result<Records> {
    let mut records = Records::default();
    for_each_line(input, |number, line| {
        match serde_json::from_slice::<Record>(line) {
            Ok(record) if keep(&record) => records.records.push(record),
            Ok(_) => {}
            Err(_) => records.skipped.push(number),
        }
    })?;
    Ok(records)
}

/// Reads the records of the log at `path` that `keep` wants; a missing file is an
/// empty log.
pub fn read_matching(path: &Path, keep: impl FnMut(&Record) -> bool) -> std::io::Result<Records> {
    match std::fs::File::open(path) {
        Ok(file) => parse_matching(std::io::BufReader::with_capacity(1 << 16, file), keep),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Records::default()),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = r#"{"time":"2026-11-23T10:00:00.000Z","event":"sent","profile":"p","action":"stop-server","action_id":"a1","target":"s1","client_request_id":"c1"}
{"time":"2026-11-23T10:00:00.000Z","event":"sent","profile":"p","action":"stop-server","action_id":"a1","target":"s2","client_request_id":"c2"}
{"time":"2026-11-23T10:00:01.000Z","event":"outcome","profile":"p","action":"stop-server","action_id":"a1","target":"s1","client_request_id":"c1","outcome":"ok"}
{"time":"2026-11-23T10:00:01.000Z","event":"not_sent","profile":"p","action":"stop-server","action_id":"a1","target":"s3","outcome":"not_sent"}
{"time":"2026-11-23T10:00:02.000Z","event":"outc"#;

    #[test]
    fn a_torn_last_line_is_skipped_and_counted() {
        let records = parse_matching(LOG.as_bytes(), |_| true).expect("reads");
        assert_eq!(records.records.len(), 4);
        assert_eq!(records.skipped, [5]);
        let note = skip_note(&records.skipped, Path::new("audit.jsonl")).expect("a note");
        assert!(note.contains("line 5"), "{note}");
    }
}
