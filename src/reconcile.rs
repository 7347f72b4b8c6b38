//! Settling an `unknown` outcome by reading the target back: whether a mutation whose
//! answer never came took effect. Each action says what it can; a phone's status says
//! nothing about streaming, and that is said plainly.

use std::time::Duration;

use crate::action_kind::ActionKind;
use crate::api::Api;
use crate::api::outcome::Settled;

/// Reads of a server before its unchanged state counts as "did not happen".
const SERVER_READS: u32 = 4;
const BETWEEN_READS: Duration = Duration::from_secs(1);

/// What reading `target` back says about `kind`, and what was seen. Stops reading
/// (cannot tell) once `stopped()` says the action was stopped: quitting sends nothing new.
pub async fn reconcile(
    api: &Api,
    kind: ActionKind,
    target: &str,
    stopped: &(dyn Fn() -> bool + Sync),
) -> (Settled, String) {
    match kind {
        ActionKind::StopServer => server(api, target, "SHUTOFF", "powering-off", stopped).await,
        ActionKind::StartServer => server(api, target, "ACTIVE", "powering-on", stopped).await,
        ActionKind::PauseStream => stream(api, target).await,
        ActionKind::RestartEncoder => encoder(api, target).await,
        ActionKind::StopStreaming => (
            Settled::CannotTell,
            "a phone's status does not say whether it is streaming".into(),
        ),
    }
}

/// Happened once the server is on its way (`task`) or there (`status`, no task); did
/// not happen while it stays as it was, with no task, over a few reads.
async fn server(
    api: &Api,
    id: &str,
    status: &str,
    task: &str,
    stopped: &(dyn Fn() -> bool + Sync),
) -> (Settled, String) {
    let mut seen = String::from("no answer");
    for read in 0..SERVER_READS {
        if read > 0 {
            tokio::time::sleep(BETWEEN_READS).await;
        }
        if stopped() {
            return (
                Settled::CannotTell,
                format!("stopped before reading back ({seen})"),
            );
        }
        match api.compute().server(id).await {
            Ok(server) => {
                let now = server.status.as_deref().unwrap_or("–");
                let doing = server.task_state.as_deref();
                seen = match doing {
                    Some(doing) => format!("{now}, task {doing}"),
                    None => now.to_string(),
                };
                if doing == Some(task) || (now == status && doing.is_none()) {
                    return (Settled::Happened, seen);
                }
                if doing.is_none() && read + 1 == SERVER_READS {
                    return (
                        Settled::DidNotHappen,
                        format!("still {seen} after {read} s"),
                    );
                }
            }
            Err(error) => seen = format!("cannot read it: {error}"),
        }
    }
    (Settled::CannotTell, seen)
}

/// A stream blocked once leaves the online list at once.
async fn stream(api: &Api, key: &str) -> (Settled, String) {
    let Ok(parsed) = key.parse::<crate::api::live::StreamKey>() else {
        return (Settled::CannotTell, "not a stream key".into());
    };
    tokio::time::sleep(BETWEEN_READS).await;
    match api.live().list_streams(&parsed.domain).await {
        Ok(streams) if streams.iter().any(|s| s.key() == parsed) => {
            (Settled::DidNotHappen, "still online".into())
        }
        Ok(_) => (Settled::Happened, "no longer online".into()),
        Err(error) => (
            Settled::CannotTell,
            format!("cannot list the streams: {error}"),
        ),
    }
}

/// An encoder restarting has taken the restart; any other status cannot tell.
async fn encoder(api: &Api, id: &str) -> (Settled, String) {
    match api.cph().list_encode_servers().await {
        Ok(encoders) => match encoders.iter().find(|e| e.encode_server_id == id) {
            Some(encoder) => {
                let status = crate::api::tolerant::label(
                    encoder.status,
                    crate::api::cph::EncoderStatus::name,
                );
                let restarting = encoder.status == Some(crate::api::cph::EncoderStatus::RESTARTING);
                let settled = if restarting {
                    Settled::Happened
                } else {
                    Settled::CannotTell
                };
                (settled, status)
            }
            None => (Settled::CannotTell, "not in the encoder list".into()),
        },
        Err(error) => (
            Settled::CannotTell,
            format!("cannot list encoders: {error}"),
        ),
    }
}
