//! `phonedeck init` on a terminal with no `--region`: a few questions, each with its
//! default in brackets; the flags given still count.

use std::io::{BufRead, IsTerminal, Write};

use super::new_profile::NewProfile;
use crate::cli::InitArgs;
use crate::commands::Failure;

pub fn ask(args: &InitArgs) -> Result<NewProfile, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "init needs --region (or --from-hcloud) when standard input is not a terminal to ask on",
        ));
    }
    let mut lines = std::io::stdin().lock().lines();
    let mut question = |text: &str, default: &str| -> Result<String, Failure> {
        eprint!("{text} [{default}]: ");
        let _ = std::io::stderr().flush();
        let answer = lines
            .next()
            .transpose()
            .map_err(|e| Failure::usage(format!("cannot read the answer ({e})")))?
            .ok_or_else(|| Failure::usage("init cancelled: no answer; nothing was written"))?;
        let answer = answer.trim();
        Ok(if answer.is_empty() { default } else { answer }.to_string())
    };
    let name = question(
        "Profile name",
        args.profile_name.as_deref().unwrap_or("default"),
    )?;
    let region = question("Region (e.g. cn-east-3)", "cn-east-3")?;
    let project = question(
        "Project id (empty: IAM finds it by region)",
        args.project_id.as_deref().unwrap_or(""),
    )?;
    let domains = question(
        "Live publish domains, comma-separated",
        &args.live_domains.join(","),
    )?;
    let read_only = question("Read-only (y/n)", if args.read_only { "y" } else { "n" })?;
    Ok(NewProfile {
        name,
        region,
        project_id: Some(project).filter(|p| !p.is_empty()),
        live_domains: domains
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect(),
        read_only: read_only.to_ascii_lowercase().starts_with('y'),
    })
}
