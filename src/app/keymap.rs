//! Keys and the key actions they stand for, and each key action's name and
//! description: a `KeyAction` is what a binding names, so key maps in the
//! configuration can refer to key actions by name.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::key_action::KeyAction;
use super::pane::Pane;

impl KeyAction {
    /// The name the configuration uses.
    pub fn name(self) -> String {
        match self {
            KeyAction::ShowPane(pane) => format!("{}-pane", pane.spec().word),
            other => <&'static str>::from(other).to_string(),
        }
    }

    pub fn describe(self) -> String {
        let text = match self {
            KeyAction::ShowPane(pane) => return format!("{} pane", pane.title()),
            KeyAction::Quit => "quit (asks if busy)",
            KeyAction::ForceQuit => "stop sending, quit",
            KeyAction::Help => "this help",
            KeyAction::NextPane => "next pane",
            KeyAction::PrevPane => "previous pane",
            KeyAction::Up => "up",
            KeyAction::Down => "down",
            KeyAction::PageUp => "page up",
            KeyAction::PageDown => "page down",
            KeyAction::Top => "first row",
            KeyAction::Bottom => "last row",
            KeyAction::Filter => "filter (Esc clears)",
            KeyAction::SortNext => "sort (Alt-letter: by it)",
            KeyAction::SortReverse => "reverse sort",
            KeyAction::Mark => "mark row, move down",
            KeyAction::MarkAll => "mark all shown rows",
            KeyAction::UnmarkAll => "unmark all",
            KeyAction::Stop => "stop streaming/server",
            KeyAction::Start => "start server",
            KeyAction::Pause => "pause stream",
            KeyAction::Restart => "restart encoder",
            KeyAction::Refresh => "refresh now",
            KeyAction::Freeze => "freeze/unfreeze",
            KeyAction::ToggleLog => "larger/smaller log",
            KeyAction::ExportCsv => "export pane as CSV",
            KeyAction::ExportJson => "export pane as JSON",
            KeyAction::SaveLog => "save activity log",
            KeyAction::CommandLine => "commands (:profile…)",
            KeyAction::Cancel => "cancel running actions",
            KeyAction::Retry => "retry failed/unknown",
            KeyAction::Details => "row details (y copies id)",
            KeyAction::FocusLog => "focus the activity log",
        };
        text.to_string()
    }
}

impl From<KeyAction> for String {
    fn from(action: KeyAction) -> String {
        action.name()
    }
}

impl TryFrom<String> for KeyAction {
    type Error = String;

    fn try_from(name: String) -> Result<KeyAction, String> {
        KeyAction::all().find(|a| a.name() == name).ok_or_else(|| {
            let known: Vec<String> = KeyAction::all().map(KeyAction::name).collect();
            format!("unknown action `{name}`; known: {}", known.join(", "))
        })
    }
}

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

fn key(c: char) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::NONE,
    }
}

fn special(code: KeyCode) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<(Binding, KeyAction)>,
    lookup: HashMap<Binding, KeyAction>,
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::from_bindings(default_bindings())
    }
}

fn default_bindings() -> Vec<(Binding, KeyAction)> {
    use KeyAction::*;
    vec![
        (key('?'), Help),
        (key('q'), Quit),
        (
            Binding {
                code: KeyCode::Char('c'),
                modifiers: KeyModifiers::CONTROL,
            },
            ForceQuit,
        ),
    ]
    .into_iter()
    .chain(Pane::ALL.iter().map(|&p| (key(p.spec().key), ShowPane(p))))
    .chain([
        (special(KeyCode::Tab), NextPane),
        (special(KeyCode::BackTab), PrevPane),
        (key('k'), Up),
        (special(KeyCode::Up), Up),
        (key('j'), Down),
        (special(KeyCode::Down), Down),
        (special(KeyCode::PageUp), PageUp),
        (special(KeyCode::PageDown), PageDown),
        (key('g'), Top),
        (special(KeyCode::Home), Top),
        (key('G'), Bottom),
        (special(KeyCode::End), Bottom),
        (key('/'), Filter),
        (key('o'), SortNext),
        (key('O'), SortReverse),
        (key(' '), Mark),
        (key('A'), MarkAll),
        (key('U'), UnmarkAll),
        (key('s'), Stop),
        (key('S'), Start),
        (key('p'), Pause),
        (key('r'), Restart),
        (key('R'), Refresh),
        (key('f'), Freeze),
        (key('l'), ToggleLog),
        (key('e'), ExportCsv),
        (key('E'), ExportJson),
        (key('w'), SaveLog),
        (key(':'), CommandLine),
        (key('c'), Cancel),
        (key('t'), Retry),
        (special(KeyCode::Enter), Details),
        (key('L'), FocusLog),
    ])
    .collect()
}

/// An action's name as the configuration writes it (`toggle-log`).
pub fn action_name(action: KeyAction) -> String {
    action.name()
}

impl KeyMap {
    /// The default map with `overrides` applied: an action named there gets exactly
    /// the keys given, taken from whichever action had them. Returns the conflicts, to
    /// be reported at start-up.
    pub fn with_overrides(overrides: &[(KeyAction, Vec<Binding>)]) -> (KeyMap, Vec<String>) {
        let mut bindings = KeyMap::default().bindings;
        let mut conflicts = Vec::new();
        for (action, keys) in overrides {
            bindings.retain(|(_, bound)| bound != action);
            for key in keys {
                if let Some(pos) = bindings.iter().position(|(b, _)| b == key) {
                    let (_, other) = bindings.remove(pos);
                    conflicts.push(format!(
                        "key {} was bound to {}; it now does {}",
                        key.label(),
                        action_name(other),
                        action_name(*action)
                    ));
                }
                bindings.push((*key, *action));
            }
        }
        let keymap = KeyMap::from_bindings(bindings);
        let bound: Vec<KeyAction> = keymap.bindings.iter().map(|(_, a)| *a).collect();
        for (action, _) in KeyMap::default().by_action() {
            if !bound.contains(&action) {
                conflicts.push(format!(
                    "{} has no key left: give it one under [keys]",
                    action_name(action)
                ));
            }
        }
        (keymap, conflicts)
    }

    fn from_bindings(bindings: Vec<(Binding, KeyAction)>) -> KeyMap {
        let lookup = bindings.iter().copied().collect();
        KeyMap { bindings, lookup }
    }

    /// The first key bound to `action`, for hints.
    pub fn first_key(&self, action: KeyAction) -> Option<Binding> {
        self.bindings
            .iter()
            .find(|(_, a)| *a == action)
            .map(|(b, _)| *b)
    }

    pub fn action(&self, event: &KeyEvent) -> Option<KeyAction> {
        self.lookup.get(&Binding::from_event(event)).copied()
    }

    /// Every action with the keys bound to it now (none when rebinding took them),
    /// in the default map's order.
    pub fn by_action(&self) -> Vec<(KeyAction, Vec<Binding>)> {
        let mut grouped: Vec<(KeyAction, Vec<Binding>)> = Vec::new();
        for (_, action) in default_bindings() {
            if grouped.iter().all(|(a, _)| *a != action) {
                let keys = self
                    .bindings
                    .iter()
                    .filter(|(_, a)| *a == action)
                    .map(|(b, _)| *b)
                    .collect();
                grouped.push((action, keys));
            }
        }
        grouped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_letters_and_ctrl_c_resolve() {
        let map = KeyMap::default();
        let shift_s = KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(map.action(&shift_s), Some(KeyAction::Start));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.action(&ctrl_c), Some(KeyAction::ForceQuit));
        let back_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(map.action(&back_tab), Some(KeyAction::PrevPane));
    }

    #[test]
    fn keys_parse_as_written_in_the_config() {
        let parsed = |text: &str| Binding::parse(text).expect(text);
        assert_eq!(
            parsed("ctrl-r"),
            Binding {
                code: KeyCode::Char('r'),
                modifiers: KeyModifiers::CONTROL
            }
        );
        assert_eq!(parsed("shift-tab"), special(KeyCode::BackTab));
        assert_eq!(parsed("shift-x"), key('X'));
        assert_eq!(parsed("X"), key('X'));
        assert_eq!(parsed("space"), key(' '));
        assert_eq!(parsed("F5"), special(KeyCode::F(5)));
        assert_eq!(parsed("pgdn"), special(KeyCode::PageDown));
        for bad in ["", "hyper-x", "f13", "banana"] {
            assert!(Binding::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn overrides_take_keys_from_other_actions_and_report_it() {
        let overrides = vec![
            (
                KeyAction::Refresh,
                vec![Binding::parse("ctrl-r").expect("key")],
            ),
            (KeyAction::Stop, vec![Binding::parse("x").expect("key")]),
            (KeyAction::Freeze, vec![Binding::parse("q").expect("key")]),
        ];
        let (map, conflicts) = KeyMap::with_overrides(&overrides);
        let ctrl_r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(map.action(&ctrl_r), Some(KeyAction::Refresh));
        let shift_r = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(map.action(&shift_r), None, "the old key is released");
        assert_eq!(map.first_key(KeyAction::Stop), Some(key('x')));
        assert_eq!(
            conflicts,
            [
                "key q was bound to quit; it now does freeze",
                "quit has no key left: give it one under [keys]"
            ]
        );
    }

    #[test]
    fn actions_have_serde_names_for_config_key_maps() {
        let name = serde_json::to_string(&KeyAction::ToggleLog).expect("json");
        assert_eq!(name, "\"toggle-log\"");
        let pane: KeyAction = serde_json::from_str("\"servers-pane\"").expect("pane action");
        assert_eq!(pane, KeyAction::ShowPane(Pane::Servers));
        let unknown = serde_json::from_str::<KeyAction>("\"volumes-pane\"").expect_err("unknown");
        assert!(unknown.to_string().contains("phones-pane"), "{unknown}");
    }

    #[test]
    fn the_example_config_names_every_action() {
        let example = include_str!("../../assets/config.example.toml");
        for action in KeyAction::all() {
            let listed = format!(" {},", action.name());
            let last = format!(" {}.", action.name());
            assert!(
                example.contains(&listed) || example.contains(&last),
                "assets/config.example.toml does not list {}",
                action.name()
            );
        }
    }

    #[test]
    fn every_action_has_a_default_key_and_a_distinct_name() {
        let map = KeyMap::default();
        let names: std::collections::HashSet<String> =
            KeyAction::all().map(KeyAction::name).collect();
        assert_eq!(names.len(), KeyAction::all().count());
        for action in KeyAction::all() {
            assert!(
                map.first_key(action).is_some(),
                "{} has no key",
                action.name()
            );
        }
    }
}
