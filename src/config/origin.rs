//! Where a resolved setting came from, so `phonedeck doctor` can say why a value is
//! what it is ("env HUAWEICLOUD_SDK_REGION_CPH_CN_EAST_3", "regions file ...").

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The configuration file.
    Config,
    /// An environment variable, by name.
    Env(String),
    /// The SDKs' regions file (`~/.huaweicloud/regions.yaml`).
    RegionsFile(PathBuf),
    /// The SDKs' credentials file (`~/.huaweicloud/credentials`).
    CredentialsFile(PathBuf),
    /// An OpenStack `clouds.yaml`.
    CloudsFile(PathBuf),
    /// phonedeck's built-in region table (the official SDKs' tables).
    Table,
    /// Found at run time (the project id, by IAM).
    Discovered,
    /// phonedeck's default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Config => f.write_str("config"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::RegionsFile(path) => write!(f, "regions file {}", path.display()),
            Origin::CredentialsFile(path) => write!(f, "credentials file {}", path.display()),
            Origin::CloudsFile(path) => write!(f, "clouds file {}", path.display()),
            Origin::Table => f.write_str("region table"),
            Origin::Discovered => f.write_str("discovered"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// One resolved setting as `doctor` shows it; secrets are masked before they get here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub name: String,
    pub value: String,
    pub origin: Origin,
}

impl Setting {
    pub fn new(name: impl Into<String>, value: impl Into<String>, origin: Origin) -> Self {
        Setting {
            name: name.into(),
            // A URL's password (an endpoint, an auth_url) is masked here, once for all.
            value: crate::sanitize::mask_url_secrets(&value.into()),
            origin,
        }
    }
}

/// A secret as doctor may show it: that it is set, and its length; none of it.
pub fn mask(secret: &str) -> String {
    format!("******** ({} characters)", secret.chars().count())
}

/// An access key id (an identifier, not a secret, but kept short): its last 4 characters,
/// as `aws configure list` and KooCLI show theirs.
pub fn key_id(id: &str) -> String {
    let count = id.chars().count();
    let tail: String = id.chars().skip(count.saturating_sub(4)).collect();
    format!("****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_nothing_of_a_secret_and_little_of_a_key_id() {
        let secret = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
        assert_eq!(mask(secret), "******** (40 characters)");
        assert_eq!(key_id("QTWAOYTTINDUT2QVKYUC"), "****KYUC");
    }
}
