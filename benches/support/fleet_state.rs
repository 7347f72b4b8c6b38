//! A dashboard state holding a fleet of `n` phones (some Offline, sorted by status,
//! a few marked), as the benchmarks draw and update it.

use phonedeck::api::koophone::{BatchStatus, Instance, PhoneStatus, StatusResult};
use phonedeck::api::tolerant::Rows;
use phonedeck::app::pane::listing::Listing;
use phonedeck::app::{AppState, Clock, Msg, Settings, update};

pub fn phone_id(i: usize) -> String {
    format!("ph{i:07}")
}

fn status_of(i: usize) -> PhoneStatus {
    match i % 17 {
        3 => PhoneStatus::OFFLINE,
        5 => PhoneStatus::STOPPED,
        _ => PhoneStatus::RUNNING,
    }
}

pub fn instances(n: usize) -> Rows<Instance> {
    (0..n)
        .map(|i| Instance {
            instance_id: phone_id(i),
            instance_name: format!("phone-{i:06}"),
            region: Some("cn-north-4".into()),
            instance_sku: None,
            running_status: Some(status_of(i)),
            frozen_status: None,
        })
        .collect()
}

/// A status poll answering for every phone, `changed` of them with a new status.
pub fn status_poll(n: usize, changed: usize) -> BatchStatus {
    BatchStatus {
        chunks: n.div_ceil(32),
        results: (0..n)
            .map(|i| StatusResult {
                instance_id: phone_id(i),
                status: Some(if i < changed {
                    PhoneStatus::OFFLINE
                } else {
                    status_of(i)
                }),
            })
            .collect(),
        failures: Vec::new(),
        dropped: 0,
    }
}

pub fn state(n: usize, (width, height): (u16, u16)) -> AppState {
    let clock = Clock::system();
    let settings = Settings {
        profile: "bench".into(),
        simulator: false,
        read_only: false,
        ..Settings::default()
    };
    let mut state = AppState::new(settings, clock);
    state.size = (width, height);
    let _ = update(
        &mut state,
        Msg::Listed(Listing::Phones(Ok(instances(n)))),
        clock,
    );
    let _ = update(&mut state, Msg::StatusPolled(status_poll(n, 0)), clock);
    // Sorted by status, cursor in the middle, a few rows marked: a busy screen.
    state.panes.phones.table.view.sort = Some((2, false));
    state.panes.phones.table.refresh_view();
    state.panes.phones.table.view.cursor = n / 2;
    for i in (0..n).step_by(n / 10 + 1) {
        state.panes.phones.table.view.marks.insert(phone_id(i));
    }
    state
}
