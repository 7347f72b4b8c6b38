//! `phonedeck phones stop-streaming ID|NAME...`

use crate::action_kind::ActionKind;
use crate::cli::OutputFormat;

use super::confirm::ensure_allowed;
use super::{Failure, Target};

pub async fn stop_streaming(
    target: &Target,
    ids: Vec<String>,
    yes: bool,
    format: OutputFormat,
) -> Result<u8, Failure> {
    let kind = ActionKind::StopStreaming;
    super::check_ids(&ids, "phone id or name")?;
    let ids = super::names::resolve_phones(&target.api, ids).await?;
    ensure_allowed(&target.api, kind.label(), &ids, &Default::default(), yes)?;
    super::interrupt::perform(target, kind, ids, None)
        .await?
        .print(format)
}
