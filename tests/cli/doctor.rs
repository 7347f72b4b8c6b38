//! `phonedeck doctor`, the real binary, against the in-process simulator: a profile that
//! names only a region, with the credentials and endpoint overrides the official SDKs
//! read from the environment. Every check passes, then each failure mode is staged and
//! reported with its hint.

use std::process::Stdio;

use crate::common::*;
use phonedeck::sim::{Faults, SimHandle};
use serde_json::Value;

struct Doctor {
    code: i32,
    rows: Vec<Value>,
    shown: String,
}

impl Doctor {
    fn row(&self, check: &str) -> &Value {
        self.rows
            .iter()
            .find(|r| r["check"].as_str().is_some_and(|c| c.starts_with(check)))
            .unwrap_or_else(|| panic!("no `{check}` row in {:#?}", self.rows))
    }

    fn result(&self, check: &str) -> &str {
        self.row(check)["result"].as_str().unwrap_or_default()
    }

    fn hint(&self, check: &str) -> &str {
        self.row(check)["hint"].as_str().unwrap_or_default()
    }
}

/// Runs doctor with a region-only profile; every service is pointed at the simulator
/// through the SDKs' `HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}` variables, except
/// those `extra_profile` sets itself.
async fn doctor(sim: &SimHandle, extra_profile: &str, format: &str) -> Doctor {
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.east]\nregion = \"cn-east-3\"\nlive_domains = [\"publish.example.com\"]\n{extra_profile}\n"
        ),
    )
    .expect("config");
    let base = sim.base_url().to_string();
    let c = sim.credentials();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("HUAWEICLOUD_SDK_AK", &c.access_key)
        .env("HUAWEICLOUD_SDK_SK", &c.secret_key)
        .args(["--config"])
        .arg(&config)
        .args(["doctor", "-o", format])
        .stdin(Stdio::null());
    for service in ["KOOPHONE", "LIVE", "ECS", "CPH", "IAM"] {
        command.env(format!("HUAWEICLOUD_SDK_REGION_{service}_CN_EAST_3"), &base);
    }
    let output = command.output().await.expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let rows = if format == "json" {
        serde_json::from_str::<Vec<Value>>(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    } else {
        Vec::new()
    };
    Doctor {
        code: output.status.code().unwrap_or(-1),
        rows,
        shown: format!("{stdout}{stderr}"),
    }
}

fn signed_requests(sim: &SimHandle) -> usize {
    sim.requests()
        .iter()
        .filter(|r| !r.signed_headers.is_empty())
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_check_passes_against_the_simulator() {
    let sim = start_sim().await;
    let report = doctor(&sim, "", "json").await;
    assert_eq!(report.code, 0, "{}", report.shown);
    let failed: Vec<&Value> = report
        .rows
        .iter()
        .filter(|r| r["result"] == "fail")
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(
        report.row("config endpoints.cph")["detail"],
        format!(
            "{}  (env HUAWEICLOUD_SDK_REGION_CPH_CN_EAST_3)",
            sim.base_url()
        )
    );
    assert!(
        report.row("config auth.secret_key")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("(env HUAWEICLOUD_SDK_SK)"))
    );
    for check in [
        "dns 127.0.0.1",
        "connect 127.0.0.1",
        "clock skew",
        "iam project cn-east-3",
        "read KooPhone",
        "read Live",
        "read compute",
        "read CPH",
    ] {
        assert_eq!(
            report.result(check),
            "ok",
            "{check}: {:#?}",
            report.row(check)
        );
    }
    assert!(report.row("read CPH")["latency_ms"].is_u64());
    assert_eq!(report.row("proxy 127.0.0.1")["detail"], "direct");
    assert!(
        report.row("setting read_only")["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("false"))
    );
    assert!(
        !report.shown.contains(&sim.credentials().secret_key),
        "the secret key is never printed"
    );
    assert!(sim.requests().iter().all(|r| !r.is_mutation()), "read-only");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_skewed_clock_fails_with_its_hint_and_locks_nothing() {
    let mut options = sim_options();
    options.clock_skew_secs = 20 * 60;
    let sim = start_sim_with(options).await;
    let report = doctor(&sim, "", "json").await;
    assert_eq!(report.code, 1);
    assert_eq!(report.result("clock skew"), "fail");
    assert!(
        report.row("clock skew")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("behind"))
    );
    assert!(report.hint("clock skew").contains("sync the clock"));
    assert_eq!(report.result("iam project"), "fail");
    assert!(
        report.hint("iam project").contains("clock"),
        "an expired signature points at the clock: {}",
        report.hint("iam project")
    );
    for read in ["read KooPhone", "read Live", "read compute", "read CPH"] {
        assert_eq!(report.result(read), "skipped", "{read}");
    }
    assert_eq!(
        signed_requests(&sim),
        1,
        "one refused signature, never five"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_project_is_named_with_the_right_one() {
    let sim = start_sim().await;
    let report = doctor(
        &sim,
        "project_id = \"ffffffffffffffffffffffffffffffff\"",
        "json",
    )
    .await;
    assert_eq!(report.code, 1);
    assert_eq!(report.result("iam project"), "fail");
    let detail = report.row("iam project")["detail"]
        .as_str()
        .unwrap_or_default();
    assert!(detail.contains(&sim.credentials().project_id), "{detail}");
    assert!(report.hint("iam project").contains("project_id"));
    assert_eq!(report.result("read CPH"), "fail");
    assert!(
        report.hint("read CPH").contains("project"),
        "{}",
        report.hint("read CPH")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_host_and_missing_permissions_are_told_apart() {
    let sim = start_sim().await;
    sim.set_faults(Faults {
        forbidden_rate: 1.0,
        ..Faults::default()
    });
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let unreachable = format!("[profiles.east.endpoints]\ncph = \"http://127.0.0.1:{port}\"");
    let report = doctor(&sim, &unreachable, "json").await;
    assert_eq!(report.code, 1);
    let connect = format!("connect 127.0.0.1:{port}");
    assert_eq!(report.result(&connect), "fail");
    assert!(report.hint(&connect).contains("cannot connect"));
    assert_eq!(report.result("read CPH"), "fail");
    assert!(report.hint("read CPH").contains("cannot connect"));
    assert_eq!(report.result("read compute"), "fail");
    assert!(
        report.hint("read compute").contains("IAM permissions"),
        "403 points at IAM permissions: {}",
        report.hint("read compute")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_has_one_row_per_check_and_a_summary_on_failure() {
    let sim = start_sim().await;
    sim.set_faults(Faults {
        forbidden_rate: 1.0,
        ..Faults::default()
    });
    let report = doctor(&sim, "", "table").await;
    assert_eq!(report.code, 1);
    assert!(report.shown.starts_with("CHECK"), "{}", report.shown);
    let compute = report
        .shown
        .lines()
        .find(|line| line.starts_with("read compute (servers, limit 1)"))
        .expect("a compute row");
    assert!(compute.contains(" FAIL "), "{compute}");
    assert!(
        compute.contains("APIGW.0302"),
        "the provider's code: {compute}"
    );
    assert!(compute.contains("IAM permissions"), "the hint: {compute}");
    assert!(report.shown.contains("check(s) failed"), "{}", report.shown);
}

#[tokio::test(flavor = "multi_thread")]
async fn compute_from_clouds_yaml_logs_in_to_keystone_and_uses_the_catalog() {
    let sim = start_sim().await;
    let home = tempfile::tempdir().expect("tempdir");
    let openstack = home.path().join(".config/openstack");
    std::fs::create_dir_all(&openstack).expect("dir");
    std::fs::write(
        openstack.join("clouds.yaml"),
        format!(
            "clouds:\n  lab:\n    auth:\n      auth_url: {}v3\n      username: oncall\n      project_name: cn-east-3\n    region_name: cn-east-3\n",
            sim.base_url()
        ),
    )
    .expect("clouds.yaml");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "[profiles.lab]\nregion = \"cn-east-3\"\nlive_domains = [\"publish.example.com\"]\n[profiles.lab.compute]\ncloud = \"lab\"\n",
    )
    .expect("config");
    let run = |args: &'static [&'static str]| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("OS_PASSWORD", &sim.credentials().password)
            .env("HUAWEICLOUD_SDK_AK", &sim.credentials().access_key)
            .env("HUAWEICLOUD_SDK_SK", &sim.credentials().secret_key)
            .arg("--config")
            .arg(&config)
            .args(args)
            .stdin(Stdio::null());
        for service in ["KOOPHONE", "LIVE", "CPH", "IAM"] {
            command.env(
                format!("HUAWEICLOUD_SDK_REGION_{service}_CN_EAST_3"),
                sim.base_url().as_str(),
            );
        }
        command.output()
    };
    let listed = run(&["servers", "list", "-o", "json"]).await.expect("runs");
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert_eq!(listed.status.code(), Some(0), "{stderr}");
    let servers: Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(servers.as_array().map(Vec::len), Some(6));
    let requests = sim.requests();
    let login = requests
        .iter()
        .position(|r| r.path == "/v3/auth/tokens")
        .expect("a login");
    let project = &sim.credentials().project_id;
    let list = requests
        .iter()
        .position(|r| r.path == format!("/v2.1/{project}/servers/detail"))
        .expect("compute at the catalog's public URL");
    assert!(login < list);
    assert!(
        requests[list].signed_headers.is_empty(),
        "compute uses the Keystone token"
    );
    let report = run(&["doctor", "-o", "json"]).await.expect("runs");
    let rows: Vec<Value> = serde_json::from_slice(&report.stdout).expect("json");
    let shown = String::from_utf8_lossy(&report.stdout);
    assert_eq!(report.status.code(), Some(0), "{shown}");
    let cloud = rows
        .iter()
        .find(|r| r["check"] == "config compute.cloud")
        .expect("a row");
    assert!(
        cloud["detail"]
            .as_str()
            .is_some_and(|d| d.contains("clouds file")),
        "{cloud}"
    );
    assert!(
        !shown.contains(&sim.credentials().password),
        "the password is never shown"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_small_skew_warns_and_a_host_without_dns_fails() {
    let mut options = sim_options();
    options.clock_skew_secs = -8 * 60;
    let sim = start_sim_with(options).await;
    let report = doctor(
        &sim,
        "[profiles.east.endpoints]\nlive = \"http://no-such-host.invalid/\"",
        "json",
    )
    .await;
    assert_eq!(report.result("clock skew"), "warn");
    assert!(
        report.row("clock skew")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("8m ahead"))
    );
    assert_eq!(report.result("iam project"), "ok", "8 minutes still signs");
    assert_eq!(report.result("dns no-such-host.invalid"), "fail");
    assert!(report.hint("dns no-such-host.invalid").contains("DNS"));
    assert_eq!(report.result("read Live"), "fail");
    assert_eq!(
        report.result("read CPH"),
        "ok",
        "one broken host hides no other"
    );
    assert_eq!(report.code, 1);
}
