//! Where the configuration file is, and whether others can read it.

use std::path::{Path, PathBuf};

use super::Environment;

/// Where the configuration is looked for: `--config`, `$PHONEDECK_CONFIG`, then the
/// platform config dir. `explicit` is false only for the platform default, which may
/// be absent (then phonedeck offers its demo).
#[derive(Debug, Clone)]
pub struct ConfigLocation {
    pub path: PathBuf,
    pub explicit: bool,
}

pub fn locate(flag: Option<&Path>, env: &Environment) -> Option<ConfigLocation> {
    if let Some(path) = flag {
        return Some(ConfigLocation {
            path: path.to_path_buf(),
            explicit: true,
        });
    }
    if let Some(path) = env.var("PHONEDECK_CONFIG") {
        return Some(ConfigLocation {
            path: PathBuf::from(path),
            explicit: true,
        });
    }
    directories::ProjectDirs::from("", "", "phonedeck").map(|dirs| ConfigLocation {
        path: dirs.config_dir().join("config.toml"),
        explicit: false,
    })
}

impl ConfigLocation {
    /// False when the default location has no file: the caller may fall back to the demo.
    /// Any explicit location, and any file that exists, must load or fail loudly.
    pub fn exists_or_explicit(&self) -> bool {
        self.explicit || self.path.exists()
    }
}

/// A warning when a configuration that names credentials can be read by other users.
pub fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "warning: {} is readable by other users (mode {:o}) and says where your credentials are; run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}
