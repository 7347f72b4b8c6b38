//! The client every service module sends through: credentials (token, signature,
//! the compute cloud's session), the project id, the request budget and pacing, one
//! refused request per credential, retries, and the answer read for what it says.

use std::sync::Arc;

use reqwest::{Method, Url};

use super::auth::{AccessKey, Credentials, IssuedToken, PasswordLogin, TokenCache};
use super::call::Call;
use super::credential_gate::CredentialGate;
use super::endpoints::{ComputeApi, Endpoints};
use super::error::{ApiError, ErrorKind};
use super::rate_limits::{ApiName, Rate, RateLimits};
use super::retry::RetryPolicy;
use super::service::{ProjectScope, Service};
use super::transport::{self, Exchange, Limits, Reply};
use super::{auth, budget, iam, keystone, path, rate_limits, signer};

#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub endpoints: Endpoints,
    /// None: found through IAM on first use (`GET /v3/projects?name={region}`).
    pub project_id: Option<String>,
    /// The region, for finding the project id.
    pub region: Option<String>,
    pub compute_api: ComputeApi,
    /// Compute is an OpenStack cloud of `clouds.yaml`: its own Keystone login, and the
    /// compute URL from the token's catalog (instead of `endpoints.compute`).
    pub compute_cloud: Option<keystone::KeystoneLogin>,
    pub live_domains: Vec<String>,
    pub credentials: Credentials,
    pub read_only: bool,
    pub max_in_flight: usize,
    /// The request budget shared by polls and actions; None is unlimited.
    pub max_requests_per_sec: Option<f64>,
    /// Each API's rate limit: the documented ones, as the profile changes them.
    pub rate_limits: RateLimits,
    pub limits: Limits,
    pub retry: RetryPolicy,
}

/// The longest `Retry-After` a read waits out; asked to wait longer, it fails at once
/// and the caller's own backoff takes over.
const MAX_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// The entry point to every client; cheap to clone and share between tasks.
#[derive(Clone)]
pub struct Api {
    inner: Arc<Inner>,
}

struct Inner {
    config: ApiConfig,
    http: reqwest::Client,
    token: Option<TokenCache>,
    budget: Option<budget::RequestBudget>,
    /// Requests to a rate-limited API wait for their slot under its limit.
    pacers: rate_limits::Pacers,
    token_renewals: std::sync::atomic::AtomicU64,
    /// The project id, configured or found once through IAM.
    project: tokio::sync::OnceCell<String>,
    /// The OpenStack compute session, logged in on first use and again on expiry.
    compute_session: tokio::sync::Mutex<Option<keystone::Session>>,
    /// One refused request per credential: the token's and the access key's.
    token_gate: CredentialGate,
    access_key_gate: CredentialGate,
}

/// How a call proves who sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// No credentials (IAM's login and version document).
    Anonymous,
    /// The OpenStack compute cloud's own Keystone session.
    ComputeSession,
    /// Signed with the access key (SDK-HMAC-SHA256).
    Signature,
    /// `X-Auth-Token`.
    Token,
}

impl Api {
    pub fn new(config: ApiConfig) -> Result<Self, ApiError> {
        let http = transport::build_http_client(&config.limits)?;
        let token = config.credentials.token.clone().map(TokenCache::new);
        let budget = config
            .max_requests_per_sec
            .filter(|rate| *rate > 0.0)
            .map(budget::RequestBudget::new);
        let project = match config.project_id.clone() {
            Some(id) => tokio::sync::OnceCell::new_with(Some(id)),
            None => tokio::sync::OnceCell::new(),
        };
        let pacers = rate_limits::Pacers::new(&config.rate_limits);
        Ok(Api {
            inner: Arc::new(Inner {
                config,
                http,
                token,
                budget,
                pacers,
                token_renewals: std::sync::atomic::AtomicU64::new(0),
                project,
                compute_session: tokio::sync::Mutex::new(None),
                token_gate: CredentialGate::default(),
                access_key_gate: CredentialGate::default(),
            }),
        })
    }

    /// The same client with read-only mode set as given (a fresh connection pool).
    pub fn with_read_only(&self, read_only: bool) -> Result<Api, ApiError> {
        self.reconfigured(|config| config.read_only = read_only)
    }

    pub fn config(&self) -> &ApiConfig {
        &self.inner.config
    }

    /// How many times an expired token was renewed and the new one worked (the
    /// dashboard mentions it).
    pub fn token_renewals(&self) -> u64 {
        self.inner
            .token_renewals
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn read_only(&self) -> bool {
        self.inner.config.read_only
    }

    /// Requests a second this client may send, when a budget is set.
    pub fn requests_per_sec(&self) -> Option<f64> {
        self.inner
            .budget
            .as_ref()
            .map(budget::RequestBudget::per_sec)
    }

    pub fn max_in_flight(&self) -> usize {
        self.inner.config.max_in_flight.max(1)
    }

    /// The project id: configured, or found through IAM on first use and kept.
    pub async fn project_id(&self) -> Result<String, ApiError> {
        self.inner
            .project
            .get_or_try_init(|| self.discover_project())
            .await
            .cloned()
    }

    /// Finds the project id as the official SDKs do when none is configured: the one
    /// project IAM lists under the region's name.
    pub async fn discover_project(&self) -> Result<String, ApiError> {
        let region = self.inner.config.region.as_deref();
        let call = iam::projects_call(region)?;
        let answer = Box::pin(self.send_parsed(&call, iam::read_projects)).await;
        iam::only_project(region.unwrap_or_default(), answer)
    }

    /// The IAM server's clock (doctor compares it with this machine's).
    pub async fn server_clock(&self) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
        iam::clock_of(&self.send(&iam::version_call()).await?)
    }

    /// A password login at IAM: the token it issues.
    async fn password_token(&self, login: PasswordLogin) -> Result<IssuedToken, ApiError> {
        // Boxed: send -> authenticate -> login -> send would otherwise be an infinite future.
        let reply = Box::pin(self.send(&iam::login_call(&login))).await;
        iam::issued_token(&login, reply)
    }

    /// Whether the project id was configured or found by IAM (doctor says which).
    pub fn project_discovered(&self) -> bool {
        self.inner.config.project_id.is_none() && self.inner.project.initialized()
    }

    /// The path prefix of a project-scoped service, the project id checked and
    /// encoded as one segment: `/v1/{p}` (Live), `/v1/{p}/cloud-phone` (CPH),
    /// `/v2/{p}` or `/v2.1/{p}` (compute).
    pub(crate) async fn project_base(&self, service: Service) -> Result<String, ApiError> {
        if service == Service::Compute && self.inner.config.compute_cloud.is_some() {
            // The catalog's compute URL already names the version and the project.
            return Ok(String::new());
        }
        let project = path::segment(service, "project id", &self.project_id().await?)?;
        match service.spec().project {
            ProjectScope::ComputeApi => Ok(format!(
                "{}/{project}",
                self.inner.config.compute_api.prefix()
            )),
            ProjectScope::CloudPhone => Ok(format!("/v1/{project}/cloud-phone")),
            ProjectScope::V1 => Ok(format!("/v1/{project}")),
            ProjectScope::Global => Err(ApiError::new(
                service,
                ErrorKind::Config,
                format!("{service} paths name no project: a bug in phonedeck, please report it"),
            )),
        }
    }

    /// Obtains the configured token (an IAM login for `method = "password"`), as the
    /// first request would.
    pub async fn check_token(&self) -> Result<(), ApiError> {
        let cache = self.inner.token.as_ref().ok_or_else(|| {
            ApiError::new(
                Service::Iam,
                ErrorKind::Credentials,
                "no token source configured",
            )
        })?;
        cache
            .get(|login| self.password_token(login))
            .await
            .map(drop)
    }

    /// The same client with its configuration changed (a fresh connection pool).
    pub fn reconfigured(&self, change: impl FnOnce(&mut ApiConfig)) -> Result<Api, ApiError> {
        let mut config = self.inner.config.clone();
        change(&mut config);
        Api::new(config)
    }

    /// A bare GET of `url` through this client (its proxy, its trusted CAs), without
    /// credentials: any HTTP answer proves DNS, TCP and TLS; returns its status.
    pub async fn reach(&self, service: Service, url: &Url) -> Result<u16, ApiError> {
        transport::reach(&self.inner.http, service, url).await
    }

    /// Sends a call: refuses mutations in read-only mode, renews an expired token
    /// once, and retries reads (never mutations) with jittered backoff.
    pub(crate) async fn send(&self, call: &Call) -> Result<Reply, ApiError> {
        if call.mutating && self.read_only() {
            return Err(ApiError::new(
                call.service,
                ErrorKind::ReadOnly,
                "read-only mode: mutation refused, nothing was sent",
            ));
        }
        let gate = self.gate_for(self.scheme(call));
        let retry = &self.inner.config.retry;
        let mut attempt = 1;
        let mut renewed = false;
        let mut dropped_expired = false;
        loop {
            let pass = match gate {
                Some((gate, what)) => Some(gate.enter(call.service, what).await?),
                None => None,
            };
            let (result, token_generation) = self.attempt(call).await;
            let renewal = match (&result, renewed, token_generation, &self.inner.token) {
                (Err(error), false, Some(generation), Some(cache)) if error.is_token_expired() => {
                    Some((generation, cache))
                }
                _ => None,
            };
            if let Some((gate, _)) = gate {
                match renewal {
                    // Not refused yet: the renewed token is tried by one request first.
                    Some(_) => gate.doubt(),
                    None => gate.learn(&result),
                }
            }
            drop(pass);
            let error = match result {
                Ok(reply) => {
                    // Counted once a renewal worked, by the request that asked for it.
                    if dropped_expired {
                        (self.inner.token_renewals)
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    return Ok(reply);
                }
                Err(error) => error,
            };
            if let Some((generation, cache)) = renewal {
                tracing::info!(service = %call.service, "token expired; renewing once");
                dropped_expired = cache.invalidate(generation).await;
                renewed = true;
                continue;
            }
            // Refused as expired even after fetching the token again: say why it
            // cannot get better by itself.
            if let (true, true, Some(cache)) =
                (renewed, error.is_token_expired(), &self.inner.token)
            {
                let message = format!("{}: {}", cache.expired_advice(), error.message);
                return Err(ApiError { message, ..error });
            }
            // The gateway's throttle refused a mutation before the service saw it:
            // sending it again cannot do it twice.
            let may_retry = if call.mutating {
                error.is_gateway_throttle()
            } else {
                error.is_retryable_read()
            };
            if may_retry && attempt < retry.max_attempts {
                let delay = match error.retry_after {
                    Some(asked) if asked > MAX_RETRY_AFTER => return Err(error),
                    Some(asked) => asked,
                    None => retry.delay_after(attempt),
                };
                tracing::debug!(service = %call.service, path = %call.path, attempt, ?delay, error = %error, "retrying");
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return Err(error);
        }
    }

    /// Waits for a mutation's turn in the request budget (mutations go before reads);
    /// false, at once, when `cancel` fires first. The executor takes it before writing
    /// the `sent` line, so the mutation itself draws nothing more.
    pub async fn mutation_turn(
        &self,
        api: ApiName,
        cancel: &tokio_util::sync::CancellationToken,
    ) -> bool {
        let turn = async {
            self.inner.pacers.turn(api).await;
            if let Some(budget) = &self.inner.budget {
                budget.acquire(true).await;
            }
        };
        tokio::select! {
            biased;
            () = cancel.cancelled() => false,
            () = turn => true,
        }
    }

    /// The rate limit `api` is paced to, if it has one.
    pub fn rate_limit(&self, api: ApiName) -> Option<Rate> {
        self.inner.config.rate_limits.limit(api)
    }

    /// The engineer asks to try refused credentials again (the dashboard's `R`): the
    /// next request tries each one alone.
    pub fn try_credentials_again(&self) {
        self.inner.token_gate.try_again();
        self.inner.access_key_gate.try_again();
    }

    /// The gate of the credential a scheme uses, and its name for messages.
    fn gate_for(&self, scheme: Scheme) -> Option<(&CredentialGate, &'static str)> {
        match scheme {
            Scheme::Signature => Some((&self.inner.access_key_gate, "access key")),
            Scheme::Token => Some((&self.inner.token_gate, "token")),
            Scheme::Anonymous | Scheme::ComputeSession => None,
        }
    }

    /// Sends a call and parses its body; a parse error keeps the status and request id.
    pub(crate) async fn send_parsed<T>(
        &self,
        call: &Call,
        parse: impl FnOnce(&[u8]) -> Result<T, ApiError>,
    ) -> Result<(T, Option<String>), ApiError> {
        let reply = self.send(call).await?;
        let parsed = parse(&reply.body).map_err(|e| {
            e.with_status(reply.status)
                .with_request_id(reply.request_id.clone())
        })?;
        Ok((parsed, reply.request_id))
    }

    /// One attempt; also returns which token generation it used, for renewal.
    async fn attempt(&self, call: &Call) -> (Result<Reply, ApiError>, Option<u64>) {
        let request_id = call.request_id.clone().or_else(|| {
            call.service
                .adopts_client_request_id()
                .then(|| uuid::Uuid::new_v4().to_string())
        });
        let url = match self.base_for(call.service).await {
            Ok(base) => self.url_for(call, &base, request_id.as_deref()),
            Err(e) => Err(e),
        };
        let url = match url {
            Ok(url) => url,
            Err(e) => return (Err(e), None),
        };
        let body = call.body.as_ref().map(|b| b.to_string().into_bytes());
        // The official SDKs send (and sign) Content-Type on every call, GETs included.
        let mut headers = vec![
            ("accept".to_string(), "application/json".to_string()),
            ("content-type".to_string(), "application/json".to_string()),
        ];
        if let Some(id) = &request_id {
            headers.push(("x-request-id".into(), id.clone()));
        }
        let generation = match self
            .authenticate(call, &url, &mut headers, body.as_deref())
            .await
        {
            Ok(generation) => generation,
            Err(e) => return (Err(e), None),
        };
        // A mutation's turn was taken before its `sent` line (`mutation_turn`).
        if !call.mutating {
            self.inner.pacers.turn(call.api).await;
            if let Some(budget) = &self.inner.budget {
                budget.acquire(false).await;
            }
        }
        tracing::debug!(service = %call.service, method = %call.method, path = %url.path(), "request");
        let exchange = Exchange {
            service: call.service,
            method: call.method.clone(),
            url,
            headers,
            body,
            request_id,
        };
        let result =
            transport::execute(&self.inner.http, &self.inner.config.limits, exchange).await;
        (result, generation)
    }

    /// The base URL of a service: its endpoint, or for an OpenStack compute cloud the
    /// catalog's compute URL.
    async fn base_for(&self, service: Service) -> Result<Url, ApiError> {
        if service == Service::Compute && self.inner.config.compute_cloud.is_some() {
            return Ok(self.compute_session().await?.compute);
        }
        self.inner.config.endpoints.base(service).cloned().ok_or_else(|| {
            ApiError::new(
                service,
                ErrorKind::Config,
                "no endpoint configured for this service: set it under [profiles.NAME.endpoints]",
            )
        })
    }

    /// The OpenStack compute session: kept until a minute before it expires, then
    /// renewed by logging in again.
    async fn compute_session(&self) -> Result<keystone::Session, ApiError> {
        let Some(login) = &self.inner.config.compute_cloud else {
            return Err(ApiError::new(
                Service::Compute,
                ErrorKind::Config,
                "no compute cloud configured",
            ));
        };
        let mut current = self.inner.compute_session.lock().await;
        let fresh = |s: &keystone::Session| {
            s.expires_at
                .is_none_or(|at| at - chrono::TimeDelta::seconds(60) > chrono::Utc::now())
        };
        if let Some(session) = current.as_ref().filter(|s| fresh(s)) {
            return Ok(session.clone());
        }
        let exchange = Exchange {
            service: Service::Compute,
            method: Method::POST,
            url: login.tokens_url()?,
            headers: vec![
                ("accept".into(), "application/json".into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: Some(login.body().to_string().into_bytes()),
            request_id: None,
        };
        let reply = transport::execute(&self.inner.http, &self.inner.config.limits, exchange)
            .await
            .map_err(|e| ApiError {
                kind: if e.status == Some(401) {
                    ErrorKind::Credentials
                } else {
                    e.kind
                },
                message: format!(
                    "login to cloud {} ({}) failed: {}; check clouds.yaml",
                    login.cloud, login.auth_url, e.message
                ),
                ..e
            })?;
        let token = reply
            .headers
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok());
        let session = keystone::session(login, token, &reply.body)?;
        *current = Some(session.clone());
        Ok(session)
    }

    fn url_for(&self, call: &Call, base: &Url, request_id: Option<&str>) -> Result<Url, ApiError> {
        let joined = format!("{}{}", base.as_str().trim_end_matches('/'), call.path);
        let mut url = Url::parse(&joined).map_err(|e| {
            ApiError::new(
                call.service,
                ErrorKind::Config,
                format!(
                    "bad URL {}: {e}",
                    crate::sanitize::mask_url_secrets(&joined)
                ),
            )
        })?;
        // Encoded as the SDKs encode it (a space is %20): the signature covers exactly
        // what is sent, and the gateway does not read `+` as a space.
        let request_id = request_id.filter(|_| call.request_id_in_query);
        let pairs: Vec<String> = call
            .query
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .chain(request_id.map(|id| ("x-request-id", id)))
            .map(|(name, value)| format!("{}={}", signer::encode(name), signer::encode(value)))
            .collect();
        if !pairs.is_empty() {
            url.set_query(Some(&pairs.join("&")));
        }
        Ok(url)
    }

    /// How a call proves who sends it. KooPhone takes a token when one is configured;
    /// AK/SK alone serve it too, as the Java SDK's KooPhone client signs with
    /// BasicCredentials. Live, CPH and compute are signed when an access key is
    /// configured.
    fn scheme(&self, call: &Call) -> Scheme {
        let signs = call.service != Service::KooPhone || self.inner.token.is_none();
        if call.anonymous {
            Scheme::Anonymous
        } else if call.service == Service::Compute && self.inner.config.compute_cloud.is_some() {
            Scheme::ComputeSession
        } else if signs && self.inner.config.credentials.access_key.is_some() {
            Scheme::Signature
        } else {
            Scheme::Token
        }
    }

    /// Adds token or signature headers, as `scheme` decides.
    async fn authenticate(
        &self,
        call: &Call,
        url: &Url,
        headers: &mut Vec<(String, String)>,
        body: Option<&[u8]>,
    ) -> Result<Option<u64>, ApiError> {
        match self.scheme(call) {
            Scheme::Anonymous => return Ok(None),
            Scheme::ComputeSession => {
                let session = self.compute_session().await?;
                headers.push((
                    "x-auth-token".into(),
                    auth::expose(&session.token).to_string(),
                ));
                return Ok(None);
            }
            Scheme::Signature => {
                if let Some(key) = &self.inner.config.credentials.access_key {
                    self.sign(call, key, url, headers, body.unwrap_or_default());
                }
                return Ok(None);
            }
            Scheme::Token => {}
        }
        let cache = self.inner.token.as_ref().ok_or_else(|| {
            ApiError::new(
                call.service,
                ErrorKind::Credentials,
                "no token configured: set auth.token_env, auth.token_command or method = \"password\"",
            )
        })?;
        let (token, generation) = cache
            .get(|login| self.password_token(login))
            .await
            .map_err(|e| ApiError {
                service: call.service,
                ..e
            })?;
        headers.push(("x-auth-token".into(), auth::expose(&token).to_string()));
        Ok(Some(generation))
    }

    fn sign(
        &self,
        call: &Call,
        key: &AccessKey,
        url: &Url,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
    ) {
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            (None, _) => String::new(),
        };
        // The SDKs sign every header they set; ours are these, plus the ones below.
        let already_set = |name: &str| name == "content-type" || name == "x-request-id";
        let mut signed: Vec<(String, String)> = headers
            .iter()
            .filter(|(name, _)| already_set(name))
            .cloned()
            .collect();
        signed.push(("host".into(), host));
        let date = chrono::Utc::now().format(signer::DATE_FORMAT).to_string();
        signed.push((signer::DATE_HEADER.into(), date.clone()));
        // As the official SDKs do: every project-scoped call names its project, and
        // temporary credentials carry their security token, both signed.
        if let (true, Some(project)) = (call.service.is_project_scoped(), self.inner.project.get())
        {
            signed.push(("x-project-id".into(), project.clone()));
        }
        if let Some(token) = &key.security_token {
            signed.push((
                signer::SECURITY_TOKEN_HEADER.into(),
                auth::expose(token).to_string(),
            ));
        }
        let request = signer::SignableRequest {
            method: call.method.as_str(),
            path: url.path(),
            query: url.query().unwrap_or_default(),
            headers: &signed,
            body,
        };
        let authorization = signer::authorization(
            &request,
            &date,
            &key.access_key,
            auth::expose(&key.secret_key),
        );
        // reqwest writes the Host header itself, from the same URL.
        headers.extend(
            signed
                .into_iter()
                .filter(|(name, _)| name != "host" && !already_set(name)),
        );
        headers.push(("authorization".into(), authorization));
    }
}
