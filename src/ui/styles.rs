//! Styles of the theme in force. `ui::draw` builds them from the settings for each
//! frame and hands them down explicitly. A status is always written out too, never
//! shown by colour alone.

use ratatui::style::{Color, Modifier, Style};

use crate::api::koophone::PhoneStatus;
use crate::app::pane::column::Tone;
use crate::app::pane::phones::status_tone;
use crate::theme::Theme;

#[derive(Debug, Clone, Copy)]
pub struct Styles {
    theme: Theme,
}

impl Styles {
    pub fn new(theme: Theme) -> Self {
        Styles { theme }
    }

    /// A cell's tone in this theme's colours.
    pub fn tone(&self, tone: Tone) -> Style {
        let t = &self.theme;
        let color = match tone {
            Tone::Plain => return Style::new(),
            Tone::Up => t.running,
            Tone::Down => t.offline,
            Tone::Moving => t.starting,
            Tone::Stopped => t.stopped,
            Tone::Other => t.other,
            Tone::Error => t.error,
        };
        Style::new().fg(color)
    }

    pub fn phone_status(&self, status: Option<PhoneStatus>) -> Style {
        self.tone(status_tone(status))
    }

    /// Something that went well (a finished job).
    pub fn success(&self) -> Style {
        Style::new().fg(self.theme.running)
    }

    /// A status that changed in the latest poll.
    pub fn changed(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    fn badge(&self, color: Color) -> Style {
        Style::new()
            .fg(self.theme.badge_text)
            .bg(color)
            .add_modifier(Modifier::BOLD)
    }

    pub fn simulator_badge(&self) -> Style {
        self.badge(self.theme.simulator)
    }

    pub fn read_only_badge(&self) -> Style {
        self.badge(self.theme.read_only)
    }

    pub fn frozen_badge(&self) -> Style {
        self.badge(self.theme.frozen)
    }

    pub fn stale_badge(&self) -> Style {
        self.badge(self.theme.stale)
    }

    pub fn throttled_badge(&self) -> Style {
        self.badge(self.theme.throttled)
    }

    /// A banner that must not be missed (credentials rejected).
    pub fn alarm_badge(&self) -> Style {
        self.badge(self.theme.error)
    }

    pub fn warning(&self) -> Style {
        Style::new().fg(self.theme.warning)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        Style::new().fg(self.theme.dim)
    }

    pub fn error(&self) -> Style {
        Style::new().fg(self.theme.error)
    }

    pub fn cursor(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}
