//! OpenStack compute the way OpenStack clients find it: `clouds.yaml` from
//! openstacksdk's search path (`OS_CLIENT_CONFIG_FILE`, then `./clouds.yaml`,
//! `~/.config/openstack/clouds.yaml`, `/etc/openstack/clouds.yaml`), the cloud named by
//! the profile's `[compute] cloud` or `OS_CLOUD`. phonedeck logs in to its `auth_url`
//! and takes the compute URL from the token's catalog.

use std::collections::BTreeMap;
use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

use super::environment::Environment;
use crate::api::keystone::{KeystoneLogin, ProjectScope};

#[derive(Deserialize)]
struct CloudsFile {
    #[serde(default)]
    clouds: BTreeMap<String, Cloud>,
}

#[derive(Deserialize)]
struct Cloud {
    #[serde(default)]
    auth: Auth,
    #[serde(default)]
    region_name: Option<String>,
    #[serde(default)]
    interface: Option<String>,
}

#[derive(Default, Deserialize)]
struct Auth {
    auth_url: Option<String>,
    username: Option<String>,
    password: Option<String>,
    project_name: Option<String>,
    project_id: Option<String>,
    user_domain_name: Option<String>,
    project_domain_name: Option<String>,
}

/// The first `clouds.yaml` on openstacksdk's search path.
fn find_file(env: &Environment) -> Option<PathBuf> {
    if let Some(path) = env.var("OS_CLIENT_CONFIG_FILE") {
        return Some(PathBuf::from(path));
    }
    [
        Some(PathBuf::from("clouds.yaml")),
        env.home_file(".config/openstack/clouds.yaml"),
        Some(PathBuf::from("/etc/openstack/clouds.yaml")),
    ]
    .into_iter()
    .flatten()
    .find(|path| path.exists())
}

/// The login for the cloud `name` (or `OS_CLOUD`), and the file it came from.
pub fn login(env: &Environment, name: Option<&str>) -> Result<(KeystoneLogin, PathBuf), String> {
    let name = name.map(str::to_string).or_else(|| env.var("OS_CLOUD")).ok_or(
        "[compute] names no cloud and OS_CLOUD is not set: add `cloud = \"NAME\"` (a cloud of your clouds.yaml)",
    )?;
    let path = find_file(env).ok_or(
        "no clouds.yaml found (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml)",
    )?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {} ({e})", path.display()))?;
    let file: CloudsFile = serde_saphyr::from_str(&text)
        .map_err(|e| format!("{} is not a clouds.yaml ({e})", path.display()))?;
    let names = file.clouds.keys().cloned().collect::<Vec<_>>().join(", ");
    let cloud = file
        .clouds
        .get(&name)
        .ok_or_else(|| format!("{} has no cloud `{name}` (it has: {names})", path.display()))?;
    let auth = &cloud.auth;
    let missing = |field: &str| format!("cloud `{name}` in {} has no auth.{field}", path.display());
    let auth_url = auth.auth_url.clone().ok_or_else(|| missing("auth_url"))?;
    let auth_url = super::endpoints::base_url(&auth_url).map_err(|problem| {
        format!(
            "auth_url `{}` of cloud `{name}` {problem}",
            crate::sanitize::mask_url_secrets(&auth_url)
        )
    })?;
    let user = auth.username.clone().ok_or_else(|| missing("username"))?;
    let password = auth
        .password
        .clone()
        .or_else(|| env.var("OS_PASSWORD"))
        .ok_or_else(|| format!("{} (nor is OS_PASSWORD set)", missing("password")))?;
    let project = match (&auth.project_id, &auth.project_name) {
        (Some(id), _) => ProjectScope::Id(id.clone()),
        (None, Some(project)) => ProjectScope::Name {
            name: project.clone(),
            domain: auth
                .project_domain_name
                .clone()
                .unwrap_or_else(|| "Default".into()),
        },
        (None, None) => return Err(missing("project_name or auth.project_id")),
    };
    let login = KeystoneLogin {
        cloud: name,
        auth_url,
        user,
        user_domain: auth
            .user_domain_name
            .clone()
            .unwrap_or_else(|| "Default".into()),
        password: SecretString::from(password),
        project,
        region: cloud.region_name.clone(),
        interface: cloud.interface.clone().unwrap_or_else(|| "public".into()),
    };
    Ok((login, path))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    const CLOUDS: &str = "clouds:\n  lab:\n    auth:\n      auth_url: https://keystone.lab.example:5000/v3\n      username: oncall\n      project_name: phones\n      user_domain_name: Ops\n    region_name: RegionTwo\n  other:\n    auth:\n      auth_url: https://k.example/v3\n";

    #[test]
    fn the_named_cloud_is_read_with_os_password_and_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("clouds.yaml");
        std::fs::write(&path, CLOUDS).expect("write");
        let file = path.display().to_string();
        let env = Environment::fixed(
            &[
                ("OS_CLIENT_CONFIG_FILE", file.as_str()),
                ("OS_PASSWORD", "pw"),
                ("OS_CLOUD", "lab"),
            ],
            dir.path(),
        );
        let (lab, found) = login(&env, None).expect("read");
        assert_eq!(found, path);
        assert_eq!(lab.cloud, "lab");
        assert_eq!(
            lab.auth_url.as_str(),
            "https://keystone.lab.example:5000/v3"
        );
        assert_eq!(lab.user_domain, "Ops");
        assert_eq!(lab.password.expose_secret(), "pw");
        assert_eq!(lab.region.as_deref(), Some("RegionTwo"));
        assert_eq!(lab.interface, "public");
        assert_eq!(
            lab.project,
            ProjectScope::Name {
                name: "phones".into(),
                domain: "Default".into()
            }
        );
        let err = login(&env, Some("other")).expect_err("incomplete");
        assert!(err.contains("auth.username"), "{err}");
        let err = login(&env, Some("nope")).expect_err("unknown");
        assert!(err.contains("lab, other"), "{err}");
    }
}
