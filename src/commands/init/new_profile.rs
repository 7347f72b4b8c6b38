//! The profile `init` writes, however its answers were gathered.

/// What the new profile says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewProfile {
    pub name: String,
    pub region: String,
    pub project_id: Option<String>,
    pub live_domains: Vec<String>,
    pub read_only: bool,
}
