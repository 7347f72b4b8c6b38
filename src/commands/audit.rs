//! `phonedeck audit`: the write-up questions answered from the audit log without jq:
//! which actions ran and how they ended, what one action did to each target, what
//! happened to one target. A line the log could not finish (a crash mid-write) is
//! skipped and said on stderr.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::read::{self, ActionTargets, Record};
use crate::cli::{AuditArgs, OutputFormat};

use super::output::{optional, print_rows};
use super::{EXIT_OK, Failure};

/// Where the audit log is: `--audit-log`, else the default place.
pub fn log_path(audit_log: Option<&Path>) -> Result<PathBuf, Failure> {
    audit_log
        .map(Path::to_path_buf)
        .or_else(crate::audit::default_path)
        .ok_or_else(|| Failure::usage("no audit log to read: name it with --audit-log FILE"))
}

/// Reads the log's records that `keep` wants, saying on stderr which lines were skipped.
pub fn read_log(path: &Path, keep: impl FnMut(&Record) -> bool) -> Result<read::Records, Failure> {
    let records = read::read_matching(path, keep).map_err(|e| {
        Failure::usage(format!(
            "cannot read the audit log {} ({e}); name another with --audit-log FILE",
            path.display()
        ))
    })?;
    if let Some(note) = records.skip_note(path) {
        eprintln!("warning: {note}");
    }
    Ok(records)
}

pub fn run(args: AuditArgs, audit_log: Option<&Path>, format: OutputFormat) -> Result<u8, Failure> {
    let path = log_path(audit_log)?;
    let from = args
        .since
        .and_then(|since| chrono::TimeDelta::from_std(since).ok())
        .and_then(|since| Utc::now().checked_sub_signed(since))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let (target, action) = (args.target.as_deref(), args.action.as_deref());
    let records = read_log(&path, |r| {
        r.time >= from
            && target.is_none_or(|t| r.target == t)
            && action.is_none_or(|a| r.action_id.as_deref() == Some(a))
    })?
    .records;
    match (args.target, args.action) {
        (Some(target), _) => target_history(&records, &target, format)?,
        (None, Some(action)) => action_targets(&records, &action, format)?,
        (None, None) => action_summaries(&records, format)?,
    }
    Ok(EXIT_OK)
}

fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Serialize)]
struct ActionSummary<'a> {
    action_id: &'a str,
    action: crate::action_kind::ActionKind,
    started: String,
    profile: &'a str,
    retry_of: Option<&'a str>,
    targets: usize,
    ok: usize,
    failed: usize,
    unknown: usize,
    not_sent: usize,
}

fn summary<'a>(action: &ActionTargets<'a>) -> ActionSummary<'a> {
    let count = |outcome: &str| {
        action
            .targets
            .iter()
            .filter(|t| t.outcome() == outcome)
            .count()
    };
    let first = action.targets.first().map(|t| t.first);
    ActionSummary {
        action_id: action.action_id,
        action: action.kind,
        started: first.map(|r| time(&r.time)).unwrap_or_default(),
        profile: first.map_or("", |r| r.profile.as_str()),
        retry_of: action.retry_of,
        targets: action.targets.len(),
        ok: count("ok"),
        failed: count("failed"),
        unknown: count("unknown"),
        not_sent: count("not_sent"),
    }
}

fn action_summaries(records: &[Record], format: OutputFormat) -> Result<(), Failure> {
    let summaries: Vec<ActionSummary> = read::actions(records).iter().map(summary).collect();
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            vec![
                s.action_id.to_string(),
                s.action.label().to_string(),
                s.started.clone(),
                s.profile.to_string(),
                s.targets.to_string(),
                s.ok.to_string(),
                s.failed.to_string(),
                s.unknown.to_string(),
                s.not_sent.to_string(),
                optional(s.retry_of),
            ]
        })
        .collect();
    print_rows(
        format,
        &summaries,
        &[
            "ACTION ID",
            "ACTION",
            "STARTED",
            "PROFILE",
            "TARGETS",
            "OK",
            "FAILED",
            "UNKNOWN",
            "NOT SENT",
            "RETRY OF",
        ],
        &rows,
    )
}

#[derive(Serialize)]
struct TargetOutcome<'a> {
    target: &'a str,
    sent: Option<String>,
    outcome: &'a str,
    /// For an unknown outcome read back: happened, did_not_happen or cannot_tell.
    reconciled: Option<&'a str>,
    error_code: Option<&'a str>,
    error_msg: Option<&'a str>,
    request_id: Option<&'a str>,
    job_id: Option<&'a str>,
}

fn action_targets(
    records: &[Record],
    action_id: &str,
    format: OutputFormat,
) -> Result<(), Failure> {
    let actions = read::actions(records);
    let action = actions
        .iter()
        .find(|a| a.action_id == action_id)
        .ok_or_else(|| {
            Failure::usage(format!(
                "no action {} in the audit log; `phonedeck audit` lists them",
                crate::sanitize::sanitize(action_id)
            ))
        })?;
    let targets: Vec<TargetOutcome> = action
        .targets
        .iter()
        .map(|t| {
            let settled = t.settled;
            TargetOutcome {
                target: t.target,
                sent: (t.first.event == "sent").then(|| time(&t.first.time)),
                outcome: t.outcome(),
                reconciled: t.reconciled.and_then(|r| r.reconciled.as_deref()),
                error_code: settled.and_then(|r| r.error_code.as_deref()),
                error_msg: settled.and_then(|r| r.error_msg.as_deref()),
                request_id: settled.and_then(|r| r.request_id.as_deref()),
                job_id: settled.and_then(|r| r.job_id.as_deref()),
            }
        })
        .collect();
    let rows: Vec<Vec<String>> = targets
        .iter()
        .map(|t| {
            vec![
                t.target.to_string(),
                optional(t.sent.as_ref()),
                match t.reconciled {
                    Some(settled) => format!("{} ({settled})", t.outcome),
                    None => t.outcome.to_string(),
                },
                optional(t.error_code),
                optional(t.error_msg.or(t.job_id)),
                optional(t.request_id),
            ]
        })
        .collect();
    print_rows(
        format,
        &targets,
        &[
            "TARGET",
            "SENT",
            "OUTCOME",
            "CODE",
            "MESSAGE/JOB",
            "REQUEST ID",
        ],
        &rows,
    )
}

#[derive(Serialize)]
struct TargetLine<'a> {
    time: String,
    action_id: Option<&'a str>,
    action: crate::action_kind::ActionKind,
    event: &'a str,
    outcome: Option<&'a str>,
    error_code: Option<&'a str>,
    error_msg: Option<&'a str>,
    request_id: Option<&'a str>,
}

fn target_history(records: &[Record], target: &str, format: OutputFormat) -> Result<(), Failure> {
    let lines: Vec<TargetLine> = records
        .iter()
        .filter(|r| r.target == target)
        .map(|r| TargetLine {
            time: time(&r.time),
            action_id: r.action_id.as_deref(),
            action: r.action,
            event: &r.event,
            outcome: r.outcome.as_deref(),
            error_code: r.error_code.as_deref(),
            error_msg: r.error_msg.as_deref(),
            request_id: r.request_id.as_deref(),
        })
        .collect();
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.time.clone(),
                optional(l.action_id),
                l.action.label().to_string(),
                l.event.to_string(),
                optional(l.outcome),
                optional(l.error_code),
                optional(l.error_msg),
                optional(l.request_id),
            ]
        })
        .collect();
    print_rows(
        format,
        &lines,
        &[
            "TIME",
            "ACTION ID",
            "ACTION",
            "EVENT",
            "OUTCOME",
            "CODE",
            "MESSAGE",
            "REQUEST ID",
        ],
        &rows,
    )
}
