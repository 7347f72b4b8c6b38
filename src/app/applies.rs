//! Whether an action can apply to its targets as they stand: stopping a server that
//! is already SHUTOFF, starting one that is ACTIVE, restarting an encoder that is
//! already restarting will fail. The confirmation dialog says how many.

use crate::action_kind::{ActionKind, Settles};
use crate::api::cph::EncoderStatus;

use super::state::AppState;

/// Why a target cannot take the action now, if it cannot.
fn blocked(state: &AppState, kind: ActionKind, target: &str) -> Option<String> {
    match kind.settles() {
        Settles::Server { wanted, .. } => {
            let server = state.panes.servers.rows.iter().find(|s| s.0.id == target)?;
            if server.0.status.as_ref() == Some(&wanted) {
                Some(format!("already {wanted}"))
            } else {
                server
                    .0
                    .task_state
                    .is_some()
                    .then(|| "busy with a task".into())
            }
        }
        Settles::Job => state
            .panes
            .encoders
            .rows
            .iter()
            .find(|e| e.0.encode_server_id == target)
            .filter(|e| e.0.status == Some(EncoderStatus::RESTARTING))
            .map(|_| "already restarting".into()),
        // Any phone can be told to stop streaming; a stream listed can be paused.
        Settles::Unobservable { .. } | Settles::LeavesStreamList => None,
    }
}

/// "2 of them are already SHUTOFF: stop server will fail on those", or None.
pub fn warning(state: &AppState, kind: ActionKind, targets: &[String]) -> Option<String> {
    let mut reasons: Vec<(String, usize)> = Vec::new();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::compute::Server;
    use crate::api::tolerant::Rows;
    use crate::app::clock::Clock;
    use crate::app::pane::listing::Listing;
    use crate::app::settings::Settings;

    fn server(id: &str, status: &str, task: Option<&str>) -> Server {
        let json = serde_json::json!({
            "id": id, "status": status, "OS-EXT-STS:task_state": task,
        });
        serde_json::from_str(&json.to_string()).expect("a server")
    }

    fn with_servers(servers: Vec<Server>) -> AppState {
        let clock = Clock::system();
        let mut state = AppState::new(Settings::default(), clock);
        let listing = Listing::Servers(Ok(Rows::new(servers)));
        state.panes.listed(listing, clock);
        state
    }

    #[test]
    fn a_server_already_where_the_action_leads_or_busy_is_counted_by_reason() {
        let state = with_servers(vec![
            server("a", "SHUTOFF", None),
            server("b", "SHUTOFF", None),
            server("c", "ACTIVE", Some("powering-off")),
            server("d", "ACTIVE", None),
        ]);
        let all: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        assert_eq!(
            warning(&state, ActionKind::StopServer, &all).as_deref(),
            Some(
                "2 of them are already SHUTOFF, 1 of them is busy with a task: \
                 stop server will fail on those"
            )
        );
        assert_eq!(
            warning(&state, ActionKind::StartServer, &all).as_deref(),
            Some("2 of them are already ACTIVE: start server will fail on those")
        );
        assert_eq!(warning(&state, ActionKind::StopStreaming, &all), None);
    }
}
