//! Runs `update`'s effects as tokio tasks; each answers with messages.

use crate::app::run_id::RunId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use crate::actions::{Cancel, Executor, Run};
use crate::api::Api;
use crate::app::effect::SettledTarget;
use crate::app::message::EarlierRun;
use crate::app::pane::column::provider_fields;
use crate::app::pane::listing::Listing;
use crate::app::{Effect, Msg, Pane};
use crate::audit::RunRef;
use crate::audit::actions::{Actions, Filter};

/// The stop switches of the actions running, by their number in the session.
#[derive(Clone, Default)]
pub struct Running(Arc<Mutex<HashMap<RunId, Cancel>>>);

impl Running {
    /// The switch of an action (made on first use, so a cancel effect handled right
    /// after its action's start always finds it).
    fn switch(&self, run: RunId) -> Cancel {
        self.lock().entry(run).or_default().clone()
    }

    /// Flips an action's switch, if it is still running.
    fn cancel(&self, run: RunId) {
        if let Some(switch) = self.lock().get(&run) {
            switch.cancel();
        }
    }

    /// Every running action stops sending (after a bug, when `update` cannot be trusted).
    pub fn cancel_all(&self) {
        for switch in self.lock().values() {
            switch.cancel();
        }
    }

    /// No action is running any more.
    pub fn is_idle(&self) -> bool {
        self.lock().is_empty()
    }

    fn finished(&self, run: RunId) {
        self.lock().remove(&run);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RunId, Cancel>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs an effect as a task of its own; a stop switch is flipped at once.
pub fn spawn(effect: Effect, executor: &Executor, running: &Running, tx: &UnboundedSender<Msg>) {
    match &effect {
        Effect::CancelRun(run) => return running.cancel(*run),
        Effect::StartRun { run, .. } => {
            running.switch(*run);
        }
        _ => {}
    }
    let executor = executor.clone();
    let running = running.clone();
    let tx = tx.clone();
    tokio::spawn(async move { perform(effect, &executor, &running, &tx).await });
}

/// Carries out one effect, sending its answers to `tx` (tests await it directly).
pub async fn perform(
    effect: Effect,
    executor: &Executor,
    running: &Running,
    tx: &UnboundedSender<Msg>,
) {
    let renewals = executor.api.token_renewals();
    {
        let api = &executor.api;
        // A send fails only when the dashboard is gone; then nobody needs the answer.
        let _ = match effect {
            Effect::List(pane) => tx.send(Msg::Listed(list(api, pane).await)),
            Effect::PollStatus(ids) => {
                tx.send(Msg::StatusPolled(api.koophone().batch_status(&ids).await))
            }
            Effect::PollJobs(jobs) => tx.send(Msg::JobsPolled(api.cph().jobs(&jobs).await)),
            // The event loop swaps clients itself; here there is no configuration to use.
            Effect::SwitchProfile(name) => tx.send(Msg::ProfileSwitched(Err(format!(
                "cannot switch to {name} here: only the dashboard switches profiles"
            )))),
            Effect::WriteFile {
                path,
                contents,
                what,
            } => {
                let result = write_new_file(&path, contents).await;
                tx.send(Msg::FileWritten { what, result })
            }
            Effect::StartRun {
                run: run_id,
                action_id,
                retry_of,
                kind,
                targets,
            } => {
                let run = Run::stopped_by(
                    RunRef {
                        id: action_id,
                        retry_of,
                    },
                    running.switch(run_id),
                );
                let mut outcomes = std::pin::pin!(executor.run(kind, targets, run));
                while let Some((_, outcome)) = outcomes.next().await {
                    let _ = tx.send(Msg::RunOutcome {
                        run: run_id,
                        outcome,
                    });
                }
                running.finished(run_id);
                if let Some(problem) = executor.audit.as_ref().and_then(|a| a.write_problem()) {
                    let _ = tx.send(Msg::Note(problem));
                }
                tx.send(Msg::RunFinished { run: run_id })
            }
            Effect::CancelRun(run) => {
                running.cancel(run);
                Ok(())
            }
            Effect::ReadAudit { target } => {
                let result = audit_lines(executor, target.clone()).await;
                tx.send(Msg::AuditRead { target, result })
            }
            Effect::ReadPhoneRecord { id } => {
                let result = phone_record(executor, &id).await;
                tx.send(Msg::PhoneRecordRead { id, result })
            }
            Effect::Clipboard(text) => {
                copy_to_clipboard(&text);
                Ok(())
            }
            Effect::TryCredentialsAgain => {
                api.try_credentials_again();
                Ok(())
            }
            Effect::ReadEarlierRuns { profile } => {
                tx.send(Msg::EarlierRuns(earlier_runs(executor, profile).await))
            }
            Effect::RecordSettled(settled) => match record_settled(executor, settled).await {
                Ok(()) => Ok(()),
                Err(problem) => tx.send(Msg::Note(problem)),
            },
        };
    }
    if executor.api.token_renewals() > renewals {
        let _ = tx.send(Msg::Note(
            "the token had expired; a new one was obtained and works".into(),
        ));
    }
}

/// One target's lines of the audit log, across runs (off the async threads).
async fn audit_lines(
    executor: &Executor,
    target: String,
) -> Result<Vec<crate::audit::read::Record>, String> {
    let audit = executor
        .audit
        .as_ref()
        .ok_or("no audit log in this session")?;
    let path = audit.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        crate::audit::read::read_matching(&path, |r| r.target == target)
            .map(|records| records.records)
            .map_err(|e| format!("cannot read {} ({e})", path.display()))
    })
    .await
    .map_err(|e| format!("the read was interrupted ({e})"))?
}

/// Puts `text` on the clipboard of the terminal phonedeck runs in (through SSH too):
/// the OSC 52 sequence, written between frames.
/// How far back the dashboard looks for actions left undone.
const EARLIER_RUNS_WITHIN: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// This profile's actions of the last day that left targets undone, from the audit log.
async fn earlier_runs(executor: &Executor, profile: String) -> Result<Vec<EarlierRun>, String> {
    let Some(audit) = &executor.audit else {
        return Ok(Vec::new());
    };
    let path = audit.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let filter = Filter {
            action_id: None,
            since: chrono::Utc::now().checked_sub_signed(EARLIER_RUNS_WITHIN),
        };
        let actions = Actions::read(&path, &filter)
            .map_err(|e| format!("cannot read the audit log {} ({e})", path.display()))?;
        Ok(actions
            .undone(&profile)
            .into_iter()
            .map(|(action, targets)| EarlierRun {
                action_id: action.action_id.clone(),
                kind: action.kind,
                started: action
                    .started
                    .with_timezone(&chrono::Local)
                    .format("%m-%d %H:%M")
                    .to_string(),
                targets,
            })
            .collect())
    })
    .await
    .map_err(|e| format!("the read was interrupted ({e})"))?
}

/// Writes a `settled` line; what to tell the engineer if it cannot be written.
async fn record_settled(executor: &Executor, settled: SettledTarget) -> Result<(), String> {
    let Some(audit) = &executor.audit else {
        return Ok(());
    };
    let action = RunRef {
        id: settled.action_id,
        retry_of: settled.retry_of,
    };
    audit
        .settled(settled.kind, &settled.outcome, &action)
        .await
        .map_err(|error| {
            format!(
                "cannot record in the audit log {} what following {} through found ({error})",
                audit.path().display(),
                settled.outcome.target
            )
        })
}

pub fn copy_to_clipboard(text: &str) {
    use base64::Engine;
    use std::io::Write;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut stdout = std::io::stdout();
    // A terminal that ignores OSC 52 shows nothing; there is nothing more to do.
    let _ = write!(stdout, "\x1b]52;c;{encoded}\x07");
    let _ = stdout.flush();
}

/// A pane's rows, fetched afresh from its service.
async fn list(api: &Api, pane: Pane) -> Listing {
    match pane {
        Pane::Phones => Listing::Phones(api.koophone().list_instances().await),
        Pane::Streams => Listing::Streams(api.live().list_all_streams().await),
        Pane::Encoders => Listing::Encoders(api.cph().list_encode_servers().await),
        Pane::Servers => Listing::Servers(api.compute().list_servers().await),
    }
}

/// Writes a new file (never over an existing one), off the async threads; returns
/// its absolute path.
async fn write_new_file(path: &Path, contents: String) -> Result<PathBuf, String> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {} ({e})", dir.display()))?;
        }
        use std::os::unix::fs::OpenOptionsExt;
        // Exports name targets and errors: only their owner reads them.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("cannot create {} ({e})", path.display()))?;
        file.write_all(contents.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {} ({e})", path.display()))?;
        Ok(std::path::absolute(&path).unwrap_or(path))
    })
    .await
    .map_err(|e| format!("the write was interrupted ({e})"))?
}

/// One phone whole, its fields by the service's own names.
async fn phone_record(executor: &Executor, id: &str) -> Result<Vec<(String, String)>, String> {
    match executor.api.koophone().instance_record(id).await {
        Ok(Some(record)) => Ok(provider_fields(&serde_json::Value::Object(record))),
        Ok(None) => Err("the service's answer filtered by this id did not include it".into()),
        Err(error) => Err(error.to_string()),
    }
}
