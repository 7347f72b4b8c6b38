//! `phonedeck retry ACTION_ID`: runs an action again on the targets it did not do
//! (failed, not sent, unknown unless read back as happened), each as the latest of the
//! action and its earlier retries records it, on the profile it ran on; confirmed like
//! the action itself, recorded with `retry_of`.

use crate::action_kind::Retry;
use crate::audit::actions::Filter;
use crate::cli::OutputFormat;

use super::audit::read_actions;
use super::confirm::ensure_allowed;
use super::output::{LeftOut, print_outcomes};
use super::{EXIT_OK, Failure, Target};

pub async fn run(
    target: &Target,
    action_id: String,
    include_uncertain: bool,
    yes: bool,
    format: OutputFormat,
) -> Result<u8, Failure> {
    let path = target.audit_path.clone().ok_or_else(|| {
        Failure::usage("no audit log to read the action from: name it with --audit-log FILE")
    })?;
    // The whole log: the action's later retries say what is still to do.
    let actions = read_actions(&path, &Filter::default())?;
    let shown_id = crate::sanitize::sanitize(&action_id);
    let action = actions.find(&action_id).ok_or_else(|| {
        Failure::usage(format!(
            "no action {shown_id} in the audit log {}; `phonedeck audit` lists them",
            path.display()
        ))
    })?;
    let profile = action.profile.as_str();
    if profile != target.profile {
        return Err(Failure::usage(format!(
            "action {shown_id} ran on profile {}; retry it there: --profile {}",
            crate::sanitize::sanitize(profile),
            crate::sanitize::sanitize(profile)
        )));
    }
    let all = action.targets.len();
    let kind = action.kind;
    let mut targets = Vec::new();
    let mut uncertain = Vec::new();
    for latest in actions.latest(&action_id).unwrap_or_default() {
        match kind.retry(&latest.as_outcome()) {
            Retry::Send => targets.push(latest.target.clone()),
            Retry::Uncertain if include_uncertain => targets.push(latest.target.clone()),
            Retry::Uncertain => uncertain.push(latest.target.as_str()),
            Retry::Done => {}
        }
    }
    let reason = "may have happened (no answer, and reading back could not tell); --include-uncertain sends it";
    let left_out: Vec<LeftOut> = uncertain
        .iter()
        .map(|target| LeftOut::new(*target, reason))
        .collect();
    if !uncertain.is_empty() {
        eprintln!(
            "left out {} target(s) whose {} may have happened (no answer, and reading back could not tell); --include-uncertain sends them: {}",
            uncertain.len(),
            kind.label(),
            crate::sanitize::sanitize(&uncertain.join(", "))
        );
    }
    let retries: Vec<&str> = actions
        .retries_of(&action_id)
        .iter()
        .map(|r| r.action_id.as_str())
        .collect();
    let chain = if retries.is_empty() {
        String::new()
    } else {
        format!(
            ", after its retries {}",
            crate::sanitize::sanitize(&retries.join(", "))
        )
    };
    if targets.is_empty() && left_out.is_empty() {
        eprintln!(
            "every target of action {shown_id} took effect (ok, or read back as happened{chain}): nothing to retry"
        );
        if format == OutputFormat::Json {
            print_outcomes(format, &[], &[], None, &Default::default())?;
        }
        return Ok(EXIT_OK);
    }
    if targets.is_empty() {
        eprintln!("nothing else to retry in action {shown_id}{chain}");
        return print_outcomes(format, &[], &left_out, None, &Default::default());
    }
    let what = format!(
        "{} (retry of action {shown_id}{chain}: {} of {all} targets)",
        kind.label(),
        targets.len()
    );
    ensure_allowed(&target.api, &what, &targets, &Default::default(), yes)?;
    super::interrupt::perform(target, kind, targets, Some(action_id))
        .await?
        .print_leaving_out(format, &left_out)
}
