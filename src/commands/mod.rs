//! Headless commands: each runs one operation from a shell script and exits
//! 0 (all ok), 1 (a target failed or is unknown) or 2 (usage, config or auth error).

mod audit;
mod confirm;
mod context;
mod doctor;
mod encoders;
mod failure;
mod ids;
mod init;
mod interrupt;
mod jobs;
mod names;
mod output;
mod packaging;
mod phones;
mod progress;
mod retry;
mod servers;
mod simulator;
mod status;
mod streams;
mod watch;

use crate::cli::{
    Cli, Command, EncodersCommand, GlobalArgs, OutputFormat, PhonesCommand, ServersCommand,
    StreamsCommand,
};
use crate::dashboard::ProfileSwitcher;

use context::ProfileChoice;
pub use context::{Target, connect};

pub use failure::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, Failure};
pub use ids::check_ids;

/// The dashboard's settings for a target.
fn dashboard_settings(target: &Target) -> crate::app::Settings {
    crate::app::Settings {
        profile: target.profile.clone(),
        simulator: target.simulator.is_some(),
        read_only: target.api.read_only(),
        poll_interval: target.poll_interval,
        max_requests_per_sec: target.api.requests_per_sec(),
        max_in_flight: target.api.max_in_flight(),
        rate_limits: target.api.config().rate_limits.clone(),
        export_dir: target.export_dir.clone(),
        profiles: target.profiles.clone(),
        theme: target.theme,
        mouse: target.mouse,
        clipboard: target.clipboard,
        session: crate::audit::new_session_id(),
    }
}

/// How `:profile NAME` connects: the configuration is read again, `--read-only` still
/// applies (`--write` does not: it was confirmed for the start-up profile only).
fn profile_switcher(global: &GlobalArgs, target: &Target) -> Option<ProfileSwitcher> {
    let choice = ProfileChoice {
        config_path: target.config_path.clone()?,
        read_only: global.read_only,
        audit_path: target.audit_path.clone(),
    };
    Some(Box::new(move |name: &str| {
        let target = choice.connect(Some(name)).map_err(|f| f.message)?;
        let executor = target.executor().map_err(|f| f.message)?;
        Ok((executor, dashboard_settings(&target)))
    }))
}

/// Opens the dashboard; without a terminal, prints the fleet's status instead.
async fn dashboard(
    global: &GlobalArgs,
    target: &Target,
    format: crate::cli::OutputFormat,
) -> Result<u8, Failure> {
    use std::io::{IsTerminal, Write};
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("not a terminal: printing the fleet's status instead of the dashboard");
        return status::run(target, Vec::new(), format).await;
    }
    let options = crate::dashboard::DashboardOptions {
        settings: dashboard_settings(target),
        executor: target.executor()?,
        keymap: target.keymap.clone(),
        key_conflicts: target.key_conflicts.clone(),
        switch_profile: profile_switcher(global, target),
    };
    let summary = crate::dashboard::run(options)
        .await
        .map_err(|e| Failure::failed(format!("the dashboard stopped: {e:#}")))?;
    if let Some(summary) = summary {
        // The terminal may be gone (the SSH session died): nothing must fail for that.
        let _ = writeln!(
            std::io::stderr(),
            "phonedeck: {}",
            crate::sanitize::sanitize(&summary)
        );
    }
    Ok(EXIT_OK)
}

/// Runs the command line; returns the exit status.
pub async fn run(cli: Cli) -> Result<u8, Failure> {
    let global = &cli.global;
    let format = global.output.unwrap_or(OutputFormat::Table);
    let command = match cli.command {
        Some(Command::Sim(args)) => return simulator::run(*args).await,
        Some(Command::Completions { shell }) => return packaging::completions(shell),
        Some(Command::Man) => return packaging::man(),
        Some(Command::Audit(args)) => {
            return audit::run(args, global.audit_log.as_deref(), format);
        }
        Some(Command::Init(mut args)) => {
            args.profile_name = global.profile.clone();
            args.read_only = global.read_only;
            return init::run(args, global.config.as_deref());
        }
        Some(command) => command,
        None => {
            let target = connect(global, true).await?;
            return dashboard(global, &target, format).await;
        }
    };
    let target = connect(global, false).await?;
    match command {
        Command::Status {
            ids,
            watch: true,
            interval,
        } => watch::run(&target, ids, interval, global.output).await,
        Command::Status { ids, .. } => status::run(&target, ids, format).await,
        Command::Phones(PhonesCommand::StopStreaming { ids, confirm }) => {
            phones::stop_streaming(&target, ids, confirm.yes, format).await
        }
        Command::Streams(StreamsCommand::List) => streams::list(&target, format).await,
        Command::Streams(StreamsCommand::Pause { streams, confirm }) => {
            streams::pause(&target, streams, confirm.yes, format).await
        }
        Command::Servers(ServersCommand::List) => servers::list(&target, format).await,
        Command::Servers(ServersCommand::Stop { ids, confirm, wait }) => {
            servers::power(
                &target,
                servers::Power::Stop,
                ids,
                confirm.yes,
                &wait,
                format,
            )
            .await
        }
        Command::Servers(ServersCommand::Start { ids, confirm, wait }) => {
            servers::power(
                &target,
                servers::Power::Start,
                ids,
                confirm.yes,
                &wait,
                format,
            )
            .await
        }
        Command::Encoders(EncodersCommand::List) => encoders::list(&target, format).await,
        Command::Encoders(EncodersCommand::Restart { ids, confirm, wait }) => {
            encoders::restart(&target, ids, confirm.yes, &wait, format).await
        }
        Command::Jobs { job_ids } => jobs::run(&target, job_ids, format).await,
        Command::Doctor => doctor::run(&target, format).await,
        Command::Retry {
            action_id,
            include_uncertain,
            confirm,
        } => retry::run(&target, action_id, include_uncertain, confirm.yes, format).await,
        Command::Sim(_)
        | Command::Completions { .. }
        | Command::Man
        | Command::Init(_)
        | Command::Audit(_) => {
            unreachable!("handled above")
        }
    }
}
