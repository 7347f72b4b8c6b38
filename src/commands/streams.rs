//! `phonedeck streams list` and `phonedeck streams pause DOMAIN/APP/STREAM...`

use crate::action_kind::ActionKind;
use crate::api::live::{Stream, StreamKey};
use crate::cli::OutputFormat;

use super::confirm::ensure_allowed;
use super::output::{print_list, warn_dropped};
use super::{EXIT_FAILED, EXIT_OK, Failure, Target};
use crate::app::pane::streams::StreamRow;

pub async fn list(target: &Target, format: OutputFormat) -> Result<u8, Failure> {
    let mut exit = EXIT_OK;
    let mut streams: Vec<Stream> = Vec::new();
    for domain in target.api.live().list_all_streams().await {
        match domain.streams {
            Ok(list) => {
                warn_dropped(&list, "stream");
                streams.extend(list.rows);
            }
            Err(error) => {
                eprintln!(
                    "error: streams of {}: {error}",
                    crate::sanitize::sanitize(&domain.domain)
                );
                exit = EXIT_FAILED;
            }
        }
    }
    let rows: Vec<StreamRow> = streams.iter().cloned().map(StreamRow::new).collect();
    print_list(format, &rows)?;
    Ok(exit)
}

pub async fn pause(
    target: &Target,
    streams: Vec<String>,
    yes: bool,
    format: OutputFormat,
) -> Result<u8, Failure> {
    // Each key as the audit log and the dashboard write it (`%2f` reads as `%2F`).
    let streams = streams
        .iter()
        .map(|stream| stream.parse::<StreamKey>().map(|key| key.to_string()))
        .collect::<Result<Vec<String>, String>>()
        .map_err(Failure::usage)?;
    let kind = ActionKind::PauseStream;
    ensure_allowed(
        &target.api,
        kind.label(),
        &streams,
        &Default::default(),
        yes,
    )?;
    super::interrupt::perform(target, kind, streams, None)
        .await?
        .print(format)
}
