//! `phonedeck servers list|stop|start`, with `--wait` following each server to its
//! final state.

use std::collections::HashMap;
use std::time::Duration;

use crate::action_kind::{ActionKind, Settles};
use crate::api::compute::Server;
use crate::api::server_status::ServerStatus;
use crate::api::tolerant::label;
use crate::api::{Outcome, TargetOutcome};
use crate::cli::{OutputFormat, Wait};

use super::confirm::ensure_allowed;
use super::output::{print_list, warn_dropped};
use super::progress::Progress;
use super::{EXIT_OK, Failure, Target};
use crate::app::pane::servers::ServerRow;

const WAIT_POLL: Duration = Duration::from_millis(500);

pub async fn list(target: &Target, format: OutputFormat) -> Result<u8, Failure> {
    let servers = target.api.compute().list_servers().await?;
    warn_dropped(&servers, "server");
    let rows: Vec<ServerRow> = servers.rows.iter().cloned().map(ServerRow).collect();
    print_list(format, &rows)?;
    Ok(EXIT_OK)
}

#[derive(Debug, Clone, Copy)]
pub enum Power {
    Stop,
    Start,
}

impl Power {
    fn action(self) -> ActionKind {
        match self {
            Power::Stop => ActionKind::StopServer,
            Power::Start => ActionKind::StartServer,
        }
    }
}

pub async fn power(
    target: &Target,
    power: Power,
    ids: Vec<String>,
    yes: bool,
    wait: &Wait,
    format: OutputFormat,
) -> Result<u8, Failure> {
    let kind = power.action();
    super::check_ids(&ids, "server id or name")?;
    let known = super::names::listed(target.api.compute().list_servers().await, "servers", |s| {
        (s.id.clone(), s.name.clone())
    });
    let ids = super::names::resolve_listed(ids, known.as_deref(), "server")?;
    let names = super::names::names_of(known.as_deref());
    ensure_allowed(&target.api, kind.label(), &ids, &names, yes)?;
    let mut performed = super::interrupt::perform(target, kind, ids, None).await?;
    performed.names = names;
    if let (true, Settles::Server { wanted, .. }) = (wait.wait, kind.settles()) {
        wait_until_settled(target, &wanted, &mut performed.outcomes, wait.timeout).await;
    }
    performed.print(format)
}

/// Polls the server list until every accepted target is settled in `wanted`; those
/// that are not in time become unknown (accepted, final state not seen).
async fn wait_until_settled(
    target: &Target,
    wanted: &ServerStatus,
    outcomes: &mut [TargetOutcome],
    timeout: Duration,
) {
    let started = tokio::time::Instant::now();
    let mut last_seen: HashMap<String, Server> = HashMap::new();
    let progress = Progress::new();
    loop {
        let pending: Vec<&TargetOutcome> = outcomes
            .iter()
            .filter(|o| o.took_effect() && !settled(last_seen.get(&o.target), wanted))
            .collect();
        if pending.is_empty() || started.elapsed() >= timeout {
            break;
        }
        progress.show(&format!(
            "waiting for {} server(s) to be {} ({}s of {})",
            pending.len(),
            wanted,
            started.elapsed().as_secs(),
            humantime::format_duration(timeout)
        ));
        tokio::time::sleep(WAIT_POLL).await;
        if let Ok(servers) = target.api.compute().list_servers().await {
            last_seen = servers
                .rows
                .into_iter()
                .map(|s| (s.id.clone(), s))
                .collect();
        }
    }
    progress.finish();
    for outcome in outcomes.iter_mut().filter(|o| o.took_effect()) {
        let server = last_seen.get(&outcome.target);
        if !settled(server, wanted) {
            let state = server
                .map(|s| {
                    let status = label(s.status.clone(), String::from);
                    format!("{status} {}", s.task_state.as_deref().unwrap_or(""))
                })
                .unwrap_or_else(|| "not seen".into());
            outcome.outcome = Outcome::Unknown;
            outcome.error_msg = Some(format!(
                "accepted, but still {} after {}",
                state.trim(),
                humantime::format_duration(timeout)
            ));
        }
    }
}

fn settled(server: Option<&Server>, wanted: &ServerStatus) -> bool {
    server.is_some_and(|s| s.is_settled_in(wanted))
}
