//! The append-only JSON-lines audit log of every mutation: `targets` lines listing an
//! action's targets before its first request, a `sent` line written and fsynced before
//! each request leaves, and an `outcome` line once it is known; a
//! `not_sent` line for a target an action was stopped before reaching; a `reconciled`
//! line when an `unknown` outcome was settled by reading the target back; a `settled`
//! line when following an accepted target through changed its outcome (its restart
//! job failed). Every line
//! names its action's `action_id` (and a retry the action it retries).

pub mod actions;
pub mod event;
pub mod read;

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use event::Event;

use crate::action_kind::ActionKind;
use crate::api::{Outcome, TargetOutcome};

/// Which action a line belongs to: one id for every target of one bulk action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRef {
    pub id: String,
    /// The action this one retries.
    pub retry_of: Option<String>,
}

impl RunRef {
    /// A new action's reference, with a fresh id (12 hex digits: short to type,
    /// unique in practice).
    pub fn new(retry_of: Option<String>) -> Self {
        RunRef {
            id: new_action_id(),
            retry_of,
        }
    }
}

/// A fresh random id: 12 hex digits.
pub fn new_action_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

/// A dashboard session's prefix for its action ids (`3fa9c1d2`, then `3fa9c1d2-1`…):
/// 8 hex digits.
pub fn new_session_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// A request sent whose outcome is not yet recorded.
struct Pending {
    kind: ActionKind,
    action: RunRef,
}

/// A request's client id and one of its targets: a request may carry several.
type SentTarget = (String, String);

pub struct AuditLog {
    path: PathBuf,
    profile: String,
    /// Targets sent without an outcome line yet.
    pending: Mutex<HashMap<SentTarget, Pending>>,
    writer: Mutex<Writer>,
    /// Lines known to be on disk; held while syncing, so fsyncs never overlap.
    synced: Mutex<u64>,
    /// The same file, for fsync without holding the writer.
    sync_handle: File,
    /// Lines that could not be written or made durable.
    failed_writes: AtomicUsize,
}

struct Writer {
    file: File,
    /// Lines written so far.
    written: u64,
}

#[derive(Serialize)]
struct Line<'a> {
    time: String,
    event: Event,
    profile: &'a str,
    action: ActionKind,
    action_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_of: Option<&'a str>,
    target: &'a str,
    /// The id phonedeck sent with the request; it ties the two lines together.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<Outcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_msg: Option<&'a str>,
    /// The id the service answered with, to quote to its support.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    /// The job an encoder restart started.
    #[serde(skip_serializing_if = "Option::is_none")]
    job_id: Option<&'a str>,
    /// An `unknown` outcome settled by reading the target back, and what was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    reconciled: Option<crate::api::outcome::Settled>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<&'a str>,
}

/// The line that lists targets of an action before its first request (as many lines
/// as it takes at `TARGETS_PER_LINE` each).
#[derive(Serialize)]
struct TargetsLine<'a> {
    time: &'a str,
    event: Event,
    profile: &'a str,
    action: ActionKind,
    action_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_of: Option<&'a str>,
    targets: &'a [String],
}

/// Targets one `targets` line lists: lines stay short enough to read and grep.
const TARGETS_PER_LINE: usize = 1_000;

/// The default location: the platform data dir (`~/.local/share/phonedeck/audit.jsonl`).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "phonedeck").map(|d| d.data_dir().join("audit.jsonl"))
}

/// Whether the audit log may be opened through a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// A path the engineer named (`--audit-log`): theirs to point anywhere.
    Follow,
    /// The default, predictable place: a link planted there is refused.
    Refuse,
}

impl AuditLog {
    pub fn open(path: &Path, profile: &str, links: Links) -> std::io::Result<Arc<AuditLog>> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = OpenOptions::new();
        // Only its owner reads what was done to which target, as with the config.
        options.create(true).append(true).mode(0o600);
        if links == Links::Refuse {
            options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
        }
        let file = options.open(path).map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                std::io::Error::other(
                    "it is a symbolic link, and the audit log is not written through a link in its default place; remove the link, or name the file with --audit-log",
                )
            } else {
                e
            }
        })?;
        let sync_handle = file.try_clone()?;
        Ok(Arc::new(AuditLog {
            path: path.to_path_buf(),
            profile: profile.to_string(),
            pending: Mutex::new(HashMap::new()),
            writer: Mutex::new(Writer { file, written: 0 }),
            synced: Mutex::new(0),
            sync_handle,
            failed_writes: AtomicUsize::new(0),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records every target of an action before its first request, so that whatever
    /// ends the run (SIGKILL included) each one is accounted for: a target listed and
    /// never sent reads back as `not_sent`. Returns once it is on disk.
    pub async fn targets(
        self: &Arc<Self>,
        kind: ActionKind,
        targets: &[String],
        action: &RunRef,
    ) -> std::io::Result<()> {
        let time = now();
        let mut text = String::new();
        for chunk in targets.chunks(TARGETS_PER_LINE) {
            let line = TargetsLine {
                time: &time,
                event: Event::Targets,
                profile: &self.profile,
                action: kind,
                action_id: &action.id,
                retry_of: action.retry_of.as_deref(),
                targets: chunk,
            };
            text.push_str(&serde_json::to_string(&line).map_err(std::io::Error::other)?);
            text.push('\n');
        }
        self.append(text).await
    }

    /// Records that a request is about to leave for `targets` (several when the API
    /// takes them together); returns once every line is on disk.
    pub async fn sent(
        self: &Arc<Self>,
        kind: ActionKind,
        targets: &[String],
        client_request_id: &str,
        action: &RunRef,
    ) -> std::io::Result<()> {
        let lines: String = targets
            .iter()
            .map(|target| {
                self.line(
                    Event::Sent,
                    kind,
                    target,
                    Some(client_request_id),
                    action,
                    None,
                )
            })
            .collect();
        self.append(lines).await?;
        let mut pending = self.pending_requests();
        for target in targets {
            pending.insert(
                (client_request_id.to_string(), target.clone()),
                Pending {
                    kind,
                    action: action.clone(),
                },
            );
        }
        Ok(())
    }

    pub async fn outcome(
        self: &Arc<Self>,
        kind: ActionKind,
        client_request_id: &str,
        outcome: &TargetOutcome,
        action: &RunRef,
    ) -> std::io::Result<()> {
        let line = self.answer_line(Event::Outcome, kind, client_request_id, outcome, action);
        self.append(line).await?;
        self.pending_requests()
            .remove(&(client_request_id.to_string(), outcome.target.clone()));
        Ok(())
    }

    /// Records what reading the target back settled about an `unknown` outcome.
    pub async fn reconciled(
        self: &Arc<Self>,
        kind: ActionKind,
        client_request_id: &str,
        outcome: &TargetOutcome,
        action: &RunRef,
    ) -> std::io::Result<()> {
        let line = self.answer_line(Event::Reconciled, kind, client_request_id, outcome, action);
        self.append(line).await
    }

    /// A line about a request's answer: its outcome, or what reading back settled.
    fn answer_line(
        &self,
        event: Event,
        kind: ActionKind,
        client_request_id: &str,
        outcome: &TargetOutcome,
        action: &RunRef,
    ) -> String {
        self.line(
            event,
            kind,
            &outcome.target,
            Some(client_request_id),
            action,
            Some(outcome),
        )
    }

    /// Records what following an accepted target through learned (its restart job
    /// failed): this `settled` line is the target's outcome from now on.
    pub async fn settled(
        self: &Arc<Self>,
        kind: ActionKind,
        outcome: &TargetOutcome,
        action: &RunRef,
    ) -> std::io::Result<()> {
        let line = self.line(
            Event::Settled,
            kind,
            &outcome.target,
            None,
            action,
            Some(outcome),
        );
        self.append(line).await
    }

    /// Records that targets were never sent: their action was stopped first.
    pub async fn not_sent(
        self: &Arc<Self>,
        kind: ActionKind,
        targets: &[String],
        action: &RunRef,
    ) -> std::io::Result<()> {
        let lines: String = targets
            .iter()
            .map(|target| {
                let outcome = TargetOutcome::not_sent(target.as_str());
                self.line(Event::NotSent, kind, target, None, action, Some(&outcome))
            })
            .collect();
        self.append(lines).await
    }

    /// On an exit that cannot wait for them: an `unknown` outcome line for every request
    /// sent and not yet answered, so none is silently dropped. Returns how many.
    pub fn abandon_pending(&self) -> usize {
        let pending: Vec<(SentTarget, Pending)> = self.pending_requests().drain().collect();
        for ((client_request_id, target), request) in &pending {
            let outcome = TargetOutcome {
                outcome: crate::api::Outcome::Unknown,
                error_msg: Some("phonedeck exited before the answer came".into()),
                ..TargetOutcome::ok(target.clone(), None)
            };
            let line = self.answer_line(
                Event::Outcome,
                request.kind,
                client_request_id,
                &outcome,
                &request.action,
            );
            if let Err(error) = self.append_blocking(line.as_bytes()) {
                tracing::error!(%error, "cannot write an abandoned outcome to the audit log");
            }
        }
        pending.len()
    }

    fn pending_requests(&self) -> std::sync::MutexGuard<'_, HashMap<SentTarget, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn line(
        &self,
        event: Event,
        kind: ActionKind,
        target: &str,
        client_request_id: Option<&str>,
        action: &RunRef,
        outcome: Option<&TargetOutcome>,
    ) -> String {
        let line = Line {
            time: now(),
            event,
            profile: &self.profile,
            action: kind,
            action_id: &action.id,
            retry_of: action.retry_of.as_deref(),
            target,
            client_request_id,
            outcome: outcome.map(|o| o.outcome),
            error_code: outcome.and_then(|o| o.error_code.as_deref()),
            error_msg: outcome.and_then(|o| o.error_msg.as_deref()),
            request_id: outcome.and_then(|o| o.request_id.as_deref()),
            job_id: outcome.and_then(|o| o.job_id.as_deref()),
            reconciled: outcome.and_then(|o| o.reconciled),
            seen: outcome.and_then(|o| o.seen.as_deref()),
        };
        let mut text = serde_json::to_string(&line).unwrap_or_else(|e| {
            format!("{{\"event\":\"{event}\",\"error\":\"cannot encode audit line: {e}\"}}")
        });
        text.push('\n');
        text
    }

    /// Appends one line and returns once it is on disk, off the async threads.
    async fn append(self: &Arc<Self>, line: String) -> std::io::Result<()> {
        let log = self.clone();
        tokio::task::spawn_blocking(move || log.append_blocking(line.as_bytes()))
            .await
            .map_err(std::io::Error::other)?
    }

    /// Group commit: one fsync covers every line written before it started, so 16
    /// concurrent actions wait for one or two fsyncs instead of queueing for 16.
    /// A line is written whole or not at all: a failed write (a full disk) is cut back
    /// to where it began, so no half line is left for the next one to be glued to.
    fn append_blocking(&self, line: &[u8]) -> std::io::Result<()> {
        let seq = {
            let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            let whole = writer.file.metadata()?.len();
            if let Err(error) = writer.file.write_all(line) {
                self.failed_writes.fetch_add(1, Ordering::SeqCst);
                // If even this fails, the reader still skips the torn line and counts it.
                let _ = writer.file.set_len(whole);
                return Err(error);
            }
            writer.written += 1;
            writer.written
        };
        let mut synced = self.synced.lock().unwrap_or_else(|p| p.into_inner());
        if *synced >= seq {
            return Ok(());
        }
        let covered = self
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .written;
        if let Err(error) = self.sync_handle.sync_data() {
            self.failed_writes.fetch_add(1, Ordering::SeqCst);
            return Err(error);
        }
        *synced = covered;
        Ok(())
    }

    /// How many lines could not be written (or made durable) so far.
    pub fn failed_writes(&self) -> usize {
        self.failed_writes.load(Ordering::SeqCst)
    }

    /// What to tell the engineer when lines could not be written, if any were not.
    pub fn write_problem(&self) -> Option<String> {
        match self.failed_writes() {
            0 => None,
            failed => Some(format!(
                "{failed} audit line(s) could not be written to {} (is the disk full?): the audit log is incomplete for this run",
                self.path.display()
            )),
        }
    }
}

/// A line's time: UTC, milliseconds.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_audit_log_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.jsonl");
        AuditLog::open(&path, "prod", Links::Refuse).expect("opens");
        let mode = std::fs::metadata(&path)
            .expect("created")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[tokio::test]
    async fn writes_sent_then_outcome_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested/audit.jsonl");
        let log = AuditLog::open(&path, "prod", Links::Refuse).expect("opens");
        let action = RunRef {
            id: "a1".into(),
            retry_of: Some("a0".into()),
        };
        log.sent(ActionKind::StopServer, &["s1".into()], "c1", &action)
            .await
            .expect("sent");
        let outcome = TargetOutcome::failed(
            "s1",
            Some("conflictingRequest (409)".into()),
            "busy",
            Some("r9".into()),
        );
        log.outcome(ActionKind::StopServer, "c1", &outcome, &action)
            .await
            .expect("outcome");
        log.not_sent(ActionKind::StopServer, &["s2".into()], &action)
            .await
            .expect("not sent");
        let text = std::fs::read_to_string(&path).expect("reads");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines[0]["event"], "sent");
        assert_eq!(lines[0]["action"], "stop-server");
        assert_eq!(lines[0]["profile"], "prod");
        assert_eq!(lines[1]["outcome"], "failed");
        assert_eq!(lines[1]["client_request_id"], "c1");
        assert_eq!(lines[1]["request_id"], "r9");
        assert!(
            lines
                .iter()
                .all(|l| l["action_id"] == "a1" && l["retry_of"] == "a0")
        );
        assert_eq!(lines[2]["event"], "not_sent");
        assert_eq!(lines[2]["outcome"], "not_sent");
        assert_eq!(lines[2]["target"], "s2");
        assert_eq!(log.abandon_pending(), 0, "s1 was answered");
    }

    #[tokio::test]
    async fn requests_left_unanswered_at_exit_are_recorded_unknown() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path, "prod", Links::Refuse).expect("opens");
        let action = RunRef::new(None);
        log.sent(ActionKind::StopServer, &["s1".into()], "c1", &action)
            .await
            .expect("sent");
        assert_eq!(log.abandon_pending(), 1);
        let text = std::fs::read_to_string(&path).expect("reads");
        let last: serde_json::Value =
            serde_json::from_str(text.lines().last().expect("a line")).expect("json");
        assert_eq!(last["event"], "outcome");
        assert_eq!(last["outcome"], "unknown");
        assert_eq!(last["client_request_id"], "c1");
        assert_eq!(last["action_id"], action.id);
    }

    #[tokio::test]
    async fn a_request_for_several_targets_is_pending_for_each_until_each_answers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path, "prod", Links::Refuse).expect("opens");
        let action = RunRef::new(None);
        let kind = ActionKind::RestartEncoder;
        log.sent(
            kind,
            &["e1".into(), "e2".into(), "e3".into()],
            "c1",
            &action,
        )
        .await
        .expect("sent");
        let answered = TargetOutcome::ok("e2", Some("r1".into()));
        log.outcome(kind, "c1", &answered, &action)
            .await
            .expect("outcome");
        assert_eq!(log.abandon_pending(), 2, "e1 and e3 had no answer");
        let text = std::fs::read_to_string(&path).expect("reads");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        let sent: Vec<&serde_json::Value> = lines.iter().filter(|l| l["event"] == "sent").collect();
        assert_eq!(sent.len(), 3);
        assert!(sent.iter().all(|l| l["client_request_id"] == "c1"));
        let mut unknown: Vec<&str> = lines[4..]
            .iter()
            .filter(|l| l["outcome"] == "unknown")
            .filter_map(|l| l["target"].as_str())
            .collect();
        unknown.sort_unstable();
        assert_eq!(unknown, ["e1", "e3"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_appends_each_land_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path, "prod", Links::Refuse).expect("opens");
        let writers: Vec<_> = (0..64)
            .map(|i| {
                let log = log.clone();
                tokio::spawn(async move {
                    let action = RunRef::new(None);
                    log.sent(
                        ActionKind::StopStreaming,
                        &[format!("phone-{i}")],
                        "c",
                        &action,
                    )
                    .await
                })
            })
            .collect();
        for writer in writers {
            writer.await.expect("joins").expect("appended");
        }
        let text = std::fs::read_to_string(&path).expect("reads");
        let mut targets: Vec<String> = text
            .lines()
            .map(|l| {
                let line: serde_json::Value = serde_json::from_str(l).expect("whole json line");
                line["target"].as_str().expect("target").to_string()
            })
            .collect();
        targets.sort();
        targets.dedup();
        assert_eq!(targets.len(), 64);
        assert_eq!(*log.synced.lock().expect("lock"), 64, "every line synced");
    }

    #[test]
    fn a_link_in_the_default_place_is_refused_and_a_named_one_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "").expect("victim");
        let path = dir.path().join("audit.jsonl");
        std::os::unix::fs::symlink(&victim, &path).expect("link");
        let Err(refused) = AuditLog::open(&path, "prod", Links::Refuse) else {
            panic!("a link in the default place was opened");
        };
        assert!(refused.to_string().contains("symbolic link"), "{refused}");
        AuditLog::open(&path, "prod", Links::Follow).expect("a named link is followed");
    }
}
