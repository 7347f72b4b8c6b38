//! A bastion host reaches the cloud through a proxy: HTTPS_PROXY, HTTP_PROXY and
//! NO_PROXY are honoured. A real forward proxy runs in the test (CONNECT for https,
//! absolute-form requests for http) and records every connection it relays; the real
//! binary is run with the variables set, as an engineer would.

use crate::common;

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use common::tls::{private_ca, tls_forwarder};
use common::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A forward proxy on loopback; every relayed connection's request line is recorded.
struct Proxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    async fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, log.clone()));
            }
        });
        Proxy { url, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }
}

/// CONNECT host:port opens a tunnel; `GET http://host:port/...` is relayed as it is
/// (an HTTP/1.1 server accepts the absolute form).
async fn relay(client: TcpStream, log: Arc<Mutex<Vec<String>>>) {
    let mut client = BufReader::new(client);
    let mut line = String::new();
    if client.read_line(&mut line).await.is_err() {
        return;
    }
    log.lock().expect("lock").push(line.trim_end().to_string());
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method == "CONNECT" {
        let mut header = String::new();
        while client.read_line(&mut header).await.is_ok_and(|n| n > 2) {
            header.clear();
        }
        let Ok(mut upstream) = TcpStream::connect(target).await else {
            let _ = client
                .get_mut()
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
                .await;
            return;
        };
        if client
            .get_mut()
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_ok()
        {
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
        return;
    }
    let Some(authority) = target
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
    else {
        return;
    };
    if let Ok(mut upstream) = TcpStream::connect(authority).await {
        if upstream.write_all(line.as_bytes()).await.is_ok() {
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
    }
}

async fn phonedeck(config: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", config.parent().expect("dir"))
        .env("PD_TEST_TOKEN", "sim-token")
        .envs(env.iter().copied())
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

fn write_config(
    dir: &std::path::Path,
    base: &str,
    project: &str,
    extra: &str,
) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[profiles.p]\nproject_id = \"{project}\"\nlive_domains = [\"publish.example.com\"]\n{extra}\n\
             [profiles.p.endpoints]\nkoophone = \"{base}\"\nlive = \"{base}\"\ncompute = \"{base}\"\ncph = \"{base}\"\niam = \"{base}\"\n\
             [profiles.p.auth]\ntoken_env = \"PD_TEST_TOKEN\"\n"
        ),
    )
    .expect("config");
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn https_goes_through_the_proxy_with_connect_and_doctor_says_so() {
    let sim = start_sim().await;
    let ca = private_ca();
    let port = tls_forwarder(&ca, sim.addr()).await;
    let proxy = Proxy::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).expect("write CA");
    let config = write_config(
        dir.path(),
        &format!("https://localhost:{port}/"),
        &sim.credentials().project_id,
        &format!("ca_file = \"{}\"", ca_file.display()),
    );
    let env = [("HTTPS_PROXY", proxy.url.as_str())];
    let (code, output) = phonedeck(&config, &env, &["servers", "list"]).await;
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("cph-host-01"), "{output}");
    let tunnel = format!("CONNECT localhost:{port} HTTP/1.1");
    assert!(proxy.seen().contains(&tunnel), "{:?}", proxy.seen());

    let (code, report) = phonedeck(&config, &env, &["doctor"]).await;
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains(&format!("proxy {} (from HTTPS_PROXY)", proxy.url)),
        "{report}"
    );
    assert!(report.contains("TLS verified"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn http_goes_through_the_proxy_unless_no_proxy_names_the_host() {
    let sim = start_sim().await;
    let proxy = Proxy::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(
        dir.path(),
        sim.base_url().as_str(),
        &sim.credentials().project_id,
        "",
    );
    let env = [("HTTP_PROXY", proxy.url.as_str())];
    let (code, output) = phonedeck(&config, &env, &["encoders", "list"]).await;
    assert_eq!(code, 0, "{output}");
    let relayed = proxy.seen();
    assert!(
        relayed
            .iter()
            .any(|line| line.starts_with(&format!("GET {}", sim.base_url()))),
        "{relayed:?}"
    );
    let before = proxy.seen().len();
    let env = [
        ("HTTP_PROXY", proxy.url.as_str()),
        ("NO_PROXY", "127.0.0.1"),
    ];
    let (code, output) = phonedeck(&config, &env, &["encoders", "list"]).await;
    assert_eq!(code, 0, "{output}");
    assert_eq!(proxy.seen().len(), before, "NO_PROXY goes direct");
}
