//! Which phones a status poll asks about. Without a request budget, or when the whole
//! fleet fits in one interval's share of it, all of them. Otherwise what matters first
//! (rows on screen, marked rows, rows that changed recently), then the rest in turn,
//! so every row is refreshed eventually; the header shows how old the oldest is.

use crate::api::koophone::{LIST_PAGE_SIZE, STATUS_BATCH_LIMIT};

use super::state::{AppState, Settings};
use super::table::window_start;

/// The share of the budget status polls may plan for; the other feeds and actions
/// (which go first) use the rest.
const STATUS_SHARE: f64 = 0.8;
/// Requests a poll interval leaves for the streams, encoders and servers lists.
const OTHER_FEEDS: usize = 3;
/// At most this share of a partial poll goes to rows that matter, so the rest of the
/// fleet keeps moving.
const PRIORITY_SHARE: f64 = 0.75;
/// A row whose status changed within this many polls is polled every time.
const RECENT_POLLS: u64 = 12;
/// Phones are listed again every this many status polls, to pick up new ones.
pub const RELIST_EVERY: u64 = 12;
/// With a budget, relisting may use at most this share of it on average.
const RELIST_SHARE: u64 = 10;

/// Status requests one poll may send, when a budget limits them.
fn requests_per_poll(settings: &Settings) -> Option<usize> {
    let rate = settings.max_requests_per_sec?;
    let budget = rate * settings.poll_interval.as_secs_f64() * STATUS_SHARE;
    Some((budget.floor() as usize).saturating_sub(OTHER_FEEDS).max(1))
}

/// Phones one status poll may ask about (None: no limit).
pub fn status_capacity(settings: &Settings) -> Option<usize> {
    requests_per_poll(settings).map(|requests| requests * STATUS_BATCH_LIMIT)
}

/// Whether the request budget splits the fleet over several polls.
pub fn polls_partially(state: &AppState) -> bool {
    status_capacity(&state.settings)
        .is_some_and(|capacity| capacity < state.panes.phones.rows.len())
}

/// Whether this poll should list the phones again instead of polling their status:
/// the first time, then every `RELIST_EVERY` polls, less often when listing a big
/// fleet would eat more than a tenth of the budget.
pub fn relist_due(state: &AppState) -> bool {
    if state.panes.phones.feed.last_ok.is_none() {
        return true;
    }
    let every = match requests_per_poll(&state.settings) {
        Some(requests) => {
            let pages = state
                .panes
                .phones
                .rows
                .len()
                .div_ceil(LIST_PAGE_SIZE as usize) as u64;
            RELIST_EVERY.max((pages * RELIST_SHARE).div_ceil(requests as u64))
        }
        None => RELIST_EVERY,
    };
    state.poll % every == 0
}

/// The ids to poll now; moves the round-robin position on.
pub fn status_targets(state: &mut AppState) -> Vec<String> {
    let total = state.panes.phones.rows.len();
    let capacity = status_capacity(&state.settings).unwrap_or(usize::MAX);
    if capacity >= total {
        return state
            .panes
            .phones
            .rows
            .iter()
            .map(|p| p.id.clone())
            .collect();
    }
    let mut chosen = vec![false; total];
    let mut picked = Vec::with_capacity(capacity);
    let priority_cap = ((capacity as f64 * PRIORITY_SHARE) as usize).max(1);
    for i in rows_that_matter(state) {
        if picked.len() == priority_cap {
            break;
        }
        if !std::mem::replace(&mut chosen[i], true) {
            picked.push(i);
        }
    }
    let mut position = state.poll_cursor % total;
    for _ in 0..total {
        if picked.len() == capacity {
            break;
        }
        if !std::mem::replace(&mut chosen[position], true) {
            picked.push(position);
        }
        position = (position + 1) % total;
    }
    state.poll_cursor = position;
    picked
        .into_iter()
        .map(|i| state.panes.phones.rows[i].id.clone())
        .collect()
}

/// Indices of the rows on screen, then marked rows, then rows changed recently.
fn rows_that_matter(state: &AppState) -> impl Iterator<Item = usize> + '_ {
    let view = &state.panes.phones.view;
    // The whole terminal's height: at least the table's window, whatever the layout.
    let height = usize::from(state.size.1);
    let start = window_start(view.cursor, height);
    let end = (start + height).min(view.visible.len());
    let on_screen = view.visible[start.min(end)..end].iter().copied();
    let marked = view
        .marks
        .iter()
        .filter_map(|id| state.phone_index.get(id).copied());
    let recent_from = state.poll.saturating_sub(RECENT_POLLS);
    let changed = state
        .panes
        .phones
        .rows
        .iter()
        .enumerate()
        .filter(move |(_, p)| p.changed_in_poll.is_some_and(|poll| poll > recent_from))
        .map(|(i, _)| i);
    on_screen.chain(marked).chain(changed)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::api::koophone::{Instance, PhoneStatus};
    use crate::app::pane::listing::Listing;
    use crate::app::{Clock, Msg, update};

    fn fleet(phones: usize, budget: Option<f64>) -> AppState {
        let clock = Clock::system();
        let settings = Settings {
            profile: "test".into(),
            simulator: true,
            read_only: false,
            max_requests_per_sec: budget,
            ..Settings::default()
        };
        let mut state = AppState::new(settings, clock);
        state.size = (120, 40);
        let instances = (0..phones)
            .map(|i| Instance {
                instance_id: format!("ph{i:06}"),
                instance_name: format!("phone-{i}"),
                region: None,
                instance_sku: None,
                running_status: Some(PhoneStatus::RUNNING),
                frozen_status: None,
            })
            .collect();
        let _ = update(
            &mut state,
            Msg::Listed(Listing::Phones(Ok(instances))),
            clock,
        );
        state
    }

    fn id(i: usize) -> String {
        format!("ph{i:06}")
    }

    #[test]
    fn without_a_budget_every_phone_is_polled() {
        let mut state = fleet(10_000, None);
        assert_eq!(status_targets(&mut state).len(), 10_000);
        assert!(!polls_partially(&state));
    }

    #[test]
    fn a_fleet_that_fits_the_budget_is_polled_whole() {
        // 100 req/s x 5 s x 0.8 - 3 = 397 requests: 12,704 ids.
        let mut state = fleet(10_000, Some(100.0));
        assert_eq!(status_capacity(&state.settings), Some(397 * 32));
        assert_eq!(status_targets(&mut state).len(), 10_000);
    }

    #[test]
    fn over_budget_polls_rows_that_matter_every_time_and_the_rest_in_turn() {
        // 10 req/s x 5 s x 0.8 - 3 = 37 requests: 1,184 ids a poll.
        let mut state = fleet(10_000, Some(10.0));
        let capacity = 37 * 32;
        state.panes.phones.view.cursor = 5_000;
        state.panes.phones.view.marks.insert(id(9_999));
        state.panes.phones.rows[7_777].changed_in_poll = Some(state.poll);
        let mut seen = HashSet::new();
        let mut polls = 0;
        while seen.len() < 10_000 {
            let targets = status_targets(&mut state);
            assert!(polls_partially(&state));
            assert!(targets.len() <= capacity);
            for must in [id(5_000), id(4_961), id(9_999), id(7_777)] {
                assert!(targets.contains(&must), "{must} in poll {polls}");
            }
            assert_eq!(
                targets.iter().collect::<HashSet<_>>().len(),
                targets.len(),
                "no id twice in one poll"
            );
            seen.extend(targets);
            polls += 1;
            assert!(polls <= 10, "round-robin covers the fleet in a few polls");
        }
    }

    #[test]
    fn relisting_a_big_fleet_under_a_budget_is_rarer() {
        let mut state = fleet(100_000, Some(10.0));
        // 1,000 pages x 10 / 37 requests a poll: every 271 polls, not every 12.
        state.poll = 12;
        assert!(!relist_due(&state));
        state.poll = 271;
        assert!(relist_due(&state));
        state.settings.max_requests_per_sec = None;
        state.poll = 12;
        assert!(relist_due(&state));
    }
}
