//! Faults the simulator can stage, switched on at start (`--faults`) or at run time.

use std::time::Duration;

/// What goes wrong, and how often (rates are fractions of requests, 0.0..=1.0).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added to every request.
    pub latency: Duration,
    /// 429 `APIGW.0308`.
    pub throttle_rate: f64,
    /// 500/503 with a JSON error body.
    pub error_rate: f64,
    /// 502 with a gateway's HTML page.
    pub html_rate: f64,
    /// Tokens expire this long after their first use (401 `APIGW.0307`).
    pub token_ttl: Option<Duration>,
    /// Phones (chosen by id) whose stop-streaming is denied with `KOOPHONE.API.1001`.
    pub deny_rate: f64,
    /// Batch status answers in the seed's shape, without the `data` wrapper.
    pub bare_status: bool,
    /// No answer at all (the client's timeout has to end it).
    pub hang_rate: f64,
    /// 200 with JSON cut off in the middle.
    pub truncated_rate: f64,
    /// 200 with valid JSON of the wrong types for every field a client reads.
    pub wrong_types_rate: f64,
    /// 200 with a body far larger than any client cap.
    pub oversize_rate: f64,
    /// 503 with an empty body.
    pub empty_rate: f64,
    /// A mutation answered 200 with the service's error body: the answer says it failed.
    pub ok_error_rate: f64,
    /// Names and ids in the fleet carry terminal escape sequences.
    pub hostile_names: bool,
    /// Answers as thin as the official models allow (see `sparse.rs`).
    pub sparse: bool,
    /// 403 `APIGW.0302`: the credentials lack the IAM permission (IAM itself excepted).
    pub forbidden_rate: f64,
    /// Every mutation takes effect, then is answered only this long after (past a
    /// client's timeout: an outcome the client cannot know).
    pub slow_actions: Option<Duration>,
    /// Every mutation is held this long and then dropped without taking effect.
    pub lost_actions: Option<Duration>,
    /// A batch restart's answer leaves out an encoder's entry, though its job started.
    pub unlisted_restarts_rate: f64,
}

impl std::str::FromStr for Faults {
    type Err = String;

    /// `latency=50ms,throttle=0.2,errors=0.1,html=0.05,token-ttl=30s,deny=0.05,bare-status,sparse,slow-actions=5s`
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults::default();
        for item in spec.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, value) = item.split_once('=').unwrap_or((item, ""));
            match name {
                "latency" => faults.latency = duration(name, value)?,
                "throttle" => faults.throttle_rate = rate(name, value)?,
                "errors" => faults.error_rate = rate(name, value)?,
                "html" => faults.html_rate = rate(name, value)?,
                "token-ttl" => faults.token_ttl = Some(duration(name, value)?),
                "deny" => faults.deny_rate = rate(name, value)?,
                "bare-status" => faults.bare_status = true,
                "hang" => faults.hang_rate = rate(name, value)?,
                "truncated" => faults.truncated_rate = rate(name, value)?,
                "wrong-types" => faults.wrong_types_rate = rate(name, value)?,
                "oversize" => faults.oversize_rate = rate(name, value)?,
                "empty" => faults.empty_rate = rate(name, value)?,
                "ok-errors" => faults.ok_error_rate = rate(name, value)?,
                "hostile-names" => faults.hostile_names = true,
                "sparse" => faults.sparse = true,
                "forbidden" => faults.forbidden_rate = rate(name, value)?,
                "slow-actions" => faults.slow_actions = Some(duration(name, value)?),
                "lost-actions" => faults.lost_actions = Some(duration(name, value)?),
                "unlisted-restarts" => faults.unlisted_restarts_rate = rate(name, value)?,
                other => {
                    return Err(format!(
                        "unknown fault `{other}`; known: latency=DUR, throttle=RATE, errors=RATE, html=RATE, token-ttl=DUR, deny=RATE, hang=RATE, truncated=RATE, wrong-types=RATE, \
                         oversize=RATE, empty=RATE, ok-errors=RATE, forbidden=RATE, slow-actions=DUR, lost-actions=DUR, unlisted-restarts=RATE, bare-status, hostile-names, sparse"
                    ));
                }
            }
        }
        Ok(faults)
    }
}

fn rate(name: &str, value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "fault {name}: `{value}` is not a rate between 0 and 1"
        )),
    }
}

fn duration(name: &str, value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value)
        .map_err(|e| format!("fault {name}: `{value}` is not a duration like 50ms or 30s ({e})"))
}

/// A stable per-phone choice: the same phones are denied on every run.
pub fn is_denied(phone_id: &str, deny_rate: f64) -> bool {
    if deny_rate <= 0.0 {
        return false;
    }
    let hash = phone_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % 10_000) as f64 / 10_000.0 < deny_rate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_fault() {
        let f: Faults = "latency=50ms,throttle=0.2,errors=0.1,html=0.05,token-ttl=30s,deny=0.05,bare-status,sparse"
            .parse()
            .expect("parses");
        assert!(f.sparse);
        assert_eq!(f.latency, Duration::from_millis(50));
        assert_eq!(f.token_ttl, Some(Duration::from_secs(30)));
        assert!(f.bare_status);
        assert_eq!(f.deny_rate, 0.05);
    }

    #[test]
    fn rejects_unknown_and_out_of_range() {
        assert!("throttle=2".parse::<Faults>().is_err());
        assert!("explode".parse::<Faults>().is_err());
    }

    #[test]
    fn deny_rate_selects_about_that_fraction() {
        let denied = (0..10_000)
            .filter(|i| is_denied(&format!("ph{i:06}"), 0.1))
            .count();
        assert!((800..1200).contains(&denied), "{denied}");
    }
}
