//! A compute server's `status`, typed where phonedeck acts on it (ACTIVE, SHUTOFF,
//! ERROR) and kept raw otherwise: Nova has about twenty and may add more.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum ServerStatus {
    Active,
    Shutoff,
    Error,
    /// Any other status, as the service wrote it (BUILD, REBOOT, MIGRATING…).
    Other(String),
}

impl ServerStatus {
    pub fn as_str(&self) -> &str {
        match self {
            ServerStatus::Active => "ACTIVE",
            ServerStatus::Shutoff => "SHUTOFF",
            ServerStatus::Error => "ERROR",
            ServerStatus::Other(raw) => raw,
        }
    }
}

impl From<String> for ServerStatus {
    fn from(raw: String) -> Self {
        match raw.as_str() {
            "ACTIVE" => ServerStatus::Active,
            "SHUTOFF" => ServerStatus::Shutoff,
            "ERROR" => ServerStatus::Error,
            _ => ServerStatus::Other(raw),
        }
    }
}

impl From<ServerStatus> for String {
    fn from(status: ServerStatus) -> Self {
        status.as_str().to_string()
    }
}

impl fmt::Display for ServerStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// By name, as the column sorted before it was typed.
impl Ord for ServerStatus {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for ServerStatus {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_statuses_are_typed_others_kept_and_both_written_back_as_read() {
        for raw in ["ACTIVE", "SHUTOFF", "ERROR", "MIGRATING"] {
            let status: ServerStatus =
                serde_json::from_str(&format!("\"{raw}\"")).expect("a status");
            assert_eq!(
                serde_json::to_string(&status).expect("json"),
                format!("\"{raw}\"")
            );
        }
        assert_eq!(
            ServerStatus::from("SHUTOFF".to_string()),
            ServerStatus::Shutoff
        );
        let mut sorted = [
            ServerStatus::Shutoff,
            ServerStatus::Other("BUILD".into()),
            ServerStatus::Active,
            ServerStatus::Error,
        ];
        sorted.sort();
        let names: Vec<&str> = sorted.iter().map(ServerStatus::as_str).collect();
        assert_eq!(names, ["ACTIVE", "BUILD", "ERROR", "SHUTOFF"], "by name");
    }
}
