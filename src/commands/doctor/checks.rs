//! The preflight checks, one row each: the resolved configuration, every host (DNS,
//! proxy, TCP and TLS), the clock against IAM's, one cheap read per service, and the
//! profile's own settings. Everything is read-only; a 401 stops the signed reads, so
//! doctor can never lock an access key (five failures in a row lock it for 5 minutes).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::proxy;
use crate::api::{Api, ApiError, ErrorKind, Service};
use crate::config::Environment;
use crate::config::origin::Setting;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Info,
    Warn,
    Fail,
    Skipped,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Info => "info",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
            Verdict::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub check: String,
    pub result: Verdict,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
}

impl Check {
    fn new(check: impl Into<String>, result: Verdict, detail: impl Into<String>) -> Self {
        Check {
            check: check.into(),
            result,
            detail: detail.into(),
            hint: None,
            latency_ms: None,
        }
    }

    fn hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    fn took(mut self, elapsed: Duration) -> Self {
        self.latency_ms = Some(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// A failed request, with the provider's code and message and what to do about it.
    fn failed(check: impl Into<String>, error: &ApiError) -> Self {
        Check::new(check, Verdict::Fail, error.to_string()).hint(hint(error))
    }
}

/// Every resolved value and where it came from (secrets already masked).
pub fn configuration(settings: &[Setting]) -> Vec<Check> {
    settings
        .iter()
        .map(|s| {
            Check::new(
                format!("config {}", s.name),
                Verdict::Info,
                format!("{}  ({})", s.value, s.origin),
            )
        })
        .collect()
}

/// DNS, the proxy in force, and a bare request (TCP, TLS) for every distinct host.
pub async fn hosts(api: &Api, env: &Environment) -> Vec<Check> {
    let endpoints = &api.config().endpoints;
    let mut seen = BTreeSet::new();
    let mut checks = Vec::new();
    for (service, url) in endpoints.iter() {
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            continue;
        };
        if !seen.insert((url.scheme().to_string(), host.to_string(), port)) {
            continue;
        }
        let label = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let proxy = proxy::proxy_for(url, env);
        let through_proxy = proxy.is_some();
        checks.push(Check::new(
            format!("proxy {label}"),
            Verdict::Info,
            proxy::describe(proxy),
        ));
        checks.push(dns(&label, host, port, through_proxy).await);
        checks.push(reach(api, service, url, &label).await);
    }
    checks
}

async fn dns(label: &str, host: &str, port: u16, through_proxy: bool) -> Check {
    let started = Instant::now();
    match tokio::net::lookup_host((host, port)).await {
        Ok(addresses) => {
            let shown: Vec<String> = addresses.take(3).map(|a| a.ip().to_string()).collect();
            Check::new(format!("dns {label}"), Verdict::Ok, shown.join(", "))
                .took(started.elapsed())
        }
        Err(e) if through_proxy => Check::new(
            format!("dns {label}"),
            Verdict::Info,
            format!("not resolved here ({e}); the proxy resolves it"),
        ),
        Err(e) => Check::new(format!("dns {label}"), Verdict::Fail, e.to_string()).hint(Some(
            "check the endpoint's host name and this machine's DNS (/etc/resolv.conf), or set HTTPS_PROXY on a bastion host".into(),
        )),
    }
}

async fn reach(api: &Api, service: Service, url: &reqwest::Url, label: &str) -> Check {
    let started = Instant::now();
    let name = format!("connect {label}");
    match api.reach(service, url).await {
        Ok(status) => {
            let tls = if url.scheme() == "https" {
                "TLS verified"
            } else {
                "plain HTTP, no TLS"
            };
            Check::new(
                name,
                Verdict::Ok,
                format!("{tls}; HTTP {status} without credentials"),
            )
            .took(started.elapsed())
        }
        Err(error) => Check::failed(name, &error),
    }
}

/// This machine's clock against IAM's (`Date` of `GET /v3`): warn past 5 minutes,
/// fail past 15, where the gateway starts refusing signatures.
pub async fn clock(api: &Api) -> Check {
    let started = Instant::now();
    let server = match api.server_clock().await {
        Ok(server) => server,
        Err(error) => return Check::failed("clock skew", &error),
    };
    let elapsed = started.elapsed();
    let skew = (chrono::Utc::now() - server).num_seconds();
    let detail = format!(
        "this machine is {} {} IAM's clock",
        humantime::format_duration(Duration::from_secs(skew.unsigned_abs())),
        if skew >= 0 { "ahead of" } else { "behind" }
    );
    let verdict = match skew.unsigned_abs() {
        0..=300 => Verdict::Ok,
        301..=900 => Verdict::Warn,
        _ => Verdict::Fail,
    };
    let hint = (verdict != Verdict::Ok).then(|| {
        "sync the clock (timedatectl set-ntp true, or chronyc makestep): the gateway refuses AK/SK signatures more than 15 minutes off".to_string()
    });
    Check::new("clock skew", verdict, detail)
        .hint(hint)
        .took(elapsed)
}

/// IAM (the project, or the token), then one cheap read per service. After a 401 the
/// rest are skipped: retrying a refused key is how keys get locked.
pub async fn reads(api: &Api) -> Vec<Check> {
    let mut checks = vec![iam_check(api).await];
    let probes: [(&str, Probe); 4] = [
        ("read KooPhone (list, 1 phone)", Probe::KooPhone),
        ("read Live (streams, limit 1)", Probe::Live),
        ("read compute (servers, limit 1)", Probe::Compute),
        ("read CPH (encode servers, limit 1)", Probe::Cph),
    ];
    for (name, probe) in probes {
        if let Some(refused) = checks.iter().find(|c| is_refusal(c)) {
            checks.push(Check::new(
                name,
                Verdict::Skipped,
                format!(
                    "not tried after `{}` was refused (401): a retried refusal locks the key",
                    refused.check
                ),
            ));
            continue;
        }
        checks.push(probe.run(api, name).await);
    }
    checks
}

fn is_refusal(check: &Check) -> bool {
    check.result == Verdict::Fail && check.detail.contains("HTTP 401")
}

#[derive(Clone, Copy)]
enum Probe {
    KooPhone,
    Live,
    Compute,
    Cph,
}

impl Probe {
    async fn run(self, api: &Api, name: &str) -> Check {
        let started = Instant::now();
        let result: Result<String, ApiError> = match self {
            Probe::KooPhone => api.koophone().list_page(1, 1).await.map(|page| {
                format!(
                    "{} phone(s)",
                    page.total.map_or("?".into(), |t| t.to_string())
                )
            }),
            Probe::Live => match api.config().live_domains.first() {
                None => {
                    return Check::new(name, Verdict::Skipped, "no live_domains in the profile");
                }
                Some(domain) => api.live().probe(domain).await.map(|page| {
                    format!(
                        "{domain}: {} stream(s) online",
                        page.total_num.map_or("?".into(), |t| t.to_string())
                    )
                }),
            },
            Probe::Compute => api
                .compute()
                .probe()
                .await
                .map(|rows| format!("{} server(s) on the first page", rows.len())),
            Probe::Cph => api
                .cph()
                .probe()
                .await
                .map(|rows| format!("{} encode server(s) on the first page", rows.len())),
        };
        match result {
            Ok(detail) => Check::new(name, Verdict::Ok, detail).took(started.elapsed()),
            Err(error) => Check::failed(name, &error).took(started.elapsed()),
        }
    }
}

/// The project through IAM (and whether it is the configured one), or the token.
async fn iam_check(api: &Api) -> Check {
    let started = Instant::now();
    let config = api.config();
    if config.credentials.token.is_some() {
        let name = "iam token";
        return match api.check_token().await {
            Ok(()) => Check::new(name, Verdict::Ok, "a token was obtained").took(started.elapsed()),
            Err(error) => Check::failed(name, &error),
        };
    }
    let Some(region) = &config.region else {
        return Check::new(
            "iam project",
            Verdict::Skipped,
            "no region in the profile, so nothing to ask IAM",
        );
    };
    let name = format!("iam project {region}");
    match api.discover_project().await {
        Ok(found) => match &config.project_id {
            Some(configured) if *configured != found => Check::new(
                name,
                Verdict::Fail,
                format!(
                    "IAM says the project of {region} is {found}; the profile says {configured}"
                ),
            )
            .hint(Some(
                "fix project_id, or remove it and let IAM find it".into(),
            )),
            _ => Check::new(name, Verdict::Ok, format!("project {found}")).took(started.elapsed()),
        },
        Err(error) => Check::failed(name, &error).took(started.elapsed()),
    }
}

/// What the profile itself says: read-only mode and the request budget.
pub fn settings(api: &Api, poll_interval: Duration) -> Vec<Check> {
    let config = api.config();
    vec![
        Check::new(
            "setting read_only",
            Verdict::Info,
            if config.read_only {
                "true: every mutation is refused"
            } else {
                "false: actions are allowed after confirmation"
            },
        ),
        Check::new(
            "setting request budget",
            Verdict::Info,
            format!(
                "{}; at most {} requests at once; polling every {}",
                config
                    .max_requests_per_sec
                    .map_or("no limit".to_string(), |r| format!("{r} requests a second")),
                config.max_in_flight,
                humantime::format_duration(poll_interval)
            ),
        ),
    ]
}

/// What to do about a failed request.
pub fn hint(error: &ApiError) -> Option<String> {
    let text = format!("{} {}", error.code.as_deref().unwrap_or(""), error.message).to_lowercase();
    let hint = match (error.kind, error.status) {
        (_, Some(401)) if text.contains("expired") || text.contains("x-sdk-date") => {
            "the signature was refused as out of date: this machine's clock is off; sync it (timedatectl set-ntp true) and see `clock skew`"
        }
        (_, Some(401)) => {
            "the credentials were refused: check the access key and secret (or the token). doctor does not retry, so the key is not locked (five failures in a row lock it for 5 minutes)"
        }
        (_, Some(403)) => {
            "the credentials lack IAM permissions for this service: ask for a policy that allows it (read-only is enough for doctor)"
        }
        (_, Some(404)) => "not found: check the region, the endpoint and project_id",
        (_, Some(400)) if text.contains("project") => {
            "the project does not match the credentials: check project_id (or remove it and set region)"
        }
        (_, Some(429)) => "throttled: wait a minute and run doctor again",
        (ErrorKind::Connect, _) if text.contains("certificate") || text.contains("tls") => {
            "TLS failed: if a private CA or an inspecting proxy signs this host, point ca_file at its certificate"
        }
        (ErrorKind::Connect, _) => {
            "cannot connect: check the endpoint, DNS and firewall; on a bastion host set HTTPS_PROXY (and NO_PROXY for hosts reached directly)"
        }
        (ErrorKind::Timeout, _) => "no answer in time: check the network path and the proxy",
        (ErrorKind::Config, _) => {
            "the profile does not say where this service is, or says it wrongly: fix [profiles.NAME.endpoints] (or the region)"
        }
        _ => return None,
    };
    Some(hint.to_string())
}
