//! The five actions phonedeck performs, named once for the executor, the audit log,
//! the dashboard and the headless commands.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    StopStreaming,
    PauseStream,
    RestartEncoder,
    StopServer,
    StartServer,
}

impl ActionKind {
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
