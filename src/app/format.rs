//! Short human forms for ages and times.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// `42s`, `5m`, `3h`, `2d`: compact enough for a column.
pub fn age(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

pub fn age_since(then: Instant, now: Instant) -> String {
    age(now.saturating_duration_since(then))
}

/// Wall-clock time of an instant, given the wall time that `now` corresponds to.
pub fn clock_time(at: Instant, now: Instant, wall: DateTime<Utc>) -> String {
    let ago = chrono::TimeDelta::from_std(now.saturating_duration_since(at)).unwrap_or_default();
    (wall - ago).format("%H:%M:%S").to_string()
}

/// Age of an RFC 3339 timestamp from the network (unparsable ones are shown as they
/// are, to be sanitised with the rest of the cell).
pub fn age_of_timestamp(text: &str, wall: DateTime<Utc>) -> String {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => age((wall - t.with_timezone(&Utc)).to_std().unwrap_or_default()),
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_compact() {
        assert_eq!(age(Duration::from_secs(42)), "42s");
        assert_eq!(age(Duration::from_secs(300)), "5m");
        assert_eq!(age(Duration::from_secs(7300)), "2h");
        assert_eq!(age(Duration::from_secs(200_000)), "2d");
    }
}
