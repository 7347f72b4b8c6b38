//! Progress of long headless work, drawn by indicatif on stderr and only on a terminal
//! (never into a pipe or a file, so a script's output stays clean): a line for a wait
//! (`--wait`), and for a bulk action its answers, failures, requests in flight, rate
//! and time left.

use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::api::{Outcome, TargetOutcome};

/// One line rewritten in place.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg}").unwrap_or(ProgressStyle::default_spinner()),
        );
        Progress { bar }
    }

    /// Replaces the progress line.
    pub fn show(&self, text: &str) {
        self.bar.set_message(text.to_string());
    }

    /// Ends the line, so what follows starts on its own.
    pub fn finish(&self) {
        self.bar.finish();
    }
}

/// A bulk action's answers as they come.
pub struct ActionProgress {
    bar: ProgressBar,
    failed: AtomicUsize,
    max_in_flight: usize,
}

impl ActionProgress {
    pub fn new(label: &str, targets: usize, max_in_flight: usize) -> Self {
        let bar = ProgressBar::with_draw_target(Some(targets as u64), ProgressDrawTarget::stderr());
        let template = "{prefix} {pos}/{len} answered, {msg} · {per_sec} · {eta} left";
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.set_prefix(label.to_string());
        let progress = ActionProgress {
            bar,
            failed: AtomicUsize::new(0),
            max_in_flight,
        };
        progress.describe();
        progress
    }

    /// One more target answered.
    pub fn answered(&self, outcome: &TargetOutcome) {
        if matches!(outcome.outcome, Outcome::Failed | Outcome::Unknown) {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        self.bar.inc(1);
        self.describe();
    }

    fn describe(&self) {
        let left = self
            .bar
            .length()
            .unwrap_or(0)
            .saturating_sub(self.bar.position());
        let in_flight = usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(self.max_in_flight);
        let failed = self.failed.load(Ordering::Relaxed);
        self.bar
            .set_message(format!("{failed} failed or unknown, {in_flight} in flight"));
    }

    /// Clears the line: the results table follows.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
