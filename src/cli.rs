//! Command-line arguments. Parsing only: the work is in `commands`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The version and the commit it was built from (see build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("PHONEDECK_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "phonedeck",
    version = VERSION,
    about = "Terminal dashboard and headless CLI for cloud-phone fleets",
    long_about = "Terminal dashboard and headless CLI for cloud-phone fleets.\n\n\
        Without a command, shows the fleet. With no configuration file at all (or with \
        --demo) it runs against the built-in simulator."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Configuration file (default: $PHONEDECK_CONFIG, then ~/.config/phonedeck/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Profile to use (default: the file's default_profile).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Refuse every mutation, whatever the profile says.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Allow changes on a read-only profile for this run (asks to type its name).
    #[arg(long, global = true, conflicts_with = "read_only")]
    pub write: bool,
    /// Run against the built-in simulator instead of the configured cloud.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Output format of headless commands (default: table; `status --watch`: JSON lines).
    #[arg(long, short, global = true, value_enum)]
    pub output: Option<OutputFormat>,
    /// Audit log of every mutation (JSON lines; default ~/.local/share/phonedeck/audit.jsonl).
    #[arg(long, global = true, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Write tracing logs to this file (level from RUST_LOG, default info).
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    /// The table's columns as CSV, with a header row.
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Status of phones (all listed phones when no ids are given).
    Status {
        /// Instance ids.
        ids: Vec<String>,
        /// Keep polling and print each change as a JSON line (every phone once first).
        #[arg(long)]
        watch: bool,
        /// How often --watch polls.
        #[arg(long, default_value = "5s", value_parser = poll_interval)]
        interval: std::time::Duration,
    },
    /// Shell completions, printed to standard output.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff), printed to standard output.
    Man,
    /// Act on phones.
    #[command(subcommand)]
    Phones(PhonesCommand),
    /// Online streams of the configured publish domains.
    #[command(subcommand)]
    Streams(StreamsCommand),
    /// Compute servers.
    #[command(subcommand)]
    Servers(ServersCommand),
    /// Encode servers.
    #[command(subcommand)]
    Encoders(EncodersCommand),
    /// Status of CPH jobs.
    Jobs {
        /// Job ids.
        #[arg(required = true)]
        job_ids: Vec<String>,
    },
    /// Write a profile: from flags, by answering questions on a terminal, or from a
    /// KooCLI profile. `--profile NAME` names it (default: "default"), `--read-only`
    /// makes it read-only. No secret is written: credentials stay where the official
    /// SDKs find them (HUAWEICLOUD_SDK_AK/SK, ~/.huaweicloud/credentials).
    Init(InitArgs),
    /// Check a profile before you need it: configuration and where each value came
    /// from, DNS, proxy and TLS per host, the clock, one read per service. Read-only;
    /// exit 0 when every check passes.
    Doctor,
    /// What the audit log says: the actions with their counts, one action's targets,
    /// or one target's history (for the incident write-up). Read-only, offline.
    Audit(AuditArgs),
    /// Run an action again on just the targets it did not do: failed, not sent, and
    /// unknown unless read back as done, each by its latest outcome across the action
    /// and its retries, read from the audit log. Confirmed like the action itself.
    Retry {
        /// The action's id (`action_id` in the audit log, at the end of its
        /// activity-log entry, or from `phonedeck audit`).
        action_id: String,
        /// Also send targets that may have taken effect (no answer, reading back could
        /// not tell) of an action that is not harmless to repeat (an encoder restart).
        #[arg(long)]
        include_uncertain: bool,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Run the built-in cloud simulator in the foreground.
    #[command(disable_help_flag = true)]
    Sim(Box<SimArgs>),
}

/// `phonedeck sim` on its own, for its help: the simulator's flags and nothing else.
#[derive(Debug, Parser)]
#[command(
    name = "phonedeck sim",
    disable_help_flag = true,
    about = "Run the built-in cloud simulator in the foreground: every service \
             (KooPhone, Live, compute, CPH, IAM) at one base URL, until Ctrl-C."
)]
pub struct SimHelp {
    #[command(flatten)]
    pub args: SimArgs,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only lines from this long ago on, e.g. 2h, 30m.
    #[arg(long, value_parser = since)]
    pub since: Option<std::time::Duration>,
    /// One target's lines, across actions and runs.
    #[arg(long, value_name = "ID", conflicts_with = "action")]
    pub target: Option<String>,
    /// One action's targets, each with what was sent and how it ended.
    #[arg(long, value_name = "ACTION_ID")]
    pub action: Option<String>,
}

/// Which KooCLI profile `--from-hcloud` takes (no name: KooCLI's current one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KooCliProfile {
    Current,
    Named(String),
}

impl std::str::FromStr for KooCliProfile {
    type Err = std::convert::Infallible;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Ok(match name {
            "" => KooCliProfile::Current,
            name => KooCliProfile::Named(name.to_string()),
        })
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The region every endpoint follows, e.g. cn-east-3.
    #[arg(long)]
    pub region: Option<String>,
    /// The project id (default: IAM finds it by region on first use).
    #[arg(long)]
    pub project_id: Option<String>,
    /// A Live publish domain whose streams to show (repeat for several).
    #[arg(long = "live-domain", value_name = "DOMAIN")]
    pub live_domains: Vec<String>,
    /// Take name, region and project from a KooCLI profile (its current one by default).
    #[arg(long, value_name = "PROFILE", num_args = 0..=1, default_missing_value = "")]
    pub from_hcloud: Option<KooCliProfile>,
    /// Replace a profile of the same name.
    #[arg(long)]
    pub force: bool,
    /// The new profile's name (from --profile).
    #[arg(skip)]
    pub profile_name: Option<String>,
    /// Make the profile read-only (from --read-only).
    #[arg(skip)]
    pub read_only: bool,
}

#[derive(Debug, Args)]
pub struct Confirm {
    /// Do not ask for confirmation (required when standard input is not a terminal).
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct Wait {
    /// Wait until every target reaches its final state.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits at most.
    #[arg(long, default_value = "2m", value_parser = wait_timeout)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Subcommand)]
pub enum PhonesCommand {
    /// Stop streaming of instances.
    StopStreaming {
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Debug, Subcommand)]
pub enum StreamsCommand {
    /// List online streams.
    List,
    /// Pause (block once) streams, given as DOMAIN/APP/STREAM.
    Pause {
        #[arg(required = true, value_name = "DOMAIN/APP/STREAM")]
        streams: Vec<String>,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Debug, Subcommand)]
pub enum ServersCommand {
    /// List servers with status and task state.
    List,
    /// Stop servers (os-stop).
    Stop {
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        confirm: Confirm,
        #[command(flatten)]
        wait: Wait,
    },
    /// Start servers (os-start).
    Start {
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        confirm: Confirm,
        #[command(flatten)]
        wait: Wait,
    },
}

#[derive(Debug, Subcommand)]
pub enum EncodersCommand {
    /// List encode servers.
    List,
    /// Restart encode servers and report their jobs.
    Restart {
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        confirm: Confirm,
        #[command(flatten)]
        wait: Wait,
    },
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Print this help (the simulator's flags only).
    #[arg(long, short)]
    pub help: bool,
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8686")]
    pub listen: SocketAddr,
    /// Cloud phones in the fleet (KooPhone instances).
    #[arg(long, default_value_t = 200)]
    pub phones: usize,
    /// Compute servers (the Servers pane).
    #[arg(long, default_value_t = 12)]
    pub servers: usize,
    /// CPH encode servers (the Encoders pane).
    #[arg(long, default_value_t = 8)]
    pub encoders: usize,
    /// Live streams online, spread over the publish domains.
    #[arg(long, default_value_t = 24)]
    pub streams: usize,
    /// Latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Seed of the generated fleet.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Faults, e.g. `throttle=0.1,errors=0.05,html=0.02,token-ttl=60s,deny=0.05,bare-status`,
    /// `slow-actions=5s` (mutations answered late), `lost-actions=5s` (held, then dropped),
    /// `unlisted-restarts=0.5` (restart answers leave out some encoders' jobs).
    #[arg(long, default_value = "")]
    pub faults: String,
    /// An API's rate limit, enforced as the gateway does (repeat for several):
    /// `live.block_once=600/min`, or `=none`. The documented limits apply otherwise.
    #[arg(long = "limit", value_name = "API=RATE")]
    pub limits: Vec<String>,
    /// Publish domains the streams live under (repeat for several).
    #[arg(long = "live-domain", default_value = "publish.example.com")]
    pub live_domains: Vec<String>,
    /// How long asynchronous changes (power-off, restarts, re-push) take.
    #[arg(long, default_value = "3s", value_parser = transition)]
    pub transition: std::time::Duration,
    /// Random phone status changes per second (0 for a steady fleet).
    #[arg(long, default_value_t = 0.5)]
    pub churn: f64,
    /// Token the simulator accepts.
    #[arg(long)]
    pub token: Option<String>,
    /// Access key the simulator accepts.
    #[arg(long)]
    pub access_key: Option<String>,
    /// Secret key the simulator accepts.
    #[arg(long)]
    pub secret_key: Option<String>,
    /// Project id the simulator serves.
    #[arg(long)]
    pub project_id: Option<String>,
    /// Treat the access key as temporary: signed requests must carry this security
    /// token in X-Security-Token.
    #[arg(long)]
    pub security_token: Option<String>,
    /// What Live's `offset` counts: `pages` (offset 2 is the third page) or `items`
    /// (offset 200 starts at the 201st stream). No official text settles it.
    #[arg(long, default_value = "pages")]
    pub live_offset: crate::sim::LiveOffset,
    /// The region: IAM's one project is named after it (`GET /v3/projects?name=`).
    #[arg(long, default_value = "cn-east-3")]
    pub region: String,
    /// Runs the simulator's clock this far ahead (`20m`) or behind (`-20m`): its `Date`
    /// header shows it, and signatures more than 15 minutes off it are refused.
    #[arg(long, default_value = "0s", value_parser = parse_skew, allow_hyphen_values = true)]
    pub clock_skew: i64,
}

/// A duration flag's text, within the range that makes sense for it (`min` and `max`
/// as humantime text): `300000y` is refused here rather than overflowing a date later.
fn duration_within(text: &str, min: &str, max: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration like 30s, 5m or 2h ({e})"))?;
    let bound = |bound: &str| humantime::parse_duration(bound).unwrap_or(Duration::MAX);
    if (bound(min)..=bound(max)).contains(&duration) {
        return Ok(duration);
    }
    Err(format!("`{text}` is out of range: give {min} to {max}"))
}

/// `audit --since`: up to ten years back.
fn since(text: &str) -> Result<Duration, String> {
    duration_within(text, "0s", "10y")
}

/// `status --watch --interval`.
fn poll_interval(text: &str) -> Result<Duration, String> {
    duration_within(text, "100ms", "1d")
}

/// `--wait --timeout`.
fn wait_timeout(text: &str) -> Result<Duration, String> {
    duration_within(text, "1s", "7d")
}

/// The simulator's `--transition`.
fn transition(text: &str) -> Result<Duration, String> {
    duration_within(text, "0s", "1d")
}

/// `20m` or `-20m` as seconds, a day at most either way.
fn parse_skew(text: &str) -> Result<i64, String> {
    let (sign, magnitude) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let duration = duration_within(magnitude, "0s", "1d")?;
    i64::try_from(duration.as_secs())
        .map(|secs| sign * secs)
        .map_err(|_| format!("`{text}` is too long"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_lines_are_well_formed() {
        Cli::command().debug_assert();
        SimHelp::command().debug_assert();
    }

    #[test]
    fn duration_flags_are_range_checked() {
        for (args, says) in [
            (
                &["phonedeck", "audit", "--since", "300000y"][..],
                "out of range",
            ),
            (
                &["phonedeck", "audit", "--since", "99999999999y"][..],
                "out of range",
            ),
            (
                &["phonedeck", "status", "--watch", "--interval", "0s"][..],
                "out of range",
            ),
            (
                &["phonedeck", "sim", "--clock-skew", "-9999d"][..],
                "out of range",
            ),
        ] {
            let err = Cli::try_parse_from(args).expect_err("refused");
            assert!(err.to_string().contains(says), "{args:?}: {err}");
            assert_eq!(err.exit_code(), 2);
        }
        Cli::try_parse_from(["phonedeck", "audit", "--since", "10y"]).expect("ten years");
    }
}
