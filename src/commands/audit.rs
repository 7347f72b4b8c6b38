//! `phonedeck audit`: the write-up questions answered from the audit log without jq:
//! which actions ran and how they ended, what one action did to each target, what
//! happened to one target. A line the log could not finish (a crash mid-write) is
//! skipped and said on stderr.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::api::Outcome;
use crate::api::outcome::Settled;
use crate::audit::actions::{ActionTargets, Actions, Filter, TargetLines};
use crate::audit::event::Event;
use crate::audit::read::{self, Record};
use crate::cli::{AuditArgs, OutputFormat};

use super::output::{optional, print_long_list, say_summary, tally};
use super::{EXIT_FAILED, EXIT_OK, Failure};

/// Where the audit log is: `--audit-log`, else the default place.
pub fn log_path(audit_log: Option<&Path>) -> Result<PathBuf, Failure> {
    audit_log
        .map(Path::to_path_buf)
        .or_else(crate::audit::default_path)
        .ok_or_else(|| Failure::usage("no audit log to read: name it with --audit-log FILE"))
}

/// Reads the log's records that `keep` wants, saying on stderr which lines were skipped.
fn read_records(path: &Path, keep: impl FnMut(&Record) -> bool) -> Result<Vec<Record>, Failure> {
    let records = read::read_matching(path, keep).map_err(|e| unreadable(path, &e))?;
    warn_skipped(&records.skipped, path);
    Ok(records.records)
}

/// Reads the log's actions, saying on stderr which lines were skipped.
pub fn read_actions(path: &Path, filter: &Filter) -> Result<Actions, Failure> {
    let actions = Actions::read(path, filter).map_err(|e| unreadable(path, &e))?;
    warn_skipped(&actions.skipped, path);
    Ok(actions)
}

fn unreadable(path: &Path, error: &std::io::Error) -> Failure {
    Failure::usage(format!(
        "cannot read the audit log {} ({error}); name another with --audit-log FILE",
        path.display()
    ))
}

fn warn_skipped(skipped: &[usize], path: &Path) {
    if let Some(note) = read::skip_note(skipped, path) {
        eprintln!("warning: {note}");
    }
}

pub fn run(args: AuditArgs, audit_log: Option<&Path>, format: OutputFormat) -> Result<u8, Failure> {
    let path = log_path(audit_log)?;
    let since = args
        .since
        .and_then(|since| chrono::TimeDelta::from_std(since).ok())
        .and_then(|since| Utc::now().checked_sub_signed(since));
    match (args.target, args.action) {
        (Some(target), _) => {
            let records = read_records(&path, |r| {
                r.target == target && since.is_none_or(|from| r.time >= from)
            })?;
            // An empty table with exit 0 reads as "nothing was done to it".
            if records.is_empty() {
                return Err(Failure {
                    exit: EXIT_FAILED,
                    message: format!(
                        "no line of {} names the target {} (the log records ids: give the id, or find it with `phonedeck servers list`, `encoders list` or `status`)",
                        path.display(),
                        crate::sanitize::sanitize(&target)
                    ),
                });
            }
            target_history(&records, format)?;
        }
        (None, action_id) => {
            let filter = Filter {
                action_id: action_id.clone(),
                since,
            };
            let actions = read_actions(&path, &filter)?;
            match action_id {
                Some(id) => action_targets(&actions, &id, format)?,
                None => action_summaries(&actions, format)?,
            }
        }
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
    #[serde(flatten)]
    counts: Counts,
    /// Its retries (and theirs), in the order they started.
    retried_by: Vec<&'a str>,
    /// Its targets counted once each, by their latest outcome across it and its
    /// retries (the same as its own counts when it was not retried).
    now: Counts,
}

#[derive(Serialize, Clone, Copy, Default)]
struct Counts {
    ok: usize,
    failed: usize,
    unknown: usize,
    not_sent: usize,
}

impl Counts {
    fn of<'a>(targets: impl Iterator<Item = &'a TargetLines>) -> Counts {
        let mut counts = Counts::default();
        for target in targets {
            match target.outcome() {
                Outcome::Ok => counts.ok += 1,
                Outcome::Failed => counts.failed += 1,
                Outcome::NotSent => counts.not_sent += 1,
                Outcome::Unknown => counts.unknown += 1,
            }
        }
        counts
    }

    /// "3 ok, 2 failed": the outcomes it has, in words.
    fn text(&self) -> String {
        let parts: Vec<String> = [
            (self.ok, "ok"),
            (self.failed, "failed"),
            (self.unknown, "unknown"),
            (self.not_sent, "not sent"),
        ]
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| format!("{count} {what}"))
        .collect();
        parts.join(", ")
    }
}

fn summary<'a>(action: &'a ActionTargets, retries: &[&'a ActionTargets]) -> ActionSummary<'a> {
    let counts = Counts::of(action.targets.iter());
    ActionSummary {
        action_id: &action.action_id,
        action: action.kind,
        started: time(&action.started),
        profile: &action.profile,
        retry_of: action.retry_of.as_deref(),
        targets: action.targets.len(),
        counts,
        retried_by: retries.iter().map(|r| r.action_id.as_str()).collect(),
        now: if retries.is_empty() {
            counts
        } else {
            Counts::of(action.latest_after(retries).into_iter())
        },
    }
}

fn action_summaries(actions: &Actions, format: OutputFormat) -> Result<(), Failure> {
    let retries = actions.retries_by_first();
    let summaries: Vec<ActionSummary> = actions
        .actions
        .iter()
        .enumerate()
        .map(|(index, action)| {
            let retried_by = retries.get(&index);
            summary(action, retried_by.map_or(&[], Vec::as_slice))
        })
        .collect();
    print_long_list(
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
            "AFTER ITS RETRIES",
        ],
        || {
            summaries
                .iter()
                .map(|s| {
                    let after = if s.retried_by.is_empty() {
                        String::new()
                    } else {
                        format!("{} ({})", s.now.text(), s.retried_by.join(" "))
                    };
                    vec![
                        s.action_id.to_string(),
                        s.action.label().to_string(),
                        s.started.clone(),
                        s.profile.to_string(),
                        s.targets.to_string(),
                        s.counts.ok.to_string(),
                        s.counts.failed.to_string(),
                        s.counts.unknown.to_string(),
                        s.counts.not_sent.to_string(),
                        optional(s.retry_of),
                        optional((!after.is_empty()).then_some(after)),
                    ]
                })
                .collect()
        },
    )
}

#[derive(Serialize)]
struct TargetOutcome<'a> {
    target: &'a str,
    sent: Option<String>,
    outcome: Outcome,
    /// For an unknown outcome read back: happened, did_not_happen or cannot_tell.
    reconciled: Option<Settled>,
    error_code: Option<&'a str>,
    error_msg: Option<&'a str>,
    request_id: Option<&'a str>,
    job_id: Option<&'a str>,
}

fn action_targets(actions: &Actions, action_id: &str, format: OutputFormat) -> Result<(), Failure> {
    let action = actions.find(action_id).ok_or_else(|| {
        Failure::usage(format!(
            "no action {} in the audit log; `phonedeck audit` lists them",
            crate::sanitize::sanitize(action_id)
        ))
    })?;
    say_summary(&tally(action.targets.iter().map(|t| {
        let settled = t.settled.as_ref();
        (
            t.outcome().to_string(),
            settled.and_then(|s| s.error_code.as_deref()),
            settled.and_then(|s| s.error_msg.as_deref()),
        )
    })));
    let targets: Vec<TargetOutcome> = action
        .targets
        .iter()
        .map(|t| {
            let settled = t.settled.as_ref();
            TargetOutcome {
                target: &t.target,
                sent: t.sent.as_ref().map(time),
                outcome: t.outcome(),
                reconciled: t.reconciled,
                error_code: settled.and_then(|s| s.error_code.as_deref()),
                error_msg: settled
                    .and_then(|s| s.error_msg.as_deref())
                    .or(t.inferred()),
                request_id: settled.and_then(|s| s.request_id.as_deref()),
                job_id: settled.and_then(|s| s.job_id.as_deref()),
            }
        })
        .collect();
    print_long_list(
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
        || {
            targets
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
                .collect()
        },
    )
}

#[derive(Serialize)]
struct TargetLine<'a> {
    time: String,
    action_id: Option<&'a str>,
    action: crate::action_kind::ActionKind,
    event: Event,
    outcome: Option<Outcome>,
    error_code: Option<&'a str>,
    error_msg: Option<&'a str>,
    request_id: Option<&'a str>,
}

fn target_history(records: &[Record], format: OutputFormat) -> Result<(), Failure> {
    let lines: Vec<TargetLine> = records
        .iter()
        .map(|r| TargetLine {
            time: time(&r.time),
            action_id: r.action_id.as_deref(),
            action: r.action,
            event: r.event,
            outcome: r.outcome,
            error_code: r.error_code.as_deref(),
            error_msg: r.error_msg.as_deref(),
            request_id: r.request_id.as_deref(),
        })
        .collect();
    print_long_list(
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
        || {
            lines
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
                .collect()
        },
    )
}
