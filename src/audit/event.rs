//! What an audit line records: the one list of events, written and read with the same
//! type.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// An action's targets, listed before its first request.
    Targets,
    /// A request left for a target.
    Sent,
    /// The service answered it (or did not in time: `unknown`).
    Outcome,
    /// The target was never sent (the run was stopped first).
    NotSent,
    /// Following it through settled it after the answer (a job failed, a server never
    /// reached its state).
    Settled,
    /// An unanswered request read back.
    Reconciled,
    /// A line of an event this version does not know (a later one wrote it): read,
    /// and otherwise ignored.
    #[serde(other)]
    Unrecognised,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Targets => "targets",
            Event::Sent => "sent",
            Event::Outcome => "outcome",
            Event::NotSent => "not_sent",
            Event::Settled => "settled",
            Event::Reconciled => "reconciled",
            Event::Unrecognised => "unrecognised",
        }
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_reads_back_as_written_and_a_later_ones_is_not_an_error() {
        for event in [
            Event::Targets,
            Event::Sent,
            Event::Outcome,
            Event::NotSent,
            Event::Settled,
            Event::Reconciled,
        ] {
            let written = serde_json::to_string(&event).expect("json");
            assert_eq!(written, format!("\"{event}\""));
            assert_eq!(
                serde_json::from_str::<Event>(&written).expect("read"),
                event
            );
        }
        let later: Event = serde_json::from_str("\"paused\"").expect("read");
        assert_eq!(later, Event::Unrecognised);
    }
}
