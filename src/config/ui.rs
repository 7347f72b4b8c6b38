//! The dashboard's own preferences from the file: its colours and its keys.

use std::path::Path;

use crate::app::key_binding::Binding;
use crate::app::keymap::KeyMap;
use crate::theme::Theme;

use super::{ConfigError, ConfigFile, config_error};

impl ConfigFile {
    /// The theme named by `theme`: built in, or read from a file like those in
    /// assets/themes/.
    pub fn theme(&self, path: &Path) -> Result<Theme, ConfigError> {
        let Some(name) = self.theme.as_deref() else {
            return Ok(Theme::default());
        };
        if let Some(theme) = Theme::built_in(name) {
            return Ok(theme);
        }
        let fail = |problem: String| {
            config_error(
                path,
                format_args!("theme `{name}`: {problem}"),
                "Use \"dark\", \"light\", or the path of a theme file like assets/themes/dark.toml.",
            )
        };
        let text =
            std::fs::read_to_string(name).map_err(|e| fail(format!("cannot read it ({e})")))?;
        Theme::parse(&text).map_err(fail)
    }

    /// The key map in force: the defaults with `[keys]` applied, and the conflicts to
    /// report. A key that cannot be parsed is an error.
    pub fn keymap(&self, path: &Path) -> Result<(KeyMap, Vec<String>), ConfigError> {
        let mut overrides = Vec::new();
        for (action, keys) in &self.keys {
            let bindings = keys
                .names()
                .into_iter()
                .map(|name| {
                    Binding::parse(name).map_err(|problem| {
                        config_error(
                            path,
                            format_args!("[keys] {} = \"{name}\": {problem}", action.name()),
                            "Write keys like \"x\", \"X\", \"ctrl-r\", \"shift-tab\", \"space\", \"pgdn\" or \"f5\".",
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            overrides.push((*action, bindings));
        }
        Ok(KeyMap::with_overrides(&overrides))
    }
}
