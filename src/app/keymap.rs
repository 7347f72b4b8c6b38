//! Keys and the actions they stand for. `Action` is what a binding names, so key maps
//! in the configuration can refer to actions by name.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Quit,
    ForceQuit,
    Help,
    NextPane,
    PrevPane,
    PhonesPane,
    StreamsPane,
    EncodersPane,
    ServersPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Filter,
    SortNext,
    SortReverse,
    Mark,
    MarkAll,
    UnmarkAll,
    /// Stop streaming (Phones) or stop server (Servers).
    Stop,
    /// Start server (Servers).
    Start,
    /// Pause stream (Streams).
    Pause,
    /// Restart encoder (Encoders).
    Restart,
    Refresh,
    Freeze,
    ToggleLog,
}

impl Action {
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit (asks if busy)",
            Action::ForceQuit => "quit now",
            Action::Help => "this help",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::PhonesPane => "Phones pane",
            Action::StreamsPane => "Streams pane",
            Action::EncodersPane => "Encoders pane",
            Action::ServersPane => "Servers pane",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::Filter => "filter (Esc clears)",
            Action::SortNext => "sort by next column",
            Action::SortReverse => "reverse sort",
            Action::Mark => "mark/unmark row",
            Action::MarkAll => "mark all shown rows",
            Action::UnmarkAll => "unmark all",
            Action::Stop => "stop streaming/server",
            Action::Start => "start server",
            Action::Pause => "pause stream",
            Action::Restart => "restart encoder",
            Action::Refresh => "refresh now",
            Action::Freeze => "freeze/unfreeze",
            Action::ToggleLog => "larger/smaller log",
        }
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
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{key}")
        } else {
            key
        }
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

pub struct KeyMap {
    bindings: Vec<(Binding, Action)>,
    lookup: HashMap<Binding, Action>,
}

impl Default for KeyMap {
    fn default() -> Self {
        use Action::*;
        let bindings = vec![
            (key('?'), Help),
            (key('q'), Quit),
            (
                Binding {
                    code: KeyCode::Char('c'),
                    modifiers: KeyModifiers::CONTROL,
                },
                ForceQuit,
            ),
            (key('1'), PhonesPane),
            (key('2'), StreamsPane),
            (key('3'), EncodersPane),
            (key('4'), ServersPane),
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
        ];
        let lookup = bindings.iter().copied().collect();
        KeyMap { bindings, lookup }
    }
}

impl KeyMap {
    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        self.lookup.get(&Binding::from_event(event)).copied()
    }

    /// Every action with the keys bound to it, in help order.
    pub fn by_action(&self) -> Vec<(Action, Vec<Binding>)> {
        let mut grouped: Vec<(Action, Vec<Binding>)> = Vec::new();
        for (binding, action) in &self.bindings {
            match grouped.iter_mut().find(|(a, _)| a == action) {
                Some((_, keys)) => keys.push(*binding),
                None => grouped.push((*action, vec![*binding])),
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
        assert_eq!(map.action(&shift_s), Some(Action::Start));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.action(&ctrl_c), Some(Action::ForceQuit));
        let back_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(map.action(&back_tab), Some(Action::PrevPane));
    }

    #[test]
    fn actions_have_serde_names_for_config_key_maps() {
        let name = serde_json::to_string(&Action::ToggleLog).expect("json");
        assert_eq!(name, "\"toggle-log\"");
    }
}
