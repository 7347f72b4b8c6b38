//! What a key can be bound to: one key action each (`toggle-log`, `phones-pane`),
//! and where on screen it applies (its contexts). Their names and descriptions are in
//! `key_names.rs`; the keys bound to them in `keymap.rs`.

use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;

use super::pane::id::Pane;

/// In the configuration an action is written by name (`toggle-log`); showing a pane
/// is `<word>-pane` (`phones-pane`), one name per pane.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(into = "String", try_from = "String")]
#[strum(serialize_all = "kebab-case")]
pub enum KeyAction {
    Quit,
    ForceQuit,
    Help,
    NextPane,
    PrevPane,
    ShowPane(Pane),
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
    /// Write the shown rows of the pane to a CSV file.
    ExportCsv,
    /// Write the shown rows of the pane to a JSON file.
    ExportJson,
    /// Write the activity log to a text file.
    SaveLog,
    /// Open the `:` command line.
    CommandLine,
    /// Stop the running actions from sending more requests.
    Cancel,
    /// Run the latest action again on its failed, unknown and not-sent targets.
    Retry,
    /// The cursor row, whole: fields, status changes, audit lines, last error.
    Details,
    /// Focus the activity log: move through it, open an entry, retry its action.
    FocusLog,
    /// In a pane: clear its filter.
    ClearFilter,
    /// In a dialog: do it.
    Confirm,
    /// In a dialog: do not; nothing is sent.
    Decline,
    /// Close a view (a row's details, help, a log line) or leave the focused log.
    Close,
    /// In a row's details: copy its id through the terminal.
    Copy,
    /// In a run's targets: mark the selected group's targets in their pane.
    MarkGroup,
}

/// Where a key is read: a key action applies in its contexts only, so one key can do
/// different things in a pane, a dialog, a view and the focused log. The two prompts
/// (`/`, `:`) are line editors and read keys as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyContext {
    /// A pane.
    Normal,
    /// The confirmation dialogs (an action, quitting).
    Dialog,
    /// A view over everything: a row's details, help, a log line in full.
    Detail,
    /// The activity log focused, and a run's targets.
    Log,
}

impl KeyAction {
    /// Every key action, showing each pane included.
    pub fn all() -> impl Iterator<Item = KeyAction> {
        KeyAction::iter().flat_map(|action| match action {
            KeyAction::ShowPane(_) => Pane::ALL.iter().map(|&p| KeyAction::ShowPane(p)).collect(),
            other => vec![other],
        })
    }

    /// Where the key action applies.
    pub fn contexts(self) -> &'static [KeyContext] {
        use KeyContext::*;
        match self {
            KeyAction::Up | KeyAction::Down | KeyAction::Top | KeyAction::Details => {
                &[Normal, Detail, Log]
            }
            KeyAction::Bottom => &[Normal, Detail, Log],
            KeyAction::PageUp | KeyAction::PageDown => &[Normal, Detail],
            KeyAction::Retry | KeyAction::FocusLog => &[Normal, Log],
            KeyAction::Help => &[Normal, Detail],
            KeyAction::Confirm | KeyAction::Decline => &[Dialog],
            KeyAction::Close => &[Detail, Log],
            KeyAction::Copy => &[Detail],
            KeyAction::MarkGroup => &[Log],
            KeyAction::Quit
            | KeyAction::ForceQuit
            | KeyAction::NextPane
            | KeyAction::PrevPane
            | KeyAction::ShowPane(_)
            | KeyAction::Filter
            | KeyAction::SortNext
            | KeyAction::SortReverse
            | KeyAction::Mark
            | KeyAction::MarkAll
            | KeyAction::UnmarkAll
            | KeyAction::Stop
            | KeyAction::Start
            | KeyAction::Pause
            | KeyAction::Restart
            | KeyAction::Refresh
            | KeyAction::Freeze
            | KeyAction::ToggleLog
            | KeyAction::ExportCsv
            | KeyAction::ExportJson
            | KeyAction::SaveLog
            | KeyAction::CommandLine
            | KeyAction::Cancel
            | KeyAction::ClearFilter => &[Normal],
        }
    }
}
