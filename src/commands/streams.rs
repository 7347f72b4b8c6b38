//! `phonedeck streams list` and `phonedeck streams pause DOMAIN/APP/STREAM...`

use crate::api::TargetOutcome;
use crate::api::live::{Stream, StreamKey};
use crate::bulk::run_bounded;
use crate::cli::OutputFormat;

use super::confirm::ensure_allowed;
use super::output::{optional, print_outcomes, print_rows};
use super::{EXIT_FAILED, EXIT_OK, Failure, Target};

pub async fn list(target: &Target, format: OutputFormat) -> Result<u8, Failure> {
    let mut exit = EXIT_OK;
    let mut streams: Vec<Stream> = Vec::new();
    for domain in target.api.live().list_all_streams().await {
        match domain.streams {
            Ok(list) => streams.extend(list),
            Err(error) => {
                eprintln!(
                    "error: streams of {}: {error}",
                    crate::text::sanitize(&domain.domain)
                );
                exit = EXIT_FAILED;
            }
        }
    }
    let rows: Vec<Vec<String>> = streams
        .iter()
        .map(|s| {
            vec![
                s.key().to_string(),
                optional(s.video_bitrate.map(|b| format!("{b:.0} kbps"))),
                optional(s.video_frame_rate.map(|f| format!("{f:.0}"))),
                optional(s.resolution.as_ref()),
                optional(s.client_ip.as_ref()),
                optional(s.start_time.as_ref()),
            ]
        })
        .collect();
    print_rows(
        format,
        &streams,
        &[
            "STREAM",
            "BITRATE",
            "FPS",
            "RESOLUTION",
            "CLIENT IP",
            "SINCE",
        ],
        &rows,
    )?;
    Ok(exit)
}

pub async fn pause(
    target: &Target,
    streams: Vec<String>,
    yes: bool,
    format: OutputFormat,
) -> Result<u8, Failure> {
    let keys = streams
        .iter()
        .map(|s| s.parse::<StreamKey>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::usage)?;
    ensure_allowed(&target.api, "pause stream", &streams, yes)?;
    let api = &target.api;
    let outcomes = run_bounded(keys, api.max_in_flight(), |key| async move {
        let result = api.live().pause(&key).await;
        TargetOutcome::from_result(key.to_string(), result)
    })
    .await;
    print_outcomes(format, &outcomes)
}
