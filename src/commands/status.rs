//! `phonedeck status [ID...]`: phone statuses by batch query (32 ids a call).

use std::collections::{HashMap, HashSet};

use crate::api::koophone::StatusResult;
use crate::cli::OutputFormat;

use super::output::{print_list, warn_dropped};
use super::{EXIT_FAILED, EXIT_OK, Failure, Target, check_ids};
use crate::app::pane::phones::PhoneRow;

pub async fn run(target: &Target, ids: Vec<String>, format: OutputFormat) -> Result<u8, Failure> {
    if ids.is_empty() {
        return every_phone(target, format).await;
    }
    let koophone = target.api.koophone();
    // The list gives the names (and lets a name stand for its id). It is read beside
    // the statuses of the values as given, most of them ids; the values that turn out
    // to be names are asked after.
    check_ids(&ids, "instance id or name")?;
    let (mut batch, list) = koophone.status_and_list(&ids).await;
    let known = super::names::listed(list, "phones", |i| {
        (i.instance_id.clone(), i.instance_name.clone())
    })
    .unwrap_or_default();
    let ids = super::names::resolve(ids, &known, "phone")?;
    let answered: HashSet<&str> = batch
        .results
        .iter()
        .map(|r| r.instance_id.as_str())
        .collect();
    let unasked: Vec<String> = ids
        .iter()
        .filter(|id| !answered.contains(id.as_str()))
        .cloned()
        .collect();
    // Asked again: names now known as ids, and the ids of a failed batch.
    let again: HashSet<&String> = unasked.iter().collect();
    batch.failures.retain_mut(|failure| {
        failure.ids.retain(|id| !again.contains(id));
        !failure.ids.is_empty()
    });
    if !unasked.is_empty() {
        let more = koophone.batch_status(&unasked).await;
        batch.results.extend(more.results);
        batch.failures.extend(more.failures);
    }
    print_statuses(format, &ids, &known.into_iter().collect(), batch)
}

/// Every phone of the fleet: the list, then their statuses.
async fn every_phone(target: &Target, format: OutputFormat) -> Result<u8, Failure> {
    let koophone = target.api.koophone();
    let instances = koophone.list_instances().await?;
    warn_dropped(&instances, "phone");
    let names: HashMap<String, String> = instances
        .rows
        .iter()
        .map(|i| (i.instance_id.clone(), i.instance_name.clone()))
        .collect();
    let ids: Vec<String> = instances.rows.into_iter().map(|i| i.instance_id).collect();
    let batch = koophone.batch_status(&ids).await;
    print_statuses(format, &ids, &names, batch)
}

/// Prints the statuses of `ids` in their order, with their names; a failed batch or
/// an id the answer left out is said on stderr and makes the exit status 1.
fn print_statuses(
    format: OutputFormat,
    ids: &[String],
    names: &HashMap<String, String>,
    batch: crate::api::koophone::BatchStatus,
) -> Result<u8, Failure> {
    let mut exit = EXIT_OK;
    for failure in &batch.failures {
        eprintln!(
            "error: status of {} phone(s) unavailable: {}",
            failure.ids.len(),
            failure.error
        );
        exit = EXIT_FAILED;
    }
    let failed_ids: HashSet<&String> = batch.failures.iter().flat_map(|f| &f.ids).collect();
    let by_id: HashMap<&str, &StatusResult> = batch
        .results
        .iter()
        .map(|r| (r.instance_id.as_str(), r))
        .collect();
    let mut by_id_order = Vec::new();
    for id in ids {
        match by_id.get(id.as_str()) {
            Some(result) => by_id_order.push((id.clone(), result.status)),
            None if failed_ids.contains(&id) => {}
            None => {
                eprintln!(
                    "error: {}: not in the service's answer (unknown instance?)",
                    crate::sanitize::sanitize(id)
                );
                exit = EXIT_FAILED;
            }
        }
    }
    let phones: Vec<PhoneRow> = by_id_order
        .into_iter()
        .map(|(id, status)| {
            let name = names.get(&id).cloned().unwrap_or_default();
            PhoneRow::answered(id, name, status)
        })
        .collect();
    print_list(format, &phones)?;
    Ok(exit)
}
