//! Where tokens and keys come from: an environment variable, a command, an IAM
//! password login, or (for the built-in simulator) a fixed value. Tokens are cached and
//! renewed once when the gateway says they expired. Secrets stay inside `SecretString`.

use std::process::Stdio;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::error::{ApiError, ErrorKind, Service};
use crate::sanitize::excerpt;

/// An IAM password login (`method = "password"`).
#[derive(Debug, Clone)]
pub struct PasswordLogin {
    pub user: String,
    pub domain: String,
    pub password: SecretString,
    /// A project name, or a 32-hex-digit project id.
    pub project: String,
}

#[derive(Debug, Clone)]
pub enum TokenSource {
    Env(String),
    Command(Vec<String>),
    Password(PasswordLogin),
    Fixed(SecretString),
}

/// An access key pair for SDK-HMAC-SHA256 signing.
#[derive(Debug, Clone)]
pub struct AccessKey {
    pub access_key: String,
    pub secret_key: SecretString,
    /// The security token of temporary credentials, sent as `X-Security-Token`.
    pub security_token: Option<SecretString>,
}

#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub token: Option<TokenSource>,
    pub access_key: Option<AccessKey>,
}

/// A token as handed out, with its cache generation (used to renew it only once).
#[derive(Clone)]
pub struct IssuedToken {
    pub value: SecretString,
    pub expires_at: Option<DateTime<Utc>>,
}

struct CachedToken {
    token: IssuedToken,
    generation: u64,
}

/// Renew a cached token this long before IAM says it expires.
const EXPIRY_MARGIN: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

pub struct TokenCache {
    source: TokenSource,
    cached: Mutex<Option<CachedToken>>,
    next_generation: Mutex<u64>,
}

impl TokenCache {
    pub fn new(source: TokenSource) -> Self {
        TokenCache {
            source,
            cached: Mutex::new(None),
            next_generation: Mutex::new(1),
        }
    }

    pub fn source(&self) -> &TokenSource {
        &self.source
    }

    /// The current token and its generation, fetching a new one when there is none
    /// or it is about to expire. Concurrent callers wait for one fetch.
    pub async fn get<F, Fut>(&self, login: F) -> Result<(SecretString, u64), ApiError>
    where
        F: FnOnce(PasswordLogin) -> Fut,
        Fut: Future<Output = Result<IssuedToken, ApiError>>,
    {
        let mut cached = self.cached.lock().await;
        if let Some(current) = cached.as_ref() {
            let fresh = current
                .token
                .expires_at
                .is_none_or(|at| at - EXPIRY_MARGIN > Utc::now());
            if fresh {
                return Ok((current.token.value.clone(), current.generation));
            }
        }
        let token = match &self.source {
            TokenSource::Env(var) => token_from_env(var)?,
            TokenSource::Command(argv) => token_from_command(argv).await?,
            TokenSource::Password(password) => login(password.clone()).await?,
            TokenSource::Fixed(value) => IssuedToken {
                value: value.clone(),
                expires_at: None,
            },
        };
        let mut next = self.next_generation.lock().await;
        let generation = *next;
        *next += 1;
        let value = token.value.clone();
        *cached = Some(CachedToken { token, generation });
        Ok((value, generation))
    }

    /// Forgets the token of `generation` (if it is still the cached one) so the next
    /// `get` fetches a new one.
    pub async fn invalidate(&self, generation: u64) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| c.generation == generation) {
            *cached = None;
        }
    }
}

fn credentials_error(message: String) -> ApiError {
    ApiError::new(Service::Iam, ErrorKind::Credentials, message)
}

fn token_from_env(var: &str) -> Result<IssuedToken, ApiError> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(IssuedToken {
            value: SecretString::from(value.trim().to_string()),
            expires_at: None,
        }),
        _ => Err(credentials_error(format!(
            "the token variable {var} is not set or empty: export it (e.g. `export {var}=...`) or change [auth] token_env"
        ))),
    }
}

async fn token_from_command(argv: &[String]) -> Result<IssuedToken, ApiError> {
    let Some((program, args)) = argv.split_first() else {
        return Err(credentials_error(
            "auth.token_command is empty: give the program and its arguments".into(),
        ));
    };
    let output = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| {
            credentials_error(format!(
                "cannot run the token command `{program}`: {e}; check auth.token_command"
            ))
        })?;
    if !output.status.success() {
        return Err(credentials_error(format!(
            "the token command `{program}` failed ({}): {}",
            output.status,
            excerpt(&output.stderr, 200)
        )));
    }
    let token = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if token.is_empty() {
        return Err(credentials_error(format!(
            "the token command `{program}` printed nothing on standard output"
        )));
    }
    Ok(IssuedToken {
        value: SecretString::from(token),
        expires_at: None,
    })
}

/// The signing key pair, exposed only to the signer.
pub fn expose(secret: &SecretString) -> &str {
    secret.expose_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn no_login(_: PasswordLogin) -> Result<IssuedToken, ApiError> {
        Err(credentials_error("unexpected login".into()))
    }

    #[tokio::test]
    async fn command_token_is_trimmed_and_cached_until_invalidated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let counter = dir.path().join("n");
        let script = format!(
            "echo x >> {0}; echo \"  tok-$(wc -l < {0})  \"",
            counter.display()
        );
        let cache = TokenCache::new(TokenSource::Command(vec!["sh".into(), "-c".into(), script]));
        let (first, generation) = cache.get(no_login).await.expect("token");
        assert_eq!(first.expose_secret(), "tok-1");
        let (again, _) = cache.get(no_login).await.expect("token");
        assert_eq!(again.expose_secret(), "tok-1");
        cache.invalidate(generation).await;
        let (renewed, _) = cache.get(no_login).await.expect("token");
        assert_eq!(renewed.expose_secret(), "tok-2");
    }

    #[tokio::test]
    async fn failing_command_is_a_credentials_error() {
        let cache = TokenCache::new(TokenSource::Command(vec!["false".into()]));
        let err = cache.get(no_login).await.expect_err("error");
        assert_eq!(err.kind, ErrorKind::Credentials);
        assert!(err.message.contains("failed"), "{}", err.message);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let creds = Credentials {
            token: Some(TokenSource::Fixed(SecretString::from("tok-secret-1"))),
            access_key: Some(AccessKey {
                access_key: "AK".into(),
                secret_key: SecretString::from("sk-secret-2"),
                security_token: Some(SecretString::from("st-secret-3")),
            }),
        };
        let shown = format!("{creds:?}");
        assert!(
            !shown.contains("tok-secret-1")
                && !shown.contains("sk-secret-2")
                && !shown.contains("st-secret-3")
        );
    }
}
