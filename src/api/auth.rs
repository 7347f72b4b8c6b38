//! Where tokens and keys come from: an environment variable, a command, an IAM
//! password login, or (for the built-in simulator) a fixed value. Tokens are cached and
//! renewed once when the gateway says they expired. Secrets stay inside `SecretString`.

use std::process::Stdio;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncReadExt;
use tokio::sync::Mutex;

use super::error::{ApiError, ErrorKind};
use super::service::Service;

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
    Command(TokenCommand),
    Password(PasswordLogin),
    Fixed(SecretString),
}

/// A program that prints a token (`auth.token_command`), and how long it may take.
#[derive(Debug, Clone)]
pub struct TokenCommand {
    pub argv: Vec<String>,
    pub timeout: std::time::Duration,
}

impl TokenCommand {
    pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

    pub fn new(argv: Vec<String>) -> Self {
        TokenCommand {
            argv,
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }
}

/// More than this on a token command's standard output is not a token.
const TOKEN_OUTPUT_CAP: usize = 64 * 1024;

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
            TokenSource::Command(command) => token_from_command(command).await?,
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
    /// `get` fetches a new one. True for the one caller that dropped it: concurrent
    /// requests refused with one token renew it once.
    pub async fn invalidate(&self, generation: u64) -> bool {
        let mut cached = self.cached.lock().await;
        let current = cached.as_ref().is_some_and(|c| c.generation == generation);
        if current {
            *cached = None;
        }
        current
    }

    /// What to do when even a fetched-again token is refused as expired: said by
    /// where the token comes from (an environment variable cannot renew itself).
    pub fn expired_advice(&self) -> String {
        match &self.source {
            TokenSource::Env(var) => {
                format!("the token from {var} has expired; set a new one (export {var}=...)")
            }
            TokenSource::Command(command) => format!(
                "the token command `{}` gave a token that has expired; check what it prints",
                command.argv.first().map(String::as_str).unwrap_or_default()
            ),
            TokenSource::Password(_) => {
                "IAM gave a token the gateway calls expired; check this machine's clock".into()
            }
            TokenSource::Fixed(_) => "the configured token has expired; set a new one".into(),
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

/// Runs the token command in a process group of its own, reading at most 64 KiB of
/// its standard output for at most its timeout. Its errors say what went wrong, never
/// what it printed (that could be the token, or another secret).
async fn token_from_command(command: &TokenCommand) -> Result<IssuedToken, ApiError> {
    let Some((program, args)) = command.argv.split_first() else {
        return Err(credentials_error(
            "auth.token_command is empty: give the program and its arguments".into(),
        ));
    };
    let program = crate::sanitize::sanitize(program);
    let mut child = tokio::process::Command::new(&command.argv[0])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            credentials_error(format!(
                "cannot run the token command `{program}`: {e}; check auth.token_command"
            ))
        })?;
    let mut group = ProcessGroup(child.id());
    let stdout = child.stdout.take();
    let run = async {
        let mut output = Vec::new();
        if let Some(stdout) = stdout {
            stdout
                .take(TOKEN_OUTPUT_CAP as u64 + 1)
                .read_to_end(&mut output)
                .await?;
        }
        if output.len() > TOKEN_OUTPUT_CAP {
            return Ok(None);
        }
        child.wait().await.map(|status| Some((status, output)))
    };
    let (status, output) = match tokio::time::timeout(command.timeout, run).await {
        Err(_) => {
            return Err(credentials_error(format!(
                "the token command `{program}` gave no token within {} and was stopped; check it, or raise auth.token_command_timeout_secs",
                humantime::format_duration(command.timeout)
            )));
        }
        Ok(Err(e)) => {
            return Err(credentials_error(format!(
                "cannot read the token command `{program}`'s output: {e}"
            )));
        }
        Ok(Ok(None)) => {
            return Err(credentials_error(format!(
                "the token command `{program}` printed more than {} KiB, which is no token; it was stopped",
                TOKEN_OUTPUT_CAP / 1024
            )));
        }
        Ok(Ok(Some(finished))) => finished,
    };
    group.finished();
    if !status.success() {
        return Err(credentials_error(format!(
            "the token command `{program}` failed ({status}); run it yourself to see why"
        )));
    }
    let token = String::from_utf8_lossy(&output).trim().to_string();
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

/// A token command's process group, killed whole unless the command finished: on a
/// timeout, an oversized output, or phonedeck leaving while it runs (the future is
/// dropped), nothing it started outlives the wait.
struct ProcessGroup(Option<u32>);

impl ProcessGroup {
    fn finished(&mut self) {
        self.0 = None;
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        let leader = self
            .0
            .and_then(|id| i32::try_from(id).ok())
            .and_then(rustix::process::Pid::from_raw);
        if let Some(leader) = leader {
            // Err: the group is gone already.
            let _ = rustix::process::kill_process_group(leader, rustix::process::Signal::KILL);
        }
    }
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
        let cache = TokenCache::new(TokenSource::Command(TokenCommand::new(vec![
            "sh".into(),
            "-c".into(),
            script,
        ])));
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
        let cache = TokenCache::new(TokenSource::Command(TokenCommand::new(vec![
            "sh".into(),
            "-c".into(),
            "echo secret-on-stderr >&2; echo secret-on-stdout; exit 3".into(),
        ])));
        let err = cache.get(no_login).await.expect_err("error");
        assert_eq!(err.kind, ErrorKind::Credentials);
        assert!(err.message.contains("failed"), "{}", err.message);
        assert!(
            !err.message.contains("secret"),
            "never echoed: {}",
            err.message
        );
    }

    /// Whether a process with this id is still running (not a zombie).
    fn alive(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.split_whitespace().nth(2).is_none_or(|s| s != "Z"))
    }

    #[tokio::test]
    async fn a_hanging_command_is_stopped_with_everything_it_started() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pid_file = dir.path().join("grandchild");
        let script = format!("sleep 300 & echo $! > {}; wait", pid_file.display());
        let command = TokenCommand {
            argv: vec!["sh".into(), "-c".into(), script],
            timeout: std::time::Duration::from_millis(500),
        };
        let started = std::time::Instant::now();
        let Err(err) = token_from_command(&command).await else {
            panic!("a token from a command that hangs");
        };
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(err.message.contains("within 500ms"), "{}", err.message);
        let grandchild = std::fs::read_to_string(&pid_file).expect("pid written");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while alive(grandchild.trim()) && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(!alive(grandchild.trim()), "the command's child outlived it");
    }

    #[tokio::test]
    async fn an_endless_output_is_cut_at_64_kib_and_never_echoed() {
        let command = TokenCommand::new(vec!["yes".into(), "secret-token-line".into()]);
        let Err(err) = token_from_command(&command).await else {
            panic!("a token of endless output");
        };
        assert!(err.message.contains("more than 64 KiB"), "{}", err.message);
        assert!(!err.message.contains("secret-token-line"));
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
