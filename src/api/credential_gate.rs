//! One refused request per credential. A credential the service has not accepted yet
//! is tried by one request at a time (the others wait for its answer); once the
//! gateway refuses it (401, or `APIGW.0301` on any status), it is not sent again until
//! the engineer asks (`R` in the dashboard, or a new command). Five failures in a row
//! lock a shared access key for five minutes, for everyone in the incident: phonedeck
//! never supplies more than one of them.

use tokio::sync::{Mutex, MutexGuard};

use super::error::{ApiError, ErrorKind};
use super::service::Service;

#[derive(Default)]
struct Standing {
    /// A request with this credential was answered by the service (not refused).
    proven: bool,
    /// The gateway's refusal, kept until the engineer asks to try again.
    refused: Option<ApiError>,
}

#[derive(Default)]
pub struct CredentialGate {
    standing: std::sync::Mutex<Standing>,
    /// Held by the one request trying a credential not yet proven.
    trial: Mutex<()>,
}

/// What a request holds while it uses the credential: the trial's lock while the
/// credential is unproven, nothing once it is known to work.
pub struct Pass<'a> {
    _trial: Option<MutexGuard<'a, ()>>,
}

impl CredentialGate {
    /// Waits for this request's turn: at once when the credential works, after the
    /// request before it when it is unproven; an error, without sending, when it was
    /// refused.
    pub async fn enter(&self, service: Service, what: &str) -> Result<Pass<'_>, ApiError> {
        if let Some(pass) = self.decided(service, what)? {
            return Ok(pass);
        }
        let trial = self.trial.lock().await;
        // The request that held the trial may have settled it either way.
        if let Some(pass) = self.decided(service, what)? {
            return Ok(pass);
        }
        Ok(Pass {
            _trial: Some(trial),
        })
    }

    fn decided(&self, service: Service, what: &str) -> Result<Option<Pass<'_>>, ApiError> {
        let standing = self.standing();
        if let Some(refusal) = &standing.refused {
            return Err(ApiError {
                service,
                kind: ErrorKind::Credentials,
                message: format!(
                    "not sent: the {what} was refused ({}); phonedeck does not use it again until you fix it and press R (a new command tries once)",
                    refusal.message
                ),
                request_id: None,
                retry_after: None,
                ..refusal.clone()
            });
        }
        Ok(standing.proven.then_some(Pass { _trial: None }))
    }

    /// Learns from a request's final result: any answer but a refusal proves the
    /// credential; a refusal stops its use; no answer (a broken connection) says
    /// nothing.
    pub fn learn<T>(&self, result: &Result<T, ApiError>) {
        let mut standing = self.standing();
        match result {
            Ok(_) => standing.proven = true,
            Err(error) if refuses_credential(error) => {
                standing.proven = false;
                standing.refused = Some(error.clone());
            }
            Err(error) if error.status.is_some() && error.kind == ErrorKind::Service => {
                standing.proven = true;
            }
            Err(_) => {}
        }
    }

    /// The credential stopped working but may work again (an expired token being
    /// renewed): the next request tries it alone.
    pub fn doubt(&self) {
        self.standing().proven = false;
    }

    /// The engineer asked to try again: the next request tries the credential alone.
    pub fn try_again(&self) {
        let mut standing = self.standing();
        standing.refused = None;
        standing.proven = false;
    }

    fn standing(&self) -> std::sync::MutexGuard<'_, Standing> {
        self.standing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The gateway's "who are you?": 401, or `APIGW.0301` (incorrect IAM authentication
/// information) whatever the status. A locally refused request (a credential refused
/// earlier, a variable not set) has no status and is not one.
fn refuses_credential(error: &ApiError) -> bool {
    error.status == Some(401) || error.code.as_deref() == Some("APIGW.0301")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    fn refusal() -> ApiError {
        ApiError::new(
            Service::Cph,
            ErrorKind::Service,
            "Incorrect IAM authentication information",
        )
        .with_status(401)
        .with_code(Some("APIGW.0301".into()))
    }

    #[tokio::test]
    async fn an_unproven_credential_is_tried_by_one_request_at_a_time() {
        let gate = Arc::new(CredentialGate::default());
        let first = gate.enter(Service::Cph, "access key").await.expect("first");
        let waiting = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.enter(Service::Cph, "access key").await.map(|_| ()) })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "the second waits for the first's answer"
        );
        gate.learn::<()>(&Err(refusal()));
        drop(first);
        let second = waiting
            .await
            .expect("joins")
            .expect_err("refused without sending");
        assert_eq!(second.kind, ErrorKind::Credentials);
        assert_eq!(second.status, Some(401), "the banner still says why");
        assert!(second.message.contains("press R"), "{}", second.message);
    }

    #[tokio::test]
    async fn a_proven_credential_lets_requests_through_together_until_refused() {
        let gate = CredentialGate::default();
        let first = gate.enter(Service::Live, "token").await.expect("first");
        gate.learn(&Ok(()));
        drop(first);
        let a = gate.enter(Service::Live, "token").await.expect("a");
        let b = gate
            .enter(Service::Live, "token")
            .await
            .expect("b, while a is held");
        drop((a, b));
        gate.learn::<()>(&Err(refusal()));
        assert!(gate.enter(Service::Live, "token").await.is_err());
        gate.try_again();
        let retried = gate
            .enter(Service::Live, "token")
            .await
            .expect("R tries once more");
        drop(retried);
    }

    #[tokio::test]
    async fn no_answer_proves_nothing_and_a_service_error_proves_the_credential() {
        let gate = CredentialGate::default();
        gate.learn::<()>(&Err(ApiError::new(
            Service::Cph,
            ErrorKind::Timeout,
            "slow",
        )));
        let held = gate.enter(Service::Cph, "token").await.expect("trial");
        assert!(
            tokio::time::timeout(Duration::from_millis(50), gate.enter(Service::Cph, "token"))
                .await
                .is_err(),
            "still unproven: one at a time"
        );
        drop(held);
        gate.learn::<()>(&Err(ApiError::new(
            Service::Cph,
            ErrorKind::Service,
            "no such server",
        )
        .with_status(404)));
        let a = gate.enter(Service::Cph, "token").await.expect("a");
        let b = gate.enter(Service::Cph, "token").await.expect("b");
        drop((a, b));
    }
}
