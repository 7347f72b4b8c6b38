//! `phonedeck phones stop-streaming ID...`

use crate::api::TargetOutcome;
use crate::bulk::run_bounded;
use crate::cli::OutputFormat;

use super::confirm::ensure_allowed;
use super::output::print_outcomes;
use super::{Failure, Target};

pub async fn stop_streaming(
    target: &Target,
    ids: Vec<String>,
    yes: bool,
    format: OutputFormat,
) -> Result<u8, Failure> {
    ensure_allowed(&target.api, "stop streaming", &ids, yes)?;
    let api = &target.api;
    let outcomes = run_bounded(ids, api.max_in_flight(), |id| async move {
        let result = api.koophone().stop_streaming(&id).await;
        TargetOutcome::from_result(id, result)
    })
    .await;
    print_outcomes(format, &outcomes)
}
