//! The configuration read end to end: files, profiles, credentials and where each
//! value came from.

use std::path::Path;
use std::time::Duration;

use reqwest::Url;

use super::*;
use crate::api::{ComputeApi, Service};
use crate::app::key_action::KeyAction;
use crate::app::key_binding::Binding;
use crate::theme::Theme;

const GOOD: &str = r#"
default_profile = "prod"
[profiles.prod]
project_id = "b72dc11461c84102b97576ae24d2b88c"
live_domains = ["publish.example.com"]
[profiles.prod.endpoints]
koophone = "https://koophone.example.com/"
live = "https://live.example.com"
compute = "https://ecs.example.com"
cph = "https://cph.example.com"
[profiles.prod.auth]
token_command = ["echo", "t"]
"#;

fn path() -> &'static Path {
    Path::new("/etc/phonedeck.toml")
}

#[test]
fn good_config_resolves_defaults() {
    let profile = parse(path(), GOOD)
        .and_then(|c| c.profile(path(), None))
        .expect("resolves");
    assert_eq!(profile.name, "prod");
    assert_eq!(profile.api.max_in_flight, 8);
    assert_eq!(profile.poll_interval, Duration::from_secs(5));
    assert!(!profile.api.read_only);
}

#[test]
fn request_budget_is_read_and_checked() {
    let with = |line: &str| {
        let text = GOOD.replace("live_domains", &format!("{line}\nlive_domains"));
        parse(path(), &text).and_then(|c| c.profile(path(), None))
    };
    let profile = with("max_requests_per_sec = 40").expect("resolves");
    assert_eq!(profile.api.max_requests_per_sec, Some(40.0));
    assert_eq!(
        parse(path(), GOOD)
            .and_then(|c| c.profile(path(), None))
            .expect("resolves")
            .api
            .max_requests_per_sec,
        None
    );
    let err = with("max_requests_per_sec = 0").expect_err("zero refused");
    assert!(err.message.contains("positive number"), "{}", err.message);
}

#[test]
fn numbers_out_of_range_are_refused_naming_the_key_and_the_range() {
    let with = |line: &str| {
        let text = GOOD.replace("live_domains", &format!("{line}\nlive_domains"));
        parse(path(), &text).and_then(|c| c.profile(path(), None))
    };
    for (line, says) in [
        ("max_requests_per_sec = 1e-30", "from 0.01 to 10000"),
        ("max_requests_per_sec = nan", "from 0.01 to 10000"),
        (
            "poll_interval_secs = 18446744073709551615",
            "poll_interval_secs",
        ),
        ("poll_interval_secs = 0", "from 1 to 86400"),
        ("max_in_flight = 0", "max_in_flight"),
        ("connect_timeout_secs = 100000", "from 1 to 600"),
        ("request_timeout_secs = 0", "request_timeout_secs"),
    ] {
        let err = with(line).expect_err(line);
        assert!(err.message.contains(says), "{line}: {}", err.message);
    }
    for line in [
        "max_requests_per_sec = 0.5",
        "poll_interval_secs = 86400",
        "max_in_flight = 256",
    ] {
        with(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
}

#[test]
fn key_map_from_the_config_and_its_errors() {
    let text = format!("{GOOD}\n[keys]\nrefresh = \"ctrl-r\"\ndown = [\"j\", \"ctrl-n\"]\n");
    let (keymap, conflicts) = parse(path(), &text)
        .and_then(|c| c.keymap(path()))
        .expect("resolves");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    assert_eq!(
        keymap.first_key(KeyAction::Refresh),
        Binding::parse("ctrl-r").ok()
    );
    let bad_key = format!("{GOOD}\n[keys]\nrefresh = \"hyper-r\"\n");
    let err = parse(path(), &bad_key)
        .and_then(|c| c.keymap(path()))
        .expect_err("bad key");
    assert!(
        err.message.contains("unknown modifier `hyper`"),
        "{}",
        err.message
    );
    let bad_action = format!("{GOOD}\n[keys]\nexplode = \"x\"\n");
    let err = parse(path(), &bad_action).expect_err("unknown action");
    assert!(err.message.contains("explode"), "{}", err.message);
}

#[test]
fn theme_built_in_or_from_a_file() {
    let with = |line: &str| parse(path(), &format!("{line}\n{GOOD}"));
    let light = with("theme = \"light\"").and_then(|c| c.theme(path()));
    assert_eq!(light.ok(), Theme::built_in("light"));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("mine.toml");
    let text = include_str!("../../assets/themes/dark.toml").replace("\"green\"", "\"#00ff00\"");
    std::fs::write(&file, text).expect("theme written");
    let mine = with(&format!("theme = {:?}", file.display().to_string()))
        .and_then(|c| c.theme(path()))
        .expect("a theme file");
    assert_eq!(mine.running, ratatui::style::Color::Rgb(0, 255, 0));
    let err = with("theme = \"solarized\"")
        .and_then(|c| c.theme(path()))
        .expect_err("unknown theme");
    assert!(
        err.message.contains("\"dark\", \"light\""),
        "{}",
        err.message
    );
}

#[test]
fn bad_toml_names_file_and_line() {
    let text = "default_profile = \"prod\"\n[profiles.prod]\nproject_id = \n";
    let err = parse(path(), text).expect_err("fails");
    assert!(
        err.message.contains("/etc/phonedeck.toml"),
        "{}",
        err.message
    );
    assert!(err.message.contains("line 3"), "{}", err.message);
}

#[test]
fn unknown_profile_lists_the_known_ones() {
    let err = parse(path(), GOOD)
        .and_then(|c| c.profile(path(), Some("staging")))
        .expect_err("fails");
    assert!(
        err.message.contains("no profile `staging`"),
        "{}",
        err.message
    );
    assert!(err.message.contains("prod"), "{}", err.message);
}

#[test]
fn missing_endpoint_says_where_to_add_it() {
    let text = GOOD.replace("cph = \"https://cph.example.com\"\n", "");
    let err = parse(path(), &text)
        .and_then(|c| c.profile(path(), None))
        .expect_err("fails");
    assert!(err.message.contains("endpoints.cph"), "{}", err.message);
    assert!(
        err.message.contains("[profiles.prod.endpoints]"),
        "{}",
        err.message
    );
}

const REGION_ONLY: &str = r#"
[profiles.east]
region = "cn-east-3"
live_domains = ["publish.example.com"]
"#;

#[test]
fn a_region_and_the_sdk_variables_make_a_whole_profile() {
    let home = tempfile::tempdir().expect("tempdir");
    let env = Environment::fixed(
        &[
            ("HUAWEICLOUD_SDK_AK", "QTWAOYTTINDUT2QVKYUC"),
            (
                "HUAWEICLOUD_SDK_SK",
                "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
            ),
            (
                "HUAWEICLOUD_SDK_REGION_ECS_CN_EAST_3",
                "https://ecs.internal.example",
            ),
        ],
        home.path(),
    );
    let profile = parse(path(), REGION_ONLY)
        .and_then(|c| c.profile_in(path(), None, &env))
        .expect("resolves");
    let e = |service| profile.api.endpoints.base(service).map(Url::as_str);
    assert_eq!(
        e(Service::Cph),
        Some("https://cph.cn-east-3.myhuaweicloud.com/")
    );
    assert_eq!(
        e(Service::Live),
        Some("https://live.cn-east-3.myhuaweicloud.com/")
    );
    assert_eq!(e(Service::Compute), Some("https://ecs.internal.example/"));
    assert_eq!(
        e(Service::KooPhone),
        Some("https://koophone.myhuaweicloud.com/")
    );
    assert_eq!(
        e(Service::Iam),
        Some("https://iam.cn-east-3.myhuaweicloud.com/")
    );
    assert_eq!(profile.api.project_id, None, "found through IAM later");
    assert_eq!(profile.api.region.as_deref(), Some("cn-east-3"));
    assert!(profile.api.credentials.token.is_none());
    let shown = |name: &str| {
        profile
            .settings
            .iter()
            .find(|s| s.name == name)
            .map(|s| (s.value.clone(), s.origin.to_string()))
            .expect(name)
    };
    assert_eq!(
        shown("endpoints.compute").1,
        "env HUAWEICLOUD_SDK_REGION_ECS_CN_EAST_3"
    );
    assert_eq!(shown("endpoints.cph").1, "region table");
    assert_eq!(shown("auth.access_key").0, "****KYUC");
    assert_eq!(shown("auth.secret_key").0, "******** (40 characters)");
    let everything = format!("{:?}", profile.settings);
    assert!(
        !everything.contains("MFyfvK41"),
        "no secret in the settings"
    );
}

#[test]
fn without_auth_or_sdk_credentials_the_error_says_where_they_go() {
    let home = tempfile::tempdir().expect("tempdir");
    let err = parse(path(), REGION_ONLY)
        .and_then(|c| c.profile_in(path(), None, &Environment::fixed(&[], home.path())))
        .expect_err("no credentials");
    assert!(
        err.message.contains("HUAWEICLOUD_SDK_AK"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("~/.huaweicloud/credentials"),
        "{}",
        err.message
    );
}

#[test]
fn cloud_and_compute_api_are_read() {
    let home = tempfile::tempdir().expect("tempdir");
    let env = Environment::fixed(
        &[
            ("HUAWEICLOUD_SDK_AK", "AK"),
            ("HUAWEICLOUD_SDK_SK", "SK"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p0"),
        ],
        home.path(),
    );
    let text = REGION_ONLY.replace(
        "region = \"cn-east-3\"",
        "region = \"eu-west-101\"\ncloud = \"myhuaweicloud.eu\"\ncompute_api = \"v2.1\"",
    );
    let profile = parse(path(), &text)
        .and_then(|c| c.profile_in(path(), None, &env))
        .expect("resolves");
    assert_eq!(
        profile.api.endpoints.base(Service::Cph).map(Url::as_str),
        Some("https://cph.eu-west-101.myhuaweicloud.eu/")
    );
    assert_eq!(profile.api.compute_api, ComputeApi::V21);
    assert_eq!(profile.api.project_id.as_deref(), Some("p0"));
    let bad = REGION_ONLY.replace("region = \"cn-east-3\"", "compute_api = \"v3\"");
    assert!(parse(path(), &bad).is_err());
}

#[test]
fn example_config_in_assets_is_valid() {
    let text = include_str!("../../assets/config.example.toml");
    let config = parse(path(), text).expect("the example parses");
    assert!(config.profiles.contains_key("prod"));
}

#[test]
fn auth_variables_are_read_from_the_environment_given_and_empty_is_unset() {
    let config = r#"
[profiles.p]
region = "cn-east-3"
project_id = "b72dc11461c84102b97576ae24d2b88c"
[profiles.p.auth]
access_key_env = "PD_CFG_AK"
secret_key_env = "PD_CFG_SK"
"#;
    let home = tempfile::tempdir().expect("home");
    let resolve = |vars: &[(&str, &str)]| {
        parse(path(), config)
            .and_then(|c| c.profile_in(path(), None, &Environment::fixed(vars, home.path())))
    };
    let profile = resolve(&[("PD_CFG_AK", "AKID1234"), ("PD_CFG_SK", "s3cret")])
        .expect("both variables set in the given environment");
    let key = profile.api.credentials.access_key.expect("an access key");
    assert_eq!(key.access_key, "AKID1234");
    let error = resolve(&[("PD_CFG_AK", ""), ("PD_CFG_SK", "s3cret")]).expect_err("empty AK");
    assert!(
        error.message.contains("names $PD_CFG_AK, which is not set"),
        "{}",
        error.message
    );
}
