//! The credentials users of these clouds already have, found where the official SDKs
//! look: the variables `HUAWEICLOUD_SDK_AK`, `_SK`, `_SECURITY_TOKEN`, `_PROJECT_ID`,
//! else the INI file `~/.huaweicloud/credentials` (moved with
//! `HUAWEICLOUD_SDK_CREDENTIALS_FILE`), section `[basic]`: `ak`, `sk`,
//! `security_token`, `project_id`.

use std::path::PathBuf;

use secrecy::SecretString;

use super::environment::Environment;
use super::origin::Origin;
use crate::api::AccessKey;

/// An access key found the SDKs' way, its project id if given, and where they were.
#[derive(Debug, Clone)]
pub struct SdkCredentials {
    pub access_key: AccessKey,
    pub project_id: Option<String>,
    pub origin: Origin,
}

/// The SDKs' credentials, or None when neither the variables nor the file hold a key.
/// Half a pair (an AK without its SK) is an error naming what is missing.
pub fn find(env: &Environment) -> Result<Option<SdkCredentials>, String> {
    if let Some(found) = from_env(env)? {
        return Ok(Some(found));
    }
    let path = match env.var("HUAWEICLOUD_SDK_CREDENTIALS_FILE") {
        Some(path) => PathBuf::from(path),
        None => match env.home_file(".huaweicloud/credentials") {
            Some(path) if path.exists() => path,
            _ => return Ok(None),
        },
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the credentials file {} ({e})", path.display()))?;
    from_file(&path, &text)
}

fn from_env(env: &Environment) -> Result<Option<SdkCredentials>, String> {
    let (ak, sk) = (env.var("HUAWEICLOUD_SDK_AK"), env.var("HUAWEICLOUD_SDK_SK"));
    let (ak, sk) = match (ak, sk) {
        (Some(ak), Some(sk)) => (ak, sk),
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(
                "HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not: export both".into(),
            );
        }
        (None, Some(_)) => {
            return Err(
                "HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not: export both".into(),
            );
        }
    };
    Ok(Some(SdkCredentials {
        access_key: AccessKey {
            access_key: ak,
            secret_key: SecretString::from(sk),
            security_token: env
                .var("HUAWEICLOUD_SDK_SECURITY_TOKEN")
                .map(SecretString::from),
        },
        project_id: env.var("HUAWEICLOUD_SDK_PROJECT_ID"),
        origin: Origin::Env("HUAWEICLOUD_SDK_AK".into()),
    }))
}

fn from_file(path: &std::path::Path, text: &str) -> Result<Option<SdkCredentials>, String> {
    let basic = ini_section(text, "basic");
    let get = |key: &str| {
        basic
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value.clone())
            .filter(|value| !value.is_empty())
    };
    let (ak, sk) = match (get("ak"), get("sk")) {
        (Some(ak), Some(sk)) => (ak, sk),
        (None, None) => return Ok(None),
        _ => {
            return Err(format!(
                "the credentials file {} has only one of ak and sk under [basic]: give both",
                path.display()
            ));
        }
    };
    Ok(Some(SdkCredentials {
        access_key: AccessKey {
            access_key: ak,
            secret_key: SecretString::from(sk),
            security_token: get("security_token").map(SecretString::from),
        },
        project_id: get("project_id"),
        origin: Origin::CredentialsFile(path.to_path_buf()),
    }))
}

/// The `key = value` lines of one `[section]` of an INI file (the SDKs' credentials
/// file has no nesting, quoting or continuation lines).
fn ini_section(text: &str, wanted: &str) -> Vec<(String, String)> {
    let mut in_section = false;
    let mut pairs = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_section = name.trim().eq_ignore_ascii_case(wanted);
        } else if let (true, Some((key, value))) = (in_section, line.split_once('=')) {
            pairs.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn env_variables_come_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let env = Environment::fixed(
            &[
                ("HUAWEICLOUD_SDK_AK", "AKENV"),
                ("HUAWEICLOUD_SDK_SK", "SKENV"),
                ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "ST"),
                ("HUAWEICLOUD_SDK_PROJECT_ID", "p1"),
            ],
            dir.path(),
        );
        let found = find(&env).expect("ok").expect("found");
        assert_eq!(found.access_key.access_key, "AKENV");
        assert_eq!(found.access_key.secret_key.expose_secret(), "SKENV");
        assert!(found.access_key.security_token.is_some());
        assert_eq!(found.project_id.as_deref(), Some("p1"));
        let half = Environment::fixed(&[("HUAWEICLOUD_SDK_AK", "AK")], dir.path());
        assert!(
            find(&half)
                .expect_err("half a pair")
                .contains("HUAWEICLOUD_SDK_SK")
        );
    }

    #[test]
    fn the_credentials_file_under_home_is_read_next() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(".huaweicloud")).expect("dir");
        let path = dir.path().join(".huaweicloud/credentials");
        std::fs::write(
            &path,
            "# the SDKs' file\n[other]\nak = NOPE\n[basic]\nak = AKFILE\nsk = SKFILE\nproject_id = p2\n",
        )
        .expect("write");
        let found = find(&Environment::fixed(&[], dir.path()))
            .expect("ok")
            .expect("found");
        assert_eq!(found.access_key.access_key, "AKFILE");
        assert_eq!(found.project_id.as_deref(), Some("p2"));
        assert_eq!(found.origin, Origin::CredentialsFile(path));
        let empty = tempfile::tempdir().expect("tempdir");
        assert!(
            find(&Environment::fixed(&[], empty.path()))
                .expect("ok")
                .is_none()
        );
    }
}
