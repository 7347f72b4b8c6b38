//! A key as bound, as the configuration writes it (`ctrl-r`, `shift-tab`) and as
//! hints show it (`Ctrl-r`, `Shift-Tab`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as bound: its code and modifiers (Shift folded into the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Binding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Binding {
    pub fn from_event(event: &KeyEvent) -> Self {
        let modifiers = match event.code {
            KeyCode::Char(_) | KeyCode::BackTab => event.modifiers - KeyModifiers::SHIFT,
            _ => event.modifiers,
        };
        Binding {
            code: event.code,
            modifiers,
        }
    }

    /// Parses a key as written in the configuration: `x`, `X` or `shift-x`, `ctrl-r`,
    /// `alt-x`, `space`, `tab`, `shift-tab`, `enter`, `esc`, `up`, `down`, `left`,
    /// `right`, `pgup`, `pgdn`, `home`, `end`, `backspace`, `delete`, `f1`..`f12`.
    pub fn parse(text: &str) -> Result<Binding, String> {
        let lower = text.trim().to_lowercase();
        let mut parts: Vec<&str> = lower.split('-').collect();
        // "ctrl--" (the minus key) splits into an empty last part.
        if lower.ends_with("--") {
            parts.pop();
            if let Some(last) = parts.last_mut() {
                *last = "-";
            }
        }
        let name = parts
            .pop()
            .filter(|n| !n.is_empty())
            .ok_or("an empty key")?;
        let mut modifiers = KeyModifiers::NONE;
        for part in parts {
            modifiers |= match part {
                "ctrl" | "control" => KeyModifiers::CONTROL,
                "alt" | "meta" => KeyModifiers::ALT,
                "shift" => KeyModifiers::SHIFT,
                other => return Err(format!("unknown modifier `{other}`")),
            };
        }
        let shift = modifiers.contains(KeyModifiers::SHIFT);
        modifiers -= KeyModifiers::SHIFT;
        let code = match name {
            "space" => KeyCode::Char(' '),
            "tab" if shift => KeyCode::BackTab,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() > 1 && f.starts_with('f') => match f[1..].parse::<u8>() {
                Ok(n @ 1..=12) => KeyCode::F(n),
                _ => return Err(format!("unknown key `{f}`")),
            },
            single if single.chars().count() == 1 => {
                // Lower-cased above: take the character as written, shifted if asked.
                let written = text.trim().chars().last().unwrap_or(' ');
                KeyCode::Char(if shift {
                    written.to_ascii_uppercase()
                } else {
                    written
                })
            }
            other => return Err(format!("unknown key `{other}`")),
        };
        Ok(Binding { code, modifiers })
    }

    pub fn label(&self) -> String {
        let key = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut label = key;
        if self.modifiers.contains(KeyModifiers::ALT) {
            label = format!("Alt-{label}");
        }
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            label = format!("Ctrl-{label}");
        }
        label
    }
}

impl Binding {
    /// A character without modifiers (Shift is in the character).
    pub fn char(c: char) -> Binding {
        Binding {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::NONE,
        }
    }

    /// A key without modifiers.
    pub fn plain(code: KeyCode) -> Binding {
        Binding {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }
}
