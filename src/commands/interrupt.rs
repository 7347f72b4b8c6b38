//! A bulk command and Ctrl-C, SIGTERM or SIGHUP (the SSH session died): the first
//! stops new requests (the targets not yet started are recorded `not_sent` and
//! reported), the requests in flight are waited for; a second exits at once, recording
//! those still unanswered as `unknown`. Every target was listed in the audit log before
//! the first request, so even a SIGKILL leaves each one accounted for. Once the action
//! has ended (during `--wait`, say), a signal ends the command as usual.

use std::io::Write;
use std::sync::Arc;

use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::action_kind::ActionKind;
use crate::actions::{Cancel, Run};
use crate::api::TargetOutcome;
use crate::audit::{AuditLog, RunRef};

use super::names::Names;
use super::output::{LeftOut, print_outcomes};
use super::progress::ActionProgress;
use super::{EXIT_FAILED, Failure, Target};
use crate::cli::OutputFormat;

/// Exit status after a second signal (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: i32 = 130;

/// An action's outcomes, one per target in input order, and whether the audit log
/// recorded them all.
pub struct Performed {
    pub outcomes: Vec<TargetOutcome>,
    /// Lines the audit log could not write: the command does not end as a success.
    pub audit_problem: Option<String>,
    /// Names by id, printed beside the targets.
    pub names: Names,
    kind: ActionKind,
    action: RunRef,
    audit: Option<Arc<AuditLog>>,
}

impl Performed {
    /// Records what following an accepted target through learned (`--wait` saw its
    /// restart job fail): the audit's verdict from then on.
    pub async fn record_settled(&mut self, outcome: &TargetOutcome) {
        let Some(audit) = &self.audit else {
            return;
        };
        if audit
            .settled(self.kind, outcome, &self.action)
            .await
            .is_err()
        {
            self.audit_problem = audit.write_problem();
        }
    }

    /// Prints the outcomes; exit 0 only when every target is ok and fully audited.
    pub fn print(&self, format: OutputFormat) -> Result<u8, Failure> {
        self.print_leaving_out(format, &[])
    }

    /// As `print`, followed by the targets a retry left out.
    pub fn print_leaving_out(
        &self,
        format: OutputFormat,
        left_out: &[LeftOut],
    ) -> Result<u8, Failure> {
        let code = print_outcomes(
            format,
            &self.outcomes,
            left_out,
            Some(&self.action.id),
            &self.names,
        )?;
        match &self.audit_problem {
            Some(problem) => {
                say(&format!("error: {problem}"));
                Ok(EXIT_FAILED)
            }
            None => Ok(code),
        }
    }
}

/// Performs `kind` on every target (a retry names the action it retries), with
/// signals handled as above.
pub async fn perform(
    target: &Target,
    kind: ActionKind,
    ids: Vec<String>,
    retry_of: Option<String>,
) -> Result<Performed, Failure> {
    let executor = target.executor()?;
    if let (Some(rate), true) = (target.api.rate_limit(kind.api()), ids.len() > 1) {
        let note = crate::api::rate_limits::pace_note(kind.api(), rate, ids.len());
        say(&format!(
            "{} on {} target(s): {note}",
            kind.label(),
            ids.len()
        ));
    }
    let run = Run::new(retry_of);
    let finished = Cancel::default();
    let signals = StopSignals::watch()?;
    tokio::spawn(watch_interrupts(
        signals,
        run.cancel.clone(),
        finished.clone(),
        executor.audit.clone(),
    ));
    let action = run.action.clone();
    let progress = ActionProgress::new(kind.label(), ids.len(), target.api.max_in_flight());
    let outcomes = executor
        .run_in_order_watched(kind, ids, run, |outcome| progress.answered(outcome))
        .await;
    progress.finish();
    finished.cancel();
    Ok(Performed {
        outcomes,
        audit_problem: executor.audit.as_ref().and_then(|a| a.write_problem()),
        names: Names::new(),
        kind,
        action,
        audit: executor.audit,
    })
}

/// Ctrl-C, SIGTERM and SIGHUP: each asks the command to stop.
struct StopSignals {
    terminate: Signal,
    hangup: Signal,
}

impl StopSignals {
    fn watch() -> Result<StopSignals, Failure> {
        let watch = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| Failure::failed(format!("cannot watch {name}: {e}")))
        };
        Ok(StopSignals {
            terminate: watch(SignalKind::terminate(), "SIGTERM")?,
            hangup: watch(SignalKind::hangup(), "SIGHUP")?,
        })
    }

    /// Waits for the next request to stop; false when signals can no longer arrive.
    async fn next(&mut self) -> bool {
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.is_ok(),
            terminated = self.terminate.recv() => terminated.is_some(),
            hung_up = self.hangup.recv() => hung_up.is_some(),
        }
    }
}

/// Says something on stderr, if there still is one (after SIGHUP there may be none:
/// nothing must fail for that).
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

async fn watch_interrupts(
    mut signals: StopSignals,
    run: Cancel,
    finished: Cancel,
    audit: Option<Arc<AuditLog>>,
) {
    if !signals.next().await {
        return;
    }
    if finished.is_cancelled() {
        std::process::exit(EXIT_INTERRUPTED);
    }
    run.cancel();
    say(
        "interrupted: no new request is sent; waiting for those in flight to answer (Ctrl-C again to exit now)",
    );
    if !signals.next().await {
        return;
    }
    if finished.is_cancelled() {
        std::process::exit(EXIT_INTERRUPTED);
    }
    let abandoned = audit.as_ref().map_or(0, |a| a.abandon_pending());
    let log = audit
        .map(|a| a.path().display().to_string())
        .unwrap_or_default();
    say(&format!(
        "exiting now: {abandoned} request(s) still in flight recorded as unknown, and the targets never started are not_sent (listed before the first request), in the audit log {log}"
    ));
    std::process::exit(EXIT_INTERRUPTED);
}
