//! `phonedeck init`: writes a profile into the configuration file, from flags, from
//! answers on a terminal, or from a KooCLI profile (`--from-hcloud`). The file is
//! mode 600, an existing profile is replaced only with `--force`, the rest of the file
//! (comments included) is kept, and no secret is ever written: credentials stay where
//! the official SDKs find them (HUAWEICLOUD_SDK_AK/SK or ~/.huaweicloud/credentials).

mod hcloud;
mod new_profile;
mod prompt;

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, Item, Table, value};

use crate::cli::{InitArgs, KooCliProfile};
use crate::config::{self, Environment, sdk_credentials};

use super::{EXIT_OK, Failure};
pub use new_profile::NewProfile;

pub fn run(args: InitArgs, config_flag: Option<&Path>) -> Result<u8, Failure> {
    let env = Environment::process();
    let path = config::locate(config_flag, &env)
        .map(|l| l.path)
        .ok_or_else(|| Failure::usage("no place for the configuration: pass --config FILE"))?;
    let profile = if let Some(from) = &args.from_hcloud {
        let wanted = match from {
            KooCliProfile::Current => None,
            KooCliProfile::Named(name) => Some(name.as_str()),
        };
        let imported = hcloud::import(&env, wanted, &args)?;
        for line in &imported.advice {
            eprintln!("{line}");
        }
        imported.profile
    } else {
        match &args.region {
            Some(region) => NewProfile {
                name: args
                    .profile_name
                    .clone()
                    .unwrap_or_else(|| "default".into()),
                region: region.clone(),
                project_id: args.project_id.clone(),
                live_domains: args.live_domains.clone(),
                read_only: args.read_only,
            },
            None => prompt::ask(&args)?,
        }
    };
    write_profile(&path, &profile, args.force)?;
    println!("wrote profile `{}` to {}", profile.name, path.display());
    report_credentials(&env);
    println!("next: phonedeck doctor --profile {}", profile.name);
    Ok(EXIT_OK)
}

/// Says where the credentials will come from, or how to provide them; never shows them.
fn report_credentials(env: &Environment) {
    match sdk_credentials::find(env) {
        Ok(Some(found)) => println!("credentials: the access key from {}", found.origin),
        Ok(None) => eprintln!(
            "no credentials found yet: export HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (as the official SDKs read them), or write them under [basic] in ~/.huaweicloud/credentials"
        ),
        Err(problem) => eprintln!("credentials: {problem}"),
    }
}

/// Adds (or with `force`, replaces) the profile, keeping the rest of the file.
pub fn write_profile(path: &Path, profile: &NewProfile, force: bool) -> Result<(), Failure> {
    refuse_link(path)?;
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read {} ({e})",
                path.display()
            )));
        }
    };
    let mut document: DocumentMut = existing.parse().map_err(|e| {
        Failure::usage(format!(
            "{} is not valid TOML ({e}); fix it before adding a profile",
            path.display()
        ))
    })?;
    let profiles = document
        .entry("profiles")
        .or_insert_with(|| {
            let mut table = Table::new();
            table.set_implicit(true);
            Item::Table(table)
        })
        .as_table_mut()
        .ok_or_else(|| Failure::usage(format!("{}: `profiles` is not a table", path.display())))?;
    if profiles.contains_key(&profile.name) && !force {
        return Err(Failure::usage(format!(
            "{} already has a profile `{}`; nothing was written. Pass --force to replace it, or --profile-name for another name",
            path.display(),
            profile.name
        )));
    }
    profiles.insert(&profile.name, Item::Table(profile_table(profile)));
    if document.get("default_profile").is_none() {
        document.insert("default_profile", value(&profile.name));
    }
    write_private(path, &document.to_string())
}

fn profile_table(profile: &NewProfile) -> Table {
    let mut table = Table::new();
    table.insert("region", value(&profile.region));
    if let Some(project) = &profile.project_id {
        table.insert("project_id", value(project));
    }
    let domains: Array = profile.live_domains.iter().map(String::as_str).collect();
    table.insert("live_domains", value(domains));
    if profile.read_only {
        table.insert("read_only", value(true));
    }
    table.decor_mut().set_prefix(
        "\n# Credentials: HUAWEICLOUD_SDK_AK/SK (and _SECURITY_TOKEN) or ~/.huaweicloud/credentials,\n# as the official SDKs read them. Endpoints follow the region; `phonedeck doctor` checks it all.\n",
    );
    table
}

/// A config that is a symbolic link is not replaced: the rename would turn it into a
/// file and leave what it pointed to behind.
fn refuse_link(path: &Path) -> Result<(), Failure> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Failure::usage(format!(
            "{} is a symbolic link; init writes a new file in its place and will not replace a link: run init with --config naming the file it points to",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// Writes `text` to `path` readable by its owner only, through a new file renamed into
/// place, so a crash never leaves half a configuration. The new file is created, never
/// opened: whatever stands at its name (a crash's leftover, or a link planted to make
/// init truncate another file) is removed first, and if something appears there again
/// before the create, init stops.
fn write_private(path: &Path, text: &str) -> Result<(), Failure> {
    let fail = |what: &str, e: std::io::Error| {
        Failure::usage(format!("cannot {what} {} ({e})", path.display()))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail("create the directory of", e))?;
    }
    let partial: PathBuf = path.with_extension("toml.partial");
    if std::fs::symlink_metadata(&partial).is_ok() {
        std::fs::remove_file(&partial).map_err(|e| fail("remove the leftover", e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .map_err(|e| fail("create a new file beside", e))?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(|e| fail("restrict", e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| fail("write", e))?;
    std::fs::rename(&partial, path).map_err(|e| fail("replace", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn east() -> NewProfile {
        NewProfile {
            name: "east".into(),
            region: "cn-east-3".into(),
            project_id: None,
            live_domains: vec!["publish.example.com".into()],
            read_only: true,
        }
    }

    #[test]
    fn a_new_file_gets_the_profile_mode_600_and_a_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/config.toml");
        write_profile(&path, &east(), false).expect("written");
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let text = std::fs::read_to_string(&path).expect("read");
        let file = config::parse(&path, &text).expect("a valid configuration");
        assert_eq!(file.default_profile.as_deref(), Some("east"));
        let east = &file.profiles["east"];
        assert_eq!(east.region.as_deref(), Some("cn-east-3"));
        assert!(east.read_only);
        assert!(
            east.auth.is_none(),
            "no secrets, not even an [auth] section"
        );
    }

    #[test]
    fn an_existing_profile_is_kept_unless_forced_and_comments_survive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        let mine = "# my notes\ndefault_profile = \"prod\"\n[profiles.prod]\nregion = \"cn-north-4\" # Beijing\n";
        std::fs::write(&path, mine).expect("write");
        write_profile(&path, &east(), false).expect("a second profile");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with("# my notes"), "{text}");
        assert!(text.contains("# Beijing"), "{text}");
        assert!(
            text.contains("default_profile = \"prod\""),
            "the default stays"
        );
        let err = write_profile(&path, &east(), false).expect_err("refused");
        assert!(err.message.contains("--force"), "{}", err.message);
        let replaced = NewProfile {
            region: "cn-south-1".into(),
            ..east()
        };
        write_profile(&path, &replaced, true).expect("forced");
        let file = config::load_file(&path).expect("valid");
        assert_eq!(file.profiles["east"].region.as_deref(), Some("cn-south-1"));
        assert_eq!(file.profiles["prod"].region.as_deref(), Some("cn-north-4"));
    }

    #[test]
    fn a_planted_link_neither_truncates_its_target_nor_becomes_the_config() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").expect("victim");
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).expect("mode");
        let path = dir.path().join("config.toml");
        std::os::unix::fs::symlink(&victim, path.with_extension("toml.partial")).expect("link");
        write_profile(&path, &east(), false).expect("written");
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "precious"
        );
        let mode = std::fs::metadata(&victim)
            .expect("victim")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "the victim's mode is untouched");
        assert!(
            !std::fs::symlink_metadata(&path)
                .expect("config")
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::read_to_string(&path)
                .expect("config")
                .contains("[profiles.east]")
        );

        let linked = dir.path().join("linked.toml");
        std::os::unix::fs::symlink(&victim, &linked).expect("link");
        let refused = write_profile(&linked, &east(), false).expect_err("a linked config");
        assert!(
            refused.message.contains("symbolic link"),
            "{}",
            refused.message
        );
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "precious"
        );
    }
}
