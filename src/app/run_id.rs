//! A run of an action in this dashboard session: its number, shown in the activity
//! log ("#3"). The audit log names runs by their own id (`RunRef`), which outlives
//! the session.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId(pub u64);

impl RunId {
    pub const FIRST: RunId = RunId(1);

    /// The run after this one.
    pub fn next(self) -> RunId {
        RunId(self.0 + 1)
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
