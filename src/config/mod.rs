//! The TOML configuration: where it is found, what it holds, and how a profile becomes
//! an `ApiConfig`. A broken file is a one-paragraph error naming the file, the line and the fix.
//! A profile may name only a region: endpoints then come from the SDKs' overrides and
//! region table (`endpoints.rs`), credentials from where the SDKs find them
//! (`sdk_credentials.rs`), and the project id from IAM at first use.

pub mod clouds_yaml;
pub mod endpoints;
pub mod environment;
pub mod origin;
pub mod sdk_credentials;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use strum::IntoEnumIterator;

use reqwest::Url;
use secrecy::SecretString;
use serde::Deserialize;

use crate::api::{
    AccessKey, ApiConfig, ComputeApi, Credentials, Endpoints, Limits, PasswordLogin, RateLimits,
    RetryPolicy, Service, TokenCommand, TokenSource,
};

use crate::app::key_action::KeyAction;
use crate::app::key_binding::Binding;
use crate::app::keymap::KeyMap;
use crate::theme::Theme;
use endpoints::{DEFAULT_CLOUD, Placement, RegionsFile};
pub use environment::Environment;
use origin::{Origin, Setting, key_id, mask};

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
    fn names(&self) -> Vec<&str> {
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

/// A profile ready to use.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub api: ApiConfig,
    pub poll_interval: Duration,
    /// Every resolved value and where it came from (secrets masked), for `doctor`.
    pub settings: Vec<Setting>,
}

/// Where the configuration is looked for: `--config`, `$PHONEDECK_CONFIG`, then the
/// platform config dir. `explicit` is false only for the platform default, which may
/// be absent (then phonedeck offers its demo).
#[derive(Debug, Clone)]
pub struct ConfigLocation {
    pub path: PathBuf,
    pub explicit: bool,
}

pub fn locate(flag: Option<&Path>) -> Option<ConfigLocation> {
    if let Some(path) = flag {
        return Some(ConfigLocation {
            path: path.to_path_buf(),
            explicit: true,
        });
    }
    if let Some(path) = std::env::var_os("PHONEDECK_CONFIG").filter(|p| !p.is_empty()) {
        return Some(ConfigLocation {
            path: PathBuf::from(path),
            explicit: true,
        });
    }
    directories::ProjectDirs::from("", "", "phonedeck").map(|dirs| ConfigLocation {
        path: dirs.config_dir().join("config.toml"),
        explicit: false,
    })
}

impl ConfigLocation {
    /// False when the default location has no file: the caller may fall back to the demo.
    /// Any explicit location, and any file that exists, must load or fail loudly.
    pub fn exists_or_explicit(&self) -> bool {
        self.explicit || self.path.exists()
    }
}

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

impl ConfigFile {
    /// The theme named by `theme`: built in, or read from a file like those in
    /// assets/themes/.
    pub fn theme(&self, path: &Path) -> Result<Theme, ConfigError> {
        let Some(name) = self.theme.as_deref() else {
            return Ok(Theme::default());
        };
        if let Some(theme) = Theme::built_in(name) {
            return Ok(theme);
        }
        let fail = |problem: String| {
            config_error(
                path,
                format_args!("theme `{name}`: {problem}"),
                "Use \"dark\", \"light\", or the path of a theme file like assets/themes/dark.toml.",
            )
        };
        let text =
            std::fs::read_to_string(name).map_err(|e| fail(format!("cannot read it ({e})")))?;
        Theme::parse(&text).map_err(fail)
    }

    /// The key map in force: the defaults with `[keys]` applied, and the conflicts to
    /// report. A key that cannot be parsed is an error.
    pub fn keymap(&self, path: &Path) -> Result<(KeyMap, Vec<String>), ConfigError> {
        let mut overrides = Vec::new();
        for (action, keys) in &self.keys {
            let bindings = keys
                .names()
                .into_iter()
                .map(|name| {
                    Binding::parse(name).map_err(|problem| {
                        config_error(
                            path,
                            format_args!("[keys] {} = \"{name}\": {problem}", action.name()),
                            "Write keys like \"x\", \"X\", \"ctrl-r\", \"shift-tab\", \"space\", \"pgdn\" or \"f5\".",
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            overrides.push((*action, bindings));
        }
        Ok(KeyMap::with_overrides(&overrides))
    }

    /// The chosen profile (`--profile`, else `default_profile`, else the only one),
    /// resolved in the process environment.
    pub fn profile(&self, path: &Path, wanted: Option<&str>) -> Result<Profile, ConfigError> {
        self.profile_in(path, wanted, &Environment::process())
    }

    /// The chosen profile, resolved in `env`.
    pub fn profile_in(
        &self,
        path: &Path,
        wanted: Option<&str>,
        env: &Environment,
    ) -> Result<Profile, ConfigError> {
        let names = || self.profiles.keys().cloned().collect::<Vec<_>>().join(", ");
        let name = match (wanted, self.default_profile.as_deref()) {
            (Some(name), _) | (None, Some(name)) => name.to_string(),
            (None, None) if self.profiles.len() == 1 => {
                self.profiles.keys().next().cloned().unwrap_or_default()
            }
            (None, None) => {
                return Err(config_error(
                    path,
                    "no profile chosen",
                    &format!(
                        "Set default_profile or pass --profile NAME (profiles: {}).",
                        names()
                    ),
                ));
            }
        };
        let profile = self.profiles.get(&name).ok_or_else(|| {
            config_error(
                path,
                format_args!("there is no profile `{name}`"),
                &format!("Use one of: {} (or add [profiles.{name}]).", names()),
            )
        })?;
        profile.resolve(path, &name, env)
    }
}

impl ProfileConfig {
    /// Every number within a range that works: a value outside one (a zero interval, a
    /// rate of 1e-30, a timeout of 2^64 seconds) fails at load, naming the key.
    fn check_ranges(&self, path: &Path, name: &str) -> Result<(), ConfigError> {
        let whole = |key: &str, value: u64, range: std::ops::RangeInclusive<u64>| {
            if range.contains(&value) {
                return Ok(());
            }
            Err(config_error(
                path,
                format_args!("{key} of profile `{name}` is {value}"),
                &format!(
                    "Give a whole number from {} to {}.",
                    range.start(),
                    range.end()
                ),
            ))
        };
        whole("poll_interval_secs", self.poll_interval_secs, 1..=86_400)?;
        whole("max_in_flight", self.max_in_flight as u64, 1..=256)?;
        whole("connect_timeout_secs", self.connect_timeout_secs, 1..=600)?;
        whole("request_timeout_secs", self.request_timeout_secs, 1..=3_600)?;
        match self.max_requests_per_sec {
            Some(rate) if !(0.01..=10_000.0).contains(&rate) => Err(config_error(
                path,
                format_args!("max_requests_per_sec of profile `{name}` is {rate}"),
                "Give a positive number of requests a second from 0.01 to 10000, or remove the line for no limit.",
            )),
            _ => Ok(()),
        }
    }

    fn resolve(&self, path: &Path, name: &str, env: &Environment) -> Result<Profile, ConfigError> {
        let fail = |problem: String, fix: &str| config_error(path, problem, fix);
        let regions = RegionsFile::load(env).map_err(|e| {
            fail(
                e,
                "Fix or move that file (HUAWEICLOUD_SDK_REGIONS_FILE), or remove it.",
            )
        })?;
        let placement = Placement {
            region: self.region.as_deref(),
            cloud: self.cloud.as_deref().unwrap_or(DEFAULT_CLOUD),
        };
        let mut settings = Vec::new();
        if let Some(region) = &self.region {
            settings.push(Setting::new("region", region, Origin::Config));
        }
        let compute_cloud = self
            .compute
            .as_ref()
            .map(|compute| self.compute_cloud(path, name, env, compute, &mut settings))
            .transpose()?;
        let mut endpoint = |service: Service, value: &Option<String>| {
            let key = service.spec().config_key;
            let located = endpoints::locate(service, value.as_deref(), &placement, env, &regions)
                .map_err(|e| fail(format!("profile `{name}`: {e}"), "Fix the URL where it is set."))?
                .ok_or_else(|| {
                    fail(
                        format!("profile `{name}` has no endpoints.{key} and no region"),
                        &format!(
                            "Add `region = \"cn-east-3\"` (or yours) to [profiles.{name}], or `{key} = \"https://...\"` under [profiles.{name}.endpoints]."
                        ),
                    )
                })?;
            settings.push(Setting::new(
                format!("endpoints.{key}"),
                located.url.as_str(),
                located.origin.clone(),
            ));
            Ok::<Url, ConfigError>(located.url)
        };
        let mut endpoints = Endpoints::default();
        for service in Service::iter() {
            let url = match (service, &compute_cloud) {
                // Compute's URL comes from the catalog once logged in; until then its
                // host is Keystone's, which doctor checks like any other.
                (Service::Compute, Some(login)) => login.auth_url.clone(),
                (_, _) => endpoint(service, self.endpoints.of(service))?,
            };
            endpoints.set(service, url);
        }
        settings.push(Setting::new(
            "compute_api",
            self.compute_api.prefix().trim_start_matches('/'),
            if self.compute_api == ComputeApi::default() {
                Origin::Default
            } else {
                Origin::Config
            },
        ));
        self.check_ranges(path, name)?;
        let (credentials, sdk_project) = self.credentials(path, name, env, &mut settings)?;
        let project_id = match (&self.project_id, sdk_project) {
            (Some(id), _) => {
                settings.push(Setting::new("project_id", id, Origin::Config));
                Some(id.clone())
            }
            (None, Some((id, origin))) => {
                settings.push(Setting::new("project_id", &id, origin));
                Some(id)
            }
            (None, None) => {
                let how = match &self.region {
                    Some(region) => format!("found through IAM by region {region} at first use"),
                    None => "none: set project_id or region".to_string(),
                };
                settings.push(Setting::new("project_id", how, Origin::Discovered));
                None
            }
        };
        let ca_certificates = match &self.ca_file {
            Some(ca_file) => read_ca_file(path, name, ca_file)?,
            None => Vec::new(),
        };
        let rate_limits = self.rate_limits(path, name)?;
        Ok(Profile {
            name: name.to_string(),
            settings,
            poll_interval: Duration::from_secs(self.poll_interval_secs),
            api: ApiConfig {
                endpoints,
                project_id,
                region: self.region.clone(),
                compute_api: self.compute_api,
                compute_cloud,
                live_domains: self.live_domains.clone(),
                credentials,
                read_only: self.read_only,
                max_in_flight: self.max_in_flight,
                max_requests_per_sec: self.max_requests_per_sec,
                rate_limits,
                limits: Limits {
                    connect_timeout: Duration::from_secs(self.connect_timeout_secs),
                    request_timeout: Duration::from_secs(self.request_timeout_secs),
                    ca_certificates,
                    ..Limits::default()
                },
                retry: RetryPolicy::default(),
            },
        })
    }
}

impl ProfileConfig {
    /// The `[limits]` table read: API names and rates checked.
    fn rate_limits(&self, path: &Path, name: &str) -> Result<RateLimits, ConfigError> {
        let mut limits = RateLimits::default();
        for (api, rate) in &self.limits {
            limits.set(api, rate).map_err(|problem| {
                config_error(
                    path,
                    format_args!("limits.\"{api}\" of profile `{name}`: {problem}"),
                    "Name an API phonedeck calls and give its rate as N/s, N/min or N/h, or none.",
                )
            })?;
        }
        Ok(limits)
    }

    /// The OpenStack cloud that serves compute, from clouds.yaml.
    fn compute_cloud(
        &self,
        path: &Path,
        name: &str,
        env: &Environment,
        compute: &ComputeConfig,
        settings: &mut Vec<Setting>,
    ) -> Result<crate::api::keystone::KeystoneLogin, ConfigError> {
        use secrecy::ExposeSecret;
        let (login, file) = clouds_yaml::login(env, compute.cloud.as_deref()).map_err(|e| {
            config_error(
                path,
                format_args!("[profiles.{name}.compute]: {e}"),
                "Fix clouds.yaml, or remove [compute] to use the region's ECS.",
            )
        })?;
        let origin = Origin::CloudsFile(file);
        settings.push(Setting::new("compute.cloud", &login.cloud, origin.clone()));
        settings.push(Setting::new(
            "compute.auth_url",
            login.auth_url.as_str(),
            origin.clone(),
        ));
        settings.push(Setting::new("compute.user", &login.user, origin.clone()));
        settings.push(Setting::new(
            "compute.password",
            mask(login.password.expose_secret()),
            origin,
        ));
        settings.push(Setting::new(
            "endpoints.compute",
            format!(
                "the catalog of cloud {} (interface {})",
                login.cloud, login.interface
            ),
            Origin::Discovered,
        ));
        Ok(login)
    }

    /// The `[auth]` section's credentials, or (without one) those the official SDKs
    /// would find; and the project id those carry, if any.
    fn credentials(
        &self,
        path: &Path,
        name: &str,
        env: &Environment,
        settings: &mut Vec<Setting>,
    ) -> Result<(Credentials, Option<(String, Origin)>), ConfigError> {
        if let Some(auth) = &self.auth {
            let credentials = auth.resolve(path, name)?;
            describe_credentials(&credentials, Origin::Config, settings);
            return Ok((credentials, None));
        }
        let found = sdk_credentials::find(env).map_err(|e| {
            config_error(
                path,
                format_args!("profile `{name}`: {e}"),
                "Fix the SDK credentials, or add [profiles.NAME.auth].",
            )
        })?;
        let Some(found) = found else {
            return Err(config_error(
                path,
                format_args!(
                    "profile `{name}` has no [auth] section and no SDK credentials were found"
                ),
                "Export HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (as the official SDKs read them), write them to ~/.huaweicloud/credentials under [basic], or add [profiles.NAME.auth].",
            ));
        };
        let credentials = Credentials {
            token: None,
            access_key: Some(found.access_key),
        };
        describe_credentials(&credentials, found.origin.clone(), settings);
        let project = found.project_id.map(|id| {
            let origin = match &found.origin {
                Origin::Env(_) => Origin::Env("HUAWEICLOUD_SDK_PROJECT_ID".into()),
                other => other.clone(),
            };
            (id, origin)
        });
        Ok((credentials, project))
    }
}

/// What doctor shows of the credentials: which kind, the key id's tail, secrets masked.
/// From the SDK variables, each part names its own variable.
fn describe_credentials(credentials: &Credentials, origin: Origin, settings: &mut Vec<Setting>) {
    use secrecy::ExposeSecret;
    let from = |variable: &str| match &origin {
        Origin::Env(_) => Origin::Env(variable.to_string()),
        other => other.clone(),
    };
    if let Some(token) = &credentials.token {
        let kind = match token {
            TokenSource::Env(var) => format!("token from ${var}"),
            TokenSource::Command(command) => format!(
                "token from the command `{}` (stopped after {})",
                command.argv.first().map(String::as_str).unwrap_or_default(),
                humantime::format_duration(command.timeout)
            ),
            TokenSource::Password(login) => format!("IAM password login of {}", login.user),
            TokenSource::Fixed(value) => mask(value.expose_secret()),
        };
        settings.push(Setting::new("auth.token", kind, origin.clone()));
    }
    if let Some(key) = &credentials.access_key {
        settings.push(Setting::new(
            "auth.access_key",
            key_id(&key.access_key),
            from("HUAWEICLOUD_SDK_AK"),
        ));
        settings.push(Setting::new(
            "auth.secret_key",
            mask(key.secret_key.expose_secret()),
            from("HUAWEICLOUD_SDK_SK"),
        ));
        if let Some(token) = &key.security_token {
            settings.push(Setting::new(
                "auth.security_token",
                mask(token.expose_secret()),
                from("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
            ));
        }
    }
}

fn read_ca_file(
    path: &Path,
    profile: &str,
    ca_file: &Path,
) -> Result<Vec<reqwest::Certificate>, ConfigError> {
    let fail = |problem: String| {
        config_error(
            path,
            format_args!(
                "ca_file {} of profile `{profile}` {problem}",
                ca_file.display()
            ),
            "Point ca_file at a PEM file holding your private CA's certificate(s).",
        )
    };
    let pem = std::fs::read(ca_file).map_err(|e| fail(format!("cannot be read ({e})")))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| fail(format!("is not PEM ({e})")))?;
    if certificates.is_empty() {
        return Err(fail("holds no certificate".into()));
    }
    Ok(certificates)
}

/// A warning when a configuration that names credentials can be read by other users.
pub fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "warning: {} is readable by other users (mode {:o}) and says where your credentials are; run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

fn secret_from_env(
    path: &Path,
    profile: &str,
    key: &str,
    var: &str,
) -> Result<SecretString, ConfigError> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Ok(SecretString::from(value)),
        _ => Err(config_error(
            path,
            format_args!("auth.{key} of profile `{profile}` names ${var}, which is not set"),
            &format!("Export {var} before starting phonedeck."),
        )),
    }
}

impl AuthConfig {
    fn token_command(
        &self,
        path: &Path,
        profile: &str,
        argv: &[String],
    ) -> Result<TokenCommand, ConfigError> {
        let timeout = match self.token_command_timeout_secs {
            None => TokenCommand::DEFAULT_TIMEOUT,
            Some(secs @ 1..=600) => Duration::from_secs(secs),
            Some(secs) => {
                return Err(config_error(
                    path,
                    format_args!(
                        "auth.token_command_timeout_secs of profile `{profile}` is {secs}"
                    ),
                    "Give a whole number from 1 to 600.",
                ));
            }
        };
        Ok(TokenCommand {
            argv: argv.to_vec(),
            timeout,
        })
    }

    fn resolve(&self, path: &Path, profile: &str) -> Result<Credentials, ConfigError> {
        let password = self.method.as_deref() == Some("password");
        if let Some(method) = self.method.as_deref().filter(|m| *m != "password") {
            return Err(config_error(
                path,
                format_args!("auth.method `{method}` of profile `{profile}` is not known"),
                "The only method is \"password\"; for tokens use token_env or token_command.",
            ));
        }
        let sources = [
            self.token_env.is_some(),
            self.token_command.is_some(),
            password,
        ];
        if sources.iter().filter(|s| **s).count() > 1 {
            return Err(config_error(
                path,
                format_args!("profile `{profile}` sets more than one token source"),
                "Keep exactly one of auth.token_env, auth.token_command and method = \"password\".",
            ));
        }
        let token = if let Some(var) = &self.token_env {
            Some(TokenSource::Env(var.clone()))
        } else if let Some(argv) = &self.token_command {
            Some(TokenSource::Command(
                self.token_command(path, profile, argv)?,
            ))
        } else if password {
            Some(TokenSource::Password(self.password_login(path, profile)?))
        } else {
            None
        };
        let access_key = match (&self.access_key_env, &self.secret_key_env) {
            (Some(ak), Some(sk)) => Some(AccessKey {
                access_key: std::env::var(ak).map_err(|_| {
                    config_error(
                        path,
                        format_args!("auth.access_key_env of profile `{profile}` names ${ak}, which is not set"),
                        &format!("Export {ak} before starting phonedeck."),
                    )
                })?,
                secret_key: secret_from_env(path, profile, "secret_key_env", sk)?,
                security_token: self
                    .security_token_env
                    .as_deref()
                    .map(|var| secret_from_env(path, profile, "security_token_env", var))
                    .transpose()?,
            }),
            (None, None) => None,
            _ => {
                return Err(config_error(
                    path,
                    format_args!("profile `{profile}` sets only one of access_key_env and secret_key_env"),
                    "Set both, or neither.",
                ));
            }
        };
        if self.security_token_env.is_some() && access_key.is_none() {
            return Err(config_error(
                path,
                format_args!("profile `{profile}` sets security_token_env without an access key"),
                "A security token belongs to temporary AK/SK credentials: set access_key_env and secret_key_env too.",
            ));
        }
        if token.is_none() && access_key.is_none() {
            return Err(config_error(
                path,
                format_args!("profile `{profile}` has no credentials"),
                "Set auth.token_env, auth.token_command, method = \"password\" with user, domain, password_env and project, or access_key_env and secret_key_env (AK/SK serve every service).",
            ));
        }
        Ok(Credentials { token, access_key })
    }

    fn password_login(&self, path: &Path, profile: &str) -> Result<PasswordLogin, ConfigError> {
        let field = |key: &str, value: &Option<String>| {
            value.clone().ok_or_else(|| {
                config_error(
                    path,
                    format_args!("method = \"password\" in profile `{profile}` needs auth.{key}"),
                    &format!("Add `{key} = \"...\"` under [profiles.{profile}.auth]."),
                )
            })
        };
        let password_env = field("password_env", &self.password_env)?;
        Ok(PasswordLogin {
            user: field("user", &self.user)?,
            domain: field("domain", &self.domain)?,
            project: field("project", &self.project)?,
            password: secret_from_env(path, profile, "password_env", &password_env)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
default_profile = "prod"
[profiles.prod]
project_id = "b72dc11461c84102b97576ae24d2b88c"
live_domains = ["publish.example.com"]
[profiles.prod.endpoints]
koophone = "https://koophone.example.com/"
live = "https://live.example.com"
compute = "https://ecs.example.com"
cph = "https://cph.example.com"
[profiles.prod.auth]
token_command = ["echo", "t"]
"#;

    fn path() -> &'static Path {
        Path::new("/etc/phonedeck.toml")
    }

    #[test]
    fn good_config_resolves_defaults() {
        let profile = parse(path(), GOOD)
            .and_then(|c| c.profile(path(), None))
            .expect("resolves");
        assert_eq!(profile.name, "prod");
        assert_eq!(profile.api.max_in_flight, 8);
        assert_eq!(profile.poll_interval, Duration::from_secs(5));
        assert!(!profile.api.read_only);
    }

    #[test]
    fn request_budget_is_read_and_checked() {
        let with = |line: &str| {
            let text = GOOD.replace("live_domains", &format!("{line}\nlive_domains"));
            parse(path(), &text).and_then(|c| c.profile(path(), None))
        };
        let profile = with("max_requests_per_sec = 40").expect("resolves");
        assert_eq!(profile.api.max_requests_per_sec, Some(40.0));
        assert_eq!(
            parse(path(), GOOD)
                .and_then(|c| c.profile(path(), None))
                .expect("resolves")
                .api
                .max_requests_per_sec,
            None
        );
        let err = with("max_requests_per_sec = 0").expect_err("zero refused");
        assert!(err.message.contains("positive number"), "{}", err.message);
    }

    #[test]
    fn numbers_out_of_range_are_refused_naming_the_key_and_the_range() {
        let with = |line: &str| {
            let text = GOOD.replace("live_domains", &format!("{line}\nlive_domains"));
            parse(path(), &text).and_then(|c| c.profile(path(), None))
        };
        for (line, says) in [
            ("max_requests_per_sec = 1e-30", "from 0.01 to 10000"),
            ("max_requests_per_sec = nan", "from 0.01 to 10000"),
            (
                "poll_interval_secs = 18446744073709551615",
                "poll_interval_secs",
            ),
            ("poll_interval_secs = 0", "from 1 to 86400"),
            ("max_in_flight = 0", "max_in_flight"),
            ("connect_timeout_secs = 100000", "from 1 to 600"),
            ("request_timeout_secs = 0", "request_timeout_secs"),
        ] {
            let err = with(line).expect_err(line);
            assert!(err.message.contains(says), "{line}: {}", err.message);
        }
        for line in [
            "max_requests_per_sec = 0.5",
            "poll_interval_secs = 86400",
            "max_in_flight = 256",
        ] {
            with(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
    }

    #[test]
    fn key_map_from_the_config_and_its_errors() {
        let text = format!("{GOOD}\n[keys]\nrefresh = \"ctrl-r\"\ndown = [\"j\", \"ctrl-n\"]\n");
        let (keymap, conflicts) = parse(path(), &text)
            .and_then(|c| c.keymap(path()))
            .expect("resolves");
        assert!(conflicts.is_empty(), "{conflicts:?}");
        assert_eq!(
            keymap.first_key(KeyAction::Refresh),
            Binding::parse("ctrl-r").ok()
        );
        let bad_key = format!("{GOOD}\n[keys]\nrefresh = \"hyper-r\"\n");
        let err = parse(path(), &bad_key)
            .and_then(|c| c.keymap(path()))
            .expect_err("bad key");
        assert!(
            err.message.contains("unknown modifier `hyper`"),
            "{}",
            err.message
        );
        let bad_action = format!("{GOOD}\n[keys]\nexplode = \"x\"\n");
        let err = parse(path(), &bad_action).expect_err("unknown action");
        assert!(err.message.contains("explode"), "{}", err.message);
    }

    #[test]
    fn theme_built_in_or_from_a_file() {
        let with = |line: &str| parse(path(), &format!("{line}\n{GOOD}"));
        let light = with("theme = \"light\"").and_then(|c| c.theme(path()));
        assert_eq!(light.ok(), Theme::built_in("light"));
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("mine.toml");
        let text =
            include_str!("../../assets/themes/dark.toml").replace("\"green\"", "\"#00ff00\"");
        std::fs::write(&file, text).expect("theme written");
        let mine = with(&format!("theme = {:?}", file.display().to_string()))
            .and_then(|c| c.theme(path()))
            .expect("a theme file");
        assert_eq!(mine.running, ratatui::style::Color::Rgb(0, 255, 0));
        let err = with("theme = \"solarized\"")
            .and_then(|c| c.theme(path()))
            .expect_err("unknown theme");
        assert!(
            err.message.contains("\"dark\", \"light\""),
            "{}",
            err.message
        );
    }

    #[test]
    fn bad_toml_names_file_and_line() {
        let text = "default_profile = \"prod\"\n[profiles.prod]\nproject_id = \n";
        let err = parse(path(), text).expect_err("fails");
        assert!(
            err.message.contains("/etc/phonedeck.toml"),
            "{}",
            err.message
        );
        assert!(err.message.contains("line 3"), "{}", err.message);
    }

    #[test]
    fn unknown_profile_lists_the_known_ones() {
        let err = parse(path(), GOOD)
            .and_then(|c| c.profile(path(), Some("staging")))
            .expect_err("fails");
        assert!(
            err.message.contains("no profile `staging`"),
            "{}",
            err.message
        );
        assert!(err.message.contains("prod"), "{}", err.message);
    }

    #[test]
    fn missing_endpoint_says_where_to_add_it() {
        let text = GOOD.replace("cph = \"https://cph.example.com\"\n", "");
        let err = parse(path(), &text)
            .and_then(|c| c.profile(path(), None))
            .expect_err("fails");
        assert!(err.message.contains("endpoints.cph"), "{}", err.message);
        assert!(
            err.message.contains("[profiles.prod.endpoints]"),
            "{}",
            err.message
        );
    }

    const REGION_ONLY: &str = r#"
[profiles.east]
region = "cn-east-3"
live_domains = ["publish.example.com"]
"#;

    #[test]
    fn a_region_and_the_sdk_variables_make_a_whole_profile() {
        let home = tempfile::tempdir().expect("tempdir");
        let env = Environment::fixed(
            &[
                ("HUAWEICLOUD_SDK_AK", "QTWAOYTTINDUT2QVKYUC"),
                (
                    "HUAWEICLOUD_SDK_SK",
                    "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
                ),
                (
                    "HUAWEICLOUD_SDK_REGION_ECS_CN_EAST_3",
                    "https://ecs.internal.example",
                ),
            ],
            home.path(),
        );
        let profile = parse(path(), REGION_ONLY)
            .and_then(|c| c.profile_in(path(), None, &env))
            .expect("resolves");
        let e = |service| profile.api.endpoints.base(service).map(Url::as_str);
        assert_eq!(
            e(Service::Cph),
            Some("https://cph.cn-east-3.myhuaweicloud.com/")
        );
        assert_eq!(
            e(Service::Live),
            Some("https://live.cn-east-3.myhuaweicloud.com/")
        );
        assert_eq!(e(Service::Compute), Some("https://ecs.internal.example/"));
        assert_eq!(
            e(Service::KooPhone),
            Some("https://koophone.myhuaweicloud.com/")
        );
        assert_eq!(
            e(Service::Iam),
            Some("https://iam.cn-east-3.myhuaweicloud.com/")
        );
        assert_eq!(profile.api.project_id, None, "found through IAM later");
        assert_eq!(profile.api.region.as_deref(), Some("cn-east-3"));
        assert!(profile.api.credentials.token.is_none());
        let shown = |name: &str| {
            profile
                .settings
                .iter()
                .find(|s| s.name == name)
                .map(|s| (s.value.clone(), s.origin.to_string()))
                .expect(name)
        };
        assert_eq!(
            shown("endpoints.compute").1,
            "env HUAWEICLOUD_SDK_REGION_ECS_CN_EAST_3"
        );
        assert_eq!(shown("endpoints.cph").1, "region table");
        assert_eq!(shown("auth.access_key").0, "****KYUC");
        assert_eq!(shown("auth.secret_key").0, "******** (40 characters)");
        let everything = format!("{:?}", profile.settings);
        assert!(
            !everything.contains("MFyfvK41"),
            "no secret in the settings"
        );
    }

    #[test]
    fn without_auth_or_sdk_credentials_the_error_says_where_they_go() {
        let home = tempfile::tempdir().expect("tempdir");
        let err = parse(path(), REGION_ONLY)
            .and_then(|c| c.profile_in(path(), None, &Environment::fixed(&[], home.path())))
            .expect_err("no credentials");
        assert!(
            err.message.contains("HUAWEICLOUD_SDK_AK"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("~/.huaweicloud/credentials"),
            "{}",
            err.message
        );
    }

    #[test]
    fn cloud_and_compute_api_are_read() {
        let home = tempfile::tempdir().expect("tempdir");
        let env = Environment::fixed(
            &[
                ("HUAWEICLOUD_SDK_AK", "AK"),
                ("HUAWEICLOUD_SDK_SK", "SK"),
                ("HUAWEICLOUD_SDK_PROJECT_ID", "p0"),
            ],
            home.path(),
        );
        let text = REGION_ONLY.replace(
            "region = \"cn-east-3\"",
            "region = \"eu-west-101\"\ncloud = \"myhuaweicloud.eu\"\ncompute_api = \"v2.1\"",
        );
        let profile = parse(path(), &text)
            .and_then(|c| c.profile_in(path(), None, &env))
            .expect("resolves");
        assert_eq!(
            profile.api.endpoints.base(Service::Cph).map(Url::as_str),
            Some("https://cph.eu-west-101.myhuaweicloud.eu/")
        );
        assert_eq!(profile.api.compute_api, ComputeApi::V21);
        assert_eq!(profile.api.project_id.as_deref(), Some("p0"));
        let bad = REGION_ONLY.replace("region = \"cn-east-3\"", "compute_api = \"v3\"");
        assert!(parse(path(), &bad).is_err());
    }

    #[test]
    fn example_config_in_assets_is_valid() {
        let text = include_str!("../../assets/config.example.toml");
        let config = parse(path(), text).expect("the example parses");
        assert!(config.profiles.contains_key("prod"));
    }
}
