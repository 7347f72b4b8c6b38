//! The TOML configuration: where it is found (`locate`), what it holds (`schema`), how
//! a profile becomes an `ApiConfig` (`profile`, `credentials`) and the dashboard's own
//! preferences (`ui`). A broken file is a one-paragraph error naming the file, the line
//! and the fix. A profile may name only a region: endpoints then come from the SDKs'
//! overrides and region table (`endpoints.rs`), credentials from where the SDKs find
//! them (`sdk_credentials.rs`), and the project id from IAM at first use.

pub mod clouds_yaml;
mod credentials;
pub mod endpoints;
pub mod environment;
mod locate;
pub mod origin;
mod profile;
mod schema;
pub mod sdk_credentials;
#[cfg(test)]
mod tests;
mod ui;

use std::path::Path;

pub use environment::Environment;
pub use locate::{ConfigLocation, locate, permission_warning};
pub use profile::Profile;
pub use schema::{
    AuthConfig, ComputeConfig, ConfigFile, EndpointsConfig, KeyList, ProfileConfig, load_file,
    parse,
};

/// A configuration problem; the CLI prints it and exits with status 2.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    pub message: String,
}

fn config_error(path: &Path, problem: impl std::fmt::Display, fix: &str) -> ConfigError {
    ConfigError {
        message: format!("config {}: {problem}. {fix}", path.display()),
    }
}
