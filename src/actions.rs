//! The five actions, performed the same way by the dashboard and the headless
//! commands: audit `sent` (on disk) -> request -> audit outcome. An action can be
//! stopped: targets not yet started are then never sent (audit `not_sent`), and the
//! requests already in flight still record their outcomes.

use std::sync::Arc;

use futures::{Stream, StreamExt, stream};
use tokio_util::sync::CancellationToken;

use crate::action_kind::ActionKind;
use crate::api::live::StreamKey;
use crate::api::{Api, ApiError, Outcome, TargetOutcome};
use crate::audit::{ActionRef, AuditLog};

/// Stops an action from starting on more targets (Ctrl-C, `q`, the cancel key); a
/// target waiting for its turn in the request budget stops waiting.
#[derive(Debug, Clone, Default)]
pub struct Cancel(CancellationToken);

impl Cancel {
    pub fn cancel(&self) {
        self.0.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// One run of an action: its reference in the audit log and its stop switch.
#[derive(Debug, Clone)]
pub struct Run {
    pub action: ActionRef,
    pub cancel: Cancel,
}

impl Run {
    /// A new action (a retry names the action it retries).
    pub fn new(retry_of: Option<String>) -> Self {
        Run {
            action: ActionRef::new(retry_of),
            cancel: Cancel::default(),
        }
    }
}

/// Where actions go, and where they are recorded.
#[derive(Clone)]
pub struct Executor {
    pub api: Api,
    pub audit: Option<Arc<AuditLog>>,
}

impl Executor {
    /// Performs one action on one target, unless the run was stopped first. If the
    /// `sent` line cannot be written, the request is not sent: nothing leaves
    /// unrecorded.
    pub async fn perform(&self, kind: ActionKind, target: String, run: &Run) -> TargetOutcome {
        if run.cancel.is_cancelled() {
            return self.not_sent(kind, target, run).await;
        }
        if let Some(why) = crate::api::path::invalid_id(&target) {
            let message = format!("not sent: the target id {why}");
            return TargetOutcome::failed(target, Some("INVALID_ID".into()), message, None);
        }
        // Its turn in the request budget comes before its `sent` line: a target still
        // waiting when the run is stopped is not sent, and says so.
        if !self.api.mutation_turn(&run.cancel.0).await {
            return self.not_sent(kind, target, run).await;
        }
        let client_request_id = uuid::Uuid::new_v4().to_string();
        if let Some(audit) = &self.audit {
            if let Err(error) = audit
                .sent(kind, &target, &client_request_id, &run.action)
                .await
            {
                return TargetOutcome::failed(
                    target,
                    Some("AUDIT".into()),
                    format!(
                        "not sent: cannot write the audit log {} ({error})",
                        audit.path().display()
                    ),
                    None,
                );
            }
        }
        let mut outcome = self.request(kind, target, &client_request_id).await;
        if let Some(audit) = &self.audit {
            if let Err(error) = audit
                .outcome(kind, &client_request_id, &outcome, &run.action)
                .await
            {
                tracing::error!(%error, "cannot write an outcome to the audit log");
            }
        }
        // Reading back is a new request: not once the run was told to stop.
        if outcome.outcome == Outcome::Unknown && !run.cancel.is_cancelled() {
            self.settle(kind, &client_request_id, &mut outcome, run)
                .await;
        }
        outcome
    }

    /// A target the run was stopped before reaching: recorded `not_sent`.
    async fn not_sent(&self, kind: ActionKind, target: String, run: &Run) -> TargetOutcome {
        if let Some(audit) = &self.audit {
            if let Err(error) = audit.not_sent(kind, &target, &run.action).await {
                tracing::error!(%error, "cannot write a not_sent line to the audit log");
            }
        }
        TargetOutcome::not_sent(target)
    }

    /// No answer came: reads the target back and records what that settles.
    async fn settle(
        &self,
        kind: ActionKind,
        client_request_id: &str,
        outcome: &mut TargetOutcome,
        run: &Run,
    ) {
        let read_back =
            crate::reconcile::reconcile(&self.api, kind, outcome, &|| run.cancel.is_cancelled())
                .await;
        outcome.reconciled = Some(read_back.settled);
        outcome.seen = Some(read_back.seen);
        outcome.job_id = outcome.job_id.take().or(read_back.job_id);
        if let Some(audit) = &self.audit {
            if let Err(error) = audit
                .reconciled(kind, client_request_id, outcome, &run.action)
                .await
            {
                tracing::error!(%error, "cannot write a reconciliation to the audit log");
            }
        }
    }

    async fn request(&self, kind: ActionKind, target: String, request_id: &str) -> TargetOutcome {
        let api = &self.api;
        let result = match kind {
            ActionKind::StopStreaming => api.koophone().stop_streaming(&target, request_id).await,
            ActionKind::StopServer => api.compute().stop(&target, request_id).await,
            ActionKind::StartServer => api.compute().start(&target, request_id).await,
            ActionKind::PauseStream => match target.parse::<StreamKey>() {
                Ok(key) => api.live().pause(&key, request_id).await,
                Err(message) => return TargetOutcome::failed(target, None, message, None),
            },
            ActionKind::RestartEncoder => return restart(api, target, request_id).await,
        };
        TargetOutcome::from_result(target, result)
    }

    /// Runs an action over many targets, `max_in_flight` at once; outcomes arrive
    /// as they complete, each with its index in `targets`. The audit log lists every
    /// target first; if it cannot, nothing is sent. A target is started only when a
    /// slot frees, so stopping the run stops what has not started yet.
    pub fn run(
        &self,
        kind: ActionKind,
        targets: Vec<String>,
        run: Run,
    ) -> impl Stream<Item = (usize, TargetOutcome)> + 'static {
        let executor = self.clone();
        let concurrency = self.api.max_in_flight();
        stream::once(async move {
            let listed = executor.list_targets(kind, &targets, &run).await;
            (executor, targets, run, listed)
        })
        .flat_map(move |(executor, targets, run, listed)| {
            stream::iter(targets.into_iter().enumerate())
                .map(move |(index, target)| {
                    let executor = executor.clone();
                    let run = run.clone();
                    let listed = listed.clone();
                    async move {
                        let outcome = match listed {
                            Ok(()) => executor.perform(kind, target, &run).await,
                            Err(why) => {
                                TargetOutcome::failed(target, Some("AUDIT".into()), why, None)
                            }
                        };
                        (index, outcome)
                    }
                })
                .buffer_unordered(concurrency)
        })
    }

    /// Writes the action's `targets` lines; the reason nothing may be sent, if not.
    async fn list_targets(
        &self,
        kind: ActionKind,
        targets: &[String],
        run: &Run,
    ) -> Result<(), String> {
        let Some(audit) = &self.audit else {
            return Ok(());
        };
        audit
            .targets(kind, targets, &run.action)
            .await
            .map_err(|error| {
                format!(
                    "not sent: cannot list the action's targets in the audit log {} ({error})",
                    audit.path().display()
                )
            })
    }

    /// Runs an action over many targets; one outcome per target, in input order.
    pub async fn run_in_order(
        &self,
        kind: ActionKind,
        targets: Vec<String>,
        run: Run,
    ) -> Vec<TargetOutcome> {
        let mut indexed: Vec<(usize, TargetOutcome)> = self.run(kind, targets, run).collect().await;
        indexed.sort_by_key(|(index, _)| *index);
        indexed.into_iter().map(|(_, outcome)| outcome).collect()
    }
}

/// Restarts one encode server; ok carries the job id to follow.
async fn restart(api: &Api, target: String, request_id: &str) -> TargetOutcome {
    let reply: Result<_, ApiError> = api
        .cph()
        .batch_restart(std::slice::from_ref(&target), request_id)
        .await;
    let reply = match reply {
        Ok(reply) => reply,
        Err(error) => return TargetOutcome::from_error(target, &error),
    };
    let request_id = reply.request_id.clone();
    match reply
        .jobs
        .rows
        .into_iter()
        .find(|j| j.encode_server_id == target)
    {
        Some(job) if job.job_id.is_some() => TargetOutcome {
            job_id: job.job_id,
            ..TargetOutcome::ok(target, request_id)
        },
        Some(job) => TargetOutcome::failed(
            target,
            job.error_code,
            job.error_msg.unwrap_or_else(|| "restart refused".into()),
            request_id,
        ),
        None => TargetOutcome {
            outcome: Outcome::Unknown,
            error_msg: Some("the answer has no entry for this encode server".into()),
            ..TargetOutcome::ok(target, request_id)
        },
    }
}
