//! Credentials go only to the host they were configured for. An endpoint that answers
//! `307 Location: <another host>` gets its own request refused as a redirect; the other
//! host (a real listener on loopback) never receives a connection: no token, no
//! signature headers, no security token, no password login body, and no mutation.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "tok-REDIRECT-1111";
const SECRET_KEY: &str = "sk-REDIRECT-2222";
const SECURITY_TOKEN: &str = "st-REDIRECT-3333";
const PASSWORD: &str = "pw-REDIRECT-4444";

/// A listener that only counts who connected and keeps what they sent.
struct OtherHost {
    port: u16,
    received: Arc<Mutex<Vec<u8>>>,
    connections: Arc<Mutex<usize>>,
}

impl OtherHost {
    async fn start() -> OtherHost {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let (kept, counted) = (received.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                *counted.lock().expect("lock") += 1;
                let kept = kept.clone();
                tokio::spawn(async move {
                    let mut buffer = [0u8; 4096];
                    while let Ok(n) = stream.read(&mut buffer).await {
                        if n == 0 {
                            break;
                        }
                        kept.lock().expect("lock").extend_from_slice(&buffer[..n]);
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                            .await;
                    }
                });
            }
        });
        OtherHost {
            port,
            received,
            connections,
        }
    }

    fn assert_untouched(&self) {
        let received = String::from_utf8_lossy(&self.received.lock().expect("lock")).into_owned();
        assert_eq!(
            *self.connections.lock().expect("lock"),
            0,
            "the other host was reached: {received}"
        );
    }
}

/// Answers every request with a 307 to the same path on `target` (`scheme://host:port`).
async fn redirector(target: String) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                loop {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                    let text = String::from_utf8_lossy(&request);
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let answer = format!(
                        "HTTP/1.1 307 Temporary Redirect\r\nlocation: {target}{path}\r\ncontent-length: 0\r\n\r\n"
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                    request.drain(..end + 4);
                    // The body, if any, is left unread: the connection is closed next.
                    return;
                }
            });
        }
    });
    addr
}

fn write_config(dir: &Path, base: &str, auth: &str, extra: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[profiles.p]\nproject_id = \"b72dc11461c84102b97576ae24d2b88c\"\nlive_domains = [\"publish.example.com\"]\n{extra}\n\
             [profiles.p.endpoints]\nkoophone = \"{base}\"\nlive = \"{base}\"\ncompute = \"{base}\"\ncph = \"{base}\"\niam = \"{base}\"\n\
             [profiles.p.auth]\n{auth}\n"
        ),
    )
    .expect("config");
    path
}

async fn phonedeck(config: &Path, audit: &Path, args: &[&str]) -> common::Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(config)
        .arg("--audit-log")
        .arg(audit)
        .args(args)
        .env("PD_TOKEN", TOKEN)
        .env("PD_AK", "AKREDIRECTTEST")
        .env("PD_SK", SECRET_KEY)
        .env("PD_ST", SECURITY_TOKEN)
        .env("PD_PASSWORD", PASSWORD)
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .output()
        .await
        .expect("runs");
    common::Run::from_output(output)
}

/// The audit's outcome lines: each target `failed`, with the redirect as the reason.
fn assert_recorded_failed(audit: &Path, targets: usize) {
    let text = std::fs::read_to_string(audit).expect("audit written");
    let outcomes: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        .filter(|l| l["event"] == "outcome")
        .collect();
    assert_eq!(outcomes.len(), targets, "{text}");
    for line in outcomes {
        assert_eq!(line["outcome"], "failed", "{line}");
        let message = line["error_msg"].as_str().unwrap_or_default();
        assert!(message.contains("redirects"), "{line}");
    }
}

/// A command run against an endpoint that redirects everything to another listener on
/// loopback: the listener, what the command did, and its audit log.
async fn run_redirected(auth: &str, args: &[&str]) -> (OtherHost, common::Run, tempfile::TempDir) {
    let other = OtherHost::start().await;
    let endpoint = redirector(format!("http://127.0.0.1:{}", other.port)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &format!("http://{endpoint}"), auth, "");
    let run = phonedeck(&config, &dir.path().join("audit.jsonl"), args).await;
    (other, run, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mutation_under_a_token_is_not_sent_on_to_another_host_and_is_recorded_failed() {
    let (other, run, dir) = run_redirected(
        "token_env = \"PD_TOKEN\"",
        &["phones", "stop-streaming", "phone-1", "--yes"],
    )
    .await;
    let audit = dir.path().join("audit.jsonl");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains(&format!("127.0.0.1:{}/v1/instances", other.port)),
        "the reason names the Location: {}",
        run.stdout
    );
    assert_recorded_failed(&audit, 1);
    other.assert_untouched();
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_requests_with_a_security_token_stay_with_the_configured_host() {
    let (other, run, dir) = run_redirected(
        "access_key_env = \"PD_AK\"\nsecret_key_env = \"PD_SK\"\nsecurity_token_env = \"PD_ST\"",
        &["servers", "stop", "server-1", "server-2", "--yes"],
    )
    .await;
    let audit = dir.path().join("audit.jsonl");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_recorded_failed(&audit, 2);
    other.assert_untouched();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_login_is_never_posted_to_another_host() {
    let (other, run, _dir) = run_redirected(
        "method = \"password\"\nuser = \"oncall\"\ndomain = \"acme\"\npassword_env = \"PD_PASSWORD\"\nproject = \"cn-east-3\"",
        &["status"],
    )
    .await;
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("redirects"),
        "the error says why: {}",
        run.stderr
    );
    assert!(!run.stderr.contains(PASSWORD));
    other.assert_untouched();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_https_endpoint_redirecting_to_http_gets_no_token_in_clear_text() {
    let other = OtherHost::start().await;
    let plain = redirector(format!("http://127.0.0.1:{}", other.port)).await;
    let ca = common::tls::private_ca();
    let tls_port = common::tls::tls_forwarder(&ca, plain).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).expect("ca");
    let config = write_config(
        dir.path(),
        &format!("https://localhost:{tls_port}"),
        "token_env = \"PD_TOKEN\"",
        &format!("ca_file = \"{}\"", ca_file.display()),
    );
    let audit = dir.path().join("audit.jsonl");
    let run = phonedeck(&config, &audit, &["servers", "stop", "server-1", "--yes"]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_recorded_failed(&audit, 1);
    other.assert_untouched();
}
