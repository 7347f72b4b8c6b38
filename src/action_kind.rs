//! The five actions phonedeck performs, each described once (`ActionKind::spec`) for
//! the executor, the audit log, the dashboard and the headless commands.

use serde::{Deserialize, Serialize};

use crate::api::server_status::ServerStatus;
use crate::api::{ApiName, TargetOutcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    StopStreaming,
    PauseStream,
    RestartEncoder,
    StopServer,
    StartServer,
}

/// What a retry does with one target of an earlier action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// It did not take effect: send it again.
    Send,
    /// It may have taken effect (no answer, and reading back could not tell), and
    /// doing it twice is not harmless: left out unless asked for.
    Uncertain,
    /// It took effect: never again.
    Done,
}

/// What phonedeck knows about an action kind, in one place: what the dialogs call it,
/// which API performs it (and paces it), how many targets a request carries, whether
/// twice is harmless, and how the provider shows it done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSpec {
    pub label: &'static str,
    /// The API that performs it (its rate limit paces the action).
    pub api: ApiName,
    /// How many targets one request carries.
    pub targets_per_request: usize,
    /// Whether doing it twice to one target does no harm.
    pub repeats_harmlessly: bool,
    pub settles: Settles,
}

/// How an accepted action shows itself done, which the preconditions, the
/// follow-through, reading back an unanswered request and `--wait` all go by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settles {
    /// The server is in `wanted` with no task; on its way while its task is `task`.
    Server {
        wanted: ServerStatus,
        task: &'static str,
    },
    /// The stream leaves the online list.
    LeavesStreamList,
    /// The restart job it started ends (succeeded or failed).
    Job,
    /// Nothing the provider lists shows it (why, for the engineer).
    Unobservable { why: &'static str },
}

impl ActionKind {
    pub fn spec(self) -> ActionSpec {
        match self {
            ActionKind::StopStreaming => ActionSpec {
                label: "stop streaming",
                api: ApiName::KooPhoneStopStreaming,
                targets_per_request: 1,
                repeats_harmlessly: true,
                settles: Settles::Unobservable {
                    why: "a phone's status does not say whether it is streaming",
                },
            },
            ActionKind::PauseStream => ActionSpec {
                label: "pause stream",
                api: ApiName::LiveBlockOnce,
                targets_per_request: 1,
                repeats_harmlessly: true,
                settles: Settles::LeavesStreamList,
            },
            // CPH's batch-restart takes a list of encode servers with no documented
            // maximum; 100 matches the other batch calls' limits (KooPhone's 100 ids,
            // CPH's page of 100). A second restart interrupts the first's recovery.
            ActionKind::RestartEncoder => ActionSpec {
                label: "restart encoder",
                api: ApiName::CphBatchRestart,
                targets_per_request: 100,
                repeats_harmlessly: false,
                settles: Settles::Job,
            },
            ActionKind::StopServer => ActionSpec {
                label: "stop server",
                api: ApiName::ComputeServerAction,
                targets_per_request: 1,
                repeats_harmlessly: true,
                settles: Settles::Server {
                    wanted: ServerStatus::Shutoff,
                    task: "powering-off",
                },
            },
            ActionKind::StartServer => ActionSpec {
                label: "start server",
                api: ApiName::ComputeServerAction,
                targets_per_request: 1,
                repeats_harmlessly: true,
                settles: Settles::Server {
                    wanted: ServerStatus::Active,
                    task: "powering-on",
                },
            },
        }
    }

    /// What a retry does with a target that ended as `outcome`: what happened is never
    /// sent again; what may have happened only when twice is harmless.
    pub fn retry(self, outcome: &TargetOutcome) -> Retry {
        let uncertain = outcome.may_have_happened() && !self.spec().repeats_harmlessly;
        match (outcome.took_effect(), uncertain) {
            (true, _) => Retry::Done,
            (false, true) => Retry::Uncertain,
            (false, false) => Retry::Send,
        }
    }

    pub fn label(self) -> &'static str {
        self.spec().label
    }

    pub fn api(self) -> ApiName {
        self.spec().api
    }

    pub fn targets_per_request(self) -> usize {
        self.spec().targets_per_request
    }

    pub fn settles(self) -> Settles {
        self.spec().settles
    }
}
