//! `phonedeck status --watch`: polls phone statuses and prints every change, for
//! piping into jq, a log shipper or a chat hook: JSON lines by default, or CSV rows
//! under one header (`-o csv`), or aligned text (`-o table`). Every phone is printed
//! once first (`previous` null). An id the service does not answer for is said on
//! stderr, once. Runs until Ctrl-C, or until the reader goes away.

use crate::api::tolerant::MISSING;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::Duration;

use serde::Serialize;
use tokio::signal::unix::{SignalKind, signal};

use crate::api::koophone::{BatchStatus, PhoneStatus};
use crate::cli::OutputFormat;

use super::output::warn_dropped;
use super::{EXIT_OK, Failure, Target};

use crate::app::pane::phones::poll_plan::RELIST_EVERY;

#[derive(Serialize)]
struct Change<'a> {
    time: String,
    instance_id: &'a str,
    /// From the phone list (read at start, and again with it when watching all).
    instance_name: Option<&'a str>,
    status: Option<i64>,
    status_name: String,
    previous: Option<i64>,
    previous_name: Option<String>,
}

/// How changes are printed.
#[derive(Clone, Copy)]
enum Style {
    JsonLines,
    Csv,
    Text,
}

pub async fn run(
    target: &Target,
    ids: Vec<String>,
    interval: Duration,
    format: Option<OutputFormat>,
) -> Result<u8, Failure> {
    super::check_ids(&ids, "instance id")?;
    let style = match format {
        None | Some(OutputFormat::Json) => Style::JsonLines,
        Some(OutputFormat::Csv) => Style::Csv,
        Some(OutputFormat::Table) => Style::Text,
    };
    if let Style::Csv = style {
        println!("time,instance_id,instance_name,status,status_name,previous,previous_name");
    }
    let mut missing_said: HashSet<String> = HashSet::new();
    let mut known: HashMap<String, Option<PhoneStatus>> = HashMap::new();
    let mut watched = ids.clone();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut ticks = tokio::time::interval(interval.max(Duration::from_millis(100)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // One listener for the whole watch: Ctrl-C during a poll ends it too (a listener
    // made per wait would miss a signal that came while the poll ran).
    let mut interrupt = signal(SignalKind::interrupt())
        .map_err(|e| Failure::failed(format!("cannot watch Ctrl-C: {e}")))?;
    let koophone = target.api.koophone();
    for round in 0u64.. {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = interrupt.recv() => return Ok(EXIT_OK),
        }
        // The list names the phones; watching all of them, it also says which they are.
        if round == 0 || (ids.is_empty() && round % RELIST_EVERY == 0) {
            let listed = tokio::select! {
                listed = koophone.list_instances() => listed,
                _ = interrupt.recv() => return Ok(EXIT_OK),
            };
            match listed {
                Ok(instances) => {
                    warn_dropped(&instances, "phone");
                    let rows = instances.rows.into_iter();
                    names = rows.map(|i| (i.instance_id, i.instance_name)).collect();
                    if ids.is_empty() {
                        watched = names.keys().cloned().collect();
                    }
                }
                Err(error) => {
                    eprintln!("error: cannot list phones (watching the last list): {error}")
                }
            }
        }
        let batch = tokio::select! {
            batch = koophone.batch_status(&watched) => batch,
            _ = interrupt.recv() => return Ok(EXIT_OK),
        };
        say_missing(&ids, &batch, &mut missing_said);
        if !print_changes(&mut known, &names, batch, style) {
            return Ok(EXIT_OK);
        }
    }
    Ok(EXIT_OK)
}

/// Says once on stderr each id asked for that the answer left out (not a failure).
fn say_missing(ids: &[String], batch: &BatchStatus, said: &mut HashSet<String>) {
    let failed: HashSet<&str> = batch
        .failures
        .iter()
        .flat_map(|f| f.ids.iter().map(String::as_str))
        .collect();
    let answered: HashSet<&str> = batch
        .results
        .iter()
        .map(|r| r.instance_id.as_str())
        .collect();
    for id in ids {
        if !answered.contains(id.as_str())
            && !failed.contains(id.as_str())
            && said.insert(id.clone())
        {
            eprintln!(
                "warning: {}: not in the service's answer (unknown instance?); watching the others",
                crate::sanitize::sanitize(id)
            );
        }
    }
}

/// One change as printed in `style`.
fn line(change: &Change, style: Style) -> Option<String> {
    let previous = change.previous_name.as_deref().unwrap_or("");
    match style {
        Style::JsonLines => serde_json::to_string(change).ok(),
        Style::Csv => {
            let cell = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
            let fields = [
                change.time.clone(),
                change.instance_id.to_string(),
                change.instance_name.unwrap_or_default().to_string(),
                cell(change.status),
                change.status_name.clone(),
                cell(change.previous),
                previous.to_string(),
            ];
            let text = crate::app::export::to_csv(
                &[],
                &[fields.map(|f| crate::sanitize::sanitize(&f)).to_vec()],
            )
            .ok()?;
            Some(text.trim_end().to_string())
        }
        Style::Text => Some(crate::sanitize::sanitize(&format!(
            "{}  {:<14} {:<16} {:<12} (was {})",
            change.time,
            change.instance_id,
            change.instance_name.unwrap_or(MISSING),
            change.status_name,
            if previous.is_empty() {
                MISSING
            } else {
                previous
            }
        ))),
    }
}

/// Prints the changes; false once standard output is closed.
fn print_changes(
    known: &mut HashMap<String, Option<PhoneStatus>>,
    names: &HashMap<String, String>,
    batch: BatchStatus,
    style: Style,
) -> bool {
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
            instance_name: (names.get(&result.instance_id))
                .map(String::as_str)
                .filter(|name| !name.is_empty()),
            status: result.status.map(|s| s.0),
            status_name: PhoneStatus::label(result.status),
            previous: previous.flatten().map(|p| p.0),
            previous_name: previous.map(PhoneStatus::label),
        };
        let Some(line) = line(&change, style) else {
            continue;
        };
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            return false;
        }
    }
    true
}
