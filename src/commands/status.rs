//! `phonedeck status [ID...]`: phone statuses by batch query (32 ids a call).

use std::collections::HashMap;

use crate::api::koophone::StatusResult;
use crate::cli::OutputFormat;

use super::output::{print_list, warn_dropped};
use super::{EXIT_FAILED, EXIT_OK, Failure, Target, check_ids};
use crate::app::pane::phones::PhoneRow;

pub async fn run(target: &Target, ids: Vec<String>, format: OutputFormat) -> Result<u8, Failure> {
    let koophone = target.api.koophone();
    let (ids, names) = if ids.is_empty() {
        let instances = koophone.list_instances().await?;
        warn_dropped(&instances, "phone");
        let instances = instances.rows;
        let names: HashMap<String, String> = instances
            .iter()
            .map(|i| (i.instance_id.clone(), i.instance_name.clone()))
            .collect();
        (
            instances.into_iter().map(|i| i.instance_id).collect(),
            names,
        )
    } else {
        // The list gives the names (and lets a name stand for its id).
        check_ids(&ids, "instance id or name")?;
        let known = super::names::listed(koophone.list_instances().await, "phones", |i| {
            (i.instance_id.clone(), i.instance_name.clone())
        });
        let ids = super::names::resolve(ids, &known, "phone")?;
        (ids, known.into_iter().collect())
    };
    let batch = koophone.batch_status(&ids).await;
    let mut exit = EXIT_OK;
    for failure in &batch.failures {
        eprintln!(
            "error: status of {} phone(s) unavailable: {}",
            failure.ids.len(),
            failure.error
        );
        exit = EXIT_FAILED;
    }
    let failed_ids: Vec<&String> = batch.failures.iter().flat_map(|f| &f.ids).collect();
    let by_id: HashMap<&str, &StatusResult> = batch
        .results
        .iter()
        .map(|r| (r.instance_id.as_str(), r))
        .collect();
    let mut by_id_order = Vec::new();
    for id in &ids {
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
