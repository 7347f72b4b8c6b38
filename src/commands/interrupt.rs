//! A bulk command and Ctrl-C: the first stops new requests (the targets not yet
//! started are recorded `not_sent` and reported), the requests in flight are waited
//! for; a second exits at once, recording those still unanswered as `unknown`.

use std::sync::Arc;

use crate::action_kind::ActionKind;
use crate::actions::{Cancel, Run};
use crate::api::TargetOutcome;
use crate::audit::AuditLog;

use super::{Failure, Target};

/// Exit status after a second Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: i32 = 130;

/// Performs `kind` on every target (a retry names the action it retries), one
/// outcome per target in input order, with Ctrl-C handled as above.
pub async fn perform(
    target: &Target,
    kind: ActionKind,
    ids: Vec<String>,
    retry_of: Option<String>,
) -> Result<Vec<TargetOutcome>, Failure> {
    let executor = target.executor()?;
    let run = Run::new(retry_of);
    let finished = Cancel::default();
    let watcher = tokio::spawn(watch_interrupts(
        run.cancel.clone(),
        finished.clone(),
        executor.audit.clone(),
    ));
    let outcomes = executor.run_in_order(kind, ids, run).await;
    finished.cancel();
    // Ctrl-C after the action has ended is the usual interrupt again.
    watcher.abort();
    Ok(outcomes)
}

async fn watch_interrupts(run: Cancel, finished: Cancel, audit: Option<Arc<AuditLog>>) {
    if tokio::signal::ctrl_c().await.is_err() || finished.is_cancelled() {
        return;
    }
    run.cancel();
    eprintln!(
        "interrupted: no new request is sent; waiting for those in flight to answer (Ctrl-C again to exit now)"
    );
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    let abandoned = audit.as_ref().map_or(0, |a| a.abandon_pending());
    let log = audit
        .map(|a| a.path().display().to_string())
        .unwrap_or_default();
    eprintln!(
        "exiting now: {abandoned} request(s) still in flight recorded as unknown in the audit log {log}"
    );
    std::process::exit(EXIT_INTERRUPTED);
}
