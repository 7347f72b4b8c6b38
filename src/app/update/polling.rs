//! Polling: which feeds are due, and what the jobs' answers say.

use crate::api::ApiError;
use crate::api::cph::Job;

use crate::app::activity::Entry;
use crate::app::effect::Effect;
use crate::app::feed::FeedId;
use crate::app::follow;
use crate::app::jobs::JobState;
use crate::app::last_error::LastError;
use crate::app::pane::{Pane, Polling};
use crate::app::poll_result::record_result;
use crate::app::state::AppState;

pub(super) fn schedule_polls(state: &mut AppState, effects: &mut Vec<Effect>) {
    // Quitting sends nothing new: not even a poll.
    if state.frozen || state.stopping {
        return;
    }
    let now = state.now;
    for &pane in Pane::ALL {
        if state.pane(pane).feed().is_due(now) {
            state.pane_mut(pane).feed_mut().start(now);
            effects.push(match pane.spec().polling {
                Polling::List => Effect::List(pane),
                Polling::ListAndStatus => {
                    (state.panes.phones).next_poll(&state.settings, state.size.1)
                }
            });
        }
    }
    let running = state.running_jobs();
    if !running.is_empty() && state.jobs_feed.is_due(now) {
        state.jobs_feed.start(now);
        effects.push(Effect::PollJobs(running));
    }
}

pub(super) fn on_jobs(
    state: &mut AppState,
    jobs: Vec<(String, Result<Job, ApiError>)>,
    effects: &mut Vec<Effect>,
) {
    let mut first_error = None;
    for (job_id, result) in jobs {
        let Some(row) = state.jobs.iter_mut().find(|j| j.job_id == job_id) else {
            continue;
        };
        let new_state = match result {
            Ok(job) => JobState::from_status(job.status, job.error_code, job.error_msg),
            Err(error) => {
                let state = JobState::Unreadable(error.to_string());
                first_error.get_or_insert(error);
                state
            }
        };
        if new_state.is_finished() && row.state != new_state {
            row.state = new_state;
            let job = row.clone();
            let encoder = state.encoder_name(&job.encoder_id);
            let note = match &job.state {
                JobState::Failed { code, message } => format!(
                    "restart of {encoder}: job {} failed: {} {message}",
                    job.job_id,
                    code.as_deref().unwrap_or("")
                ),
                _ => format!("restart of {encoder}: job {} succeeded", job.job_id),
            };
            state.activity.push(state.now, Entry::Note(note));
            follow::job_ended(state, &job);
            if let Some(settled) = follow::failed_job_outcome(state, &job) {
                let error = LastError::of(&settled.outcome);
                (state.pane_mut(Pane::Encoders)).action_error(&job.encoder_id, error);
                effects.push(Effect::RecordSettled(settled));
            }
        } else {
            row.state = new_state;
        }
    }
    record_result(state, FeedId::Jobs, first_error.as_ref());
    if state.running_jobs().is_empty() {
        state.panes.encoders.feed.next_due = state.now;
    }
}

#[cfg(test)]
mod tests {
    use crate::app::run_id::RunId;
    use std::time::Duration;

    use super::super::test_support::{log_lines, with_phones};
    use super::super::update;
    use crate::api::cph::{Job, JobStatus};
    use crate::app::clock::Clock;
    use crate::app::effect::Effect;
    use crate::app::jobs::{JobRow, JobState};
    use crate::app::message::Msg;
    use crate::app::pane::Pane;
    use crate::app::settings::Settings;
    use crate::app::state::AppState;

    fn later(state: &AppState, seconds: u64) -> Clock {
        let mut clock = Clock::system();
        clock.now = state.now + Duration::from_secs(seconds);
        clock
    }

    fn lists(effects: &[Effect]) -> Vec<Pane> {
        (effects.iter())
            .filter_map(|e| match e {
                Effect::List(pane) => Some(*pane),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn due_feeds_are_polled_once_each_and_a_stopping_dashboard_polls_none() {
        let clock = Clock::system();
        let mut state = AppState::new(Settings::default(), clock);
        let due = update(&mut state, Msg::Tick, clock);
        assert!(lists(&due).contains(&Pane::Servers), "{due:?}");
        assert!(lists(&due).contains(&Pane::Encoders), "{due:?}");
        let again = update(&mut state, Msg::Tick, clock);
        assert!(lists(&again).is_empty(), "in flight already: {again:?}");
        let mut stopping = with_phones(3);
        stopping.stopping = true;
        let clock = later(&stopping, 3600);
        let effects = update(&mut stopping, Msg::Tick, clock);
        let sends = |e: &Effect| matches!(e, Effect::List(_) | Effect::PollStatus(_));
        assert!(!effects.iter().any(sends), "{effects:?}");
    }

    fn followed_job(state: &mut AppState) {
        state.jobs.push(JobRow {
            job_id: "job-1".into(),
            request_id: Some("req-1".into()),
            run: RunId(1),
            encoder_id: "enc-1".into(),
            state: JobState::Running,
            started: state.now,
        });
    }

    fn answer(status: JobStatus) -> Msg {
        let job = Job {
            job_id: "job-1".into(),
            status: Some(status),
            begin_time: None,
            end_time: None,
            server_id: None,
            encode_server_id: None,
            error_code: Some("CPS.0001".into()),
            error_msg: Some("encoder crashed".into()),
            execute_msg: None,
        };
        Msg::JobsPolled(vec![("job-1".into(), Ok(job))])
    }

    #[test]
    fn running_jobs_are_polled_and_a_failure_is_noted_once() {
        let mut state = with_phones(3);
        followed_job(&mut state);
        let clock = later(&state, 3600);
        let effects = update(&mut state, Msg::Tick, clock);
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::PollJobs(jobs) if jobs.len() == 1))
        );
        update(&mut state, answer(JobStatus::FAILED), clock);
        update(&mut state, answer(JobStatus::FAILED), clock);
        let notes: Vec<String> = (log_lines(&state).into_iter())
            .filter(|line| line.contains("job-1"))
            .collect();
        assert_eq!(
            notes,
            vec!["restart of enc-1: job job-1 failed: CPS.0001 encoder crashed"]
        );
        assert!(state.running_jobs().is_empty());
    }

    #[test]
    fn one_failed_status_batch_leaves_the_rest_fresh_and_says_how_many_phones() {
        use crate::api::koophone::{BatchStatus, ChunkFailure, StatusResult};
        use crate::api::{ApiError, ErrorKind, Service};
        use crate::app::update::test_support::phone_id;
        let mut state = with_phones(40);
        let error = ApiError::new(Service::KooPhone, ErrorKind::Service, "busy").with_status(500);
        let batch = BatchStatus {
            chunks: 2,
            results: (32..40)
                .map(|i| StatusResult {
                    instance_id: phone_id(i),
                    status: Some(crate::api::koophone::PhoneStatus::RUNNING),
                })
                .collect(),
            failures: vec![ChunkFailure {
                ids: (0..32).map(phone_id).collect(),
                error,
            }],
            dropped: 0,
        };
        let clock = later(&state, 1);
        update(&mut state, Msg::StatusPolled(batch), clock);
        let feed = &state.panes.phones.table.feed;
        assert!(!feed.is_stale(), "eight phones were refreshed");
        let part = feed.partial.as_deref().unwrap_or_default();
        assert!(
            part.starts_with("32 of 40 phones not refreshed: 1 batch(es) failed"),
            "{part}"
        );
    }

    #[test]
    fn a_job_still_running_stays_followed() {
        let mut state = with_phones(3);
        followed_job(&mut state);
        let clock = later(&state, 1);
        update(&mut state, answer(JobStatus::RUNNING), clock);
        assert_eq!(state.running_jobs().len(), 1);
    }
}
