//! The five actions phonedeck performs, named once for the executor, the audit log,
//! the dashboard and the headless commands.

use serde::{Deserialize, Serialize};

use crate::api::ApiName;

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

impl ActionKind {
    /// Whether doing it twice to one target does no harm: stopping what is stopped or
    /// pausing what is paused changes nothing; a second encoder restart interrupts the
    /// first one's recovery.
    pub fn repeats_harmlessly(self) -> bool {
        match self {
            ActionKind::StopStreaming
            | ActionKind::PauseStream
            | ActionKind::StopServer
            | ActionKind::StartServer => true,
            ActionKind::RestartEncoder => false,
        }
    }

    /// What a retry does with a target that `took_effect` or not, whose outcome is
    /// `uncertain` (unknown, and not read back as did-not-happen).
    pub fn retry(self, took_effect: bool, uncertain: bool) -> Retry {
        match (took_effect, uncertain && !self.repeats_harmlessly()) {
            (true, _) => Retry::Done,
            (false, true) => Retry::Uncertain,
            (false, false) => Retry::Send,
        }
    }

    /// How many targets one request carries. CPH's batch-restart takes a list of
    /// encode servers with no documented maximum; 100 matches the other batch calls'
    /// limits (KooPhone's 100 ids, CPH's page of 100). The other APIs act on one target.
    pub fn targets_per_request(self) -> usize {
        match self {
            ActionKind::RestartEncoder => 100,
            ActionKind::StopStreaming
            | ActionKind::PauseStream
            | ActionKind::StopServer
            | ActionKind::StartServer => 1,
        }
    }

    /// The API that performs it (its rate limit paces the action).
    pub fn api(self) -> ApiName {
        match self {
            ActionKind::StopStreaming => ApiName::KooPhoneStopStreaming,
            ActionKind::PauseStream => ApiName::LiveBlockOnce,
            ActionKind::RestartEncoder => ApiName::CphBatchRestart,
            ActionKind::StopServer | ActionKind::StartServer => ApiName::ComputeServerAction,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionKind::StopStreaming => "stop streaming",
            ActionKind::PauseStream => "pause stream",
            ActionKind::RestartEncoder => "restart encoder",
            ActionKind::StopServer => "stop server",
            ActionKind::StartServer => "start server",
        }
    }
}
