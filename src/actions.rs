//! The five actions, performed the same way by the dashboard and the headless
//! commands: audit `sent` (on disk) -> request -> audit outcome. An action can be
//! stopped: targets not yet started are then never sent (audit `not_sent`), and the
//! requests already in flight still record their outcomes.

use std::sync::{Arc, Mutex};

use futures::{Stream, StreamExt, stream};
use tokio_util::sync::CancellationToken;

use crate::action_kind::ActionKind;
use crate::api::live::StreamKey;
use crate::api::{Api, ApiError, Outcome, TargetOutcome};
use crate::audit::{AuditLog, RunRef};

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

/// One run of an action: its reference in the audit log, its stop switch, and the
/// targets it was stopped before sending (recorded together when it ends).
#[derive(Debug, Clone)]
pub struct Run {
    pub action: RunRef,
    pub cancel: Cancel,
    not_sent: Arc<Mutex<Vec<String>>>,
}

impl Run {
    /// A new action (a retry names the action it retries).
    pub fn new(retry_of: Option<String>) -> Self {
        Run::stopped_by(RunRef::new(retry_of), Cancel::default())
    }

    /// A run of the action `action`, stopped by `cancel`.
    pub fn stopped_by(action: RunRef, cancel: Cancel) -> Self {
        Run {
            action,
            cancel,
            not_sent: Arc::default(),
        }
    }

    /// The targets found not sent since last asked.
    fn take_not_sent(&self) -> Vec<String> {
        std::mem::take(&mut *self.not_sent.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Where actions go, and where they are recorded.
#[derive(Clone)]
pub struct Executor {
    pub api: Api,
    pub audit: Option<Arc<AuditLog>>,
}

impl Executor {
    /// Performs one action on the targets of one request (several when the API takes
    /// them together), unless the run was stopped first. If the `sent` lines cannot be
    /// written, the request is not sent: nothing leaves unrecorded.
    async fn perform(
        &self,
        kind: ActionKind,
        batch: Vec<(usize, String)>,
        run: &Run,
    ) -> Vec<Indexed> {
        let mut done = Vec::with_capacity(batch.len());
        let mut to_send = Vec::with_capacity(batch.len());
        for (index, target) in batch {
            if run.cancel.is_cancelled() {
                done.push((index, Executor::not_sent(target, run)));
            } else if let Some(why) = crate::api::path::invalid_id(&target) {
                let message = format!("not sent: the target id {why}");
                let failed =
                    TargetOutcome::failed(target, Some("INVALID_ID".into()), message, None);
                done.push((index, failed));
            } else {
                to_send.push((index, target));
            }
        }
        if !to_send.is_empty() {
            done.extend(self.send(kind, to_send, run).await);
        }
        done
    }

    /// One request for `targets`: its turn in the request budget, the `sent` lines,
    /// the request, an outcome line per target, and reading back those unanswered.
    async fn send(
        &self,
        kind: ActionKind,
        targets: Vec<(usize, String)>,
        run: &Run,
    ) -> Vec<Indexed> {
        let (indexes, targets): (Vec<usize>, Vec<String>) = targets.into_iter().unzip();
        // Its turn in the request budget comes before its `sent` lines: targets still
        // waiting when the run is stopped are not sent, and say so.
        if !self.api.mutation_turn(kind.api(), &run.cancel.0).await {
            let mut done = Vec::with_capacity(targets.len());
            for (index, target) in indexes.into_iter().zip(targets) {
                done.push((index, Executor::not_sent(target, run)));
            }
            return done;
        }
        let client_request_id = uuid::Uuid::new_v4().to_string();
        if let Some(audit) = &self.audit {
            if let Err(error) = audit
                .sent(kind, &targets, &client_request_id, &run.action)
                .await
            {
                let message = format!(
                    "not sent: cannot write the audit log {} ({error})",
                    audit.path().display()
                );
                return not_audited(indexes.into_iter().zip(targets), &message);
            }
        }
        let mut outcomes = self.request(kind, targets, &client_request_id).await;
        if let Some(audit) = &self.audit {
            for outcome in &outcomes {
                if let Err(error) = audit
                    .outcome(kind, &client_request_id, outcome, &run.action)
                    .await
                {
                    tracing::error!(%error, "cannot write an outcome to the audit log");
                }
            }
        }
        // Reading back is a new request: not once the run was told to stop.
        if !run.cancel.is_cancelled() {
            self.settle(kind, &client_request_id, &mut outcomes, run)
                .await;
        }
        indexes.into_iter().zip(outcomes).collect()
    }

    /// A target the run was stopped before reaching: `not_sent`, recorded with the
    /// others when the run ends (one write for thousands, so stopping is quick; its
    /// `targets` line accounts for it even if the process dies first).
    fn not_sent(target: String, run: &Run) -> TargetOutcome {
        run.not_sent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(target.clone());
        TargetOutcome::not_sent(target)
    }

    /// Writes the `not_sent` lines of the targets the run was stopped before.
    async fn record_not_sent(&self, kind: ActionKind, run: &Run) {
        let targets = run.take_not_sent();
        if let (Some(audit), false) = (&self.audit, targets.is_empty()) {
            if let Err(error) = audit.not_sent(kind, &targets, &run.action).await {
                tracing::error!(%error, "cannot write not_sent lines to the audit log");
            }
        }
    }

    /// Reads back the targets of one request that got no answer, and records what
    /// that settles for each.
    async fn settle(
        &self,
        kind: ActionKind,
        client_request_id: &str,
        outcomes: &mut [TargetOutcome],
        run: &Run,
    ) {
        if outcomes.iter().all(|o| o.outcome != Outcome::Unknown) {
            return;
        }
        let read_backs =
            crate::reconcile::reconcile(&self.api, kind, outcomes, &|| run.cancel.is_cancelled())
                .await;
        for (index, read_back) in read_backs {
            let outcome = &mut outcomes[index];
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
    }

    /// The request itself; one outcome per target, in the order given.
    async fn request(
        &self,
        kind: ActionKind,
        targets: Vec<String>,
        request_id: &str,
    ) -> Vec<TargetOutcome> {
        let api = &self.api;
        let mut outcomes = Vec::with_capacity(targets.len());
        let mut targets = targets.into_iter();
        while let Some(target) = targets.next() {
            let result = match kind {
                ActionKind::RestartEncoder => {
                    // CPH's batch-restart takes them all in one request.
                    let all = std::iter::once(target).chain(targets.by_ref()).collect();
                    outcomes.extend(restart(api, all, request_id).await);
                    continue;
                }
                ActionKind::StopStreaming => {
                    api.koophone().stop_streaming(&target, request_id).await
                }
                ActionKind::StopServer => api.compute().stop(&target, request_id).await,
                ActionKind::StartServer => api.compute().start(&target, request_id).await,
                ActionKind::PauseStream => match target.parse::<StreamKey>() {
                    Ok(key) => api.live().pause(&key, request_id).await,
                    Err(message) => {
                        outcomes.push(TargetOutcome::failed(target, None, message, None));
                        continue;
                    }
                },
            };
            outcomes.push(TargetOutcome::from_result(target, result));
        }
        outcomes
    }

    /// Runs an action over many targets, `max_in_flight` requests at once (each with
    /// as many targets as its API takes); outcomes arrive as they complete, each with
    /// its index in `targets`. The audit log lists every target first; if it cannot,
    /// nothing is sent. A request is started only when a slot frees, so stopping the
    /// run stops what has not started yet.
    pub fn run(
        &self,
        kind: ActionKind,
        targets: Arc<[String]>,
        run: Run,
    ) -> impl Stream<Item = (usize, TargetOutcome)> + 'static {
        let executor = self.clone();
        let concurrency = self.api.max_in_flight();
        stream::once(async move {
            let listed = executor.list_targets(kind, &targets, &run).await;
            (executor, targets, run, listed)
        })
        .flat_map(move |(executor, targets, run, listed)| {
            let (finishing, last_run) = (executor.clone(), run.clone());
            let record_not_sent = stream::once(async move {
                finishing.record_not_sent(kind, &last_run).await;
            })
            .filter_map(|()| async { None });
            // Each target's text is copied as its request is made: the list itself is
            // shared with the dashboard's record of the run.
            stream::iter((0..targets.len()).map(move |index| (index, targets[index].clone())))
                .chunks(kind.targets_per_request())
                .map(move |batch| {
                    let executor = executor.clone();
                    let run = run.clone();
                    let listed = listed.clone();
                    async move {
                        match listed {
                            Ok(()) => executor.perform(kind, batch, &run).await,
                            Err(why) => not_audited(batch, &why),
                        }
                    }
                })
                .buffer_unordered(concurrency)
                .flat_map(stream::iter)
                .chain(record_not_sent)
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
        self.run_in_order_watched(kind, targets, run, |_| {}).await
    }

    /// As `run_in_order`, telling `answered` of each outcome as it comes.
    pub async fn run_in_order_watched(
        &self,
        kind: ActionKind,
        targets: Vec<String>,
        run: Run,
        mut answered: impl FnMut(&TargetOutcome),
    ) -> Vec<TargetOutcome> {
        let mut indexed: Vec<(usize, TargetOutcome)> = Vec::with_capacity(targets.len());
        let mut outcomes = std::pin::pin!(self.run(kind, targets.into(), run));
        while let Some((index, outcome)) = outcomes.next().await {
            answered(&outcome);
            indexed.push((index, outcome));
        }
        indexed.sort_by_key(|(index, _)| *index);
        indexed.into_iter().map(|(_, outcome)| outcome).collect()
    }
}

/// An outcome and the index of its target in the action's list.
type Indexed = (usize, TargetOutcome);

/// Targets failed unsent because the audit log could not record them (`why`).
fn not_audited(targets: impl IntoIterator<Item = (usize, String)>, why: &str) -> Vec<Indexed> {
    targets
        .into_iter()
        .map(|(index, target)| {
            let failed = TargetOutcome::failed(target, Some("AUDIT".into()), why, None);
            (index, failed)
        })
        .collect()
}

/// Restarts encode servers in one request; an ok outcome carries the job id to
/// follow. The answer has an entry per encode server; one without is unknown.
async fn restart(api: &Api, targets: Vec<String>, request_id: &str) -> Vec<TargetOutcome> {
    let reply: Result<_, ApiError> = api.cph().batch_restart(&targets, request_id).await;
    let reply = match reply {
        Ok(reply) => reply,
        Err(error) => {
            return targets
                .into_iter()
                .map(|target| TargetOutcome::from_error(target, &error))
                .collect();
        }
    };
    let request_id = reply.request_id;
    let mut entries = reply.jobs.rows;
    targets
        .into_iter()
        .map(|target| {
            let entry = entries
                .iter()
                .position(|j| j.encode_server_id == target)
                .map(|at| entries.swap_remove(at));
            match entry {
                Some(job) if job.job_id.is_some() => TargetOutcome {
                    job_id: job.job_id,
                    ..TargetOutcome::ok(target, request_id.clone())
                },
                Some(job) => TargetOutcome::failed(
                    target,
                    job.error_code,
                    job.error_msg.unwrap_or_else(|| "restart refused".into()),
                    request_id.clone(),
                ),
                None => TargetOutcome {
                    outcome: Outcome::Unknown,
                    error_msg: Some("the answer has no entry for this encode server".into()),
                    ..TargetOutcome::ok(target, request_id.clone())
                },
            }
        })
        .collect()
}
