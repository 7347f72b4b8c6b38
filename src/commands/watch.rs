//! `phonedeck status --watch`: polls phone statuses and prints every change as a JSON
//! line, for piping into jq, a log shipper or a chat hook. Every phone is printed once
//! first (`previous` null). Runs until Ctrl-C, or until the reader goes away.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use serde::Serialize;

use crate::api::koophone::{BatchStatus, PhoneStatus};

use super::output::warn_dropped;
use super::{EXIT_OK, Failure, Target};

use crate::app::poll_plan::RELIST_EVERY;

#[derive(Serialize)]
struct Change<'a> {
    time: String,
    instance_id: &'a str,
    status: Option<i64>,
    status_name: String,
    previous: Option<i64>,
    previous_name: Option<String>,
}

pub async fn run(target: &Target, ids: Vec<String>, interval: Duration) -> Result<u8, Failure> {
    let mut known: HashMap<String, Option<PhoneStatus>> = HashMap::new();
    let mut watched = ids.clone();
    let mut ticks = tokio::time::interval(interval.max(Duration::from_millis(100)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for round in 0u64.. {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = tokio::signal::ctrl_c() => return Ok(EXIT_OK),
        }
        if ids.is_empty() && round % RELIST_EVERY == 0 {
            match target.api.koophone().list_instances().await {
                Ok(instances) => {
                    warn_dropped(&instances, "phone");
                    watched = instances.rows.into_iter().map(|i| i.instance_id).collect();
                }
                Err(error) => {
                    eprintln!("error: cannot list phones (watching the last list): {error}")
                }
            }
        }
        let batch = target.api.koophone().batch_status(&watched).await;
        if !print_changes(&mut known, batch) {
            return Ok(EXIT_OK);
        }
    }
    Ok(EXIT_OK)
}

/// Prints the changes as JSON lines; false once standard output is closed.
fn print_changes(known: &mut HashMap<String, Option<PhoneStatus>>, batch: BatchStatus) -> bool {
    for failure in &batch.failures {
        eprintln!(
            "error: status of {} phone(s) unavailable this round: {}",
            failure.ids.len(),
            failure.error
        );
    }
    let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut out = std::io::stdout().lock();
    for result in batch.results {
        let previous = known.insert(result.instance_id.clone(), result.status);
        if previous == Some(result.status) {
            continue;
        }
        let change = Change {
            time: time.clone(),
            instance_id: &result.instance_id,
            status: result.status.map(|s| s.0),
            status_name: PhoneStatus::label(result.status),
            previous: previous.flatten().map(|p| p.0),
            previous_name: previous.map(PhoneStatus::label),
        };
        let Ok(line) = serde_json::to_string(&change) else {
            continue;
        };
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            return false;
        }
    }
    true
}
