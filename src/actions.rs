//! The five actions, performed the same way by the dashboard and the headless
//! commands: audit `sent` (on disk) -> request -> audit outcome.

use std::sync::Arc;

use futures::{Stream, StreamExt, stream};

use crate::action_kind::ActionKind;
use crate::api::live::StreamKey;
use crate::api::{Api, ApiError, Outcome, TargetOutcome};
use crate::audit::AuditLog;

/// Where actions go, and where they are recorded.
#[derive(Clone)]
pub struct Executor {
    pub api: Api,
    pub audit: Option<Arc<AuditLog>>,
}

impl Executor {
    /// Performs one action on one target. If the `sent` line cannot be written,
    /// the request is not sent: nothing leaves unrecorded.
    pub async fn perform(&self, kind: ActionKind, target: String) -> TargetOutcome {
        if let Some(why) = crate::api::path::invalid_id(&target) {
            let message = format!("not sent: the target id {why}");
            return TargetOutcome::failed(target, Some("INVALID_ID".into()), message, None);
        }
        let client_request_id = uuid::Uuid::new_v4().to_string();
        if let Some(audit) = &self.audit {
            if let Err(error) = audit.sent(kind, &target, &client_request_id).await {
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
        let outcome = self.request(kind, target, &client_request_id).await;
        if let Some(audit) = &self.audit {
            if let Err(error) = audit.outcome(kind, &client_request_id, &outcome).await {
                tracing::error!(%error, "cannot write an outcome to the audit log");
            }
        }
        outcome
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
    /// as they complete, each with its index in `targets`.
    pub fn run(
        &self,
        kind: ActionKind,
        targets: Vec<String>,
    ) -> impl Stream<Item = (usize, TargetOutcome)> + 'static {
        let executor = self.clone();
        let concurrency = self.api.max_in_flight();
        stream::iter(targets.into_iter().enumerate())
            .map(move |(index, target)| {
                let executor = executor.clone();
                async move { (index, executor.perform(kind, target).await) }
            })
            .buffer_unordered(concurrency)
    }

    /// Runs an action over many targets; one outcome per target, in input order.
    pub async fn run_in_order(&self, kind: ActionKind, targets: Vec<String>) -> Vec<TargetOutcome> {
        let mut indexed: Vec<(usize, TargetOutcome)> = self.run(kind, targets).collect().await;
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
