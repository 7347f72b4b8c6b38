//! A theme: the colours the dashboard draws with (`assets/themes/`: dark by default,
//! light, or a file of one's own), chosen in the configuration. The configuration reads
//! it; `ui::styles` turns it into styles.

use std::str::FromStr;

use ratatui::style::Color;
use serde::Deserialize;

/// The colours of a theme, as `assets/themes/*.toml` name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    #[serde(deserialize_with = "color")]
    pub running: Color,
    #[serde(deserialize_with = "color")]
    pub offline: Color,
    #[serde(deserialize_with = "color")]
    pub starting: Color,
    #[serde(deserialize_with = "color")]
    pub stopped: Color,
    #[serde(deserialize_with = "color")]
    pub other: Color,
    #[serde(deserialize_with = "color")]
    pub error: Color,
    #[serde(deserialize_with = "color")]
    pub warning: Color,
    #[serde(deserialize_with = "color")]
    pub dim: Color,
    #[serde(deserialize_with = "color")]
    pub badge_text: Color,
    #[serde(deserialize_with = "color")]
    pub simulator: Color,
    #[serde(deserialize_with = "color")]
    pub read_only: Color,
    #[serde(deserialize_with = "color")]
    pub frozen: Color,
    #[serde(deserialize_with = "color")]
    pub stale: Color,
    #[serde(deserialize_with = "color")]
    pub throttled: Color,
}

fn color<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Color, D::Error> {
    let name = String::deserialize(deserializer)?;
    Color::from_str(&name).map_err(|_| {
        serde::de::Error::custom(format!(
            "`{name}` is not a colour (use a name such as red or darkgray, or #rrggbb)"
        ))
    })
}

const DARK: &str = include_str!("../assets/themes/dark.toml");
const LIGHT: &str = include_str!("../assets/themes/light.toml");

impl Theme {
    /// A theme from its TOML text.
    pub fn parse(text: &str) -> Result<Theme, String> {
        toml::from_str(text).map_err(|e| e.message().trim().to_string())
    }

    /// A built-in theme by name: `dark` or `light`.
    pub fn built_in(name: &str) -> Option<Theme> {
        let text = match name {
            "dark" => DARK,
            "light" => LIGHT,
            _ => return None,
        };
        Theme::parse(text).ok()
    }

    pub fn dark() -> Theme {
        Theme::built_in("dark").unwrap_or(FALLBACK)
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

/// Used only if the embedded dark theme failed to parse (a test makes sure it does not).
const FALLBACK: Theme = Theme {
    running: Color::Green,
    offline: Color::Red,
    starting: Color::Yellow,
    stopped: Color::Gray,
    other: Color::Magenta,
    error: Color::Red,
    warning: Color::Yellow,
    dim: Color::Gray,
    badge_text: Color::Black,
    simulator: Color::Magenta,
    read_only: Color::Cyan,
    frozen: Color::Blue,
    stale: Color::Red,
    throttled: Color::Yellow,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse_and_differ() {
        let dark = Theme::built_in("dark").expect("dark parses");
        let light = Theme::built_in("light").expect("light parses");
        assert_eq!(dark, FALLBACK, "the fallback is the dark theme");
        assert_ne!(dark, light);
        assert_ne!(light.starting, Color::Yellow, "no yellow on white");
    }

    #[test]
    fn a_bad_colour_is_named() {
        let text = DARK.replace("\"green\"", "\"greenish\"");
        let err = Theme::parse(&text).expect_err("bad colour");
        assert!(err.contains("`greenish` is not a colour"), "{err}");
    }
}
