//! The environment a profile is resolved in: variables and the home directory. The
//! process's own in production; a fixed one in tests, so no test changes another's.

use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// None: the process's variables. Some: exactly these.
    fixed: Option<HashMap<String, String>>,
    home: Option<PathBuf>,
}

impl Environment {
    /// The process environment and the user's home directory.
    pub fn process() -> Self {
        Environment {
            fixed: None,
            home: directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf()),
        }
    }

    /// Exactly these variables, and `home` as the home directory.
    pub fn fixed(vars: &[(&str, &str)], home: impl Into<PathBuf>) -> Self {
        Environment {
            fixed: Some(
                vars.iter()
                    .map(|(name, value)| (name.to_string(), value.to_string()))
                    .collect(),
            ),
            home: Some(home.into()),
        }
    }

    /// A variable's value; unset and empty are the same.
    pub fn var(&self, name: &str) -> Option<String> {
        let value = match &self.fixed {
            Some(vars) => vars.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.trim().is_empty())
    }

    /// A file under the home directory (`~/.huaweicloud/credentials` and the like).
    pub fn home_file(&self, relative: &str) -> Option<PathBuf> {
        self.home.as_ref().map(|home| home.join(relative))
    }
}
