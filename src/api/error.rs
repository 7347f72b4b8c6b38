//! The one error type every client returns: which service, what HTTP status,
//! which provider error code and message, and the request id to quote to support.

use std::fmt;

use super::service::Service;
use crate::sanitize::sanitize;

/// The API gateway's "throttling threshold has been reached" (HTTP 429).
pub const GATEWAY_THROTTLE_CODE: &str = "APIGW.0308";

/// What went wrong, at the level a caller decides on (retry? outcome unknown?).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The service answered with an error (HTTP error status, or 200 with an error code).
    Service,
    /// The connection could not be made (refused, no such host): nothing reached the
    /// service.
    Connect,
    /// The request could not be built (a header value, the URL): it never left.
    Unsendable,
    /// No complete answer in time: the request may or may not have been processed.
    Timeout,
    /// The connection broke after the request was sent.
    Network,
    /// The answer arrived but could not be understood.
    Decode,
    /// The answer was larger than the configured cap.
    TooLarge,
    /// Refused locally: read-only mode forbids mutations.
    ReadOnly,
    /// No usable credentials (token command failed, variable unset, IAM refused).
    Credentials,
    /// The profile does not say where to send the request, or says it wrongly (no
    /// endpoint for the service, a URL that does not parse): fix the configuration.
    Config,
    /// Refused locally: an identifier that cannot be sent (empty, control characters).
    InvalidInput,
}

/// An error from one request to one service.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ApiError {
    pub service: Service,
    pub kind: ErrorKind,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    /// How long the service asked us to wait before trying again (`Retry-After`).
    pub retry_after: Option<std::time::Duration>,
}

impl ApiError {
    pub fn new(service: Service, kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            service,
            kind,
            status: None,
            code: None,
            message: sanitize(&message.into()),
            request_id: None,
            retry_after: None,
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_code(mut self, code: Option<String>) -> Self {
        self.code = code.map(|c| sanitize(&c));
        self
    }

    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if request_id.is_some() {
            self.request_id = request_id;
        }
        self
    }

    /// Reads may be retried on throttling (429, and Nova's 413 `overLimit`), server
    /// errors and network trouble.
    pub fn is_retryable_read(&self) -> bool {
        match self.kind {
            ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Network => true,
            ErrorKind::Service => {
                matches!(self.status, Some(429 | 500..=599))
                    || (self.status == Some(413) && self.is_over_limit())
            }
            _ => false,
        }
    }

    /// For a mutation: true when the request may have been carried out even though
    /// no answer says so. Such an outcome must be reported as unknown.
    pub fn outcome_unknown(&self) -> bool {
        match self.kind {
            ErrorKind::Timeout | ErrorKind::Network | ErrorKind::Decode | ErrorKind::TooLarge => {
                true
            }
            // A 5xx without a provider code (a gateway's HTML page, an empty body) says
            // nothing about whether the service acted.
            ErrorKind::Service => self.code.is_none() && matches!(self.status, Some(500..=599)),
            ErrorKind::Connect
            | ErrorKind::Unsendable
            | ErrorKind::ReadOnly
            | ErrorKind::Credentials
            | ErrorKind::Config
            | ErrorKind::InvalidInput => false,
        }
    }

    /// The request provably never reached the service: refused here, or no
    /// connection was made.
    pub fn never_left(&self) -> bool {
        match self.kind {
            ErrorKind::Connect
            | ErrorKind::Unsendable
            | ErrorKind::ReadOnly
            | ErrorKind::Credentials
            | ErrorKind::Config
            | ErrorKind::InvalidInput => self.status.is_none(),
            ErrorKind::Service
            | ErrorKind::Timeout
            | ErrorKind::Network
            | ErrorKind::Decode
            | ErrorKind::TooLarge => false,
        }
    }

    /// The gateway's "token must be updated" answer: renew the token, retry once.
    pub fn is_token_expired(&self) -> bool {
        self.status == Some(401)
            && (self.code.as_deref() == Some("APIGW.0307")
                || self
                    .message
                    .to_ascii_lowercase()
                    .contains("token must be updated"))
    }

    pub fn is_throttled(&self) -> bool {
        self.status == Some(429)
            || self.code.as_deref() == Some(GATEWAY_THROTTLE_CODE)
            || self.is_over_limit()
    }

    /// The gateway refused the request for its rate limit (429 `APIGW.0308`) before
    /// the service saw it: a mutation so refused may be sent again. A 429 from the
    /// service itself may not.
    pub fn is_gateway_throttle(&self) -> bool {
        self.status == Some(429) && self.code.as_deref() == Some(GATEWAY_THROTTLE_CODE)
    }

    /// Nova's rate limit fault (`{"overLimit": {...}}`, 413 or 429).
    fn is_over_limit(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|code| code.starts_with("overLimit"))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.service)?;
        if let Some(status) = self.status {
            write!(f, " HTTP {status}")?;
        }
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_service_status_code_message_and_request_id() {
        let err = ApiError::new(
            Service::KooPhone,
            ErrorKind::Service,
            "Insufficient permissions",
        )
        .with_status(400)
        .with_code(Some("KOOPHONE.API.1001".into()))
        .with_request_id(Some("abc".into()));
        assert_eq!(
            err.to_string(),
            "KooPhone HTTP 400 KOOPHONE.API.1001: Insufficient permissions (request id abc)"
        );
    }

    #[test]
    fn timeouts_are_unknown_but_connect_failures_are_not() {
        let timeout = ApiError::new(Service::Live, ErrorKind::Timeout, "timed out");
        let refused = ApiError::new(Service::Live, ErrorKind::Connect, "refused");
        assert!(timeout.outcome_unknown());
        assert!(!refused.outcome_unknown());
        assert!(refused.is_retryable_read());
    }

    #[test]
    fn any_5xx_without_a_provider_code_is_unknown_one_with_a_code_failed() {
        let answer = |status: u16, code: Option<&str>| {
            ApiError::new(Service::Cph, ErrorKind::Service, "x")
                .with_status(status)
                .with_code(code.map(str::to_string))
        };
        for status in [500, 502, 503, 504, 599] {
            assert!(answer(status, None).outcome_unknown(), "HTTP {status}");
        }
        assert!(!answer(500, Some("CPS.0001")).outcome_unknown());
        assert!(!answer(400, None).outcome_unknown());
    }

    #[test]
    fn expired_token_is_recognised_by_code_or_message() {
        let by_code = ApiError::new(Service::Cph, ErrorKind::Service, "x")
            .with_status(401)
            .with_code(Some("APIGW.0307".into()));
        let by_message = ApiError::new(
            Service::Cph,
            ErrorKind::Service,
            "The token must be updated.",
        )
        .with_status(401);
        assert!(by_code.is_token_expired());
        assert!(by_message.is_token_expired());
    }
}
