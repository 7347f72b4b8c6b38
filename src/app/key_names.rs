//! Each key action's name, as the configuration writes it (`toggle-log`,
//! `phones-pane`), and its description, as help shows it.

use super::key_action::KeyAction;

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
            KeyAction::Filter => "filter rows",
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
            KeyAction::Details => "row details",
            KeyAction::FocusLog => "focus/leave the log",
            KeyAction::ClearFilter => "clear the filter",
            KeyAction::Confirm => "dialog: confirm",
            KeyAction::Decline => "dialog: cancel",
            KeyAction::Close => "close view, leave log",
            KeyAction::Copy => "details: copy the id",
            KeyAction::MarkGroup => "run targets: mark group",
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
