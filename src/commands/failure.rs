//! How a headless command fails: a message and the exit status that says why
//! (0 all ok, 1 a target failed or is unknown, 2 usage, config or auth).

use crate::api::{ApiError, ErrorKind};
use crate::config::ConfigError;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Why a command stopped before finishing, and the exit status that says so.
#[derive(Debug)]
pub struct Failure {
    pub exit: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            exit: EXIT_USAGE,
            message: message.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            exit: EXIT_FAILED,
            message: message.into(),
        }
    }
}

impl From<ConfigError> for Failure {
    fn from(error: ConfigError) -> Self {
        Failure::usage(error.message)
    }
}

impl From<ApiError> for Failure {
    /// Credential and authorisation problems are exit 2 (fix the setup); the rest 1.
    fn from(error: ApiError) -> Self {
        let auth = matches!(
            error.kind,
            ErrorKind::Credentials
                | ErrorKind::Config
                | ErrorKind::ReadOnly
                | ErrorKind::InvalidInput
        ) || matches!(error.status, Some(401 | 403));
        Failure {
            exit: if auth { EXIT_USAGE } else { EXIT_FAILED },
            message: error.to_string(),
        }
    }
}
