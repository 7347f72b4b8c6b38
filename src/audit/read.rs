//! Reading the audit log back (`phonedeck audit`, `phonedeck retry`): every line a
//! record, a torn or foreign line skipped and counted, never a reason to fail. The file
//! is streamed a line at a time and grouped by index, so time grows with its length.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::action_kind::ActionKind;

/// One line of the audit log as written by `AuditLog` (older lines have no
/// `action_id`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Record {
    pub time: DateTime<Utc>,
    pub event: String,
    #[serde(default)]
    pub profile: String,
    pub action: ActionKind,
    #[serde(default)]
    pub action_id: Option<String>,
    #[serde(default)]
    pub retry_of: Option<String>,
    pub target: String,
    #[serde(default)]
    pub client_request_id: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub job_id: Option<String>,
    /// `happened`, `did_not_happen` or `cannot_tell`, on `reconciled` lines.
    #[serde(default)]
    pub reconciled: Option<String>,
    #[serde(default)]
    pub seen: Option<String>,
}

impl Record {
    /// Whether the line settles its target: an outcome, or never sent.
    pub fn settles(&self) -> bool {
        self.event == "outcome" || self.event == "not_sent"
    }
}

/// The log's records, and the lines that could not be read (line numbers).
#[derive(Debug, Default)]
pub struct Records {
    pub records: Vec<Record>,
    pub skipped: Vec<usize>,
}

impl Records {
    /// What to say on stderr about skipped lines, if any.
    pub fn skip_note(&self, path: &Path) -> Option<String> {
        let (first, count) = (self.skipped.first()?, self.skipped.len());
        Some(format!(
            "{count} line(s) of {} could not be read and were skipped (first: line {first}; a torn last line is what a crash mid-write leaves)",
            path.display()
        ))
    }
}

/// Reads records from `input` one line at a time (never the whole file in memory);
/// a line that is not a record, or not UTF-8, is skipped and counted.
pub fn parse(input: impl std::io::BufRead) -> std::io::Result<Records> {
    parse_matching(input, |_| true)
}

/// As `parse`, keeping only the records `keep` wants (one action's, one target's).
pub fn parse_matching(
    mut input: impl std::io::BufRead,
    mut keep: impl FnMut(&Record) -> bool,
) -> std::io::Result<Records> {
    let mut records = Records::default();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(records);
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Record>(&line) {
            Ok(record) if keep(&record) => records.records.push(record),
            Ok(_) => {}
            Err(_) => records.skipped.push(number),
        }
    }
}

/// Reads the log at `path`; a missing file is an empty log.
pub fn read(path: &Path) -> std::io::Result<Records> {
    read_matching(path, |_| true)
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

/// One action's targets, each with its settling line (the last one, if several).
#[derive(Debug, Clone)]
pub struct ActionTargets<'a> {
    pub action_id: &'a str,
    pub kind: ActionKind,
    pub retry_of: Option<&'a str>,
    /// In the order they were first recorded: (target, its first line, its settling line).
    pub targets: Vec<TargetLines<'a>>,
}

#[derive(Debug, Clone)]
pub struct TargetLines<'a> {
    pub target: &'a str,
    pub first: &'a Record,
    pub settled: Option<&'a Record>,
    /// The `reconciled` line, when an unknown outcome was read back.
    pub reconciled: Option<&'a Record>,
}

impl TargetLines<'_> {
    /// `ok`, `failed`, `unknown`, `not_sent`, or `unknown` when no outcome was written.
    pub fn outcome(&self) -> &str {
        self.settled
            .and_then(|r| r.outcome.as_deref())
            .unwrap_or("unknown")
    }
}

/// Every action in the log, in the order they started; each record is placed by two
/// lookups, so a log of any size is grouped in one pass.
pub fn actions(records: &[Record]) -> Vec<ActionTargets<'_>> {
    let mut actions: Vec<ActionTargets> = Vec::new();
    let mut action_index: HashMap<&str, usize> = HashMap::new();
    let mut target_index: Vec<HashMap<&str, usize>> = Vec::new();
    for record in records {
        let Some(id) = record.action_id.as_deref() else {
            continue;
        };
        let position = *action_index.entry(id).or_insert_with(|| {
            actions.push(ActionTargets {
                action_id: id,
                kind: record.action,
                retry_of: record.retry_of.as_deref(),
                targets: Vec::new(),
            });
            target_index.push(HashMap::new());
            actions.len() - 1
        });
        let targets = &mut actions[position].targets;
        let at = *target_index[position]
            .entry(record.target.as_str())
            .or_insert_with(|| {
                targets.push(TargetLines {
                    target: &record.target,
                    first: record,
                    settled: None,
                    reconciled: None,
                });
                targets.len() - 1
            });
        let entry = &mut targets[at];
        if record.settles() {
            entry.settled = Some(record);
        }
        if record.event == "reconciled" {
            entry.reconciled = Some(record);
        }
    }
    actions
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
        let records = parse(LOG.as_bytes()).expect("reads");
        assert_eq!(records.records.len(), 4);
        assert_eq!(records.skipped, [5]);
        let note = records.skip_note(Path::new("audit.jsonl")).expect("a note");
        assert!(note.contains("line 5"), "{note}");
    }

    #[test]
    fn actions_group_targets_with_their_settling_line() {
        let records = parse(LOG.as_bytes()).expect("reads");
        let actions = actions(&records.records);
        assert_eq!(actions.len(), 1);
        let outcomes: Vec<(&str, &str)> = actions[0]
            .targets
            .iter()
            .map(|t| (t.target, t.outcome()))
            .collect();
        assert_eq!(
            outcomes,
            [("s1", "ok"), ("s2", "unknown"), ("s3", "not_sent")]
        );
    }
}
