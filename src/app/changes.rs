//! The status changes phonedeck saw since it started, with times, for a row's detail
//! view. Only changes are kept (a quiet fleet costs nothing), the latest `KEPT` of the
//! whole fleet: a churning fleet of 100,000 phones cannot grow it without bound.

use std::collections::VecDeque;

use super::clock::Clock;

/// Changes kept, all targets together (about 10 MB at most).
const KEPT: usize = 100_000;

#[derive(Debug, Clone)]
pub struct Change {
    pub at: Clock,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Default)]
pub struct StatusLog {
    changes: VecDeque<(String, Change)>,
}

impl StatusLog {
    pub fn record(&mut self, target: &str, at: Clock, from: String, to: String) {
        if self.changes.len() == KEPT {
            self.changes.pop_front();
        }
        self.changes
            .push_back((target.to_string(), Change { at, from, to }));
    }

    /// A target's changes still kept, oldest first.
    pub fn of(&self, target: &str) -> Vec<Change> {
        self.changes
            .iter()
            .filter(|(t, _)| t == target)
            .map(|(_, change)| change.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_changes_go_first_once_the_log_is_full() {
        let at = Clock::system();
        let mut log = StatusLog::default();
        log.record("first", at, "Running".into(), "Offline".into());
        for i in 0..KEPT {
            log.record(&format!("p{i}"), at, "Running".into(), "Offline".into());
        }
        assert!(log.of("first").is_empty());
        assert_eq!(log.of("p7").len(), 1);
        assert_eq!(log.changes.len(), KEPT);
    }
}
