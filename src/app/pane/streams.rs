//! Pane 2: online streams of every configured publish domain.

use crate::action_kind::ActionKind;
use crate::api::live::{DomainStreams, Stream};
use crate::api::tolerant::MISSING;
use crate::app::format::age_of_timestamp;
use crate::app::key_action::KeyAction;

use super::column::{
    Column, Shown, TableRow, compare_numbers, provider_fields, provider_json, text_or_empty,
};
use super::data::PaneData;
use super::refresh::Refresh;
use super::spec::{PaneSpec, Polling};

pub const SPEC: PaneSpec = PaneSpec {
    title: "Streams",
    word: "streams",
    key: '2',
    actions: &[(KeyAction::Pause, ActionKind::PauseStream)],
    hints: &[
        (KeyAction::MarkAll, "mark shown"),
        (KeyAction::Pause, "pause stream"),
    ],
    polling: Polling::List,
};

#[derive(Debug, Clone)]
pub struct StreamRow {
    pub key: String,
    pub stream: Stream,
}

impl StreamRow {
    pub fn new(stream: Stream) -> Self {
        StreamRow {
            key: stream.key().to_string(),
            stream,
        }
    }
}

fn number(value: Option<f64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

fn shown_number(value: Option<f64>) -> Shown {
    Shown::plain(value.map_or_else(|| MISSING.into(), |v| format!("{v:.0}")))
}

fn or_dash(value: &Option<String>) -> Shown {
    Shown::plain(value.clone().unwrap_or_else(|| MISSING.into()))
}

impl TableRow for StreamRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column {
            title: "STREAM",
            field: "stream",
            width: 34,
            priority: 0,
            sort_key: 'n',
            value: |r| r.key.clone(),
            shown: |r, _| Shown::plain(r.key.clone()),
            order: |a, b| a.key.cmp(&b.key),
            searched: true,
            observed: false,
        },
        Column {
            // The unit in the title: the dashboard and headless output show one number.
            title: "KBIT/S",
            field: "bitrate",
            width: 9,
            priority: 1,
            sort_key: 'b',
            value: |r| number(r.stream.video_bitrate),
            shown: |r, _| shown_number(r.stream.video_bitrate),
            order: |a, b| compare_numbers(a.stream.video_bitrate, b.stream.video_bitrate),
            searched: false,
            observed: false,
        },
        Column {
            title: "FPS",
            field: "fps",
            width: 4,
            priority: 2,
            sort_key: 'f',
            value: |r| number(r.stream.video_frame_rate),
            shown: |r, _| shown_number(r.stream.video_frame_rate),
            order: |a, b| compare_numbers(a.stream.video_frame_rate, b.stream.video_frame_rate),
            searched: false,
            observed: false,
        },
        Column {
            title: "RESOLUTION",
            field: "resolution",
            // One more than the title and 1920x1080: two spaces to the next column.
            width: 11,
            priority: 3,
            sort_key: 'r',
            value: |r| text_or_empty(&r.stream.resolution),
            shown: |r, _| or_dash(&r.stream.resolution),
            order: |a, b| a.stream.resolution.cmp(&b.stream.resolution),
            searched: true,
            observed: false,
        },
        Column {
            title: "CLIENT IP",
            field: "client_ip",
            width: 16,
            priority: 4,
            sort_key: 'c',
            value: |r| text_or_empty(&r.stream.client_ip),
            shown: |r, _| or_dash(&r.stream.client_ip),
            order: |a, b| a.stream.client_ip.cmp(&b.stream.client_ip),
            searched: true,
            observed: false,
        },
        Column {
            title: "SINCE",
            field: "since",
            width: 6,
            priority: 1,
            sort_key: 'a',
            value: |r| text_or_empty(&r.stream.start_time),
            shown: |r, context| {
                Shown::plain(r.stream.start_time.as_deref().map_or_else(
                    || MISSING.into(),
                    |t| age_of_timestamp(t, context.clock.wall),
                ))
            },
            // Newest first.
            order: |a, b| b.stream.start_time.cmp(&a.stream.start_time),
            searched: false,
            observed: false,
        },
    ];

    fn key(&self) -> &str {
        &self.key
    }

    fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        provider_json(&self.stream)
    }

    fn fields(&self) -> Vec<(String, String)> {
        provider_fields(&self.stream)
    }
}

/// A fresh listing, domain by domain: a domain that could not be listed keeps the
/// streams last seen in it.
pub fn listed(pane: &mut PaneData<StreamRow>, domains: Vec<DomainStreams>) -> Refresh {
    let mut refresh = Refresh::default();
    let mut rows = Vec::new();
    for domain in domains {
        match domain.streams {
            Ok(streams) => {
                refresh.note_dropped(&streams, "stream");
                rows.extend(streams.rows.into_iter().map(StreamRow::new));
            }
            Err(error) => {
                let prefix = format!("{}/", domain.domain);
                rows.extend(
                    (pane.rows.iter())
                        .filter(|r| r.key.starts_with(&prefix))
                        .cloned(),
                );
                refresh.error.get_or_insert(error);
            }
        }
    }
    // Streams have no status: they come and go, and a replacement changes none.
    pane.replace(rows);
    refresh
}
