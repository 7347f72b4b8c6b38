//! Styles of the theme in force. `ui::draw` builds them from the settings for each
//! frame and hands them down explicitly. A status is always written out too, never
//! shown by colour alone.

use ratatui::style::{Color, Modifier, Style};

use crate::api::cph::EncoderStatus;
use crate::api::koophone::PhoneStatus;
use crate::theme::Theme;

#[derive(Debug, Clone, Copy)]
pub struct Styles {
    theme: Theme,
}

impl Styles {
    pub fn new(theme: Theme) -> Self {
        Styles { theme }
    }

    pub fn phone_status(&self, status: Option<PhoneStatus>) -> Style {
        let t = &self.theme;
        let color = match status {
            Some(PhoneStatus::RUNNING) => t.running,
            Some(PhoneStatus::OFFLINE) => t.offline,
            Some(PhoneStatus::STARTING) => t.starting,
            Some(PhoneStatus::STOPPED | PhoneStatus::SHUT_DOWN) => t.stopped,
            _ => t.other,
        };
        Style::new().fg(color)
    }

    pub fn encoder_status(&self, status: Option<EncoderStatus>) -> Style {
        let t = &self.theme;
        Style::new().fg(match status {
            Some(EncoderStatus::RUNNING) => t.running,
            Some(EncoderStatus::ABNORMAL) => t.offline,
            Some(EncoderStatus::RESTARTING) => t.starting,
            _ => t.other,
        })
    }

    pub fn server_status(&self, status: Option<&str>) -> Style {
        let t = &self.theme;
        Style::new().fg(match status {
            Some("ACTIVE") => t.running,
            Some("ERROR") => t.offline,
            Some("SHUTOFF") => t.stopped,
            None => t.other,
            Some(_) => t.starting,
        })
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
