//! TLS is always verified; `ca_file` adds a private CA. The simulator is put behind a
//! TLS-terminating forwarder whose certificate comes from a CA made for the test.

use crate::common;

use std::path::Path;

use common::tls::{private_ca, tls_forwarder};
use common::*;
use phonedeck::api::{Api, ErrorKind};

fn profile_toml(port: u16, project: &str, ca_file: Option<&Path>) -> String {
    let base = format!("https://localhost:{port}/");
    let ca = ca_file
        .map(|p| format!("ca_file = \"{}\"\n", p.display()))
        .unwrap_or_default();
    format!(
        "[profiles.tls]\nproject_id = \"{project}\"\n{ca}[profiles.tls.endpoints]\nkoophone = \"{base}\"\n\
         live = \"{base}\"\ncompute = \"{base}\"\ncph = \"{base}\"\n[profiles.tls.auth]\ntoken_command = [\"echo\", \"sim-token\"]\n"
    )
}

fn api_from(toml: &str) -> Api {
    let path = Path::new("tls-test.toml");
    let profile = phonedeck::config::parse(path, toml)
        .and_then(|c| c.profile(path, None))
        .expect("profile");
    let mut config = profile.api;
    config.retry.max_attempts = 1;
    Api::new(config).expect("client")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_ca_is_trusted_only_through_ca_file() {
    let sim = start_sim().await;
    let ca = private_ca();
    let port = tls_forwarder(&ca, sim.addr()).await;
    let project = sim.credentials().project_id.clone();

    let untrusted = api_from(&profile_toml(port, &project, None));
    let error = untrusted
        .compute()
        .list_servers()
        .await
        .expect_err("unknown CA");
    assert_eq!(error.kind, ErrorKind::Connect, "{error}");
    assert!(
        sim.requests().is_empty(),
        "nothing got through an unverified connection"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).expect("write CA");
    let trusted = api_from(&profile_toml(port, &project, Some(&ca_file)));
    let servers = trusted
        .compute()
        .list_servers()
        .await
        .expect("verified with the private CA");
    assert!(!servers.is_empty());
}

#[test]
fn an_unreadable_or_invalid_ca_file_is_a_config_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").expect("write");
    let path = Path::new("tls-test.toml");
    for ca_file in [dir.path().join("missing.pem"), not_pem] {
        let toml = profile_toml(1, "p", Some(&ca_file));
        let error = phonedeck::config::parse(path, &toml)
            .and_then(|c| c.profile(path, None))
            .expect_err("refused");
        assert!(error.message.contains("ca_file"), "{}", error.message);
    }
}
