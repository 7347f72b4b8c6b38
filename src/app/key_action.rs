//! What a key can be bound to: one key action each (`toggle-log`, `phones-pane`).
//! Their names and descriptions live with the key map (`keymap.rs`).

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
}

impl KeyAction {
    /// Every key action, showing each pane included.
    pub fn all() -> impl Iterator<Item = KeyAction> {
        KeyAction::iter().flat_map(|action| match action {
            KeyAction::ShowPane(_) => Pane::ALL.iter().map(|&p| KeyAction::ShowPane(p)).collect(),
            other => vec![other],
        })
    }
}
