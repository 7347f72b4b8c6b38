//! `phonedeck streams list` and `phonedeck streams pause DOMAIN/APP/STREAM...`

use crate::action_kind::ActionKind;
use crate::api::live::{Stream, StreamKey};
use crate::cli::OutputFormat;

use super::confirm::ensure_allowed;
use super::output::{optional, print_outcomes, print_rows, warn_dropped};
use super::{EXIT_FAILED, EXIT_OK, Failure, Target};

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
    for stream in &streams {
        stream.parse::<StreamKey>().map_err(Failure::usage)?;
    }
    let kind = ActionKind::PauseStream;
    ensure_allowed(&target.api, kind.label(), &streams, yes)?;
    let outcomes = target.executor()?.run_in_order(kind, streams).await;
    print_outcomes(format, &outcomes)
}
