//! Confirmation before a mutation: ids that cannot be ids and read-only mode refuse
//! at once, `--yes` skips the question, and without a terminal to ask on, nothing is sent.

use std::io::{BufRead, IsTerminal, Write};

use crate::api::Api;

use super::names::Names;
use super::{EXIT_FAILED, Failure};

/// Targets from which the engineer must type the count instead of `y`.
pub const TYPED_COUNT_FROM: usize = 10;

pub fn ensure_allowed(
    api: &Api,
    action: &str,
    targets: &[String],
    names: &Names,
    yes: bool,
) -> Result<(), Failure> {
    super::check_ids(targets, "target")?;
    if api.read_only() {
        return Err(Failure::usage(format!(
            "read-only mode: refusing to {action}; nothing was sent. Drop --read-only or use a profile without read_only = true."
        )));
    }
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(format!(
            "refusing to {action} on {} target(s) without --yes: standard input is not a terminal to confirm on",
            targets.len()
        )));
    }
    ask(action, targets, names)
}

/// A target as the engineer knows it: `name (id)` where it has a name.
fn known_as(target: &str, names: &Names) -> String {
    match names.get(target) {
        Some(name) => format!("{name} ({target})"),
        None => target.to_string(),
    }
}

fn ask(action: &str, targets: &[String], names: &Names) -> Result<(), Failure> {
    let shown: Vec<String> = (targets.iter().take(5))
        .map(|target| known_as(target, names))
        .collect();
    let more = targets.len().saturating_sub(shown.len());
    let mut stderr = std::io::stderr();
    let count = targets.len();
    let answer_hint = if count >= TYPED_COUNT_FROM {
        format!("type {count} to go on")
    } else {
        "y to go on".to_string()
    };
    let _ = write!(
        stderr,
        "{action} on {count} target(s): {}{}\n{answer_hint}, anything else cancels: ",
        crate::sanitize::sanitize(&shown.join(", ")),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::usage(format!("cannot read the confirmation: {e}")))?;
    let answer = line.trim();
    let confirmed = if count >= TYPED_COUNT_FROM {
        answer == count.to_string()
    } else {
        matches!(answer, "y" | "Y" | "yes")
    };
    if confirmed {
        Ok(())
    } else {
        Err(Failure {
            exit: EXIT_FAILED,
            message: "cancelled; nothing was sent".into(),
        })
    }
}
