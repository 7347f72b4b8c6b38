//! What an action's outcome does to its target's LAST ERROR column.

use crate::api::{Outcome, TargetOutcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastError {
    /// It failed or went unanswered: the row says why until an action on it succeeds.
    Set(String),
    /// It succeeded: the earlier error no longer holds.
    Clear,
    /// It was not sent: nothing new is known about the target.
    Keep,
}

impl LastError {
    /// Code first, then the message, and for no answer what reading back settled.
    pub fn of(outcome: &TargetOutcome) -> LastError {
        let code = outcome.error_code.as_deref().unwrap_or("");
        let message = outcome.error_msg.as_deref().unwrap_or("");
        match outcome.outcome {
            Outcome::Ok => LastError::Clear,
            Outcome::NotSent => LastError::Keep,
            Outcome::Failed => LastError::Set(format!("{code} {message}").trim().to_string()),
            Outcome::Unknown => {
                let settled = outcome
                    .reconciled
                    .map(|settled| format!(", read back: {settled}"))
                    .unwrap_or_default();
                LastError::Set(format!("no answer {code} {message}{settled}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::outcome::Settled;

    #[test]
    fn a_failure_sets_a_success_clears_and_not_sent_keeps() {
        let failed = TargetOutcome::failed("t", Some("E1".into()), "denied", None);
        assert_eq!(LastError::of(&failed), LastError::Set("E1 denied".into()));
        assert_eq!(
            LastError::of(&TargetOutcome::ok("t", None)),
            LastError::Clear
        );
        let not_sent = TargetOutcome {
            outcome: Outcome::NotSent,
            ..TargetOutcome::ok("t", None)
        };
        assert_eq!(LastError::of(&not_sent), LastError::Keep);
        let unanswered = TargetOutcome {
            outcome: Outcome::Unknown,
            reconciled: Some(Settled::Happened),
            ..TargetOutcome::ok("t", None)
        };
        let LastError::Set(text) = LastError::of(&unanswered) else {
            panic!("an unanswered target says so");
        };
        assert!(
            text.starts_with("no answer") && text.ends_with("read back: happened"),
            "{text}"
        );
    }
}
