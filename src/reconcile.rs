//! Settling an `unknown` outcome by reading the target back: whether a mutation whose
//! answer never came (or came without this target's entry) took effect. Each action
//! says what it can; a phone's status says nothing about streaming, and that is said
//! plainly.

use std::time::Duration;

use crate::action_kind::ActionKind;
use crate::api::Api;
use crate::api::outcome::{Settled, TargetOutcome};

/// Reads of a server before its unchanged state counts as "did not happen".
const SERVER_READS: u32 = 4;
const BETWEEN_READS: Duration = Duration::from_secs(1);

/// What reading a target back settled, what was seen, and the job it found (an
/// encoder restart that did start).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadBack {
    pub settled: Settled,
    pub seen: String,
    pub job_id: Option<String>,
}

impl From<(Settled, String)> for ReadBack {
    fn from((settled, seen): (Settled, String)) -> Self {
        ReadBack {
            settled,
            seen,
            job_id: None,
        }
    }
}

/// What reading `outcome`'s target back says about `kind`, and what was seen. Stops
/// reading (cannot tell) once `stopped()` says the action was stopped: quitting sends
/// nothing new.
pub async fn reconcile(
    api: &Api,
    kind: ActionKind,
    outcome: &TargetOutcome,
    stopped: &(dyn Fn() -> bool + Sync),
) -> ReadBack {
    let target = outcome.target.as_str();
    match kind {
        ActionKind::StopServer => server(api, target, "SHUTOFF", "powering-off", stopped)
            .await
            .into(),
        ActionKind::StartServer => server(api, target, "ACTIVE", "powering-on", stopped)
            .await
            .into(),
        ActionKind::PauseStream => stream(api, target).await.into(),
        ActionKind::RestartEncoder => match outcome.request_id.as_deref() {
            Some(request_id) => encoder_jobs(api, target, request_id, stopped).await,
            None => encoder_status(api, target).await.into(),
        },
        ActionKind::StopStreaming => (
            Settled::CannotTell,
            "a phone's status does not say whether it is streaming".to_string(),
        )
            .into(),
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

/// The restart was answered, but without this encoder's entry: the jobs of that
/// answer's request say whether it started. Each restart is sent alone, so a job of
/// the request is this encoder's unless it names another.
async fn encoder_jobs(
    api: &Api,
    id: &str,
    request_id: &str,
    stopped: &(dyn Fn() -> bool + Sync),
) -> ReadBack {
    let jobs = match api.cph().jobs_of_request(request_id).await {
        Ok(jobs) => jobs,
        Err(error) if stopped() => {
            return (
                Settled::CannotTell,
                format!("cannot list the request's jobs ({error}); stopped before reading more"),
            )
                .into();
        }
        Err(error) => {
            let (settled, status) = encoder_status(api, id).await;
            return (
                settled,
                format!("cannot list the request's jobs ({error}); {status}"),
            )
                .into();
        }
    };
    let job = jobs
        .iter()
        .find(|job| job.encode_server_id.as_deref().is_none_or(|e| e == id));
    match job {
        Some(job) => ReadBack {
            settled: Settled::Happened,
            seen: format!("job {} {}", job.job_id, job.status_name()),
            job_id: Some(job.job_id.clone()),
        },
        None => (
            Settled::DidNotHappen,
            format!("request {request_id} started no job for it"),
        )
            .into(),
    }
}

/// No answer at all, so no request id to ask the job list with: an encoder
/// restarting has taken the restart; any other status cannot tell.
async fn encoder_status(api: &Api, id: &str) -> (Settled, String) {
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
