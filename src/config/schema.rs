//! What the configuration file holds, as serde reads it: unknown keys are errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::api::{ComputeApi, Service};
use crate::app::key_action::KeyAction;

use super::{ConfigError, config_error};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    /// Key bindings replacing the defaults, by action: `refresh = "ctrl-r"` or
    /// `down = ["j", "ctrl-n"]`.
    #[serde(default)]
    pub keys: BTreeMap<KeyAction, KeyList>,
    /// Where the dashboard writes exports and saved activity logs (default: the
    /// directory phonedeck was started in).
    pub export_dir: Option<PathBuf>,
    /// The dashboard's colours: "dark" (default), "light", or a theme file's path.
    pub theme: Option<String>,
    /// Clicks on rows and tabs, and the wheel, in the dashboard (off by default: it
    /// takes over the terminal's own text selection).
    #[serde(default)]
    pub mouse: bool,
    /// `y` in a row's detail view copies its id through the terminal (OSC 52, which
    /// works over SSH in modern terminals; off by default).
    #[serde(default)]
    pub clipboard: bool,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub(super) fn names(&self) -> Vec<&str> {
        match self {
            KeyList::One(name) => vec![name.as_str()],
            KeyList::Many(names) => names.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Optional: the SDKs' project id variable or file, else IAM finds it by region.
    pub project_id: Option<String>,
    /// `cn-east-3`: fills in every endpoint the profile does not name.
    pub region: Option<String>,
    /// The domain suffix of the region table's hosts (default myhuaweicloud.com).
    pub cloud: Option<String>,
    /// `v2` (default, as in the seed) or `v2.1`: the compute API's path.
    #[serde(default)]
    pub compute_api: ComputeApi,
    #[serde(default)]
    pub live_domains: Vec<String>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default = "default_poll_interval")]
    pub poll_interval_secs: u64,
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: usize,
    /// The request budget (polls and actions together); unset is unlimited.
    pub max_requests_per_sec: Option<f64>,
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    #[serde(default = "default_request_timeout")]
    pub request_timeout_secs: u64,
    /// PEM file of a private CA to trust besides the platform's roots.
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub endpoints: EndpointsConfig,
    /// Each API's rate limit, by its name: `"live.block_once" = "300/min"`, or
    /// `"none"` to lift a documented one.
    #[serde(default)]
    pub limits: std::collections::BTreeMap<String, String>,
    /// Absent: the credentials the official SDKs would find.
    pub auth: Option<AuthConfig>,
    /// Compute is an OpenStack cloud of `clouds.yaml` (Keystone login, catalog URL).
    pub compute: Option<ComputeConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputeConfig {
    /// The cloud's name in clouds.yaml (default: $OS_CLOUD).
    pub cloud: Option<String>,
}

fn default_poll_interval() -> u64 {
    5
}
fn default_max_in_flight() -> usize {
    8
}
fn default_connect_timeout() -> u64 {
    5
}
fn default_request_timeout() -> u64 {
    20
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointsConfig {
    pub koophone: Option<String>,
    pub live: Option<String>,
    pub compute: Option<String>,
    pub cph: Option<String>,
    pub iam: Option<String>,
}

impl EndpointsConfig {
    /// The key for `service` (named `service.spec().config_key`).
    pub fn of(&self, service: Service) -> &Option<String> {
        match service {
            Service::KooPhone => &self.koophone,
            Service::Live => &self.live,
            Service::Compute => &self.compute,
            Service::Cph => &self.cph,
            Service::Iam => &self.iam,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub token_env: Option<String>,
    pub token_command: Option<Vec<String>>,
    /// How long the token command may run before it is stopped (default 30).
    pub token_command_timeout_secs: Option<u64>,
    pub method: Option<String>,
    pub user: Option<String>,
    pub domain: Option<String>,
    pub password_env: Option<String>,
    pub project: Option<String>,
    pub access_key_env: Option<String>,
    pub secret_key_env: Option<String>,
    /// Temporary AK/SK credentials' security token, sent as `X-Security-Token`.
    pub security_token_env: Option<String>,
}

/// Reads and parses the file at `path`.
pub fn load_file(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        config_error(
            path,
            format_args!("cannot read it ({e})"),
            "Check the path (--config, $PHONEDECK_CONFIG) and its permissions; assets/config.example.toml shows every key.",
        )
    })?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
        let at = line.map(|l| format!(" at line {l}")).unwrap_or_default();
        config_error(
            path,
            format_args!("invalid TOML{at}: {}", e.message().trim()),
            "Fix that line; assets/config.example.toml shows every key and its type.",
        )
    })
}
