//! Pane 1: phones with status (coloured; changed in the latest poll highlighted), how
//! long they have been in it, and the row's last error. Listed now and then, and
//! between listings polled by status in batches (see `poll_plan`).

pub mod pane;
pub mod poll_plan;
pub mod row;

use crate::action_kind::ActionKind;
use crate::app::key_action::KeyAction;
use crate::app::pane::spec::{PaneSpec, Polling};

pub use pane::Phones;
pub use row::{PhoneRow, status_tone};

pub const SPEC: PaneSpec = PaneSpec {
    title: "Phones",
    word: "phones",
    key: '1',
    actions: &[(KeyAction::Stop, ActionKind::StopStreaming)],
    hints: &[
        (KeyAction::MarkAll, "mark shown"),
        (KeyAction::Stop, "stop streaming"),
    ],
    polling: Polling::ListAndStatus,
};
