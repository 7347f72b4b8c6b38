//! Which phones a status poll asks about. Without a request budget, or when the whole
//! fleet fits in one interval's share of it, all of them. Otherwise what matters first
//! (rows on screen, marked rows, rows that changed recently), then the rest in turn,
//! so every row is refreshed eventually; the header shows how old the oldest is.

use crate::api::koophone::{LIST_PAGE_SIZE, STATUS_BATCH_LIMIT};
use crate::app::effect::Effect;
use crate::app::pane::id::Pane;
use crate::app::settings::Settings;
use crate::app::table::window_start;

use super::pane::Phones;

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

impl Phones {
    /// A listing every `RELIST_EVERY` polls (to see new phones), status batches
    /// between. `height` is the terminal's: the rows on screen are polled first.
    pub fn next_poll(&mut self, settings: &Settings, height: u16) -> Effect {
        if self.relist_due(settings) {
            Effect::List(Pane::Phones)
        } else {
            Effect::PollStatus(self.status_targets(settings, height))
        }
    }

    /// Whether the request budget splits the fleet over several polls.
    pub fn polls_partially(&self, settings: &Settings) -> bool {
        status_capacity(settings).is_some_and(|capacity| capacity < self.table.rows.len())
    }

    /// Whether this poll should list the phones again instead of polling their status:
    /// the first time, then every `RELIST_EVERY` polls, less often when listing a big
    /// fleet would eat more than a tenth of the budget.
    pub fn relist_due(&self, settings: &Settings) -> bool {
        if self.table.feed.last_ok.is_none() {
            return true;
        }
        let every = match requests_per_poll(settings) {
            Some(requests) => {
                let pages = self.table.rows.len().div_ceil(LIST_PAGE_SIZE as usize) as u64;
                RELIST_EVERY.max((pages * RELIST_SHARE).div_ceil(requests as u64))
            }
            None => RELIST_EVERY,
        };
        self.polls % every == 0
    }

    /// The ids to poll now; moves the round-robin position on.
    pub fn status_targets(&mut self, settings: &Settings, height: u16) -> Vec<String> {
        let total = self.table.rows.len();
        let capacity = status_capacity(settings).unwrap_or(usize::MAX);
        if capacity >= total {
            return self.table.rows.iter().map(|p| p.id.clone()).collect();
        }
        let mut chosen = vec![false; total];
        let mut picked = Vec::with_capacity(capacity);
        let priority_cap = ((capacity as f64 * PRIORITY_SHARE) as usize).max(1);
        for i in self.rows_that_matter(height) {
            if picked.len() == priority_cap {
                break;
            }
            if !std::mem::replace(&mut chosen[i], true) {
                picked.push(i);
            }
        }
        let mut position = self.poll_cursor % total;
        for _ in 0..total {
            if picked.len() == capacity {
                break;
            }
            if !std::mem::replace(&mut chosen[position], true) {
                picked.push(position);
            }
            position = (position + 1) % total;
        }
        self.poll_cursor = position;
        picked
            .into_iter()
            .map(|i| self.table.rows[i].id.clone())
            .collect()
    }

    /// Indices of the rows on screen, then marked rows (in row order, so the same
    /// marks are chosen every run), then rows changed recently.
    fn rows_that_matter(&self, height: u16) -> impl Iterator<Item = usize> + '_ {
        let view = &self.table.view;
        // The whole terminal's height: at least the table's window, whatever the layout.
        let height = usize::from(height);
        let start = window_start(view.cursor, height);
        let end = (start + height).min(view.visible.len());
        let on_screen = view.visible[start.min(end)..end].iter().copied();
        let mut marked: Vec<usize> = (view.marks.iter())
            .filter_map(|id| self.index.get(id).copied())
            .collect();
        marked.sort_unstable();
        let recent_from = self.polls.saturating_sub(RECENT_POLLS);
        let changed = (self.table.rows.iter().enumerate())
            .filter(move |(_, p)| p.changed_in_poll.is_some_and(|poll| poll > recent_from))
            .map(|(i, _)| i);
        on_screen.chain(marked).chain(changed)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::api::koophone::{Instance, PhoneStatus};
    use crate::api::tolerant::Rows;
    use crate::app::clock::Clock;

    const HEIGHT: u16 = 40;

    fn settings(budget: Option<f64>) -> Settings {
        Settings {
            max_requests_per_sec: budget,
            ..Settings::default()
        }
    }

    fn fleet(phones: usize) -> Phones {
        let clock = Clock::system();
        let mut pane = Phones::new(clock.now);
        let instances: Vec<Instance> = (0..phones)
            .map(|i| Instance {
                instance_id: id(i),
                instance_name: format!("phone-{i}"),
                region: None,
                instance_sku: None,
                running_status: Some(PhoneStatus::RUNNING),
                frozen_status: None,
            })
            .collect();
        let _ = pane.listed(Ok(Rows::new(instances)), clock);
        pane.table
            .feed
            .succeeded(clock.now, std::time::Duration::from_secs(5));
        pane
    }

    fn id(i: usize) -> String {
        format!("ph{i:06}")
    }

    #[test]
    fn without_a_budget_every_phone_is_polled() {
        let mut phones = fleet(10_000);
        let settings = settings(None);
        assert_eq!(phones.status_targets(&settings, HEIGHT).len(), 10_000);
        assert!(!phones.polls_partially(&settings));
    }

    #[test]
    fn a_fleet_that_fits_the_budget_is_polled_whole() {
        // 100 req/s x 5 s x 0.8 - 3 = 397 requests: 12,704 ids.
        let mut phones = fleet(10_000);
        let settings = settings(Some(100.0));
        assert_eq!(status_capacity(&settings), Some(397 * 32));
        assert_eq!(phones.status_targets(&settings, HEIGHT).len(), 10_000);
    }

    #[test]
    fn over_budget_polls_rows_that_matter_every_time_and_the_rest_in_turn() {
        // 10 req/s x 5 s x 0.8 - 3 = 37 requests: 1,184 ids a poll.
        let mut phones = fleet(10_000);
        let settings = settings(Some(10.0));
        let capacity = 37 * 32;
        phones.table.view.cursor = 5_000;
        phones.table.view.marks.insert(id(9_999));
        phones.table.rows[7_777].changed_in_poll = Some(phones.polls);
        let mut seen = HashSet::new();
        let mut polls = 0;
        while seen.len() < 10_000 {
            let targets = phones.status_targets(&settings, HEIGHT);
            assert!(phones.polls_partially(&settings));
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
    fn when_marks_exceed_the_priority_share_the_same_ones_are_chosen_every_time() {
        // 1 req/s x 5 s x 0.8 - 3 = 1 request: 32 ids, 24 of them for rows that matter.
        let settings = settings(Some(1.0));
        let chosen = |_: usize| {
            let mut phones = fleet(2_000);
            phones.table.view.cursor = 1_999;
            for i in (0..1_000).step_by(7) {
                phones.table.view.marks.insert(id(i));
            }
            phones.status_targets(&settings, 1)
        };
        let first = chosen(0);
        assert!(
            first.contains(&id(0)),
            "marks are taken in row order: {first:?}"
        );
        for run in 1..5 {
            assert_eq!(chosen(run), first, "run {run} chose other marks");
        }
    }

    #[test]
    fn relisting_a_big_fleet_under_a_budget_is_rarer() {
        let mut phones = fleet(100_000);
        let mut settings = settings(Some(10.0));
        // 1,000 pages x 10 / 37 requests a poll: every 271 polls, not every 12.
        phones.polls = 12;
        assert!(!phones.relist_due(&settings));
        phones.polls = 271;
        assert!(phones.relist_due(&settings));
        settings.max_requests_per_sec = None;
        phones.polls = 12;
        assert!(phones.relist_due(&settings));
    }

    #[test]
    fn a_phone_pane_never_listed_lists_first() {
        let mut phones = Phones::new(Clock::system().now);
        assert_eq!(
            phones.next_poll(&settings(None), HEIGHT),
            Effect::List(Pane::Phones)
        );
    }
}
