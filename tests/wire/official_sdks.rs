//! Wire compatibility: the official Huawei Cloud Python SDKs (huaweicloudsdklive,
//! huaweicloudsdkcph signed with temporary AK/SK, huaweicloudsdkiam's password token)
//! and python-novaclient (with the IAM token) drive the simulator unchanged. The
//! simulator checks what they send (X-Project-Id, X-Security-Token, signed
//! Content-Type), so its checks are proven to match the official clients.
//! The SDKs are installed once into a virtualenv under the target directory.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The virtualenv's python, creating the venv with the pinned SDKs if needed.
fn sdk_python() -> PathBuf {
    let wire = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire");
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sdk-venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("installed.txt");
    let wanted = std::fs::read_to_string(wire.join("requirements.txt")).expect("requirements");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return python;
    }
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (install python3 and python3-venv)",
    );
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(wire.join("requirements.txt")),
        "pip install of the official SDKs",
    );
    std::fs::write(&stamp, wanted).expect("stamp");
    python
}

#[tokio::test(flavor = "multi_thread")]
async fn official_sdks_work_against_the_simulator() {
    let python = tokio::task::spawn_blocking(sdk_python).await.expect("venv");
    let mut options = common::sim_options();
    options.credentials.security_token = Some("sim-temporary-security-token".into());
    let sim = common::start_sim_with(options).await;
    let c = sim.credentials().clone();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire/official_sdks.py");
    let output = tokio::process::Command::new(python)
        .arg(script)
        .args([
            sim.base_url().as_str(),
            &c.access_key,
            &c.secret_key,
            &c.project_id,
            &c.token,
            c.security_token.as_deref().unwrap_or_default(),
            &c.password,
        ])
        .output()
        .await
        .expect("runs the SDK script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("all official SDK checks passed"),
        "{stdout}"
    );
    let signed = sim
        .requests()
        .iter()
        .filter(|r| r.path.contains("/cloud-phone/") || r.path.contains("/stream"))
        .count();
    assert!(signed >= 4, "the SDK calls reached the simulator");
    let requests = sim.requests();
    assert!(
        requests.iter().any(|r| r.path == "/v3/auth/tokens"),
        "the IAM SDK logged in"
    );
    // The SDK's query as it went on the wire is phonedeck's encoding of the same value
    // (a space is %20, never +), and the simulator, checking the SDK's signature with
    // phonedeck's canonical form, accepted it.
    let tricky = requests
        .iter()
        .filter_map(|r| r.query.as_deref())
        .find(|q| q.contains("stream="))
        .expect("the SDK's query with every kind of character");
    let ours = format!("stream={}", phonedeck::api::signer::encode("cam 1+2*3~é"));
    assert!(
        tricky.split('&').any(|pair| pair == ours),
        "{tricky} vs {ours}"
    );
    for request in requests.iter().filter(|r| r.path.contains("/cloud-phone/")) {
        for header in ["x-project-id", "x-security-token", "content-type"] {
            assert!(
                request.signed_headers.iter().any(|h| h == header),
                "the SDK signs {header}: {:?}",
                request.signed_headers
            );
        }
    }
}
