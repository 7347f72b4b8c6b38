//! Target 5: resident memory with 100,000 phones in the dashboard's state, after a
//! listing and a full status poll (the whole process: client, runtime and state).

use phonedeck::app::pane::listing::Listing;
use phonedeck::app::{AppState, Clock, Msg, Settings, update};

use crate::Figure;
use crate::simulator;

const LIMIT_MIB: f64 = 80.0;

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

pub async fn resident(phones: usize) -> Figure {
    let sim = simulator::start(phones);
    let api = simulator::api(&sim);
    let instances = api.koophone().list_instances().await.expect("listed");
    let ids: Vec<String> = instances.iter().map(|i| i.instance_id.clone()).collect();
    let status = api.koophone().batch_status(&ids).await;
    drop(ids);
    let clock = Clock::system();
    let settings = Settings {
        profile: "bench".into(),
        simulator: true,
        read_only: false,
        ..Settings::default()
    };
    let mut state = AppState::new(settings, clock);
    let _ = update(
        &mut state,
        Msg::Listed(Listing::Phones(Ok(instances))),
        clock,
    );
    let _ = update(&mut state, Msg::StatusPolled(status), clock);
    assert_eq!(state.panes.phones.table.rows.len(), phones);
    let mib = resident_kib() as f64 / 1024.0;
    Figure {
        name: format!("5. memory, {phones} phones in the dashboard state"),
        measured: format!("{mib:.1} MiB"),
        limit: format!("{LIMIT_MIB} MiB"),
        ratio: Some(mib / LIMIT_MIB),
        met: Some(mib < LIMIT_MIB),
    }
}
