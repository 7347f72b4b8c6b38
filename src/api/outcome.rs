//! The result of one mutation on one target: ok, failed, unknown (no answer, so it
//! may or may not have happened), or not sent (its action was stopped first).

use serde::{Deserialize, Serialize};

use super::error::ApiError;

/// The code of a failure that never reached the service (it was refused here, or no
/// connection was made): no provider code, and nothing to read back.
pub const NEVER_LEFT_CODE: &str = "CLIENT";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Failed,
    Unknown,
    NotSent,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Unknown => "unknown",
            Outcome::NotSent => "not_sent",
        })
    }
}

/// What reading a target back said about an `unknown` outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settled {
    Happened,
    DidNotHappen,
    CannotTell,
}

impl std::fmt::Display for Settled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Settled::Happened => "happened",
            Settled::DidNotHappen => "did not happen",
            Settled::CannotTell => "cannot tell",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetOutcome {
    pub target: String,
    pub outcome: Outcome,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    pub request_id: Option<String>,
    /// A job started by the action (encoder restarts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// For an `unknown` outcome: what reading the target back settled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciled: Option<Settled>,
    /// What that read saw (`SHUTOFF`, `still online`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
}

impl TargetOutcome {
    pub fn ok(target: impl Into<String>, request_id: Option<String>) -> Self {
        TargetOutcome {
            target: target.into(),
            outcome: Outcome::Ok,
            error_code: None,
            error_msg: None,
            request_id,
            job_id: None,
            reconciled: None,
            seen: None,
        }
    }

    pub fn failed(
        target: impl Into<String>,
        error_code: Option<String>,
        error_msg: impl Into<String>,
        request_id: Option<String>,
    ) -> Self {
        TargetOutcome {
            outcome: Outcome::Failed,
            error_code,
            error_msg: Some(error_msg.into()),
            ..TargetOutcome::ok(target, request_id)
        }
    }

    /// Whether the action is known to have happened: ok, or unknown and then seen done.
    pub fn took_effect(&self) -> bool {
        self.outcome == Outcome::Ok
            || (self.outcome == Outcome::Unknown && self.reconciled == Some(Settled::Happened))
    }

    /// Whether it may have happened, as far as anyone can tell: no answer, and reading
    /// back did not find it undone.
    pub fn may_have_happened(&self) -> bool {
        self.outcome == Outcome::Unknown && self.reconciled != Some(Settled::DidNotHappen)
    }

    /// Never sent: the action was stopped before reaching this target.
    pub fn not_sent(target: impl Into<String>) -> Self {
        TargetOutcome {
            outcome: Outcome::NotSent,
            error_msg: Some("not sent: the action was stopped first".into()),
            ..TargetOutcome::ok(target, None)
        }
    }

    /// Failed, or unknown when the error leaves open whether the mutation happened.
    pub fn from_error(target: impl Into<String>, error: &ApiError) -> Self {
        let outcome = if error.outcome_unknown() {
            Outcome::Unknown
        } else {
            Outcome::Failed
        };
        let code = error
            .code
            .clone()
            .or_else(|| error.status.map(|s| format!("HTTP {s}")))
            .or_else(|| error.never_left().then(|| NEVER_LEFT_CODE.to_string()));
        TargetOutcome {
            outcome,
            ..TargetOutcome::failed(
                target,
                code,
                error.message.clone(),
                error.request_id.clone(),
            )
        }
    }

    pub fn from_result(
        target: impl Into<String>,
        result: Result<Option<String>, ApiError>,
    ) -> Self {
        match result {
            Ok(request_id) => TargetOutcome::ok(target, request_id),
            Err(error) => TargetOutcome::from_error(target, &error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ErrorKind, Service};

    #[test]
    fn timeout_is_unknown_and_keeps_request_id() {
        let err = ApiError::new(Service::KooPhone, ErrorKind::Timeout, "no answer")
            .with_request_id(Some("rid".into()));
        let outcome = TargetOutcome::from_error("p1", &err);
        assert_eq!(outcome.outcome, Outcome::Unknown);
        assert_eq!(outcome.request_id.as_deref(), Some("rid"));
    }

    #[test]
    fn json_shape_is_the_contract() {
        let json = serde_json::to_value(TargetOutcome::ok("p1", Some("r".into()))).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"target":"p1","outcome":"ok","error_code":null,"error_msg":null,"request_id":"r"})
        );
    }
}
