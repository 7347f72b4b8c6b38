//! Colours and styles. Status is always written out too, never shown by colour alone.
//! The colours come from a theme (`assets/themes/`: dark by default, light, or a file
//! of one's own), chosen in the configuration and set for each frame by `ui::draw`.

use std::cell::Cell;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::api::cph::EncoderStatus;
use crate::api::koophone::PhoneStatus;

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

const DARK: &str = include_str!("../../assets/themes/dark.toml");
const LIGHT: &str = include_str!("../../assets/themes/light.toml");

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
    stopped: Color::DarkGray,
    other: Color::Magenta,
    error: Color::Red,
    warning: Color::Yellow,
    dim: Color::DarkGray,
    badge_text: Color::Black,
    simulator: Color::Magenta,
    read_only: Color::Cyan,
    frozen: Color::Blue,
    stale: Color::Red,
    throttled: Color::Yellow,
};

thread_local! {
    /// The theme of the frame being drawn on this thread.
    static CURRENT: Cell<Theme> = Cell::new(Theme::dark());
}

/// Sets the theme for what is drawn next on this thread (`ui::draw` does, each frame).
pub fn use_theme(theme: Theme) {
    CURRENT.with(|current| current.set(theme));
}

fn current() -> Theme {
    CURRENT.with(Cell::get)
}

pub fn phone_status(status: Option<PhoneStatus>) -> Style {
    let t = current();
    let color = match status {
        Some(PhoneStatus::RUNNING) => t.running,
        Some(PhoneStatus::OFFLINE) => t.offline,
        Some(PhoneStatus::STARTING) => t.starting,
        Some(PhoneStatus::STOPPED | PhoneStatus::SHUT_DOWN) => t.stopped,
        _ => t.other,
    };
    Style::new().fg(color)
}

pub fn encoder_status(status: Option<EncoderStatus>) -> Style {
    let t = current();
    Style::new().fg(match status {
        Some(EncoderStatus::RUNNING) => t.running,
        Some(EncoderStatus::ABNORMAL) => t.offline,
        Some(EncoderStatus::RESTARTING) => t.starting,
        _ => t.other,
    })
}

pub fn server_status(status: Option<&str>) -> Style {
    let t = current();
    Style::new().fg(match status {
        Some("ACTIVE") => t.running,
        Some("ERROR") => t.offline,
        Some("SHUTOFF") => t.stopped,
        None => t.other,
        Some(_) => t.starting,
    })
}

/// Something that went well (a finished job).
pub fn success() -> Style {
    Style::new().fg(current().running)
}

/// A status that changed in the latest poll.
pub fn changed() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

fn badge(color: Color) -> Style {
    Style::new()
        .fg(current().badge_text)
        .bg(color)
        .add_modifier(Modifier::BOLD)
}

pub fn simulator_badge() -> Style {
    badge(current().simulator)
}

pub fn read_only_badge() -> Style {
    badge(current().read_only)
}

pub fn frozen_badge() -> Style {
    badge(current().frozen)
}

pub fn stale_badge() -> Style {
    badge(current().stale)
}

pub fn throttled_badge() -> Style {
    badge(current().throttled)
}

/// A banner that must not be missed (credentials rejected).
pub fn alarm_badge() -> Style {
    badge(current().error)
}

pub fn warning() -> Style {
    Style::new().fg(current().warning)
}

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(current().dim)
}

pub fn error() -> Style {
    Style::new().fg(current().error)
}

pub fn cursor() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

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
