//! Phone counts by status, for the header and the trend.

use crate::api::koophone::PhoneStatus;

use super::rows::PhoneRow;

/// Phone counts by status (0..=5, then everything undocumented or not reported).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub known: [usize; 6],
    pub other: usize,
}

impl StatusCounts {
    pub fn of(phones: &[PhoneRow]) -> Self {
        let mut counts = StatusCounts::default();
        for phone in phones {
            let documented = phone
                .status
                .and_then(|s| usize::try_from(s.0).ok())
                .filter(|s| *s < 6);
            match documented {
                Some(s) => counts.known[s] += 1,
                None => counts.other += 1,
            }
        }
        counts
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
