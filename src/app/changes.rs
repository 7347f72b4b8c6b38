//! The status changes phonedeck saw for each target since it started, with times,
//! for a row's detail view. Only changes are kept (a quiet fleet costs nothing), the
//! latest `KEPT` a target.

use std::collections::{HashMap, VecDeque};

use super::clock::Clock;

/// Changes kept per target.
const KEPT: usize = 50;

#[derive(Debug, Clone)]
pub struct Change {
    pub at: Clock,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Default)]
pub struct StatusLog {
    by_target: HashMap<String, VecDeque<Change>>,
}

impl StatusLog {
    pub fn record(&mut self, target: &str, at: Clock, from: String, to: String) {
        let changes = self.by_target.entry(target.to_string()).or_default();
        changes.push_back(Change { at, from, to });
        if changes.len() > KEPT {
            changes.pop_front();
        }
    }

    /// A target's changes, oldest first.
    pub fn of(&self, target: &str) -> Vec<Change> {
        self.by_target
            .get(target)
            .map(|changes| changes.iter().cloned().collect())
            .unwrap_or_default()
    }
}
