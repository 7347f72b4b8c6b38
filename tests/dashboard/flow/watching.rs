//! Watching: polls that fail, stall, throttle or are refused keep the last data and
//! say why; budgets, history and sparse or hostile answers.

use std::time::Duration;

use crate::common::harness::Harness;
use crate::common::*;
use crossterm::event::KeyCode;
use phonedeck::api::koophone::PhoneStatus;

use super::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_poll_keeps_data_marks_stale_and_recovers() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    assert!(
        ui.screen(120, 40).contains("live, every 5s"),
        "quiet while polls keep up"
    );
    ui.key(KeyCode::Char(' ')).await;
    sim.set_faults(phonedeck::sim::Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    ui.advance(Duration::from_secs(6)).await;
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "last known data kept"
    );
    let screen = ui.screen(120, 40);
    assert!(screen.contains("STALE"), "{screen}");
    assert!(
        screen.contains("refreshed 6s ago"),
        "the age shows once late: {screen}"
    );
    assert!(screen.contains("refresh of"), "{screen}");
    assert_eq!(
        ui.state.panes.phones.table.view.marks.len(),
        1,
        "marks survive refreshes"
    );
    sim.set_faults(phonedeck::sim::Faults::default());
    ui.advance(Duration::from_secs(60)).await;
    assert!(!ui.screen(120, 40).contains("STALE"), "recovered by itself");
}

#[tokio::test(flavor = "multi_thread")]
async fn simulator_stopped_then_restarted_on_the_same_port_recovers() {
    let sim = start_sim().await;
    let addr = sim.addr();
    let mut ui = Harness::new(&sim, false).await;
    drop(sim);
    tokio::time::sleep(Duration::from_millis(100)).await;
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(120, 40);
    assert!(screen.contains("STALE"), "{screen}");
    assert!(screen.contains("cannot connect"), "{screen}");
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "last data kept"
    );
    let mut options = sim_options();
    options.listen = addr;
    let _again = start_sim_with(options).await;
    ui.advance(Duration::from_secs(60)).await;
    let screen = ui.screen(120, 40);
    assert!(!screen.contains("STALE"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_answers_mark_the_data_stale_without_losing_it() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults(phonedeck::sim::Faults {
        truncated_rate: 1.0,
        ..Default::default()
    });
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    assert!(screen.contains("STALE"), "{screen}");
    assert!(screen.contains("unexpected response"), "{screen}");
    assert_eq!(ui.state.panes.phones.table.rows.len(), 250);
    assert!(!ui.state.panes.servers.rows.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_shown_and_stretches_the_poll_interval() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults(phonedeck::sim::Faults {
        throttle_rate: 1.0,
        ..Default::default()
    });
    ui.advance(Duration::from_secs(6)).await;
    assert!(ui.screen(120, 40).contains("THROTTLED"));
    let next = ui.state.panes.servers.feed.next_due;
    assert!(
        next >= ui.clock.now + Duration::from_secs(10),
        "backs off beyond one interval"
    );
    let requests = sim.requests().len();
    ui.advance(Duration::from_secs(6)).await;
    assert_eq!(sim.requests().len(), requests, "no polls while backing off");
    sim.set_faults(phonedeck::sim::Faults::default());
    ui.advance(Duration::from_secs(60)).await;
    assert!(
        !ui.screen(120, 40).contains("THROTTLED"),
        "recovers by itself"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rejected_credentials_show_a_banner_and_keep_the_data() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.revoke_token(&sim.credentials().token.clone());
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    assert!(screen.contains("CREDENTIALS REJECTED"), "{screen}");
    assert!(screen.contains("APIGW.0307"), "{screen}");
    assert_eq!(ui.state.panes.phones.table.rows.len(), 250);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_renewed_with_a_short_note() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "tok-A").expect("write");
    sim.accept_token("tok-A");
    let mut config = config_for(&sim);
    config.credentials.token = Some(phonedeck::api::TokenSource::Command(
        phonedeck::api::TokenCommand::new(vec!["cat".into(), token_file.display().to_string()]),
    ));
    let mut ui = Harness::with_config(config).await;
    sim.revoke_token("tok-A");
    std::fs::write(&token_file, "tok-B").expect("write");
    sim.accept_token("tok-B");
    ui.advance(Duration::from_secs(6)).await;
    let screen = ui.screen(160, 48);
    let note = "the token had expired; a new one was obtained and works";
    assert!(screen.contains(note), "{screen}");
    assert!(!screen.contains("STALE"), "{screen}");
    let notes = (ui.state.activity.entries.iter())
        .filter(|(_, entry)| ui.state.activity.text(entry) == note)
        .count();
    assert_eq!(
        notes, 1,
        "one renewal, one note, however many requests saw it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn over_budget_polls_cover_the_screen_first_and_show_the_oldest_row() {
    let sim = start_sim_sized(|size| size.phones = 1_000).await;
    let mut config = config_for(&sim);
    config.max_requests_per_sec = Some(20.0);
    let mut ui = Harness::with_config(config).await;
    assert_eq!(ui.state.panes.phones.table.rows.len(), 1_000, "listed");
    // 20 req/s x 1 s x 0.8 - 3 others = 13 requests: 416 of the 1,000 phones a poll.
    ui.state.settings.poll_interval = Duration::from_secs(1);
    let status_requests = || {
        sim.requests()
            .iter()
            .filter(|r| r.path.ends_with("batch-query-status"))
            .count()
    };
    let offline = offline_ids(&sim);
    let on_screen = ui.state.panes.phones.table.rows[3].id.clone();
    sim.with_fleet(|fleet| {
        let phone = fleet
            .phones
            .iter_mut()
            .find(|p| p.id == on_screen)
            .expect("phone");
        phone.status = if offline.contains(&on_screen) {
            PhoneStatus::RUNNING
        } else {
            PhoneStatus::OFFLINE
        };
    });
    ui.advance(Duration::from_secs(6)).await;
    assert_eq!(
        status_requests(),
        13,
        "one poll, within its share of the budget"
    );
    let row = ui
        .state
        .panes
        .phones
        .table
        .rows
        .iter()
        .find(|p| p.id == on_screen)
        .expect("row");
    assert_eq!(
        row.changed_in_poll,
        Some(ui.state.panes.phones.polls),
        "the row on screen was polled"
    );
    let screen = ui.screen(120, 40);
    assert!(screen.contains("oldest row 6s"), "{screen}");
    for _ in 0..2 {
        ui.advance(Duration::from_secs(1)).await;
    }
    let screen = ui.screen(120, 40);
    assert!(
        screen.contains("oldest row 2s"),
        "three polls covered the fleet:\n{screen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_header_shows_offline_climbing_over_the_last_hour() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    for minute in 1..=4 {
        sim.with_fleet(|fleet| {
            for phone in fleet.phones.iter_mut().take(minute * 40) {
                phone.status = PhoneStatus::OFFLINE;
            }
        });
        ui.advance(Duration::from_secs(61)).await;
    }
    let screen = ui.screen(160, 48);
    let tabs_line = screen.lines().nth(2).expect("third line");
    let trend = tabs_line
        .split("Offline, max per minute, last 5m: ")
        .nth(1)
        .unwrap_or_else(|| panic!("a five-minute trend: {tabs_line}"));
    let bars: Vec<char> = trend
        .chars()
        .filter(|c| ('▁'..='█').contains(c) || *c == ' ')
        .skip_while(|c| *c != ' ')
        .skip(1)
        .collect();
    assert_eq!(bars.len(), 5, "{trend}");
    assert!(bars.windows(2).all(|w| w[0] <= w[1]), "climbing: {trend}");
    assert_eq!(bars.last(), Some(&'█'));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sparse_fleet_shows_every_row_its_unknown_statuses_as_the_header_counts_them() {
    let sim = start_sim().await;
    sim.set_faults(phonedeck::sim::Faults {
        sparse: true,
        ..Default::default()
    });
    let mut ui = Harness::new(&sim, false).await;
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "no sparse row is lost"
    );
    let unknown = ui
        .state
        .panes
        .phones
        .table
        .rows
        .iter()
        .filter(|p| p.status.is_none())
        .count();
    assert!(unknown > 0, "some phones have no status in a sparse answer");
    assert_eq!(ui.state.panes.encoders.rows.len(), 5);
    assert_eq!(ui.state.panes.servers.rows.len(), 6);
    assert!(
        ui.state.panes.phones.table.feed.error.is_none(),
        "a sparse answer is no error"
    );
    let log: Vec<String> = ui
        .state
        .activity
        .entries
        .iter()
        .map(|(_, e)| ui.state.activity.text(e))
        .collect();
    for what in ["phone", "server"] {
        let note = format!("1 {what} row(s) in the answer had no id and were left out");
        assert!(
            log.iter().any(|line| line.contains(&note)),
            "the activity log counts dropped {what} rows: {log:?}"
        );
    }
    let screen = ui.screen(120, 40);
    assert!(screen.contains("Phones 250"), "{screen}");
    // One word for one thing: the header's Unknown is what `/unknown` finds.
    let counted = ui.state.panes.phones.counts.in_header_order()[5];
    assert_eq!(counted.0, PhoneStatus::UNKNOWN);
    assert!(counted.1 > 0, "sparse answers leave statuses out");
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("unknown").await;
    ui.key(KeyCode::Enter).await;
    assert_eq!(ui.state.panes.phones.table.view.visible.len(), counted.1);
    ui.key(KeyCode::Char('4')).await;
    let screen = ui.screen(120, 40);
    assert!(screen.contains("Servers 6"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_koophone_error_inside_data_keeps_the_fleet_and_says_why() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    assert_eq!(ui.state.panes.phones.table.rows.len(), 250);
    sim.set_faults(phonedeck::sim::Faults {
        sparse: true,
        error_rate: 1.0,
        ..Default::default()
    });
    ui.key(KeyCode::Char('R')).await;
    let error = ui
        .state
        .panes
        .phones
        .table
        .feed
        .error
        .clone()
        .expect("the poll failed");
    assert!(error.contains("KOOPHONE.API.9999"), "{error}");
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "the last data stays on screen"
    );
    let screen = ui.screen(120, 40);
    assert!(screen.contains("STALE"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn failing_refreshes_are_one_counted_line_and_the_recovery_is_logged() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    sim.set_faults(phonedeck::sim::Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    for _ in 0..4 {
        ui.advance(Duration::from_secs(60)).await;
    }
    let lines: Vec<String> = ui
        .state
        .activity
        .entries
        .iter()
        .map(|(_, e)| ui.state.activity.text(e))
        .filter(|t| t.starts_with("refresh of servers failed"))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "one line for the run of failures: {lines:?}"
    );
    assert!(lines[0].contains("4 times in a row"), "{lines:?}");
    sim.set_faults(phonedeck::sim::Faults::default());
    ui.advance(Duration::from_secs(60)).await;
    let screen = ui.screen(120, 40);
    assert!(
        screen.contains("servers refresh recovered after"),
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_credential_pauses_polls_until_r_tries_it_once_more() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let token = sim.credentials().token.clone();
    // KooPhone's requests carry the token; the other services are signed with AK/SK.
    let with_token = || {
        sim.requests()
            .iter()
            .filter(|r| r.signed_headers.is_empty())
            .count()
    };
    sim.revoke_token(&token);
    let before = with_token();
    ui.advance(Duration::from_secs(5)).await;
    // The poll's 8 status requests left together, as the token worked until then;
    // one renewed token is tried alone, refused, and the rest are not sent.
    let first_poll = with_token() - before;
    assert!((2..=9).contains(&first_poll), "{first_poll} requests");
    for _ in 0..12 {
        ui.advance(Duration::from_secs(5)).await;
    }
    assert_eq!(
        with_token() - before,
        first_poll,
        "a minute of polls sent no more"
    );
    let screen = ui.screen(160, 48);
    assert!(screen.contains("PAUSED: CREDENTIALS REFUSED"), "{screen}");
    assert!(screen.contains("CREDENTIALS REJECTED"), "{screen}");
    assert_eq!(
        ui.state.panes.phones.table.rows.len(),
        250,
        "the data is kept"
    );

    sim.accept_token(&token);
    ui.key(KeyCode::Char('R')).await;
    ui.advance(Duration::from_secs(1)).await;
    let screen = ui.screen(160, 48);
    assert!(!screen.contains("PAUSED"), "{screen}");
    assert!(ui.state.credentials_problem().is_none());
}
