//! Pane 3: encode servers (the restart jobs being followed are kept in `jobs.rs`
//! and drawn below them).

use crate::action_kind::ActionKind;
use crate::api::cph::{EncodeServer, EncoderStatus};
use crate::api::tolerant::MISSING;
use crate::api::tolerant::label;
use crate::app::key_action::KeyAction;

use super::column::{Column, Shown, TableRow, Tone, provider_fields, provider_json, text_or_empty};
use super::spec::{PaneSpec, Polling};

pub const SPEC: PaneSpec = PaneSpec {
    title: "Encoders",
    word: "encoders",
    key: '3',
    actions: &[(KeyAction::Restart, ActionKind::RestartEncoder)],
    hints: &[
        (KeyAction::MarkAll, "mark shown"),
        (KeyAction::Restart, "restart encoder"),
    ],
    polling: Polling::List,
};

#[derive(Debug, Clone)]
pub struct EncoderRow(pub EncodeServer);

fn status_tone(status: Option<EncoderStatus>) -> Tone {
    match status {
        Some(EncoderStatus::RUNNING) => Tone::Up,
        Some(EncoderStatus::ABNORMAL) => Tone::Down,
        Some(EncoderStatus::RESTARTING) => Tone::Moving,
        _ => Tone::Other,
    }
}

fn status_label(row: &EncoderRow) -> String {
    label(row.0.status, EncoderStatus::name)
}

impl TableRow for EncoderRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column {
            title: "ENCODE SERVER ID",
            field: "encode_server_id",
            width: 32,
            priority: 2,
            sort_key: 'i',
            value: |r| r.0.encode_server_id.clone(),
            shown: |r, _| Shown::plain(r.0.encode_server_id.clone()),
            order: |a, b| a.0.encode_server_id.cmp(&b.0.encode_server_id),
            searched: true,
            observed: false,
        },
        Column {
            title: "NAME",
            field: "name",
            width: 12,
            priority: 0,
            sort_key: 'n',
            value: |r| r.0.encode_server_name.clone(),
            shown: |r, _| Shown::plain(r.0.encode_server_name.clone()),
            order: |a, b| a.0.encode_server_name.cmp(&b.0.encode_server_name),
            searched: true,
            observed: false,
        },
        Column {
            title: "STATUS",
            field: "status",
            width: 10,
            priority: 0,
            sort_key: 's',
            value: status_label,
            shown: |r, _| Shown::toned(status_label(r), status_tone(r.0.status)),
            order: |a, b| status_label(a).cmp(&status_label(b)),
            searched: true,
            observed: false,
        },
        Column {
            title: "IP",
            field: "ip",
            width: 15,
            priority: 3,
            sort_key: 'p',
            value: |r| text_or_empty(&r.0.encode_server_ip),
            shown: |r, _| {
                Shown::plain(
                    r.0.encode_server_ip
                        .clone()
                        .unwrap_or_else(|| MISSING.into()),
                )
            },
            order: |a, b| a.0.encode_server_ip.cmp(&b.0.encode_server_ip),
            searched: true,
            observed: false,
        },
    ];

    fn key(&self) -> &str {
        &self.0.encode_server_id
    }

    fn status(&self) -> Option<String> {
        Some(status_label(self))
    }

    fn name(&self) -> Option<&str> {
        Some(&self.0.encode_server_name)
    }

    fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut object = provider_json(&self.0);
        object.insert("status_name".into(), status_label(self).into());
        object
    }

    fn fields(&self) -> Vec<(String, String)> {
        provider_fields(&self.0)
    }
}
