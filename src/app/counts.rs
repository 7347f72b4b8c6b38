//! Phone counts by status, for the header and the trend.

use crate::api::koophone::PhoneStatus;

/// Phone counts by status (0..=5, then everything undocumented or not reported).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub known: [usize; 6],
    pub other: usize,
}

impl StatusCounts {
    /// Counts of these statuses (one a phone).
    pub fn of(statuses: impl IntoIterator<Item = Option<PhoneStatus>>) -> Self {
        let mut counts = StatusCounts::default();
        for status in statuses {
            *counts.slot(status) += 1;
        }
        counts
    }

    /// Each count the larger of this one's and `other`'s.
    pub fn keep_max(&mut self, other: &StatusCounts) {
        for (mine, theirs) in self.known.iter_mut().zip(other.known) {
            *mine = (*mine).max(theirs);
        }
        self.other = self.other.max(other.other);
    }

    /// A phone went from `old` to `new`: the counts follow without a recount.
    pub fn moved(&mut self, old: Option<PhoneStatus>, new: Option<PhoneStatus>) {
        let slot = self.slot(old);
        *slot = slot.saturating_sub(1);
        *self.slot(new) += 1;
    }

    fn slot(&mut self, status: Option<PhoneStatus>) -> &mut usize {
        let documented = status
            .and_then(|s| usize::try_from(s.0).ok())
            .filter(|s| *s < 6);
        match documented {
            Some(s) => &mut self.known[s],
            None => &mut self.other,
        }
    }

    /// Phones in one documented status.
    pub fn count(&self, status: PhoneStatus) -> usize {
        usize::try_from(status.0)
            .ok()
            .and_then(|s| self.known.get(s).copied())
            .unwrap_or(0)
    }

    /// (status, count) in the header's order: the ones an engineer looks for first.
    pub fn in_header_order(&self) -> [(PhoneStatus, usize); 6] {
        let k = &self.known;
        [
            (PhoneStatus::RUNNING, k[2]),
            (PhoneStatus::OFFLINE, k[3]),
            (PhoneStatus::STOPPED, k[1]),
            (PhoneStatus::STARTING, k[4]),
            (PhoneStatus::SHUT_DOWN, k[5]),
            (PhoneStatus::UNKNOWN, k[0] + self.other),
        ]
    }
}
