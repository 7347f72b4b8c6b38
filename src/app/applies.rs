//! Whether an action can apply to its targets as they stand: stopping a server that
//! is already SHUTOFF, starting one that is ACTIVE, restarting an encoder that is
//! already restarting will fail. The confirmation dialog says how many.

use crate::action_kind::ActionKind;
use crate::api::cph::EncoderStatus;

use super::state::AppState;

/// Why a target cannot take the action now, if it cannot.
fn blocked(state: &AppState, kind: ActionKind, target: &str) -> Option<&'static str> {
    let server = || state.panes.servers.rows.iter().find(|s| s.0.id == target);
    match kind {
        ActionKind::StopServer => server().and_then(|s| match s.0.status.as_deref() {
            Some("SHUTOFF") => Some("already SHUTOFF"),
            _ if s.0.task_state.is_some() => Some("busy with a task"),
            _ => None,
        }),
        ActionKind::StartServer => server().and_then(|s| match s.0.status.as_deref() {
            Some("ACTIVE") => Some("already ACTIVE"),
            _ if s.0.task_state.is_some() => Some("busy with a task"),
            _ => None,
        }),
        ActionKind::RestartEncoder => state
            .panes
            .encoders
            .rows
            .iter()
            .find(|e| e.0.encode_server_id == target)
            .filter(|e| e.0.status == Some(EncoderStatus::RESTARTING))
            .map(|_| "already restarting"),
        // Any phone can be told to stop streaming; a stream listed can be paused.
        ActionKind::StopStreaming | ActionKind::PauseStream => None,
    }
}

/// "2 of them are already SHUTOFF: stop server will fail on those", or None.
pub fn warning(state: &AppState, kind: ActionKind, targets: &[String]) -> Option<String> {
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for reason in targets.iter().filter_map(|t| blocked(state, kind, t)) {
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, count)) => *count += 1,
            None => reasons.push((reason, 1)),
        }
    }
    if reasons.is_empty() {
        return None;
    }
    let parts: Vec<String> = reasons
        .iter()
        .map(|(reason, count)| {
            let verb = if *count == 1 { "is" } else { "are" };
            format!("{count} of them {verb} {reason}")
        })
        .collect();
    Some(format!(
        "{}: {} will fail on those",
        parts.join(", "),
        kind.label()
    ))
}
