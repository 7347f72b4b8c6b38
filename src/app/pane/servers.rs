//! Pane 4: compute servers with status and task state.

use crate::action_kind::ActionKind;
use crate::api::compute::Server;
use crate::api::server_status::ServerStatus;
use crate::api::tolerant::MISSING;
use crate::api::tolerant::label;
use crate::app::key_action::KeyAction;

use super::column::{Column, Shown, TableRow, Tone, provider_fields, provider_json, text_or_empty};
use super::spec::{PaneSpec, Polling};

pub const SPEC: PaneSpec = PaneSpec {
    title: "Servers",
    word: "servers",
    key: '4',
    actions: &[
        (KeyAction::Stop, ActionKind::StopServer),
        (KeyAction::Start, ActionKind::StartServer),
    ],
    hints: &[
        (KeyAction::Stop, "stop"),
        (KeyAction::Start, "start server"),
    ],
    polling: Polling::List,
};

#[derive(Debug, Clone)]
pub struct ServerRow(pub Server);

fn status_tone(status: Option<&ServerStatus>) -> Tone {
    match status {
        Some(ServerStatus::Active) => Tone::Up,
        Some(ServerStatus::Error) => Tone::Down,
        Some(ServerStatus::Shutoff) => Tone::Stopped,
        Some(ServerStatus::Other(_)) => Tone::Moving,
        None => Tone::Other,
    }
}

fn status_label(row: &ServerRow) -> String {
    label(row.0.status.clone(), String::from)
}

impl TableRow for ServerRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column {
            title: "SERVER ID",
            field: "server_id",
            width: 36,
            priority: 2,
            sort_key: 'i',
            value: |r| r.0.id.clone(),
            shown: |r, _| Shown::plain(r.0.id.clone()),
            order: |a, b| a.0.id.cmp(&b.0.id),
            searched: true,
            observed: false,
        },
        Column {
            title: "NAME",
            field: "name",
            width: 14,
            priority: 0,
            sort_key: 'n',
            value: |r| r.0.name.clone(),
            shown: |r, _| Shown::plain(r.0.name.clone()),
            order: |a, b| a.0.name.cmp(&b.0.name),
            searched: true,
            observed: false,
        },
        Column {
            title: "STATUS",
            field: "status",
            width: 8,
            priority: 0,
            sort_key: 's',
            value: status_label,
            shown: |r, _| Shown::toned(status_label(r), status_tone(r.0.status.as_ref())),
            order: |a, b| a.0.status.cmp(&b.0.status),
            searched: true,
            observed: false,
        },
        Column {
            title: "TASK STATE",
            field: "task_state",
            width: 13,
            priority: 1,
            sort_key: 't',
            value: |r| text_or_empty(&r.0.task_state),
            shown: |r, _| Shown::plain(r.0.task_state.clone().unwrap_or_else(|| MISSING.into())),
            order: |a, b| a.0.task_state.cmp(&b.0.task_state),
            searched: true,
            observed: false,
        },
    ];

    fn key(&self) -> &str {
        &self.0.id
    }

    fn status(&self) -> Option<String> {
        Some(status_label(self))
    }

    fn name(&self) -> Option<&str> {
        Some(&self.0.name)
    }

    fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        provider_json(&self.0)
    }

    fn fields(&self) -> Vec<(String, String)> {
        provider_fields(&self.0)
    }
}
