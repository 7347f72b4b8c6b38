//! Phone counts by status over the last hour, one sample a minute holding each
//! count's maximum in that minute, for the header's sparkline: when did Offline start
//! climbing, and how high did it go? (A minute's last value would hide a peak.)

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::counts::StatusCounts;

/// One sample a minute...
pub const SAMPLE_EVERY: Duration = Duration::from_secs(60);
/// ...for an hour.
pub const SAMPLES: usize = 60;

#[derive(Debug, Clone, Default)]
pub struct StatusHistory {
    samples: VecDeque<(Instant, StatusCounts)>,
}

impl StatusHistory {
    /// Records the counts after a poll: a new sample once a minute has passed since the
    /// last one, otherwise this minute's sample keeps the larger of each count.
    pub fn record(&mut self, now: Instant, counts: &StatusCounts) {
        match self.samples.back_mut() {
            Some((at, latest)) if now.saturating_duration_since(*at) < SAMPLE_EVERY => {
                latest.keep_max(counts);
            }
            _ => {
                if self.samples.len() == SAMPLES {
                    self.samples.pop_front();
                }
                self.samples.push_back((now, counts.clone()));
            }
        }
    }

    /// One value per sample, oldest first.
    pub fn series(&self, count: impl Fn(&StatusCounts) -> usize) -> Vec<u64> {
        self.samples
            .iter()
            .map(|(_, counts)| count(counts) as u64)
            .collect()
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::koophone::PhoneStatus;

    fn offline(n: usize) -> StatusCounts {
        let mut counts = StatusCounts::default();
        counts.known[3] = n;
        counts
    }

    #[test]
    fn one_sample_a_minute_for_an_hour() {
        let start = Instant::now();
        let mut history = StatusHistory::default();
        for second in (0..2 * 3600).step_by(5) {
            let at = start + Duration::from_secs(second);
            history.record(at, &offline(second as usize / 60));
        }
        assert_eq!(history.len(), SAMPLES);
        let series = history.series(|c| c.count(PhoneStatus::OFFLINE));
        // The last hour, oldest first; each minute holds its largest count.
        assert_eq!(series.first(), Some(&60));
        assert_eq!(series.last(), Some(&119));
    }

    #[test]
    fn a_peak_inside_a_minute_is_kept() {
        let start = Instant::now();
        let mut history = StatusHistory::default();
        for (second, count) in [(0, 3), (10, 47), (20, 5), (50, 4)] {
            history.record(start + Duration::from_secs(second), &offline(count));
        }
        let series = history.series(|c| c.count(PhoneStatus::OFFLINE));
        assert_eq!(series, [47], "the minute's maximum, not its last value");
    }
}
