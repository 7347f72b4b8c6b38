//! `init --from-hcloud [PROFILE]`: a KooCLI profile (`~/.hcloud/config.json`: `current`,
//! `profiles[{name, mode, region, projectId, accessKeyId, secretAccessKey, ...}]`)
//! becomes a phonedeck profile. Its name, region and project are taken; its keys never
//! are. Plain-text keys get `export` lines that read them from KooCLI's file with jq,
//! so they are not shown either; encrypted ones (KooCLI's default) are said to be so.

use serde::Deserialize;

use super::new_profile::NewProfile;
use crate::cli::InitArgs;
use crate::commands::Failure;
use crate::config::Environment;
use crate::sanitize::sanitize;

#[derive(Deserialize)]
struct HcloudConfig {
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    profiles: Vec<HcloudProfile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HcloudProfile {
    name: String,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    access_key_id: Option<String>,
    #[serde(default)]
    security_token: Option<String>,
}

/// The profile to write, and what to tell the engineer about its credentials.
pub struct Imported {
    pub profile: NewProfile,
    pub advice: Vec<String>,
}

pub fn import(
    env: &Environment,
    wanted: Option<&str>,
    args: &InitArgs,
) -> Result<Imported, Failure> {
    let path = env
        .home_file(".hcloud/config.json")
        .ok_or_else(|| Failure::usage("no home directory to find ~/.hcloud/config.json in"))?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure::usage(format!(
            "cannot read KooCLI's profiles at {} ({e}); run `hcloud configure init` first, or use --region",
            path.display()
        ))
    })?;
    let config: HcloudConfig = serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "{} is not KooCLI's config.json ({e})",
            path.display()
        ))
    })?;
    let wanted = wanted
        .map(str::to_string)
        .or(config.current.clone())
        .ok_or_else(|| {
            Failure::usage("KooCLI has no current profile: name one, --from-hcloud NAME")
        })?;
    let source = config
        .profiles
        .iter()
        .find(|p| p.name == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
            Failure::usage(sanitize(&format!(
                "KooCLI has no profile `{wanted}` (it has: {})",
                names.join(", ")
            )))
        })?;
    let region = args
        .region
        .clone()
        .or(source.region.clone())
        .ok_or_else(|| {
            Failure::usage(format!(
                "KooCLI profile `{wanted}` has no region: add --region"
            ))
        })?;
    let profile = NewProfile {
        name: match (&args.profile_name, plain_name(&source.name)) {
            (Some(name), _) => name.clone(),
            (None, true) => source.name.clone(),
            (None, false) => {
                return Err(Failure::usage(format!(
                    "KooCLI profile `{}` has characters phonedeck will not put in a configuration key or a shell line: name the new profile with --profile NAME",
                    sanitize(&source.name)
                )));
            }
        },
        region,
        project_id: args
            .project_id
            .clone()
            .or(source.project_id.clone())
            .filter(|p| !p.is_empty()),
        live_domains: args.live_domains.clone(),
        read_only: args.read_only,
    };
    Ok(Imported {
        profile,
        advice: advice(source, &path),
    })
}

/// How to hand the profile's keys to the SDK variables, without ever showing them.
fn advice(profile: &HcloudProfile, path: &std::path::Path) -> Vec<String> {
    let name = sanitize(&profile.name);
    let export_by_hand = || {
        vec![
            "Export HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK from where you keep the key (the credentials .csv from the console),".to_string(),
            "or write them under [basic] in ~/.huaweicloud/credentials (chmod 600).".into(),
        ]
    };
    let Some(ak) = profile.access_key_id.as_deref().filter(|ak| !ak.is_empty()) else {
        return vec![format!(
            "KooCLI profile `{name}` (mode {}) holds no access key; export HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK for phonedeck",
            sanitize(profile.mode.as_deref().unwrap_or("?"))
        )];
    };
    if !looks_plain(ak) {
        let mut lines = vec![format!(
            "KooCLI profile `{name}` keeps its keys encrypted (KooCLI's default), so phonedeck cannot use them from there."
        )];
        lines.extend(export_by_hand());
        return lines;
    }
    let file = path.display().to_string();
    if !plain_name(&profile.name) || file.contains('\'') {
        let mut lines = vec![format!(
            "KooCLI profile `{name}` holds its access key in plain text; phonedeck does not copy it, and its name or file path is not safe to put in a shell line."
        )];
        lines.extend(export_by_hand());
        return lines;
    }
    let read = |field: &str| {
        format!("\"$(jq -r '.profiles[] | select(.name == \"{name}\") | .{field}' '{file}')\"")
    };
    let mut lines = vec![
        format!(
            "KooCLI profile `{name}` holds its access key in plain text; phonedeck does not copy it. To use it (jq reads it, nothing is shown):"
        ),
        format!("  export HUAWEICLOUD_SDK_AK={}", read("accessKeyId")),
        format!("  export HUAWEICLOUD_SDK_SK={}", read("secretAccessKey")),
    ];
    if profile
        .security_token
        .as_deref()
        .is_some_and(|t| !t.is_empty())
    {
        lines.push(format!(
            "  export HUAWEICLOUD_SDK_SECURITY_TOKEN={}",
            read("securityToken")
        ));
    }
    lines
}

/// A profile name that can go into a TOML key and, single-quoted, into a shell line.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A Huawei Cloud access key id is 16 to 40 upper-case letters and digits; what KooCLI
/// stores encrypted is not.
fn looks_plain(access_key_id: &str) -> bool {
    (16..=40).contains(&access_key_id.len())
        && access_key_id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_encrypted_keys_are_told_apart() {
        assert!(looks_plain("QTWAOYTTINDUT2QVKYUC"));
        assert!(!looks_plain("c2VjcmV0LWVuY3J5cHRlZC1ha2Y9PQ=="));
        assert!(!looks_plain("short"));
    }

    #[test]
    fn only_plain_profile_names_reach_a_shell_line_or_a_config_key() {
        assert!(plain_name("ops-eu_1.b"));
        for odd in ["", "x'; rm -rf ~ #", "a b", "a\u{1b}[2J", "x\"y"] {
            assert!(!plain_name(odd), "{odd:?}");
        }
        let profile = HcloudProfile {
            name: "x'; touch pwned #".into(),
            mode: Some("AKSK".into()),
            region: None,
            project_id: None,
            access_key_id: Some("QTWAOYTTINDUT2QVKYUC".into()),
            security_token: None,
        };
        let advice = advice(&profile, std::path::Path::new("/h/.hcloud/config.json")).join("\n");
        assert!(
            !advice.contains("jq"),
            "no shell line for an odd name: {advice}"
        );
    }
}
