//! What the dashboard flows share: which phones the simulator has offline or
//! stopped, and what a stopped run recorded.

use std::collections::HashSet;

use crate::common::harness::Harness;
use crate::common::*;
use crossterm::event::KeyCode;
use phonedeck::api::koophone::PhoneStatus;

pub(crate) fn offline_ids(sim: &phonedeck::sim::SimHandle) -> HashSet<String> {
    sim.with_fleet(|f| {
        f.phones
            .iter()
            .filter(|p| p.status == PhoneStatus::OFFLINE)
            .map(|p| p.id.clone())
            .collect()
    })
}

pub(crate) fn stopped_ids(sim: &phonedeck::sim::SimHandle) -> HashSet<String> {
    stopped_requests(sim).into_iter().collect()
}

/// Every stop-streaming request the simulator received, in order.
pub(crate) fn stopped_requests(sim: &phonedeck::sim::SimHandle) -> Vec<String> {
    mutations(sim)
        .iter()
        .filter(|r| r.path.ends_with("/streaming/stop"))
        .map(|r| {
            let body: serde_json::Value = serde_json::from_str(&r.body).expect("json");
            body["instance_id"].as_str().expect("id").to_string()
        })
        .collect()
}

/// Marks all 250 phones, stops streaming on them, types the count and confirms.
pub(crate) async fn stop_streaming_on_every_phone(ui: &mut Harness) {
    ui.key(KeyCode::Char('A')).await;
    ui.key(KeyCode::Char('s')).await;
    ui.type_text("250").await;
    ui.key(KeyCode::Enter).await;
}
