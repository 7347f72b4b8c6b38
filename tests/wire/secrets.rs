//! Secrets (tokens, secret keys, passwords) never appear in anything phonedeck writes:
//! standard output and error, the trace log, the audit file. Every credential kind is
//! used, in runs that succeed and runs that fail.

use crate::common;

use std::path::Path;

use common::*;
use phonedeck::sim::{SimCredentials, SimHandle};

const TOKEN: &str = "tok-SECRET-1111";
const SECRET_KEY: &str = "sk-SECRET-2222";
const PASSWORD: &str = "pw-SECRET-3333";
const WRONG_PASSWORD: &str = "pw-SECRET-4444";
const WRONG_SECRET_KEY: &str = "sk-SECRET-5555";
const SECRETS: [&str; 5] = [
    TOKEN,
    SECRET_KEY,
    PASSWORD,
    WRONG_PASSWORD,
    WRONG_SECRET_KEY,
];

fn write_config(dir: &Path, sim: &SimHandle, auth: &str) -> std::path::PathBuf {
    let path = dir.join(format!("config-{}.toml", auth.len()));
    let base = sim.base_url();
    std::fs::write(
        &path,
        format!(
            "[profiles.p]\nproject_id = \"{}\"\nlive_domains = [\"publish.example.com\"]\n\
             [profiles.p.endpoints]\nkoophone = \"{base}\"\nlive = \"{base}\"\ncompute = \"{base}\"\n\
             cph = \"{base}\"\niam = \"{base}\"\n[profiles.p.auth]\n{auth}\n",
            sim.credentials().project_id
        ),
    )
    .expect("config");
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_is_ever_written_anywhere() {
    let mut options = sim_options();
    options.credentials = SimCredentials {
        token: TOKEN.into(),
        secret_key: SECRET_KEY.into(),
        password: PASSWORD.into(),
        ..SimCredentials::default()
    };
    let sim = start_sim_with(options).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, TOKEN).expect("token file");
    let configs = [
        "token_env = \"PD_TOKEN\"".to_string(),
        format!("token_command = [\"cat\", \"{}\"]", token_file.display()),
        "method = \"password\"\nuser = \"oncall\"\ndomain = \"acme\"\npassword_env = \"PD_PASSWORD\"\nproject = \"x\"".into(),
        "method = \"password\"\nuser = \"oncall\"\ndomain = \"acme\"\npassword_env = \"PD_WRONG_PASSWORD\"\nproject = \"x\"".into(),
        "token_env = \"PD_TOKEN\"\naccess_key_env = \"PD_AK\"\nsecret_key_env = \"PD_SK\"".into(),
        "token_env = \"PD_TOKEN\"\naccess_key_env = \"PD_AK\"\nsecret_key_env = \"PD_WRONG_SK\"".into(),
    ];
    let server = sim.with_fleet(|f| f.servers[0].id.clone());
    let commands: [&[&str]; 5] = [
        &["status"],
        &["servers", "list"],
        &["streams", "list", "-o", "json"],
        &["servers", "stop", "no-such-server", "--yes"],
        &["encoders", "restart", "nope", &server, "--yes"],
    ];
    let log = dir.path().join("trace.log");
    let audit = dir.path().join("audit.jsonl");
    let mut written = String::new();
    for auth in &configs {
        let config = write_config(dir.path(), &sim, auth);
        for args in commands {
            let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
                .arg("--config")
                .arg(&config)
                .arg("--log-file")
                .arg(&log)
                .arg("--audit-log")
                .arg(&audit)
                .args(args)
                .env("RUST_LOG", "trace")
                .env("PD_TOKEN", TOKEN)
                .env("PD_PASSWORD", PASSWORD)
                .env("PD_WRONG_PASSWORD", WRONG_PASSWORD)
                .env("PD_AK", &sim.credentials().access_key)
                .env("PD_SK", SECRET_KEY)
                .env("PD_WRONG_SK", WRONG_SECRET_KEY)
                .output()
                .await
                .expect("runs");
            written.push_str(&String::from_utf8_lossy(&output.stdout));
            written.push_str(&String::from_utf8_lossy(&output.stderr));
        }
    }
    written.push_str(&std::fs::read_to_string(&log).expect("trace log written"));
    written.push_str(&std::fs::read_to_string(&audit).expect("audit written"));
    assert!(
        written.contains("TRACE") || written.contains("DEBUG"),
        "the log really was verbose"
    );
    assert!(
        written.contains("APIGW.0301"),
        "failing runs were among them"
    );
    for secret in SECRETS {
        assert!(!written.contains(secret), "{secret} leaked");
    }
}

/// A password in a URL (an endpoint, a proxy variable with or without a scheme) is
/// shown as `user:***@` by `doctor` and by a config error.
#[tokio::test(flavor = "multi_thread")]
async fn url_passwords_are_masked_in_doctor_and_in_config_errors() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let with_userinfo =
        sim.base_url()
            .to_string()
            .replacen("http://", "http://proxyuser:ProxyPass-S3cret@", 1);
    let config = dir.path().join("config.toml");
    let base = sim.base_url();
    let write = |koophone: &str| {
        std::fs::write(
            &config,
            format!(
                "[profiles.p]\nproject_id = \"{}\"\nlive_domains = [\"publish.example.com\"]\n\
                 [profiles.p.endpoints]\nkoophone = \"{koophone}\"\nlive = \"{base}\"\ncompute = \"{base}\"\n\
                 cph = \"{base}\"\niam = \"{base}\"\n[profiles.p.auth]\ntoken_env = \"PD_TOKEN\"\n",
                sim.credentials().project_id
            ),
        )
        .expect("config");
    };
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("PD_TOKEN", TOKEN)
            .env("HTTP_PROXY", "alice:Pr0xyPass@127.0.0.1:9")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .output()
            .expect("runs")
    };
    write(&with_userinfo);
    let doctor = Run::from_output(run(&["doctor"]));
    let shown = format!("{}{}", doctor.stdout, doctor.stderr);
    assert!(shown.contains("proxyuser:***@"), "{shown}");
    assert!(shown.contains("proxy alice:***@127.0.0.1:9"), "{shown}");
    assert!(
        !shown.contains("ProxyPass-S3cret") && !shown.contains("Pr0xyPass"),
        "{shown}"
    );
    write("ftp://proxyuser:ProxyPass-S3cret@files.example.com/");
    let refused = Run::from_output(run(&["status"]));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("proxyuser:***@"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("only http and https"),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains("ProxyPass-S3cret"));
    write("https://koophone.example.com/v1?x=1#frag");
    let refused = Run::from_output(run(&["status"]));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("query"), "{}", refused.stderr);
}
