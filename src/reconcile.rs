//! Settling an `unknown` outcome by reading the target back: whether a mutation whose
//! answer never came (or came without this target's entry) took effect. Each action
//! says what it can; a phone's status says nothing about streaming, and that is said
//! plainly.

use crate::api::tolerant::MISSING;
use std::time::Duration;

use crate::action_kind::{ActionKind, Settles};
use crate::api::Api;
use crate::api::Outcome;
use crate::api::cph::{EncodeServer, EncoderStatus, Job};
use crate::api::outcome::{Settled, TargetOutcome};
use crate::api::server_status::ServerStatus;

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

/// What reading back says about the targets of one request left `unknown` (among
/// `outcomes`, all of that request), each with its index in `outcomes`. Stops reading
/// (cannot tell) once `stopped()` says the action was stopped: quitting sends nothing
/// new.
pub async fn reconcile(
    api: &Api,
    kind: ActionKind,
    outcomes: &[TargetOutcome],
    stopped: &(dyn Fn() -> bool + Sync),
) -> Vec<(usize, ReadBack)> {
    let mut read_backs = Vec::new();
    let unanswered = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| o.outcome == Outcome::Unknown);
    for (index, outcome) in unanswered {
        let target = outcome.target.as_str();
        let read_back = match kind.settles() {
            Settles::Job => {
                // One job list for the request, one encoder list for them all.
                read_backs.extend(encoders(api, outcomes, stopped).await);
                break;
            }
            Settles::Server { wanted, task } => {
                server(api, target, &wanted, task, stopped).await.into()
            }
            Settles::LeavesStreamList => stream(api, target).await.into(),
            Settles::Unobservable { why } => (Settled::CannotTell, why.to_string()).into(),
        };
        read_backs.push((index, read_back));
    }
    read_backs
}

/// Happened once the server is on its way (`task`) or there (`status`, no task); did
/// not happen while it stays as it was, with no task, over a few reads.
async fn server(
    api: &Api,
    id: &str,
    wanted: &ServerStatus,
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
                let now = (server.status.as_ref()).map_or(MISSING, |s| s.as_str());
                let doing = server.task_state.as_deref();
                seen = match doing {
                    Some(doing) => format!("{now}, task {doing}"),
                    None => now.to_string(),
                };
                if doing == Some(task) || server.is_settled_in(wanted) {
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

/// Encoder restarts of one request left unknown. Answered without their entries: the
/// jobs of that answer's request say whether they started. Not answered at all (no
/// request id the service gave): an encoder restarting has taken it, any other status
/// cannot tell.
async fn encoders(
    api: &Api,
    outcomes: &[TargetOutcome],
    stopped: &(dyn Fn() -> bool + Sync),
) -> Vec<(usize, ReadBack)> {
    let unanswered: Vec<usize> = (0..outcomes.len())
        .filter(|&i| outcomes[i].outcome == Outcome::Unknown)
        .collect();
    let request_id = unanswered
        .iter()
        .find_map(|&i| outcomes[i].request_id.as_deref());
    let from_jobs = match request_id {
        Some(request_id) => match api.cph().jobs_of_request(request_id).await {
            Ok(jobs) => {
                return unanswered
                    .iter()
                    .map(|&i| (i, by_jobs(outcomes, i, &jobs.rows, request_id)))
                    .collect();
            }
            Err(error) if stopped() => {
                let seen = format!(
                    "cannot list the request's jobs ({error}); stopped before reading more"
                );
                return unanswered
                    .iter()
                    .map(|&i| (i, (Settled::CannotTell, seen.clone()).into()))
                    .collect();
            }
            Err(error) => Some(format!("cannot list the request's jobs ({error}); ")),
        },
        None => None,
    };
    let statuses = encoder_statuses(api).await;
    unanswered
        .iter()
        .map(|&i| {
            let (settled, status) = by_status(&statuses, &outcomes[i].target);
            let seen = format!("{}{status}", from_jobs.as_deref().unwrap_or(""));
            (i, (settled, seen).into())
        })
        .collect()
}

/// Whether the jobs of the request say the restart of `outcomes[index]` started: a
/// job that names the encoder, else one the answer listed under no encoder. The SDK's
/// job model names no encode server, so jobs not in the answer are the missing
/// encoders': as many as are missing settles them all, none settles none.
fn by_jobs(outcomes: &[TargetOutcome], index: usize, jobs: &[Job], request_id: &str) -> ReadBack {
    let target = outcomes[index].target.as_str();
    let named = jobs
        .iter()
        .find(|job| job.encode_server_id.as_deref() == Some(target));
    if let Some(job) = named {
        return started(job);
    }
    let answered: Vec<&str> = outcomes
        .iter()
        .filter_map(|o| o.job_id.as_deref())
        .collect();
    let unnamed: Vec<&Job> = jobs
        .iter()
        .filter(|job| job.encode_server_id.is_none() && !answered.contains(&job.job_id.as_str()))
        .collect();
    let missing = outcomes
        .iter()
        .filter(|o| o.outcome == Outcome::Unknown)
        .count();
    match unnamed.as_slice() {
        [] => (
            Settled::DidNotHappen,
            format!("request {request_id} started no job for it"),
        )
            .into(),
        [job] if missing == 1 => started(job),
        some if some.len() >= missing => ReadBack {
            settled: Settled::Happened,
            seen: format!(
                "request {request_id} started {} job(s) for its {missing} encoder(s) missing from the answer",
                some.len()
            ),
            job_id: None,
        },
        some => (
            Settled::CannotTell,
            format!(
                "request {request_id} started {} job(s) for its {missing} encoder(s) missing from the answer",
                some.len()
            ),
        )
            .into(),
    }
}

fn started(job: &Job) -> ReadBack {
    ReadBack {
        settled: Settled::Happened,
        seen: format!("job {} {}", job.job_id, job.status_name()),
        job_id: Some(job.job_id.clone()),
    }
}

/// The encoders' statuses by id, or why they cannot be read.
async fn encoder_statuses(api: &Api) -> Result<Vec<EncodeServer>, String> {
    api.cph()
        .list_encode_servers()
        .await
        .map(|rows| rows.rows)
        .map_err(|error| format!("cannot list encoders: {error}"))
}

/// An encoder restarting has taken the restart; any other status cannot tell.
fn by_status(statuses: &Result<Vec<EncodeServer>, String>, id: &str) -> (Settled, String) {
    let encoders = match statuses {
        Ok(encoders) => encoders,
        Err(why) => return (Settled::CannotTell, why.clone()),
    };
    match encoders.iter().find(|e| e.encode_server_id == id) {
        Some(encoder) => {
            let status = crate::api::tolerant::label(encoder.status, EncoderStatus::name);
            if encoder.status == Some(EncoderStatus::RESTARTING) {
                (Settled::Happened, status)
            } else {
                (Settled::CannotTell, status)
            }
        }
        None => (Settled::CannotTell, "not in the encoder list".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, encoder: Option<&str>) -> Job {
        let body = serde_json::json!({
            "job_id": id, "status": 1, "encode_server_id": encoder,
        });
        serde_json::from_str(&body.to_string()).expect("a job")
    }

    fn unknown(target: &str) -> TargetOutcome {
        TargetOutcome {
            outcome: Outcome::Unknown,
            ..TargetOutcome::ok(target, Some("r1".into()))
        }
    }

    fn answered(target: &str, job_id: &str) -> TargetOutcome {
        TargetOutcome {
            job_id: Some(job_id.into()),
            ..TargetOutcome::ok(target, Some("r1".into()))
        }
    }

    #[test]
    fn a_job_naming_the_encoder_settles_it() {
        let outcomes = [answered("e1", "j1"), unknown("e2")];
        let jobs = [job("j1", Some("e1")), job("j2", Some("e2"))];
        let read = by_jobs(&outcomes, 1, &jobs, "r1");
        assert_eq!(read.settled, Settled::Happened);
        assert_eq!(read.job_id.as_deref(), Some("j2"));
    }

    #[test]
    fn unnamed_jobs_beyond_the_answered_ones_belong_to_the_missing_encoders() {
        // The SDK's job model names no encoder: j1 is e1's (its answer said so), so
        // the one other job is the one missing encoder's.
        let outcomes = [answered("e1", "j1"), unknown("e2")];
        let jobs = [job("j1", None), job("j2", None)];
        let read = by_jobs(&outcomes, 1, &jobs, "r1");
        assert_eq!(read.settled, Settled::Happened);
        assert_eq!(read.job_id.as_deref(), Some("j2"));
    }

    #[test]
    fn no_job_beyond_the_answered_ones_means_it_did_not_happen() {
        let outcomes = [answered("e1", "j1"), unknown("e2"), unknown("e3")];
        let jobs = [job("j1", None)];
        for index in [1, 2] {
            let read = by_jobs(&outcomes, index, &jobs, "r1");
            assert_eq!(read.settled, Settled::DidNotHappen, "{}", read.seen);
        }
    }

    #[test]
    fn fewer_unnamed_jobs_than_missing_encoders_cannot_tell_which() {
        let outcomes = [unknown("e1"), unknown("e2"), unknown("e3")];
        let jobs = [job("j1", None), job("j2", None)];
        let read = by_jobs(&outcomes, 0, &jobs, "r1");
        assert_eq!(read.settled, Settled::CannotTell, "{}", read.seen);
        let all = [job("j1", None), job("j2", None), job("j3", None)];
        let read = by_jobs(&outcomes, 0, &all, "r1");
        assert_eq!(read.settled, Settled::Happened, "{}", read.seen);
        assert_eq!(read.job_id, None, "which job is whose is not known");
    }
}
