//! The activity log: every action with its progress and failures, and every refresh
//! error. An action's run (its tally, phase, follow-through and failures by cause)
//! lives in a store of runs, bounded by runs; the log's lines only refer to it, so a
//! mass failure's lines can never evict the action they belong to.

mod entry;
mod log;
mod run_progress;

pub use entry::Entry;
pub use log::ActivityLog;
pub use run_progress::{RunProgress, TargetResult};

/// Entries kept; older ones are dropped (the audit file keeps everything).
pub const MAX_ENTRIES: usize = 2000;
/// Action runs kept; the oldest finished one goes first.
pub const MAX_RUNS: usize = 200;
/// Lines one run adds for its failed or unknown targets; the rest are counted in its
/// entry, by cause.
pub const PROBLEM_LINES_PER_RUN: usize = 20;
