//! The binary itself: configuration errors, the demo and the simulator command,
//! completions and man page, what it links, where its logs go, and the README's key
//! table.

use std::process::Stdio;
use std::time::Duration;

use crate::common::*;
use serde_json::Value;

use super::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn broken_configs_are_clear_errors_with_exit_2() {
    let (sim, dir, config) = setup().await;
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "default_profile = \"sim\"\n[profiles.sim]\nproject_id = [\n",
    )
    .expect("write");
    let run = phonedeck(&sim, &bad, &["status"]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&bad.display().to_string()),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line"), "{}", run.stderr);
    let run = phonedeck(&sim, &config, &["--profile", "nope", "status"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no profile `nope`"), "{}", run.stderr);
    let missing = dir.path().join("missing.toml");
    let run = phonedeck(&sim, &missing, &["status"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn unset_token_variable_is_an_auth_error() {
    let (sim, _dir, config) = setup().await;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(&config)
        .args(["servers", "list"])
        .env_remove("PD_TEST_TOKEN")
        .output()
        .await
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("PD_TEST_TOKEN"));
    assert!(sim.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_from_a_variable_says_to_set_a_new_one() {
    let (sim, _dir, config) = setup().await;
    sim.revoke_token(&sim.credentials().token);
    let run = phonedeck(&sim, &config, &["servers", "list"]).await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("the token from PD_TEST_TOKEN has expired; set a new one"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("renewed"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn sim_command_serves_the_apis_until_stopped() {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
    command.args(["sim", "--listen", "127.0.0.1:0", "--phones", "40"]);
    let (mut child, mut lines) = stdout_lines(command);
    let first = lines.next_line().await.expect("reads").expect("a line");
    let url = first.rsplit(' ').next().expect("url").to_string();
    let token = lines.next_line().await.expect("reads").expect("token line");
    assert!(token.contains("sim-token"), "{token}");
    let client = raw_client();
    let response = client
        .get(format!(
            "{url}/v1/instances/batch-query?page_no=1&page_size=100&x-request-id=t"
        ))
        .header("x-auth-token", "sim-token")
        .send()
        .await
        .expect("answers");
    let body: Value = serde_json::from_slice(&response.bytes().await.expect("body")).expect("json");
    assert_eq!(body["data"]["total_count"], 40);
    child.kill().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_runs_without_any_configuration() {
    let home = tempfile::tempdir().expect("tempdir");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env_remove("PHONEDECK_CONFIG")
        .output()
        .await
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("phone-00199"), "{stdout}");
    let headless = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env_remove("PHONEDECK_CONFIG")
        .arg("status")
        .output()
        .await
        .expect("runs");
    assert_eq!(
        headless.status.code(),
        Some(2),
        "headless commands never fall back silently"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_readable_by_others_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let (sim, _dir, config) = setup().await;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let run = phonedeck(&sim, &config, &["servers", "list"]).await;
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("readable by other users"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("chmod 600"), "{}", run.stderr);
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let run = phonedeck(&sim, &config, &["servers", "list"]).await;
    assert!(
        !run.stderr.contains("readable by other users"),
        "{}",
        run.stderr
    );
}

#[test]
fn completions_man_page_and_version() {
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
            .args(args)
            .env_remove("PHONEDECK_CONFIG")
            .output()
            .expect("runs");
        assert!(output.status.success(), "{args:?}");
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let bash = run(&["completions", "bash"]);
    assert!(
        bash.contains("_phonedeck()") && bash.contains("stop-streaming"),
        "{bash}"
    );
    assert!(run(&["completions", "zsh"]).starts_with("#compdef phonedeck"));
    assert!(run(&["completions", "fish"]).contains("complete -c phonedeck"));
    let man = run(&["man"]);
    assert!(
        man.contains(".TH phonedeck") && man.contains("completions"),
        "{man}"
    );
    let version = run(&["--version"]);
    let hash = std::process::Command::new("git")
        .args(["rev-parse", "--short=9", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match hash {
        Some(hash) => assert!(version.contains(&hash), "{version} names commit {hash}"),
        None => assert!(version.contains("unknown"), "{version}"),
    }
    assert!(version.starts_with(&format!("phonedeck {}", env!("CARGO_PKG_VERSION"))));
}

/// The binary needs nothing on the host beyond the C runtime (no OpenSSL, no libz):
/// it can be copied to a bastion host as it is.
#[test]
fn the_binary_links_only_the_c_runtime() {
    let output = std::process::Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_phonedeck"))
        .output()
        .expect("ldd (part of glibc's libc-bin) runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let allowed = [
        "linux-vdso",
        "libc.so",
        "libm.so",
        "libgcc_s.so",
        "ld-linux",
    ];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            allowed.iter().any(|lib| line.contains(lib)),
            "unexpected dynamic dependency: {line}"
        );
    }
    assert!(text.contains("libc.so"), "{text}");
}

/// The README's key table names a key of every action the dashboard has, so a new
/// action cannot ship undocumented.
#[test]
fn readme_key_table_covers_every_action() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let table: String = readme
        .lines()
        .skip_while(|l| !l.starts_with("| keys |"))
        .take_while(|l| l.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
    let words: Vec<&str> = table
        .split(|c: char| c.is_whitespace() || matches!(c, '`' | ',' | '|'))
        .filter(|w| !w.is_empty())
        .collect();
    assert!(!words.is_empty(), "the key table is there");
    for (action, keys) in phonedeck::app::keymap::KeyMap::default().by_action() {
        let documented = keys
            .iter()
            .any(|key| words.contains(&key.label().to_lowercase().as_str()));
        assert!(
            documented,
            "{action:?} ({keys:?}) is not in the README's key table"
        );
    }
}

/// Tracing goes to --log-file (level from RUST_LOG), never to the terminal.
#[tokio::test(flavor = "multi_thread")]
async fn logs_go_to_the_log_file_never_to_the_screen() {
    let (sim, dir, config) = setup().await;
    let log = dir.path().join("phonedeck.log");
    let run = |with_file: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
        command
            .arg("--config")
            .arg(&config)
            .arg("status")
            .env("RUST_LOG", "debug")
            .env("PD_TEST_TOKEN", &sim.credentials().token);
        if with_file {
            command.arg("--log-file").arg(&log);
        }
        command.output().expect("runs")
    };
    for with_file in [false, true] {
        let output = run(with_file);
        assert!(output.status.success());
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !shown.contains("DEBUG"),
            "nothing logged on screen: {shown}"
        );
    }
    let written = std::fs::read_to_string(&log).expect("log file written");
    assert!(
        written.contains("DEBUG") && written.contains("request"),
        "{written}"
    );
}

#[test]
fn sim_help_lists_only_the_simulators_flags() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .args(["sim", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{help}");
    assert!(
        help.contains("--phones") && help.contains("Cloud phones in the fleet"),
        "{help}"
    );
    for global in ["--read-only", "--write", "--audit-log", "--output"] {
        assert!(
            !help.contains(global),
            "{global} is not the simulator's: {help}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_prints_a_profile_ready_to_paste() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .args(["sim", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let mut printed = String::new();
    while !printed.contains("export PHONEDECK_SIM_TOKEN=") {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("a line in time")
            .expect("reads")
            .expect("a line");
        printed.push_str(&line);
        printed.push('\n');
    }
    child.kill().await.expect("stops");
    let start = printed.find("[profiles.sim]").expect("a profile");
    let end = printed.find("then: export").expect("the token line");
    let profile: toml::Table = printed[start..end].parse().expect("valid TOML");
    let endpoints = &profile["profiles"]["sim"]["endpoints"];
    assert!(
        endpoints["koophone"]
            .as_str()
            .expect("url")
            .starts_with("http://127.0.0.1:")
    );
    assert_eq!(
        profile["profiles"]["sim"]["auth"]["token_env"],
        "PHONEDECK_SIM_TOKEN".into()
    );
}
