//! Which key does what, where: the default bindings, the configuration's `[keys]`
//! applied over them, and the lookup of a key in a context. A key action applies in
//! its contexts (`KeyAction::contexts`), so `y` confirms in a dialog and copies in a
//! row's details, and every key, a dialog's included, can be rebound.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::key_action::{KeyAction, KeyContext};
use super::key_binding::Binding;
use super::pane::Pane;

#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<(Binding, KeyAction)>,
    lookup: HashMap<(KeyContext, Binding), KeyAction>,
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::from_bindings(default_bindings())
    }
}

fn default_bindings() -> Vec<(Binding, KeyAction)> {
    use KeyAction::*;
    let key = Binding::char;
    let special = Binding::plain;
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
        (special(KeyCode::Esc), ClearFilter),
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
        (key('y'), Confirm),
        (key('Y'), Confirm),
        (special(KeyCode::Esc), Decline),
        (key('n'), Decline),
        (key('N'), Decline),
        (key('q'), Decline),
        (special(KeyCode::Esc), Close),
        (key('q'), Close),
        (key('y'), Copy),
        (key('m'), MarkGroup),
    ])
    .collect()
}

/// Whether two key actions can be asked for in the same place.
fn share_a_context(a: KeyAction, b: KeyAction) -> bool {
    a.contexts().iter().any(|c| b.contexts().contains(c))
}

impl KeyMap {
    /// The default map with `overrides` applied: an action named there gets exactly
    /// the keys given, taken from whichever action had them where both apply. Returns
    /// the conflicts, to be reported at start-up.
    pub fn with_overrides(overrides: &[(KeyAction, Vec<Binding>)]) -> (KeyMap, Vec<String>) {
        let mut bindings = KeyMap::default().bindings;
        let mut conflicts = Vec::new();
        for (action, keys) in overrides {
            bindings.retain(|(_, bound)| bound != action);
            for key in keys {
                while let Some(pos) = bindings
                    .iter()
                    .position(|(b, other)| b == key && share_a_context(*action, *other))
                {
                    let (_, other) = bindings.remove(pos);
                    conflicts.push(format!(
                        "key {} was bound to {}; it now does {}",
                        key.label(),
                        other.name(),
                        action.name()
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
                    action.name()
                ));
            }
        }
        (keymap, conflicts)
    }

    fn from_bindings(bindings: Vec<(Binding, KeyAction)>) -> KeyMap {
        let lookup = bindings
            .iter()
            .flat_map(|&(binding, action)| {
                (action.contexts().iter()).map(move |&context| ((context, binding), action))
            })
            .collect();
        KeyMap { bindings, lookup }
    }

    /// The first key bound to `action`, for hints.
    pub fn first_key(&self, action: KeyAction) -> Option<Binding> {
        self.bindings
            .iter()
            .find(|(_, a)| *a == action)
            .map(|(b, _)| *b)
    }

    /// The first key bound to `action` as hints write it (`unbound` when none is).
    pub fn label(&self, action: KeyAction) -> String {
        self.first_key(action)
            .map_or_else(|| "unbound".into(), |key| key.label())
    }

    /// Every key bound to `action`, as hints write them.
    pub fn labels(&self, action: KeyAction) -> Vec<String> {
        (self.bindings.iter())
            .filter(|(_, a)| *a == action)
            .map(|(key, _)| key.label())
            .collect()
    }

    /// The first key bound to `action` that is one character (beside a button a
    /// letter reads better than `Esc`), else its first key.
    pub fn short_label(&self, action: KeyAction) -> String {
        let labels = self.labels(action);
        (labels.iter().find(|label| label.chars().count() == 1))
            .or(labels.first())
            .cloned()
            .unwrap_or_else(|| "unbound".into())
    }

    /// What a key asks for where it was pressed.
    pub fn action_in(&self, context: KeyContext, event: &KeyEvent) -> Option<KeyAction> {
        (self.lookup)
            .get(&(context, Binding::from_event(event)))
            .copied()
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
    use crate::app::key_binding::Binding;

    #[test]
    fn shifted_letters_and_ctrl_c_resolve() {
        let map = KeyMap::default();
        let shift_s = KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(
            map.action_in(KeyContext::Normal, &shift_s),
            Some(KeyAction::Start)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            map.action_in(KeyContext::Normal, &ctrl_c),
            Some(KeyAction::ForceQuit)
        );
        let back_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            map.action_in(KeyContext::Normal, &back_tab),
            Some(KeyAction::PrevPane)
        );
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
        assert_eq!(parsed("shift-tab"), Binding::plain(KeyCode::BackTab));
        assert_eq!(parsed("shift-x"), Binding::char('X'));
        assert_eq!(parsed("X"), Binding::char('X'));
        assert_eq!(parsed("space"), Binding::char(' '));
        assert_eq!(parsed("F5"), Binding::plain(KeyCode::F(5)));
        assert_eq!(parsed("pgdn"), Binding::plain(KeyCode::PageDown));
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
        assert_eq!(
            map.action_in(KeyContext::Normal, &ctrl_r),
            Some(KeyAction::Refresh)
        );
        let shift_r = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(
            map.action_in(KeyContext::Normal, &shift_r),
            None,
            "the old key is released"
        );
        assert_eq!(map.first_key(KeyAction::Stop), Some(Binding::char('x')));
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
    fn no_default_key_does_two_things_in_one_context() {
        let defaults = default_bindings();
        for (i, (key, action)) in defaults.iter().enumerate() {
            for (other_key, other) in &defaults[i + 1..] {
                assert!(
                    key != other_key || action == other || !share_a_context(*action, *other),
                    "{} is bound to both {} and {}",
                    key.label(),
                    action.name(),
                    other.name()
                );
            }
        }
    }

    #[test]
    fn one_key_does_what_its_context_asks() {
        let map = KeyMap::default();
        let y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE);
        assert_eq!(
            map.action_in(KeyContext::Dialog, &y),
            Some(KeyAction::Confirm)
        );
        assert_eq!(map.action_in(KeyContext::Detail, &y), Some(KeyAction::Copy));
        assert_eq!(map.action_in(KeyContext::Normal, &y), None);
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action_in(KeyContext::Normal, &q), Some(KeyAction::Quit));
        assert_eq!(
            map.action_in(KeyContext::Dialog, &q),
            Some(KeyAction::Decline)
        );
        assert_eq!(map.action_in(KeyContext::Log, &q), Some(KeyAction::Close));
    }

    #[test]
    fn a_rebound_key_is_taken_only_where_both_actions_apply() {
        let q = Binding::char('q');
        let (map, conflicts) = KeyMap::with_overrides(&[(KeyAction::Copy, vec![q])]);
        let press = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(
            map.action_in(KeyContext::Detail, &press),
            Some(KeyAction::Copy)
        );
        assert_eq!(
            map.action_in(KeyContext::Normal, &press),
            Some(KeyAction::Quit),
            "quit keeps q"
        );
        assert_eq!(conflicts, ["key q was bound to close; it now does copy"]);
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
