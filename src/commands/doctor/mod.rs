//! `phonedeck doctor`: a read-only preflight of a profile, run before the pager goes
//! off. One row per check; exit 0 when nothing failed, 1 otherwise.

mod checks;
mod proxy;

use crate::cli::OutputFormat;
use crate::config::Environment;

use super::output::print_rows;
use super::{EXIT_FAILED, EXIT_OK, Failure, Target};
use checks::Verdict;

pub async fn run(target: &Target, format: OutputFormat) -> Result<u8, Failure> {
    // One attempt per check and nothing that could change anything.
    let api = target.api.reconfigured(|config| {
        config.read_only = true;
        config.retry.max_attempts = 1;
    })?;
    let mut report = checks::configuration(&target.settings);
    report.extend(checks::hosts(&api, &Environment::process()).await);
    report.push(checks::clock(&api).await);
    report.extend(checks::reads(&api).await);
    report.extend(checks::settings(&target.api, target.poll_interval));
    let rows: Vec<Vec<String>> = report
        .iter()
        .map(|c| {
            let detail = match c.latency_ms {
                Some(ms) => format!("{} ({ms} ms)", c.detail),
                None => c.detail.clone(),
            };
            vec![
                c.check.clone(),
                c.result.label().to_string(),
                detail,
                c.hint.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_rows(
        format,
        &report,
        &["CHECK", "RESULT", "DETAIL", "HINT"],
        &rows,
    )?;
    let failed = report.iter().filter(|c| c.result == Verdict::Fail).count();
    if failed > 0 && format == OutputFormat::Table {
        eprintln!("{failed} check(s) failed: see their HINT column");
    }
    Ok(if failed == 0 { EXIT_OK } else { EXIT_FAILED })
}
