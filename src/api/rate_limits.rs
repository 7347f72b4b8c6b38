//! Each API phonedeck calls, named once, with the rate limit its provider documents,
//! and the pacer that keeps requests under it. A profile's `[limits]` table changes
//! a limit by these names (`"live.block_once" = "300/min"`, or `"none"`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::service::Service;

/// Every API phonedeck calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiName {
    KooPhoneListInstances,
    KooPhoneBatchQueryStatus,
    KooPhoneStopStreaming,
    LiveStreamsOnline,
    LiveBlockOnce,
    CphListEncodeServers,
    CphBatchRestart,
    CphListJobs,
    CphShowJob,
    ComputeListServers,
    ComputeShowServer,
    ComputeServerAction,
    IamToken,
    IamProjects,
    IamVersion,
}

impl ApiName {
    pub const ALL: [ApiName; 15] = [
        ApiName::KooPhoneListInstances,
        ApiName::KooPhoneBatchQueryStatus,
        ApiName::KooPhoneStopStreaming,
        ApiName::LiveStreamsOnline,
        ApiName::LiveBlockOnce,
        ApiName::CphListEncodeServers,
        ApiName::CphBatchRestart,
        ApiName::CphListJobs,
        ApiName::CphShowJob,
        ApiName::ComputeListServers,
        ApiName::ComputeShowServer,
        ApiName::ComputeServerAction,
        ApiName::IamToken,
        ApiName::IamProjects,
        ApiName::IamVersion,
    ];

    /// The name a profile's `[limits]` table uses.
    pub fn name(self) -> &'static str {
        match self {
            ApiName::KooPhoneListInstances => "koophone.list_instances",
            ApiName::KooPhoneBatchQueryStatus => "koophone.batch_query_status",
            ApiName::KooPhoneStopStreaming => "koophone.stop_streaming",
            ApiName::LiveStreamsOnline => "live.streams_online",
            ApiName::LiveBlockOnce => "live.block_once",
            ApiName::CphListEncodeServers => "cph.list_encode_servers",
            ApiName::CphBatchRestart => "cph.batch_restart",
            ApiName::CphListJobs => "cph.list_jobs",
            ApiName::CphShowJob => "cph.show_job",
            ApiName::ComputeListServers => "compute.list_servers",
            ApiName::ComputeShowServer => "compute.show_server",
            ApiName::ComputeServerAction => "compute.server_action",
            ApiName::IamToken => "iam.token",
            ApiName::IamProjects => "iam.projects",
            ApiName::IamVersion => "iam.version",
        }
    }

    pub fn service(self) -> Service {
        match self {
            ApiName::KooPhoneListInstances
            | ApiName::KooPhoneBatchQueryStatus
            | ApiName::KooPhoneStopStreaming => Service::KooPhone,
            ApiName::LiveStreamsOnline | ApiName::LiveBlockOnce => Service::Live,
            ApiName::CphListEncodeServers
            | ApiName::CphBatchRestart
            | ApiName::CphListJobs
            | ApiName::CphShowJob => Service::Cph,
            ApiName::ComputeListServers
            | ApiName::ComputeShowServer
            | ApiName::ComputeServerAction => Service::Compute,
            ApiName::IamToken | ApiName::IamProjects | ApiName::IamVersion => Service::Iam,
        }
    }

    /// The limit the provider documents for one user, where it documents one: Live's
    /// block-once (pausing a stream push) 300 a minute, its online-stream listing
    /// 1,000 a minute (api-live live_03_0052, live_03_0053).
    pub fn documented_limit(self) -> Option<Rate> {
        match self {
            ApiName::LiveBlockOnce => Some(Rate::per_minute(300)),
            ApiName::LiveStreamsOnline => Some(Rate::per_minute(1000)),
            ApiName::KooPhoneListInstances
            | ApiName::KooPhoneBatchQueryStatus
            | ApiName::KooPhoneStopStreaming
            | ApiName::CphListEncodeServers
            | ApiName::CphBatchRestart
            | ApiName::CphListJobs
            | ApiName::CphShowJob
            | ApiName::ComputeListServers
            | ApiName::ComputeShowServer
            | ApiName::ComputeServerAction
            | ApiName::IamToken
            | ApiName::IamProjects
            | ApiName::IamVersion => None,
        }
    }
}

impl std::fmt::Display for ApiName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ApiName {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ApiName::ALL
            .into_iter()
            .find(|api| api.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = ApiName::ALL.iter().map(|a| a.name()).collect();
                format!("no API named `{name}`; known: {}", known.join(", "))
            })
    }
}

/// So many requests per period (`300/min`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub requests: u32,
    pub period: Duration,
}

impl Rate {
    pub fn per_minute(requests: u32) -> Rate {
        Rate {
            requests,
            period: Duration::from_secs(60),
        }
    }

    /// Requests a second, for messages.
    pub fn per_sec(self) -> f64 {
        f64::from(self.requests) / self.period.as_secs_f64()
    }

    /// How long `count` requests take at this rate.
    pub fn time_for(self, count: usize) -> Duration {
        self.spacing().mul_f64(count as f64)
    }

    /// The time between two requests paced evenly under the limit, with 1% to spare
    /// so that a window the gateway counts a little differently never overflows.
    fn spacing(self) -> Duration {
        (self.period / self.requests.max(1)).mul_f64(1.01)
    }
}

/// What pacing does to `remaining` requests to `api` at `rate`: "paced at 5/s by
/// live.block_once's limit (300/min), ~3m 20s left".
pub fn pace_note(api: ApiName, rate: Rate, remaining: usize) -> String {
    let left = Duration::from_secs(rate.time_for(remaining).as_secs());
    let per_sec = rate.per_sec();
    let per_sec = if per_sec >= 10.0 {
        format!("{per_sec:.0}")
    } else {
        format!("{per_sec:.1}").trim_end_matches(".0").to_string()
    };
    format!(
        "paced at {per_sec}/s by {api}'s limit ({rate}), ~{} left",
        humantime::format_duration(left)
    )
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.period.as_secs() {
            1 => "s",
            60 => "min",
            _ => "h",
        };
        write!(f, "{}/{unit}", self.requests)
    }
}

impl std::str::FromStr for Rate {
    type Err = String;

    /// `N/s`, `N/min` or `N/h`, N a whole number from 1.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wrong =
            || format!("`{text}` is not a rate; write N/s, N/min or N/h (300/min), or none");
        let (count, unit) = text.trim().split_once('/').ok_or_else(wrong)?;
        let requests: u32 = count.trim().parse().map_err(|_| wrong())?;
        let period = match unit.trim() {
            "s" => Duration::from_secs(1),
            "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(wrong()),
        };
        if requests == 0 {
            return Err(wrong());
        }
        Ok(Rate { requests, period })
    }
}

/// The limits in force for a profile: the documented ones, changed by its `[limits]`
/// (None lifts a documented limit).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateLimits(pub HashMap<ApiName, Option<Rate>>);

impl RateLimits {
    /// Sets `api`'s limit from its name and a rate (`300/min`, or `none`).
    pub fn set(&mut self, api: &str, rate: &str) -> Result<(), String> {
        let api: ApiName = api.trim().parse()?;
        let rate = match rate.trim() {
            "none" => None,
            rate => Some(rate.parse::<Rate>()?),
        };
        self.0.insert(api, rate);
        Ok(())
    }

    pub fn limit(&self, api: ApiName) -> Option<Rate> {
        match self.0.get(&api) {
            Some(set) => *set,
            None => api.documented_limit(),
        }
    }
}

/// Keeps each limited API's requests evenly spaced under its limit: a request takes
/// the next free slot and waits for it.
#[derive(Debug, Default)]
pub struct Pacers(HashMap<ApiName, Pacer>);

#[derive(Debug)]
struct Pacer {
    spacing: Duration,
    next_slot: Mutex<Option<Instant>>,
}

impl Pacers {
    pub fn new(limits: &RateLimits) -> Pacers {
        let pacers = ApiName::ALL
            .into_iter()
            .filter_map(|api| {
                let rate = limits.limit(api)?;
                let pacer = Pacer {
                    spacing: rate.spacing(),
                    next_slot: Mutex::new(None),
                };
                Some((api, pacer))
            })
            .collect();
        Pacers(pacers)
    }

    /// Waits for `api`'s next slot (at once for an API without a limit).
    pub async fn turn(&self, api: ApiName) {
        let Some(pacer) = self.0.get(&api) else {
            return;
        };
        let slot = {
            let mut next = pacer.next_slot.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + pacer.spacing);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_rates_read_back_as_written() {
        for api in ApiName::ALL {
            assert_eq!(api.name().parse::<ApiName>(), Ok(api));
        }
        assert!("live.nope".parse::<ApiName>().is_err());
        let rate: Rate = "300/min".parse().expect("a rate");
        assert_eq!(rate, Rate::per_minute(300));
        assert_eq!(rate.to_string(), "300/min");
        assert!((rate.per_sec() - 5.0).abs() < 1e-9);
        for wrong in ["300", "0/min", "x/min", "5/day", "-1/s"] {
            assert!(wrong.parse::<Rate>().is_err(), "{wrong}");
        }
    }

    #[test]
    fn documented_limits_apply_unless_changed_or_lifted() {
        let mut overrides = RateLimits::default();
        assert_eq!(
            overrides.limit(ApiName::LiveBlockOnce),
            Some(Rate::per_minute(300))
        );
        assert_eq!(overrides.limit(ApiName::CphBatchRestart), None);
        overrides.0.insert(ApiName::LiveBlockOnce, None);
        overrides
            .0
            .insert(ApiName::CphBatchRestart, Some(Rate::per_minute(60)));
        assert_eq!(overrides.limit(ApiName::LiveBlockOnce), None);
        assert_eq!(
            overrides.limit(ApiName::CphBatchRestart),
            Some(Rate::per_minute(60))
        );
    }

    #[test]
    fn a_pace_note_says_the_rate_the_limit_and_the_time_left() {
        let note = pace_note(ApiName::LiveBlockOnce, Rate::per_minute(300), 1000);
        assert_eq!(
            note,
            "paced at 5/s by live.block_once's limit (300/min), ~3m 22s left"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn requests_to_a_limited_api_are_spaced_evenly_others_are_not() {
        let mut overrides = RateLimits::default();
        overrides
            .0
            .insert(ApiName::LiveBlockOnce, Some("10/s".parse().expect("rate")));
        let pacers = Pacers::new(&overrides);
        let started = Instant::now();
        for _ in 0..100 {
            pacers.turn(ApiName::CphBatchRestart).await;
        }
        assert_eq!(started.elapsed(), Duration::ZERO);
        for _ in 0..21 {
            pacers.turn(ApiName::LiveBlockOnce).await;
        }
        // The first at once, then 20 at 10 a second (with 1% to spare).
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(2_000), "{took:?}");
        assert!(took <= Duration::from_millis(2_050), "{took:?}");
    }
}
