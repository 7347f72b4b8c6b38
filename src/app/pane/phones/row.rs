//! A phone as the pane keeps it: only what the table shows, to keep a 100,000-phone
//! fleet small, and its column table.

use crate::api::tolerant::MISSING;
use std::cmp::Ordering;
use std::time::Instant;

use crate::api::ApiError;
use crate::api::koophone::PhoneStatus;
use crate::app::clock::Clock;
use crate::app::format::age_since;
use crate::app::pane::column::{Column, Shown, TableRow, Tone};

#[derive(Debug, Clone)]
pub struct PhoneRow {
    pub id: String,
    pub name: String,
    /// None when the service gave no readable status (shown as `–`).
    pub status: Option<PhoneStatus>,
    /// The clock when phonedeck saw the status change to what it is now; None while
    /// it has not changed since phonedeck started (how long it has been so is not known).
    pub since: Option<Clock>,
    /// The poll that last changed the status (highlighted while it is the latest).
    pub changed_in_poll: Option<u64>,
    /// When the service last confirmed the status (listing or status poll).
    pub refreshed: Instant,
    /// Why its status could not be read in the latest poll.
    pub error: Option<String>,
}

pub fn status_tone(status: Option<PhoneStatus>) -> Tone {
    match status {
        Some(PhoneStatus::RUNNING) => Tone::Up,
        Some(PhoneStatus::OFFLINE) => Tone::Down,
        Some(PhoneStatus::STARTING) => Tone::Moving,
        Some(PhoneStatus::STOPPED | PhoneStatus::SHUT_DOWN) => Tone::Stopped,
        _ => Tone::Other,
    }
}

/// By name, as shown; without allocating for the documented ones (sorting 100,000
/// rows compares a couple of million times).
fn compare_status(a: &PhoneRow, b: &PhoneRow) -> Ordering {
    match (
        a.status.and_then(PhoneStatus::known_name),
        b.status.and_then(PhoneStatus::known_name),
    ) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => PhoneStatus::label(a.status).cmp(&PhoneStatus::label(b.status)),
    }
}

impl TableRow for PhoneRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column {
            title: "INSTANCE ID",
            field: "instance_id",
            width: 12,
            priority: 2,
            sort_key: 'i',
            value: |p| p.id.clone(),
            shown: |p, _| Shown::plain(p.id.clone()),
            order: |a, b| a.id.cmp(&b.id),
            searched: true,
            observed: false,
        },
        Column {
            title: "NAME",
            field: "name",
            width: 14,
            priority: 0,
            sort_key: 'n',
            value: |p| p.name.clone(),
            shown: |p, _| Shown::plain(p.name.clone()),
            order: |a, b| a.name.cmp(&b.name),
            searched: true,
            observed: false,
        },
        Column {
            title: "STATUS",
            field: "status",
            width: 11,
            priority: 0,
            sort_key: 's',
            value: |p| PhoneStatus::label(p.status),
            shown: |p, context| Shown {
                text: PhoneStatus::label(p.status),
                tone: status_tone(p.status),
                changed: p.changed_in_poll == Some(context.poll) && context.poll > 1,
            },
            order: compare_status,
            searched: true,
            observed: false,
        },
        Column {
            title: "SINCE",
            field: "since",
            width: 6,
            priority: 3,
            sort_key: 'a',
            value: |p| p.since.map(|c| c.wall_time(c.now)).unwrap_or_default(),
            shown: |p, context| {
                Shown::plain(p.since.map_or_else(
                    || MISSING.to_string(),
                    |c| age_since(c.now, context.clock.now),
                ))
            },
            // Shortest time in its status first; unknown (unchanged since start) last.
            order: |a, b| b.since.map(|c| c.now).cmp(&a.since.map(|c| c.now)),
            searched: false,
            observed: true,
        },
    ];

    fn key(&self) -> &str {
        &self.id
    }

    fn status(&self) -> Option<String> {
        Some(PhoneStatus::label(self.status))
    }

    fn row_error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn name(&self) -> Option<&str> {
        Some(&self.name)
    }

    fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut object = serde_json::Map::new();
        object.insert("instance_id".into(), self.id.clone().into());
        object.insert("instance_name".into(), self.name.clone().into());
        object.insert("status".into(), self.status.map(|s| s.0).into());
        object.insert("status_name".into(), PhoneStatus::label(self.status).into());
        if let Some(since) = self.since {
            object.insert("since".into(), since.wall_time(since.now).into());
        }
        object
    }

    /// The fields phonedeck keeps of a phone, by the list's names (region, SKU and
    /// frozen status are not kept for every phone, to keep a 100,000-phone fleet small).
    fn fields(&self) -> Vec<(String, String)> {
        vec![
            ("instance_id".into(), self.id.clone()),
            ("instance_name".into(), self.name.clone()),
            (
                "running_status".into(),
                self.status
                    .map_or_else(|| MISSING.into(), |s| s.0.to_string()),
            ),
        ]
    }
}

impl PhoneRow {
    /// A phone as a status answer shows it (headless: nothing observed yet).
    pub fn answered(id: String, name: String, status: Option<PhoneStatus>) -> Self {
        PhoneRow {
            id,
            name,
            status,
            since: None,
            changed_in_poll: None,
            refreshed: Instant::now(),
            error: None,
        }
    }
}

/// A failure as a row's LAST ERROR: the code, then the message.
pub fn short_error(error: &ApiError) -> String {
    match &error.code {
        Some(code) => format!("{code} {}", error.message),
        None => error.message.clone(),
    }
}
