//! A profile chosen and resolved: its numbers checked, its endpoints located, its
//! credentials found, ready as an `ApiConfig`.

use std::path::Path;
use std::time::Duration;

use reqwest::Url;
use strum::IntoEnumIterator;

use crate::api::{ApiConfig, ComputeApi, Endpoints, Limits, RateLimits, RetryPolicy, Service};

use super::endpoints::{self, DEFAULT_CLOUD, Placement, RegionsFile};
use super::origin::{Origin, Setting, mask};
use super::{
    ComputeConfig, ConfigError, ConfigFile, Environment, ProfileConfig, clouds_yaml, config_error,
};

/// A profile ready to use.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub api: ApiConfig,
    pub poll_interval: Duration,
    /// Every resolved value and where it came from (secrets masked), for `doctor`.
    pub settings: Vec<Setting>,
}

impl ConfigFile {
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
