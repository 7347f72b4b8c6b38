//! Colours and styles. Status is always written out too, never shown by colour alone.

use ratatui::style::{Color, Modifier, Style};

use crate::api::cph::EncoderStatus;
use crate::api::koophone::PhoneStatus;

pub fn phone_status(status: PhoneStatus) -> Style {
    let color = match status {
        PhoneStatus::RUNNING => Color::Green,
        PhoneStatus::OFFLINE => Color::Red,
        PhoneStatus::STARTING => Color::Yellow,
        PhoneStatus::STOPPED | PhoneStatus::SHUT_DOWN => Color::DarkGray,
        _ => Color::Magenta,
    };
    Style::new().fg(color)
}

pub fn encoder_status(status: EncoderStatus) -> Style {
    match status {
        EncoderStatus::RUNNING => Style::new().fg(Color::Green),
        EncoderStatus::ABNORMAL => Style::new().fg(Color::Red),
        EncoderStatus::RESTARTING => Style::new().fg(Color::Yellow),
        _ => Style::new().fg(Color::Magenta),
    }
}

pub fn server_status(status: &str) -> Style {
    match status {
        "ACTIVE" => Style::new().fg(Color::Green),
        "ERROR" => Style::new().fg(Color::Red),
        "SHUTOFF" => Style::new().fg(Color::DarkGray),
        _ => Style::new().fg(Color::Yellow),
    }
}

/// A status that changed in the latest poll.
pub fn changed() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

pub fn badge(color: Color) -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(color)
        .add_modifier(Modifier::BOLD)
}

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn error() -> Style {
    Style::new().fg(Color::Red)
}

pub fn cursor() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}
