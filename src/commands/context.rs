//! Which cloud a command talks to: the configured profile, or the built-in simulator.

use crate::actions::Executor;
use crate::api::Api;
use crate::app::keymap::KeyMap;
use crate::audit::{self, AuditLog, Links};
use crate::cli::GlobalArgs;
use crate::config;
use crate::config::origin::{Origin, Setting};
use crate::sim::{self, SimHandle, SimOptions};
use crate::theme::Theme;

use super::Failure;

/// The API to use, the profile's name, and the simulator when running the demo.
pub struct Target {
    pub api: Api,
    pub profile: String,
    /// Kept alive for as long as the target is used.
    pub simulator: Option<SimHandle>,
    pub audit_path: Option<std::path::PathBuf>,
    /// How often the dashboard refreshes.
    pub poll_interval: std::time::Duration,
    /// The dashboard's keys ([keys] applied) and the conflicts to report at start-up.
    pub keymap: KeyMap,
    pub key_conflicts: Vec<String>,
    /// Where dashboard exports go.
    pub export_dir: std::path::PathBuf,
    /// The configuration file and its profiles, for `:profile` (None in the demo).
    pub config_path: Option<std::path::PathBuf>,
    pub profiles: Vec<String>,
    pub theme: Theme,
    pub mouse: bool,
    pub clipboard: bool,
    /// Every resolved setting and where it came from, for `doctor`.
    pub settings: Vec<Setting>,
}

impl Target {
    /// The executor for mutations, with the audit log opened (an error if it cannot be).
    pub fn executor(&self) -> Result<Executor, Failure> {
        let path = self.audit_path.clone().ok_or_else(|| {
            Failure::usage("no place for the audit log: choose one with --audit-log FILE")
        })?;
        // The default place is predictable, so a link there may be planted; a path
        // the engineer typed is followed wherever it points.
        let links = if audit::default_path().as_deref() == Some(path.as_path()) {
            Links::Refuse
        } else {
            Links::Follow
        };
        let audit = AuditLog::open(&path, &self.profile, links).map_err(|e| {
            Failure::usage(format!(
                "cannot open the audit log {} ({e}); choose another with --audit-log FILE",
                path.display()
            ))
        })?;
        Ok(Executor {
            api: self.api.clone(),
            audit: Some(audit),
        })
    }
}

/// Connects to the configured profile. With `--demo`, or when `demo_without_config`
/// and no configuration file exists at all, starts the simulator in-process instead.
/// A file that exists but is broken is always an error, never a fall-back.
pub async fn connect(global: &GlobalArgs, demo_without_config: bool) -> Result<Target, Failure> {
    let audit_path = global.audit_log.clone().or_else(audit::default_path);
    let location = config::locate(global.config.as_deref(), &config::Environment::process());
    let configured = location.as_ref().filter(|l| l.exists_or_explicit());
    let target = match (global.demo, configured) {
        (false, Some(location)) => {
            if let Some(warning) = config::permission_warning(&location.path) {
                eprintln!("{warning}");
            }
            let choice = ProfileChoice {
                config_path: location.path.clone(),
                read_only: global.read_only,
                audit_path,
            };
            let mut target = choice.connect(global.profile.as_deref())?;
            if global.write {
                allow_writes(&mut target)?;
            }
            target
        }
        (false, None) if !demo_without_config => {
            let looked = location
                .map(|l| l.path.display().to_string())
                .unwrap_or_else(|| "the platform config directory".into());
            return Err(Failure::usage(format!(
                "no configuration found (looked for {looked}). Create it from assets/config.example.toml, \
                 point --config or $PHONEDECK_CONFIG at one, or pass --demo to use the built-in simulator."
            )));
        }
        _ => demo(global.read_only, audit_path).await?,
    };
    Ok(target)
}

/// What it takes to connect to a profile of the configuration, again and again: the
/// start-up profile, then any `:profile NAME`.
#[derive(Debug, Clone)]
pub struct ProfileChoice {
    pub config_path: std::path::PathBuf,
    /// `--read-only`: every profile is read-only, whatever it says.
    pub read_only: bool,
    pub audit_path: Option<std::path::PathBuf>,
}

impl ProfileChoice {
    /// Reads the configuration afresh and connects to `name` (None: the default).
    pub fn connect(&self, name: Option<&str>) -> Result<Target, Failure> {
        let path = &self.config_path;
        let file = config::load_file(path)?;
        let mut profile = file.profile(path, name)?;
        profile.api.read_only |= self.read_only;
        let (keymap, key_conflicts) = file.keymap(path)?;
        Ok(Target {
            keymap,
            key_conflicts,
            export_dir: file.export_dir.clone().unwrap_or_else(current_dir),
            config_path: Some(path.clone()),
            profiles: file.profiles.keys().cloned().collect(),
            theme: file.theme(path)?,
            mouse: file.mouse,
            clipboard: file.clipboard,
            api: Api::new(profile.api)?,
            settings: profile.settings,
            profile: profile.name,
            simulator: None,
            audit_path: self.audit_path.clone(),
            poll_interval: profile.poll_interval,
        })
    }
}

/// `--write`: lets a read-only profile make changes for this run, once the engineer
/// has typed the profile's name to confirm. Other profiles switched to stay as they are.
fn allow_writes(target: &mut Target) -> Result<(), Failure> {
    use std::io::{BufRead, IsTerminal, Write};
    if !target.api.read_only() {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(format!(
            "--write on read-only profile {}: confirming needs a terminal; nothing was sent",
            target.profile
        )));
    }
    eprint!(
        "Profile {0} is read-only. --write lets this run change things in it.\nType {0} to confirm, anything else cancels: ",
        target.profile
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("cannot read the confirmation: {e}")))?;
    if answer.trim() != target.profile {
        return Err(Failure::usage("--write not confirmed; nothing was sent"));
    }
    target.api = target.api.with_read_only(false)?;
    Ok(())
}

/// The demo refreshes often, so its changing fleet is seen moving.
const DEMO_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

async fn demo(read_only: bool, audit_path: Option<std::path::PathBuf>) -> Result<Target, Failure> {
    let simulator = sim::start(SimOptions::default())
        .await
        .map_err(|e| Failure::usage(format!("cannot start the built-in simulator: {e}")))?;
    let mut api_config = simulator.api_config();
    api_config.read_only = read_only;
    Ok(Target {
        keymap: KeyMap::default(),
        key_conflicts: Vec::new(),
        export_dir: current_dir(),
        config_path: None,
        profiles: Vec::new(),
        theme: Theme::default(),
        mouse: false,
        clipboard: false,
        settings: vec![Setting::new(
            "endpoints",
            format!("every service at {}", simulator.base_url()),
            Origin::Default,
        )],
        api: Api::new(api_config)?,
        profile: "demo".into(),
        simulator: Some(simulator),
        audit_path,
        poll_interval: DEMO_POLL_INTERVAL,
    })
}

/// The directory phonedeck was started in, where exports go unless configured.
fn current_dir() -> std::path::PathBuf {
    std::env::current_dir().unwrap_or_else(|_| ".".into())
}
