//! What the rest of the program needs to know about a pane, written once in the
//! pane's own file (`phones::SPEC`): the registries are derived from these.

use crate::action_kind::ActionKind;
use crate::app::key_action::KeyAction;

pub struct PaneSpec {
    pub title: &'static str,
    /// Its word: the `:` command, the feed's name in the log, export file names, and
    /// (with `-pane`) the key-map action that shows it.
    pub word: &'static str,
    /// The default key that shows it.
    pub key: char,
    /// The mutations it offers, by the key-map action that asks for them.
    pub actions: &'static [(KeyAction, ActionKind)],
    /// The footer's reminders in this pane, besides help, filter, mark and quit.
    pub hints: &'static [(KeyAction, &'static str)],
    pub polling: Polling,
}

/// How a pane's feed refreshes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polling {
    /// Listed afresh every interval (`Effect::List`).
    List,
    /// Listed now and then, polled by status in batches between (the phones).
    ListAndStatus,
}

impl PaneSpec {
    /// The action a key-map action asks for in this pane, if it offers it.
    pub fn action(&self, action: KeyAction) -> Option<ActionKind> {
        self.actions
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, kind)| *kind)
    }
}
