//! `phonedeck init` as a new user runs it, on a clean HOME: from flags, by answering
//! questions in a real pseudo-terminal, and from a KooCLI profile. Then `doctor` passes.

use crate::common;
use crate::pty;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::*;
use phonedeck::sim::SimHandle;

const AK: &str = "SIMACCESSKEY0000";

/// phonedeck with nothing but PATH, HOME and `env` in its environment.
async fn phonedeck(home: &Path, env: &[(String, String)], args: &[&str]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .envs(env.iter().cloned())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("runs");
    Run::from_output(output)
}

/// The user's SDK credentials for `sim`, and the SDKs' endpoint overrides that stand
/// the simulator in for region cn-east-3 (the real hosts are not reachable here).
fn sdk_env(sim: &SimHandle) -> Vec<(String, String)> {
    let mut env = vec![
        ("HUAWEICLOUD_SDK_AK".to_string(), AK.to_string()),
        (
            "HUAWEICLOUD_SDK_SK".to_string(),
            sim.credentials().secret_key.clone(),
        ),
    ];
    for service in ["KOOPHONE", "LIVE", "ECS", "CPH", "IAM"] {
        env.push((
            format!("HUAWEICLOUD_SDK_REGION_{service}_CN_EAST_3"),
            sim.base_url().to_string(),
        ));
    }
    env
}

/// Where phonedeck keeps its configuration on a clean HOME.
fn default_config(home: &Path) -> PathBuf {
    home.join(".config/phonedeck/config.toml")
}

#[tokio::test(flavor = "multi_thread")]
async fn init_from_flags_then_doctor_passes_on_a_clean_home() {
    let sim = start_sim().await;
    let home = tempfile::tempdir().expect("tempdir");
    let env = sdk_env(&sim);
    let init = phonedeck(
        home.path(),
        &env,
        &[
            "init",
            "--region",
            "cn-east-3",
            "--live-domain",
            "publish.example.com",
        ],
    )
    .await;
    assert_eq!(init.code, 0, "{}{}", init.stdout, init.stderr);
    assert!(init.stdout.contains("phonedeck doctor"), "{}", init.stdout);
    assert!(
        init.stdout.contains("env HUAWEICLOUD_SDK_AK"),
        "{}",
        init.stdout
    );
    let path = default_config(home.path());
    let mode = std::fs::metadata(&path)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("region = \"cn-east-3\""), "{text}");
    assert!(!text.contains(AK) && !text.contains(&sim.credentials().secret_key));
    let doctor = phonedeck(home.path(), &env, &["doctor"]).await;
    assert_eq!(doctor.code, 0, "{}{}", doctor.stdout, doctor.stderr);
    assert!(!doctor.stdout.contains(" FAIL "), "{}", doctor.stdout);
    assert!(
        !doctor.stderr.contains("readable by other users"),
        "{}",
        doctor.stderr
    );
    let status = phonedeck(home.path(), &env, &["status", "-o", "json"]).await;
    assert_eq!(status.code, 0, "the profile works: {}", status.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_profile_is_never_overwritten_without_force() {
    let home = tempfile::tempdir().expect("tempdir");
    let args = ["init", "--region", "cn-east-3", "--profile", "east"];
    assert_eq!(phonedeck(home.path(), &[], &args).await.code, 0);
    let before = std::fs::read_to_string(default_config(home.path())).expect("read");
    let again = phonedeck(
        home.path(),
        &[],
        &["init", "--region", "cn-south-1", "--profile", "east"],
    )
    .await;
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    let after = std::fs::read_to_string(default_config(home.path())).expect("read");
    assert_eq!(before, after, "nothing was written");
    let forced = phonedeck(
        home.path(),
        &[],
        &[
            "init",
            "--region",
            "cn-south-1",
            "--profile",
            "east",
            "--force",
        ],
    )
    .await;
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(
        std::fs::read_to_string(default_config(home.path()))
            .expect("read")
            .contains("cn-south-1")
    );
    let blind = phonedeck(home.path(), &[], &["init"]).await;
    assert_eq!(
        blind.code, 2,
        "no terminal and no --region: {}",
        blind.stderr
    );
    assert!(blind.stderr.contains("--region"), "{}", blind.stderr);
}

fn write_hcloud(home: &Path, access_key: &str) {
    let dir = home.join(".hcloud");
    std::fs::create_dir_all(&dir).expect("dir");
    let config = serde_json::json!({
        "current": "ops",
        "profiles": [
            { "name": "other", "mode": "AKSK", "region": "cn-north-4" },
            { "name": "ops", "mode": "AKSK", "region": "cn-east-3",
              "projectId": "0123456789abcdef0123456789abcdef",
              "accessKeyId": access_key, "secretAccessKey": "kooCLI-secret-never-shown",
              "domainId": "d", "language": "en" }
        ]
    });
    std::fs::write(dir.join("config.json"), config.to_string()).expect("write");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_koocli_profile_gives_name_region_and_project_never_its_keys() {
    let home = tempfile::tempdir().expect("tempdir");
    write_hcloud(home.path(), "QTWAOYTTINDUT2QVKYUC");
    let run = phonedeck(
        home.path(),
        &[],
        &[
            "init",
            "--from-hcloud",
            "--live-domain",
            "publish.example.com",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(default_config(home.path())).expect("read");
    assert!(text.contains("[profiles.ops]"), "{text}");
    assert!(text.contains("region = \"cn-east-3\""), "{text}");
    assert!(text.contains("project_id = \"0123456789abcdef0123456789abcdef\""));
    let shown = format!("{}{}{text}", run.stdout, run.stderr);
    for secret in ["QTWAOYTTINDUT2QVKYUC", "kooCLI-secret-never-shown"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(
        run.stderr.contains("export HUAWEICLOUD_SDK_AK=\"$(jq -r"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("select(.name == \"ops\")"),
        "{}",
        run.stderr
    );

    let other = phonedeck(home.path(), &[], &["init", "--from-hcloud", "other"]).await;
    assert_eq!(other.code, 0, "{}", other.stderr);
    assert!(
        other.stderr.contains("holds no access key"),
        "{}",
        other.stderr
    );

    let encrypted = tempfile::tempdir().expect("tempdir");
    write_hcloud(encrypted.path(), "c2VjcmV0LWVuY3J5cHRlZC1ha2Y9PQ==");
    let run = phonedeck(encrypted.path(), &[], &["init", "--from-hcloud", "ops"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("encrypted"), "{}", run.stderr);
    assert!(!run.stderr.contains("c2VjcmV0"), "{}", run.stderr);
}

#[test]
fn init_asks_on_a_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut term = pty::Pty::spawn(&["init", "--read-only"], home.path());
    term.wait_for("Profile name [default]");
    term.send("west\r");
    term.wait_for("Region (e.g. cn-east-3)");
    term.send("cn-south-1\r");
    term.wait_for("Project id");
    term.send("\r");
    term.wait_for("Live publish domains");
    term.send("a.example.com, b.example.com\r");
    term.wait_for("Read-only (y/n) [y]");
    term.send("\r");
    term.wait_for("next: phonedeck doctor --profile west");
    let config = home.path().join("config/phonedeck/config.toml");
    let file = phonedeck::config::load_file(&config).expect("a valid configuration");
    let west = &file.profiles["west"];
    assert_eq!(west.region.as_deref(), Some("cn-south-1"));
    assert_eq!(west.project_id, None);
    assert_eq!(west.live_domains, ["a.example.com", "b.example.com"]);
    assert!(west.read_only);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_odd_koocli_profile_name_needs_a_name_of_ours_and_gets_no_shell_line() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join(".hcloud");
    std::fs::create_dir_all(&dir).expect("dir");
    let config = serde_json::json!({
        "current": "x'; touch pwned #",
        "profiles": [{ "name": "x'; touch pwned #", "mode": "AKSK", "region": "cn-east-3",
                       "accessKeyId": "QTWAOYTTINDUT2QVKYUC", "secretAccessKey": "s" }]
    });
    std::fs::write(dir.join("config.json"), config.to_string()).expect("write");
    let refused = phonedeck(home.path(), &[], &["init", "--from-hcloud"]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("--profile NAME"),
        "{}",
        refused.stderr
    );
    let named = phonedeck(
        home.path(),
        &[],
        &["init", "--from-hcloud", "--profile", "ops"],
    )
    .await;
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert!(
        !named.stderr.contains("jq"),
        "no shell line: {}",
        named.stderr
    );
    assert!(
        named.stderr.contains("not safe to put in a shell line"),
        "{}",
        named.stderr
    );
}
