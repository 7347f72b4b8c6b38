//! `phonedeck sim`: the simulator in the foreground, until Ctrl-C.

use std::time::Duration;

use crate::api::RateLimits;
use crate::cli::SimArgs;
use crate::sim::{self, Faults, FleetSize, SimCredentials, SimOptions};

use super::{EXIT_OK, Failure};

/// `--limit API=RATE` flags, over the documented limits.
fn rate_limits(flags: &[String]) -> Result<RateLimits, Failure> {
    let mut limits = RateLimits::default();
    for flag in flags {
        let (api, rate) = flag.split_once('=').ok_or_else(|| {
            Failure::usage(format!(
                "--limit {flag}: write API=RATE, as live.block_once=600/min"
            ))
        })?;
        limits
            .set(api, rate)
            .map_err(|problem| Failure::usage(format!("--limit {flag}: {problem}")))?;
    }
    Ok(limits)
}

fn options(args: SimArgs) -> Result<SimOptions, Failure> {
    let mut faults: Faults = args
        .faults
        .parse()
        .map_err(|e| Failure::usage(format!("--faults: {e}")))?;
    if args.latency_ms > 0 {
        faults.latency = Duration::from_millis(args.latency_ms);
    }
    let defaults = SimCredentials::default();
    Ok(SimOptions {
        listen: args.listen,
        size: FleetSize {
            phones: args.phones,
            servers: args.servers,
            encoders: args.encoders,
            streams: args.streams,
        },
        live_domains: args.live_domains,
        seed: args.seed,
        credentials: SimCredentials {
            token: args.token.unwrap_or(defaults.token),
            access_key: args.access_key.unwrap_or(defaults.access_key),
            secret_key: args.secret_key.unwrap_or(defaults.secret_key),
            project_id: args.project_id.unwrap_or(defaults.project_id),
            password: defaults.password,
            security_token: args.security_token,
        },
        faults,
        transition: args.transition,
        churn_per_sec: args.churn,
        live_offset: args.live_offset,
        region: args.region,
        clock_skew_secs: args.clock_skew,
        rate_limits: rate_limits(&args.limits)?,
        ..SimOptions::default()
    })
}

pub async fn run(args: SimArgs) -> Result<u8, Failure> {
    if args.help {
        use clap::CommandFactory;
        println!("{}", crate::cli::SimHelp::command().render_long_help());
        return Ok(EXIT_OK);
    }
    let options = options(args)?;
    let listen = options.listen;
    let handle = sim::start(options)
        .await
        .map_err(|e| Failure::usage(format!("cannot listen on {listen}: {e}")))?;
    let c = handle.credentials();
    println!("phonedeck simulator listening on http://{}", handle.addr());
    println!("  token       {}", c.token);
    println!("  access key  {}", c.access_key);
    println!("  secret key  {}", c.secret_key);
    println!(
        "  project id  {} (IAM finds it by region {})",
        c.project_id,
        handle.region()
    );
    if let Some(token) = &c.security_token {
        println!("  security token {token} (the access key is temporary)");
    }
    println!("  password    {} (IAM, any user)", c.password);
    println!(
        "Every service (KooPhone, Live, compute, CPH, IAM) is at that one base URL. Ctrl-C stops."
    );
    println!();
    println!("{}", config_profile(&handle));
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::failed(format!("cannot wait for Ctrl-C: {e}")))?;
    Ok(EXIT_OK)
}

/// A profile for the simulator, ready to paste into the configuration file, and the
/// token's export line (the configuration never holds a secret).
fn config_profile(handle: &sim::SimHandle) -> String {
    let base = format!("http://{}", handle.addr());
    let credentials = handle.credentials();
    let domains: Vec<String> = handle
        .live_domains()
        .iter()
        .map(|d| format!("\"{d}\""))
        .collect();
    format!(
        "To use it from phonedeck, paste this into ~/.config/phonedeck/config.toml:\n\n\
         [profiles.sim]\n\
         project_id = \"{project}\"\n\
         live_domains = [{domains}]\n\
         [profiles.sim.endpoints]\n\
         koophone = \"{base}\"\n\
         live = \"{base}\"\n\
         compute = \"{base}\"\n\
         cph = \"{base}\"\n\
         [profiles.sim.auth]\n\
         token_env = \"PHONEDECK_SIM_TOKEN\"\n\n\
         then: export PHONEDECK_SIM_TOKEN={token}; phonedeck --profile sim",
        project = credentials.project_id,
        domains = domains.join(", "),
        token = credentials.token,
    )
}
