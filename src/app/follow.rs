//! Follow-through: an accepted action is not yet a done one. Each accepted target is
//! awaited until a later poll shows the state the action was for (a server SHUTOFF or
//! ACTIVE, a stream gone from the online list, a restart job succeeded), and the
//! action's entry says "finished" only then. Stop-streaming has no such state to see
//! (a phone's status does not say whether it streams), so it is not awaited.

use crate::app::run_id::RunId;
use std::collections::HashSet;

use crate::action_kind::{ActionKind, Settles};
use crate::api::server_status::ServerStatus;
use crate::api::{Outcome, TargetOutcome};

use super::activity::{Entry, RunProgress};
use super::effect::SettledTarget;
use super::jobs::{JobRow, JobState};
use super::state::AppState;

/// After an outcome: an accepted target of a followed action is awaited. A restart
/// is awaited only with a job to follow: one settled by the encoder's status alone
/// has nothing that could end the wait.
pub fn accepted(progress: &mut RunProgress, outcome: &TargetOutcome) {
    let followed = match progress.kind.settles() {
        Settles::Unobservable { .. } => false,
        Settles::Job => outcome.job_id.is_some(),
        Settles::Server { .. } | Settles::LeavesStreamList => true,
    };
    if outcome.took_effect() && followed {
        progress.awaiting.push(outcome.target.clone());
    }
}

/// The awaited targets of `kind` that the current rows show done.
fn shown_done(state: &AppState, kind: ActionKind, awaiting: &[String]) -> Vec<String> {
    let settles = kind.settles();
    let done = |target: &String| match &settles {
        Settles::Server { wanted, .. } => (state.panes.servers.rows.iter())
            .any(|row| row.0.id == *target && row.0.is_settled_in(wanted)),
        Settles::LeavesStreamList => {
            state.panes.streams.feed.last_ok.is_some()
                && !state
                    .panes
                    .streams
                    .rows
                    .iter()
                    .any(|row| row.key == *target)
        }
        // Restart jobs settle in `job_ended`; the unobservable are not awaited.
        Settles::Job | Settles::Unobservable { .. } => false,
    };
    awaiting.iter().filter(|t| done(t)).cloned().collect()
}

/// How long an accepted server stop or start may take to show its final state; past
/// it, the target went wrong after being accepted.
pub const SERVER_WINDOW: std::time::Duration = std::time::Duration::from_secs(300);

/// After a poll: accepted server actions still awaited past `SERVER_WINDOW` went
/// wrong: each such target is failed now (its row, its action's count, `t`), and the
/// audit log is told (the returned verdicts).
pub fn overdue(state: &mut AppState) -> Vec<SettledTarget> {
    let now = state.now;
    let late: Vec<(RunId, ActionKind, ServerStatus, Vec<String>)> = state
        .activity
        .runs()
        .filter(|p| {
            !p.awaiting.is_empty() && now.saturating_duration_since(p.started) > SERVER_WINDOW
        })
        .filter_map(|p| match p.kind.settles() {
            Settles::Server { wanted, .. } => Some((p.id, p.kind, wanted, p.awaiting.clone())),
            Settles::LeavesStreamList | Settles::Job | Settles::Unobservable { .. } => None,
        })
        .collect();
    let mut verdicts = Vec::new();
    for (id, kind, wanted, targets) in late {
        for target in targets {
            let seen = state
                .panes
                .servers
                .rows
                .iter()
                .find(|row| row.0.id == target)
                .map_or("not listed".to_string(), |row| {
                    let status = (row.0.status.as_ref()).map_or("no status", |s| s.as_str());
                    match row.0.task_state.as_deref() {
                        Some(task) => format!("still {status}, {task}"),
                        None => format!("still {status}"),
                    }
                });
            let message = format!(
                "accepted, but not {wanted} within {} min ({seen})",
                SERVER_WINDOW.as_secs() / 60
            );
            let Some(progress) = state.activity.run_mut(id) else {
                continue;
            };
            progress.awaiting.retain(|t| *t != target);
            let cause = format!("FOLLOW_THROUGH {message}");
            progress.went_wrong(&target, Some(cause));
            verdicts.push(SettledTarget {
                kind,
                action_id: progress.action_id.clone(),
                retry_of: progress.retry_of.clone(),
                outcome: TargetOutcome {
                    outcome: Outcome::Failed,
                    error_code: Some("FOLLOW_THROUGH".into()),
                    error_msg: Some(message),
                    ..TargetOutcome::ok(target, None)
                },
            });
        }
    }
    verdicts
}

/// After a poll: confirms every awaited target the rows now show done.
pub fn after_poll(state: &mut AppState) {
    let followed: Vec<(RunId, ActionKind, Vec<String>)> = state
        .activity
        .runs()
        .filter(|p| !p.awaiting.is_empty())
        .map(|p| (p.id, p.kind, p.awaiting.clone()))
        .collect();
    for (id, kind, awaiting) in followed {
        let done: HashSet<String> = shown_done(state, kind, &awaiting).into_iter().collect();
        let now = state.now;
        if let Some(progress) = state.activity.run_mut(id) {
            progress.awaiting.retain(|t| !done.contains(t));
            progress.confirmed += done.len();
            if kind.settles() == Settles::LeavesStreamList {
                progress
                    .dropped
                    .extend(done.into_iter().map(|key| (key, now)));
            }
        }
    }
    note_pushed_again(state);
}

/// A stream dropped by block-once and now online again: counted on its action and
/// said once, with how long it was gone.
fn note_pushed_again(state: &mut AppState) {
    let watching = state.activity.runs().any(|p| !p.dropped.is_empty());
    if !watching {
        return;
    }
    let online: HashSet<&str> = state
        .panes
        .streams
        .rows
        .iter()
        .map(|row| row.key.as_str())
        .collect();
    let mut back = Vec::new();
    for progress in state.activity.runs_mut() {
        if progress.dropped.is_empty() {
            continue;
        }
        let (again, gone): (Vec<_>, Vec<_>) = std::mem::take(&mut progress.dropped)
            .into_iter()
            .partition(|(key, _)| online.contains(key.as_str()));
        progress.dropped = gone;
        progress.pushed_again += again.len();
        back.extend(
            again
                .into_iter()
                .map(|(key, since)| (key, since, progress.action_id.clone())),
        );
    }
    for (key, since, action_id) in back {
        let gone = state.now.saturating_duration_since(since).as_secs();
        state.log_activity(Entry::Note(format!(
            "stream {key} is pushed again, {gone} s after it was seen dropped (action {action_id})"
        )));
    }
}

/// A restart job ended: its encoder is confirmed, or went wrong after all.
pub fn job_ended(state: &mut AppState, job: &JobRow) {
    let Some(progress) = state.activity.run_mut(job.run) else {
        return;
    };
    progress.awaiting.retain(|t| *t != job.encoder_id);
    match &job.state {
        JobState::Succeeded => progress.confirmed += 1,
        JobState::Failed { code, message } => {
            // The restart was counted done when accepted; its job says it failed: it is
            // failed now, and a retry includes it.
            let cause = [code.as_deref(), Some(message.as_str())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            progress.went_wrong(&job.encoder_id, Some(cause));
        }
        JobState::Running | JobState::Unreadable(_) => {}
    }
}

/// A failed job's verdict on its restart, for the audit log: the target's outcome
/// from now on.
pub fn failed_job_outcome(state: &AppState, job: &JobRow) -> Option<SettledTarget> {
    let JobState::Failed { code, message } = &job.state else {
        return None;
    };
    let progress = state.activity.run(job.run)?;
    Some(SettledTarget {
        kind: progress.kind,
        action_id: progress.action_id.clone(),
        retry_of: progress.retry_of.clone(),
        outcome: TargetOutcome {
            outcome: Outcome::Failed,
            error_code: code.clone(),
            error_msg: Some(format!("restart job {} failed: {message}", job.job_id)),
            job_id: Some(job.job_id.clone()),
            ..TargetOutcome::ok(job.encoder_id.clone(), None)
        },
    })
}
