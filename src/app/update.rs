//! `update(state, msg, clock) -> effects`: the dashboard's only way to change state.
//! Pure: no I/O, no clock reads, no sleeping; the shell runs the returned effects.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use crate::action_kind::ActionKind;
use crate::api::cph::Job;
use crate::api::{ApiError, Outcome, TargetOutcome};

use super::activity::{ActionProgress, Entry, PROBLEM_LINES_PER_RUN};
use super::applies;
use super::clock::Clock;
use super::command_line::{self, Command};
use super::effect::Effect;
use super::export::{self, Export};
use super::feed::FeedId;
use super::follow;
use super::jobs::{JobRow, JobState};
use super::key_action::KeyAction;
use super::layout::{self, Hit};
use super::message::{EarlierRun, Msg};
use super::pane::{Pane, Polling};
use super::poll_result::{apply_refresh, record_result};
use super::settings::Settings;
use super::state::{
    AppState, AuditHistory, ConfirmDialog, Detail, Focus, Mode, RetryOf, WholeRecord,
};
use super::table::window_start;

pub fn update(state: &mut AppState, msg: Msg, clock: Clock) -> Vec<Effect> {
    state.now = clock.now;
    state.wall = clock.wall;
    let mut effects = Vec::new();
    match msg {
        Msg::Key(key) => on_key(state, key, &mut effects),
        Msg::Mouse(event) => on_mouse(state, event),
        Msg::Resize { width, height } => state.size = (width, height),
        Msg::Tick => {
            if !std::mem::replace(&mut state.earlier_runs_asked, true) {
                effects.push(Effect::ReadEarlierRuns {
                    profile: state.settings.profile.clone(),
                });
            }
        }
        Msg::EarlierRuns(runs) => on_earlier_runs(state, runs),
        Msg::Terminate => request_quit(state, &mut effects),
        Msg::Listed(listing) => {
            let (pane, refresh) = state.panes.listed(listing, clock);
            apply_refresh(state, pane, refresh);
            follow::after_poll(state);
            for settled in follow::overdue(state) {
                if let Some(error) = last_error(&settled.outcome) {
                    state
                        .pane_mut(Pane::Servers)
                        .action_error(&settled.outcome.target, error);
                }
                effects.push(Effect::RecordSettled(settled));
            }
        }
        Msg::StatusPolled(batch) => {
            let refresh = state.panes.phones.status_answered(batch, clock);
            apply_refresh(state, Pane::Phones, refresh);
        }
        Msg::JobsPolled(jobs) => on_jobs(state, jobs, &mut effects),
        Msg::ActionOutcome { action, outcome } => on_outcome(state, action, outcome),
        Msg::ActionFinished { action } => on_action_finished(state, action),
        Msg::FileWritten { what, result } => on_file_written(state, what, result),
        Msg::ProfileSwitched(result) => on_profile_switched(state, result, clock),
        Msg::Note(note) => state.notify(note),
        Msg::AuditRead { target, result } => on_audit_read(state, target, result),
        Msg::PhoneRecordRead { id, result } => on_phone_record_read(state, id, result),
    }
    if !state.quit {
        schedule_polls(state, &mut effects);
    }
    effects
}

// ---- polling ------------------------------------------------------------------

fn schedule_polls(state: &mut AppState, effects: &mut Vec<Effect>) {
    // Quitting sends nothing new: not even a poll.
    if state.frozen || state.stopping {
        return;
    }
    let now = state.now;
    for &pane in Pane::ALL {
        if state.pane(pane).feed().is_due(now) {
            state.pane_mut(pane).feed_mut().start(now);
            effects.push(match pane.spec().polling {
                Polling::List => Effect::List(pane),
                Polling::ListAndStatus => {
                    (state.panes.phones).next_poll(&state.settings, state.size.1)
                }
            });
        }
    }
    let running = state.running_jobs();
    if !running.is_empty() && state.jobs_feed.is_due(now) {
        state.jobs_feed.start(now);
        effects.push(Effect::PollJobs(running));
    }
}

fn on_jobs(
    state: &mut AppState,
    jobs: Vec<(String, Result<Job, ApiError>)>,
    effects: &mut Vec<Effect>,
) {
    let mut first_error = None;
    for (job_id, result) in jobs {
        let Some(row) = state.jobs.iter_mut().find(|j| j.job_id == job_id) else {
            continue;
        };
        let new_state = match result {
            Ok(job) => JobState::from_status(job.status, job.error_code, job.error_msg),
            Err(error) => {
                let state = JobState::Unreadable(error.to_string());
                first_error.get_or_insert(error);
                state
            }
        };
        if new_state.is_finished() && row.state != new_state {
            row.state = new_state;
            let job = row.clone();
            let encoder = state.encoder_name(&job.encoder_id);
            let note = match &job.state {
                JobState::Failed { code, message } => format!(
                    "restart of {encoder}: job {} failed: {} {message}",
                    job.job_id,
                    code.as_deref().unwrap_or("")
                ),
                _ => format!("restart of {encoder}: job {} succeeded", job.job_id),
            };
            state.activity.push(state.now, Entry::Note(note));
            follow::job_ended(state, &job);
            if let Some(settled) = follow::failed_job_outcome(state, &job) {
                if let Some(error) = last_error(&settled.outcome) {
                    state
                        .pane_mut(Pane::Encoders)
                        .action_error(&job.encoder_id, error);
                }
                effects.push(Effect::RecordSettled(settled));
            }
        } else {
            row.state = new_state;
        }
    }
    record_result(state, FeedId::Jobs, first_error.as_ref());
    if state.running_jobs().is_empty() {
        state.panes.encoders.feed.next_due = state.now;
    }
}

// ---- actions ------------------------------------------------------------------

fn request_action(state: &mut AppState, kind: ActionKind) {
    if state.settings.read_only {
        return state.notify(format!(
            "read-only: {} refused; nothing was sent",
            kind.label()
        ));
    }
    let (targets, hidden) = state.current().targets();
    if targets.is_empty() {
        state.flash = Some(format!("nothing to {}: no row selected", kind.label()));
        return;
    }
    let warning = applies::warning(state, kind, &targets);
    state.mode = Mode::Confirm(ConfirmDialog {
        kind,
        targets,
        hidden,
        typed: String::new(),
        focus: Focus::Cancel,
        retry_of: None,
        warning,
    });
}

/// The retry key and `:retry`: the latest action again (or the one the activity log's
/// selected entry belongs to), on just its failed, unknown and not-sent targets,
/// through the usual confirmation.
fn request_retry(state: &mut AppState, of: Option<u64>) {
    if state.settings.read_only {
        return state.notify("read-only: retry refused; nothing was sent".into());
    }
    let chosen = match of {
        Some(id) => state.activity.action(id).cloned(),
        None => state.activity.latest().cloned(),
    };
    let Some(action) = chosen else {
        state.flash = Some("nothing to retry: no action there".into());
        return;
    };
    if !action.finished {
        state.flash = Some(format!(
            "action {} is still running: retry once it has finished",
            action.action_id
        ));
        return;
    }
    let left_out = left_out(action.kind, action.uncertain.len());
    if action.retry_targets.is_empty() {
        state.flash = Some(match left_out {
            Some(left_out) => format!(
                "nothing to retry in action {}: {left_out}",
                action.action_id
            ),
            None => format!(
                "nothing to retry: every target of action {} took effect",
                action.action_id
            ),
        });
        return;
    }
    let cannot_apply = applies::warning(state, action.kind, &action.retry_targets);
    let warning = match (cannot_apply, left_out) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    state.mode = Mode::Confirm(ConfirmDialog {
        warning,
        kind: action.kind,
        targets: action.retry_targets,
        hidden: 0,
        typed: String::new(),
        focus: Focus::Cancel,
        retry_of: Some(RetryOf {
            action_id: action.action_id,
            total: action.total,
        }),
    });
}

/// What a retry leaves out, if anything: targets that may have taken effect, of an
/// action not harmless to repeat.
fn left_out(kind: ActionKind, uncertain: usize) -> Option<String> {
    (uncertain > 0).then(|| {
        format!(
            "{uncertain} left out: no answer, and reading back could not tell whether the {} happened (phonedeck retry --include-uncertain sends them)",
            kind.label()
        )
    })
}

fn launch(state: &mut AppState, dialog: ConfirmDialog, effects: &mut Vec<Effect>) {
    let action = state.next_action;
    state.next_action += 1;
    state.running.push(action);
    let action_id = format!("{}-{action}", state.settings.session);
    let now = state.now;
    state.activity.start(
        now,
        ActionProgress {
            retry_of: dialog.retry_of.as_ref().map(|r| r.action_id.clone()),
            pace: state.settings.rate_limits.limit(dialog.kind.api()),
            ..ActionProgress::new(
                action,
                action_id.clone(),
                dialog.kind,
                dialog.targets.len(),
                now,
            )
        },
    );
    // Marks are spent by the action, so the next one cannot hit them by accident (a
    // retry did not use them).
    if dialog.retry_of.is_none() {
        state.current().view_mut().marks.clear();
    }
    state.flash = Some(format!(
        "{} started on {} target(s)",
        dialog.kind.label(),
        dialog.targets.len()
    ));
    effects.push(Effect::RunAction {
        action,
        action_id,
        retry_of: dialog.retry_of.map(|r| r.action_id),
        kind: dialog.kind,
        targets: dialog.targets,
    });
}

/// Stops every running action: the targets not yet started are not sent; the
/// requests in flight still record their outcomes.
fn cancel_running(state: &mut AppState, effects: &mut Vec<Effect>) {
    for &action in &state.running {
        effects.push(Effect::CancelAction(action));
    }
    for action in state.running.clone() {
        if let Some(progress) = state.activity.action_mut(action) {
            progress.stopping = true;
        }
    }
}

/// Quitting: at once when nothing runs; otherwise running actions stop sending and
/// the dashboard quits when those in flight have answered (a second Ctrl-C quits now).
fn request_quit(state: &mut AppState, effects: &mut Vec<Effect>) {
    state.mode = Mode::Normal;
    if state.running.is_empty() {
        state.quit = true;
        return;
    }
    cancel_running(state, effects);
    state.stopping = true;
    state.flash = Some(format!(
        "quitting: no new requests; waiting for those in flight of {} action(s) (Ctrl-C again quits now)",
        state.running.len()
    ));
}

/// The cancel key and `:cancel`: running actions stop sending, the dashboard stays.
fn cancel_actions(state: &mut AppState, effects: &mut Vec<Effect>) {
    if state.running.is_empty() {
        state.flash = Some("no action is running".into());
        return;
    }
    cancel_running(state, effects);
    state.notify(format!(
        "cancelling {} action(s): no new requests; those in flight will still answer",
        state.running.len()
    ));
}

/// What an outcome does to its row's LAST ERROR: set it (code first, then the message,
/// and for no answer what reading back settled), clear it, or leave it (not sent).
fn last_error(outcome: &TargetOutcome) -> Option<Option<String>> {
    let code = outcome.error_code.as_deref().unwrap_or("");
    let message = outcome.error_msg.as_deref().unwrap_or("");
    match outcome.outcome {
        Outcome::Ok => Some(None),
        Outcome::NotSent => None,
        Outcome::Failed => Some(Some(format!("{code} {message}").trim().to_string())),
        Outcome::Unknown => {
            let settled = outcome
                .reconciled
                .map(|settled| format!(", read back: {settled}"))
                .unwrap_or_default();
            Some(Some(format!("no answer {code} {message}{settled}")))
        }
    }
}

fn action_kind(state: &AppState, action: u64) -> Option<ActionKind> {
    state.activity.action(action).map(|progress| progress.kind)
}

/// The last day's actions of this profile that left targets undone, listed so that
/// `t` on one (or `:retry ID`) picks up after a dropped session.
fn on_earlier_runs(state: &mut AppState, runs: Result<Vec<EarlierRun>, String>) {
    let runs = match runs {
        Ok(runs) => runs,
        Err(problem) => return state.notify(format!("earlier runs not listed: {problem}")),
    };
    for run in runs {
        let id = state.next_action;
        state.next_action += 1;
        let mut progress = ActionProgress {
            finished: true,
            earlier: Some(run.started),
            ..ActionProgress::new(id, run.action_id, run.kind, run.targets.len(), state.now)
        };
        for outcome in &run.targets {
            progress.count(outcome);
        }
        // The earlier run's own failures were said then; here its line counts them.
        progress.problem_lines = PROBLEM_LINES_PER_RUN;
        let now = state.now;
        state.activity.start(now, progress);
    }
}

fn on_outcome(state: &mut AppState, action: u64, outcome: TargetOutcome) {
    let Some(kind) = action_kind(state, action) else {
        return;
    };
    if let Some(progress) = state.activity.action_mut(action) {
        progress.count(&outcome);
        follow::accepted(progress, &outcome);
    }
    // The target's row says why the action failed until one on it succeeds.
    if let Some(pane) = Pane::changed_by(kind) {
        if let Some(error) = last_error(&outcome) {
            state.pane_mut(pane).action_error(&outcome.target, error);
        }
    }
    // A restart's job is followed once it is known to have started: answered, or
    // found by reading back.
    if let (ActionKind::RestartEncoder, true, Some(job_id)) =
        (kind, outcome.took_effect(), &outcome.job_id)
    {
        state.jobs.push(JobRow {
            job_id: job_id.clone(),
            request_id: outcome.request_id.clone(),
            action,
            encoder_id: outcome.target.clone(),
            state: JobState::Running,
            started: state.now,
        });
    }
    // Targets not sent are counted in the action's entry, not listed one by one; of
    // the others, the first few get a line, and the entry counts them all by cause.
    if matches!(outcome.outcome, Outcome::Failed | Outcome::Unknown) {
        let has_room = state.activity.action_mut(action).is_some_and(|progress| {
            progress.problem_lines += 1;
            progress.problem_lines <= PROBLEM_LINES_PER_RUN
        });
        if has_room {
            state.log_activity(Entry::TargetProblem {
                of: action,
                action: kind,
                outcome,
            });
        }
    }
}

fn on_action_finished(state: &mut AppState, action: u64) {
    state.running.retain(|&running| running != action);
    // The footer's "started on…" is over once the action is: its entry says the rest.
    if let Some(kind) = action_kind(state, action) {
        let started = format!("{} started on ", kind.label());
        if state
            .flash
            .as_deref()
            .is_some_and(|f| f.starts_with(&started))
        {
            state.flash = None;
        }
    }
    if state.stopping && state.running.is_empty() {
        state.quit = true;
    }
    let kind = action_kind(state, action);
    if let Some(progress) = state.activity.action_mut(action) {
        progress.finished = true;
    }
    // Show the effect at once: refresh what the action changed (and the jobs it
    // may have started).
    let now = state.now;
    if let Some(pane) = kind.and_then(Pane::changed_by) {
        state.pane_mut(pane).feed_mut().next_due = now;
        state.jobs_feed.next_due = now;
    }
}

// ---- keys ---------------------------------------------------------------------

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

fn on_key(state: &mut AppState, key: KeyEvent, effects: &mut Vec<Effect>) {
    if state.quit {
        return;
    }
    if is_ctrl_c(&key) {
        // The second Ctrl-C while stopping quits now (the shell records what is still
        // unanswered as unknown).
        if state.stopping {
            state.quit = true;
        } else {
            request_quit(state, effects);
        }
        return;
    }
    // The dialog is moved, not cloned: it can hold 100,000 targets, and every typed
    // digit comes here.
    if matches!(state.mode, Mode::Confirm(_)) {
        if let Mode::Confirm(dialog) = std::mem::replace(&mut state.mode, Mode::Normal) {
            on_confirm_key(state, dialog, key, effects);
        }
        return;
    }
    match state.mode.clone() {
        Mode::Normal => on_normal_key(state, key, effects),
        Mode::Filtering => on_filter_key(state, key),
        Mode::Command(input) => on_command_key(state, input, key, effects),
        Mode::Help => {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter
            ) {
                state.mode = Mode::Normal;
            }
        }
        Mode::Confirm(_) => {} // moved out above
        Mode::Detail(detail) => on_detail_key(state, detail, key, effects),
        Mode::Activity { selected } => on_activity_key(state, selected, key),
        Mode::RunTargets {
            entry,
            action,
            group,
        } => on_run_targets_key(state, entry, action, group, key),
        Mode::LogLine { selected } => {
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                state.mode = Mode::Activity { selected };
            }
        }
        Mode::ConfirmQuit => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => request_quit(state, effects),
            KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('q') => state.mode = Mode::Normal,
            _ => {}
        },
    }
}

/// The columns a pane sorts by (LAST ERROR, last, does not).
fn sortable_columns(pane: &dyn crate::app::pane::data::AnyPane) -> usize {
    pane.headings()
        .iter()
        .filter(|h| h.sort_key.is_some())
        .count()
}

/// Alt and a column's letter sorts by it; again, the other way.
fn sort_by_letter(state: &mut AppState, letter: char) {
    let current = state.current();
    let column = current
        .headings()
        .iter()
        .position(|h| h.sort_key == Some(letter.to_ascii_lowercase()));
    let Some(column) = column else {
        state.flash = Some(format!("no column sorts with Alt-{letter} here"));
        return;
    };
    let view = current.view_mut();
    view.sort = Some(match view.sort {
        Some((c, descending)) if c == column => (c, !descending),
        _ => (column, false),
    });
    current.refresh();
}

/// Actions running or restart jobs being followed: `q` asks first.
fn busy(state: &AppState) -> bool {
    !state.running.is_empty() || !state.running_jobs().is_empty()
}

/// Rows a page moves: the table's height at the current terminal size.
fn page(state: &AppState) -> isize {
    layout::table_rows(state.size, state.log_expanded).max(1) as isize
}

fn on_normal_key(state: &mut AppState, key: KeyEvent, effects: &mut Vec<Effect>) {
    if let (KeyCode::Char(letter), true) = (key.code, key.modifiers.contains(KeyModifiers::ALT)) {
        return sort_by_letter(state, letter);
    }
    // Esc in a pane clears its filter, as in k9s.
    if key.code == KeyCode::Esc && !state.current().view().filter.is_empty() {
        let current = state.current();
        current.view_mut().filter.clear();
        current.refresh();
        return;
    }
    let Some(action) = state.keymap.action(&key) else {
        return;
    };
    state.flash = None;
    let pane = state.pane;
    match action {
        KeyAction::Quit if busy(state) => state.mode = Mode::ConfirmQuit,
        KeyAction::Quit | KeyAction::ForceQuit => request_quit(state, effects),
        KeyAction::Cancel => cancel_actions(state, effects),
        KeyAction::Retry => request_retry(state, None),
        KeyAction::FocusLog => focus_log(state),
        KeyAction::Details => open_detail(state, effects),
        KeyAction::Help => state.mode = Mode::Help,
        KeyAction::NextPane => state.pane = pane.cycle(1),
        KeyAction::PrevPane => state.pane = pane.cycle(-1),
        KeyAction::ShowPane(shown) => state.pane = shown,
        KeyAction::Up => state.current().view_mut().move_by(-1),
        KeyAction::Down => state.current().view_mut().move_by(1),
        KeyAction::PageUp => {
            let page = page(state);
            state.current().view_mut().move_by(-page)
        }
        KeyAction::PageDown => {
            let page = page(state);
            state.current().view_mut().move_by(page)
        }
        KeyAction::Top => state.current().view_mut().top(),
        KeyAction::Bottom => state.current().view_mut().bottom(),
        KeyAction::Filter => start_filter(state),
        KeyAction::CommandLine => state.mode = Mode::Command(String::new()),
        KeyAction::SortNext => {
            let current = state.current();
            let columns = sortable_columns(current);
            current.view_mut().cycle_sort(columns);
            current.refresh();
        }
        KeyAction::SortReverse => {
            let current = state.current();
            current.view_mut().reverse_sort();
            current.refresh();
        }
        KeyAction::Mark => {
            let current = state.current();
            current.toggle_mark();
            current.view_mut().move_by(1);
        }
        KeyAction::MarkAll => state.current().mark_all_visible(),
        KeyAction::UnmarkAll => state.current().view_mut().marks.clear(),
        KeyAction::Stop | KeyAction::Start | KeyAction::Pause | KeyAction::Restart => {
            match pane.spec().action(action) {
                Some(kind) => request_action(state, kind),
                None => {
                    state.flash = Some(format!(
                        "`{}` does nothing in {}",
                        action.describe(),
                        pane.title()
                    ));
                }
            }
        }
        KeyAction::Refresh => {
            if state.credentials_problem().is_some() {
                effects.push(Effect::TryCredentialsAgain);
            }
            state.refresh_all();
            state.flash = Some("refreshing".into());
        }
        KeyAction::Freeze => {
            state.frozen = !state.frozen;
            if !state.frozen {
                state.refresh_all();
            }
        }
        KeyAction::ToggleLog => state.log_expanded = !state.log_expanded,
        KeyAction::ExportCsv => {
            write_export(state, export::pane(state, export::Format::Csv), effects)
        }
        KeyAction::ExportJson => {
            write_export(state, export::pane(state, export::Format::Json), effects)
        }
        KeyAction::SaveLog => write_export(state, Ok(export::activity(state)), effects),
    }
}

fn write_export(state: &mut AppState, export: Result<Export, String>, effects: &mut Vec<Effect>) {
    match export {
        Ok(export) => effects.push(Effect::WriteFile {
            path: state.settings.export_dir.join(export.file_name),
            contents: export.contents,
            what: export.what,
        }),
        Err(problem) => state.flash = Some(format!("cannot export: {problem}")),
    }
}

fn on_file_written(state: &mut AppState, what: String, result: Result<std::path::PathBuf, String>) {
    let note = match result {
        Ok(path) => format!("wrote {what} to {}", path.display()),
        Err(problem) => format!("could not write {what}: {problem}; set export_dir in the config"),
    };
    state.notify(note);
}

/// Rows one turn of the wheel moves.
const WHEEL_ROWS: isize = 3;

/// The wheel moves the cursor; a click picks a tab or a row. Only in the normal
/// view: dialogs are answered with keys.
fn on_mouse(state: &mut AppState, event: MouseEvent) {
    if !state.settings.mouse || state.mode != Mode::Normal {
        return;
    }
    match event.kind {
        MouseEventKind::ScrollDown => state.current().view_mut().move_by(WHEEL_ROWS),
        MouseEventKind::ScrollUp => state.current().view_mut().move_by(-WHEEL_ROWS),
        MouseEventKind::Down(MouseButton::Left) => {
            match layout::hit(state.size, state.log_expanded, event.column, event.row) {
                Hit::Tab(pane) => state.pane = pane,
                Hit::Row(offset) => {
                    let height = layout::table_rows(state.size, state.log_expanded);
                    let view = state.current().view_mut();
                    let row = window_start(view.cursor, height) + offset;
                    if row < view.visible.len() {
                        view.cursor = row;
                    }
                }
                Hit::Nothing => {}
            }
        }
        _ => {}
    }
}

fn on_command_key(
    state: &mut AppState,
    mut input: String,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    if let Some(line) = edited_line(&input, &key) {
        state.mode = Mode::Command(line);
        return;
    }
    let profiles = &state.settings.profiles;
    let actions = state.activity.action_ids();
    let known = command_line::Known {
        profiles,
        actions: &actions,
    };
    match key.code {
        KeyCode::Esc => state.mode = Mode::Normal,
        KeyCode::Backspace if input.is_empty() => state.mode = Mode::Normal,
        KeyCode::Backspace => {
            input.pop();
            state.mode = Mode::Command(input);
        }
        KeyCode::Tab => {
            let completed = command_line::complete(&input, known).unwrap_or(input);
            state.mode = Mode::Command(completed);
        }
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            match command_line::parse(&input, profiles) {
                Ok(command) => run_command(state, command, effects),
                Err(problem) => state.flash = Some(problem),
            }
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.push(c);
            state.mode = Mode::Command(input);
        }
        _ => {}
    }
}

fn run_command(state: &mut AppState, command: Command, effects: &mut Vec<Effect>) {
    match command {
        Command::Pane(pane) => state.pane = pane,
        Command::Filter(text) => {
            let current = state.current();
            current.view_mut().filter = text;
            current.refresh();
        }
        Command::Help => state.mode = Mode::Help,
        Command::Quit if busy(state) => state.mode = Mode::ConfirmQuit,
        Command::Quit => request_quit(state, effects),
        Command::Cancel => cancel_actions(state, effects),
        Command::Retry(None) => request_retry(state, None),
        Command::Retry(Some(action_id)) => {
            let run = state
                .activity
                .runs()
                .rev()
                .find(|r| r.action_id == action_id);
            match run.map(|r| r.id) {
                Some(id) => request_retry(state, Some(id)),
                None => {
                    state.flash = Some(format!(
                        "no action {} in this session or among the last day's undone ones; phonedeck audit lists them all",
                        crate::sanitize::sanitize(&action_id)
                    ))
                }
            }
        }
        Command::Profile(name) if name == state.settings.profile => {
            state.flash = Some(format!("already on profile {name}"));
        }
        Command::Profile(_) if !state.running.is_empty() => {
            state.flash =
                Some("actions are running on this profile: switch once they have finished".into());
        }
        Command::Profile(name) => {
            state.flash = Some(format!("connecting to profile {name}…"));
            effects.push(Effect::SwitchProfile(name));
        }
    }
}

/// A new profile starts afresh (its own fleet, feeds, filters and marks); the pane,
/// the key map, the terminal size and the activity log carry over, with a note.
fn on_profile_switched(state: &mut AppState, result: Result<Settings, String>, clock: Clock) {
    let settings = match result {
        Ok(settings) => settings,
        Err(problem) => return state.notify(format!("could not switch profile: {problem}")),
    };
    let mut fresh = AppState::new(settings, clock);
    fresh.keymap = std::mem::take(&mut state.keymap);
    fresh.size = state.size;
    fresh.pane = state.pane;
    fresh.log_expanded = state.log_expanded;
    fresh.activity = std::mem::take(&mut state.activity);
    fresh.next_action = state.next_action;
    fresh.filter_history = std::mem::take(&mut state.filter_history);
    // "Is the other region hit too?" is one command: the filters carry over.
    for &pane in Pane::ALL {
        let filter = state.pane(pane).view().filter.clone();
        let view = fresh.pane_mut(pane);
        view.view_mut().filter = filter;
        view.refresh();
    }
    *state = fresh;
    let read_only = if state.settings.read_only {
        " (read-only)"
    } else {
        ""
    };
    state.notify(format!(
        "switched to profile {}{read_only}",
        state.settings.profile
    ));
}

/// `/`: an empty prompt, as in k9s; the filter in force is remembered for ↑.
fn start_filter(state: &mut AppState) {
    let current = state.current();
    let kept = std::mem::take(&mut current.view_mut().filter);
    current.refresh();
    if !kept.is_empty() {
        state.remember_filter(kept);
    }
    state.filter_recall = 0;
    state.mode = Mode::Filtering;
}

/// Ctrl-W: the line without its last word (and the spaces after it).
fn without_last_word(text: &str) -> String {
    let trimmed = text.trim_end();
    let cut = trimmed.rfind(' ').map_or(0, |at| at + 1);
    trimmed[..cut].to_string()
}

/// Ctrl-U and Ctrl-W edit a prompt's line as in a shell; None for other keys.
fn edited_line(line: &str, key: &KeyEvent) -> Option<String> {
    if !key.modifiers.contains(KeyModifiers::CONTROL) {
        return None;
    }
    match key.code {
        KeyCode::Char('u') => Some(String::new()),
        KeyCode::Char('w') => Some(without_last_word(line)),
        _ => None,
    }
}

fn on_filter_key(state: &mut AppState, key: KeyEvent) {
    let typed = state.current().view().filter.clone();
    let filter = if let Some(line) = edited_line(&typed, &key) {
        line
    } else {
        match key.code {
            KeyCode::Enter => {
                state.mode = Mode::Normal;
                if !typed.is_empty() {
                    state.remember_filter(typed);
                }
                return;
            }
            KeyCode::Esc => {
                state.mode = Mode::Normal;
                String::new()
            }
            // ↑ recalls earlier filters, the latest first.
            KeyCode::Up => match state.recalled_filter() {
                Some(earlier) => earlier,
                None => return,
            },
            KeyCode::Backspace => {
                let mut line = typed;
                line.pop();
                line
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                typed + &c.to_string()
            }
            _ => return,
        }
    };
    let current = state.current();
    current.view_mut().filter = filter;
    current.refresh();
}

fn on_confirm_key(
    state: &mut AppState,
    mut dialog: ConfirmDialog,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    let typed_count = dialog.needs_typed_count();
    match key.code {
        KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('N') => {
            state.mode = Mode::Normal;
            state.flash = Some(format!(
                "{} cancelled; nothing was sent",
                dialog.kind.label()
            ));
            return;
        }
        KeyCode::Char('y') | KeyCode::Char('Y') if !typed_count => {
            state.mode = Mode::Normal;
            return launch(state, dialog, effects);
        }
        KeyCode::Char(c) if typed_count && c.is_ascii_digit() && dialog.typed.len() < 9 => {
            dialog.typed.push(c)
        }
        KeyCode::Backspace => {
            dialog.typed.pop();
        }
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right if !typed_count => {
            dialog.focus = match dialog.focus {
                Focus::Cancel => Focus::Confirm,
                Focus::Confirm => Focus::Cancel,
            };
        }
        KeyCode::Enter => {
            let confirmed = if typed_count {
                dialog.typed == dialog.targets.len().to_string()
            } else {
                dialog.focus == Focus::Confirm
            };
            state.mode = Mode::Normal;
            if confirmed {
                return launch(state, dialog, effects);
            }
            if typed_count && !dialog.typed.is_empty() {
                state.flash = Some(format!(
                    "typed {} but there are {} targets; nothing was sent",
                    dialog.typed,
                    dialog.targets.len()
                ));
            } else {
                state.flash = Some(format!(
                    "{} cancelled; nothing was sent",
                    dialog.kind.label()
                ));
            }
            return;
        }
        _ => {}
    }
    state.mode = Mode::Confirm(dialog);
}

// ---- one row, whole ------------------------------------------------------------

/// Enter: the cursor row's detail view; its audit lines are read by the shell.
fn open_detail(state: &mut AppState, effects: &mut Vec<Effect>) {
    let Some(key) = state.pane(state.pane).cursor_key().map(str::to_string) else {
        state.flash = Some("no row to show".into());
        return;
    };
    effects.push(Effect::ReadAudit {
        target: key.clone(),
    });
    // Quitting sends nothing new, this read included.
    let record = match (state.pane, state.stopping) {
        (Pane::Phones, false) => {
            effects.push(Effect::ReadPhoneRecord { id: key.clone() });
            WholeRecord::Reading
        }
        (Pane::Phones, true) => WholeRecord::Unavailable("not read: phonedeck is stopping".into()),
        _ => WholeRecord::InRow,
    };
    state.mode = Mode::Detail(Detail {
        pane: state.pane,
        key,
        audit: AuditHistory::Reading,
        record,
        scroll: 0,
    });
}

fn on_phone_record_read(
    state: &mut AppState,
    id: String,
    result: Result<Vec<(String, String)>, String>,
) {
    if let Mode::Detail(detail) = &mut state.mode {
        if detail.pane == Pane::Phones && detail.key == id {
            detail.record = match result {
                Ok(fields) => WholeRecord::Read(fields),
                Err(problem) => WholeRecord::Unavailable(problem),
            };
        }
    }
}

fn on_audit_read(
    state: &mut AppState,
    target: String,
    result: Result<Vec<crate::audit::read::Record>, String>,
) {
    if let Mode::Detail(detail) = &mut state.mode {
        if detail.key == target {
            detail.audit = match result {
                Ok(records) => AuditHistory::Read(records),
                Err(problem) => AuditHistory::Unavailable(problem),
            };
        }
    }
}

fn on_detail_key(
    state: &mut AppState,
    mut detail: Detail,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
            state.mode = Mode::Normal;
            return;
        }
        KeyCode::Char('j') | KeyCode::Down => detail.scroll = detail.scroll.saturating_add(1),
        KeyCode::Char('k') | KeyCode::Up => detail.scroll = detail.scroll.saturating_sub(1),
        KeyCode::Char('g') | KeyCode::Home => detail.scroll = 0,
        KeyCode::Char('y') if state.settings.clipboard => {
            effects.push(Effect::Clipboard(detail.key.clone()));
            state.flash = Some(format!(
                "copied {} to the clipboard (through the terminal, OSC 52)",
                detail.key
            ));
        }
        KeyCode::Char('y') => {
            state.flash = Some(
                "copying is off: set clipboard = true in the config (the terminal must allow OSC 52)"
                    .into(),
            );
        }
        _ => {}
    }
    state.mode = Mode::Detail(detail);
}

// ---- the activity log, focused -------------------------------------------------

/// Focuses the activity log on its latest entry.
fn focus_log(state: &mut AppState) {
    match state.activity.entries.len() {
        0 => state.flash = Some("the activity log is empty".into()),
        n => state.mode = Mode::Activity { selected: n - 1 },
    }
}

fn on_activity_key(state: &mut AppState, selected: usize, key: KeyEvent) {
    let last = state.activity.entries.len().saturating_sub(1);
    let selected = match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('L') => {
            state.mode = Mode::Normal;
            return;
        }
        // An action's entry opens its targets by outcome and cause; another, the line.
        KeyCode::Enter => {
            state.mode = match state.activity.entries.get(selected) {
                Some((_, Entry::Action(action))) => Mode::RunTargets {
                    entry: selected,
                    action: *action,
                    group: 0,
                },
                _ => Mode::LogLine { selected },
            };
            return;
        }
        KeyCode::Char('t') => {
            state.mode = Mode::Normal;
            return match state.activity.action_of(selected) {
                Some(action) => request_retry(state, Some(action)),
                None => state.flash = Some("not an action's entry: nothing to retry".into()),
            };
        }
        KeyCode::Char('k') | KeyCode::Up => selected.saturating_sub(1),
        KeyCode::Char('j') | KeyCode::Down => selected + 1,
        KeyCode::Char('g') | KeyCode::Home => 0,
        KeyCode::Char('G') | KeyCode::End => last,
        _ => selected,
    };
    state.mode = Mode::Activity {
        selected: selected.min(last),
    };
}

/// In an action's targets: move between groups, `m` marks the selected group's
/// targets in the action's pane (to act on them again), Esc goes back to the log.
fn on_run_targets_key(
    state: &mut AppState,
    entry: usize,
    action: u64,
    group: usize,
    key: KeyEvent,
) {
    let groups = state
        .activity
        .action(action)
        .map_or(0, |p| p.groups().len());
    let group = match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {
            state.mode = Mode::Activity { selected: entry };
            return;
        }
        KeyCode::Char('m') => {
            state.mode = Mode::Normal;
            return mark_group(state, action, group);
        }
        KeyCode::Char('k') | KeyCode::Up => group.saturating_sub(1),
        KeyCode::Char('j') | KeyCode::Down => (group + 1).min(groups.saturating_sub(1)),
        _ => group,
    };
    state.mode = Mode::RunTargets {
        entry,
        action,
        group,
    };
}

/// Marks one group of an action's targets in its pane, showing that pane: the rows
/// still listed are marked, and the footer says how many.
fn mark_group(state: &mut AppState, action: u64, group: usize) {
    let Some(progress) = state.activity.action(action) else {
        return;
    };
    let Some(pane) = Pane::changed_by(progress.kind) else {
        return;
    };
    let groups = progress.groups();
    let Some((label, targets)) = groups.get(group) else {
        return;
    };
    let targets: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    let label = label.clone();
    state.pane = pane;
    let data = state.pane_mut(pane);
    let listed: std::collections::HashSet<String> = data.keys().into_iter().collect();
    let marked: Vec<String> = targets.into_iter().filter(|t| listed.contains(t)).collect();
    let count = marked.len();
    data.view_mut().marks.extend(marked);
    state.flash = Some(format!("marked {count} target(s): {label}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::activity::MAX_ENTRIES;
    use crate::app::settings::Settings;

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    /// An action of `total` stop-streaming targets, launched as `launch` does.
    fn launched(total: usize) -> (AppState, u64) {
        let clock = Clock::system();
        let mut state = AppState::new(Settings::default(), clock);
        let targets: Vec<String> = (0..total).map(|i| format!("phone-{i:05}")).collect();
        let dialog = ConfirmDialog {
            kind: ActionKind::StopStreaming,
            targets,
            hidden: 0,
            typed: String::new(),
            focus: Focus::Confirm,
            retry_of: None,
            warning: None,
        };
        let mut effects = Vec::new();
        launch(&mut state, dialog, &mut effects);
        let Some(Effect::RunAction { action, .. }) = effects.first() else {
            panic!("the action is run");
        };
        (state, *action)
    }

    #[test]
    fn ten_thousand_failures_keep_their_run_its_retry_and_an_exact_summary() {
        let (mut state, action) = launched(12_000);
        let clock = Clock::system();
        for i in 0..12_000 {
            let target = format!("phone-{i:05}");
            let outcome = if i % 6 == 0 {
                TargetOutcome::ok(target, None)
            } else {
                TargetOutcome::failed(
                    target,
                    Some("KOOPHONE.API.1001".into()),
                    "Insufficient instance permissions",
                    None,
                )
            };
            update(&mut state, Msg::ActionOutcome { action, outcome }, clock);
        }
        update(&mut state, Msg::ActionFinished { action }, clock);
        assert!(state.activity.entries.len() <= MAX_ENTRIES);
        let progress = state.activity.action(action).expect("the run is kept");
        assert_eq!((progress.ok, progress.failed), (2_000, 10_000));
        assert!(
            progress
                .text()
                .contains("KOOPHONE.API.1001 Insufficient instance permissions ×10000"),
            "{}",
            progress.text()
        );
        let problem_lines = state
            .activity
            .entries
            .iter()
            .filter(|(_, e)| matches!(e, Entry::TargetProblem { .. }))
            .count();
        assert_eq!(
            problem_lines, PROBLEM_LINES_PER_RUN,
            "one action cannot flood the log"
        );
        assert_eq!(
            state.activity.exit_summary(8).as_deref(),
            Some(
                "1 action(s) on 12000 target(s): 2000 done, 10000 failed, 0 unknown, 0 not sent \
                 (KOOPHONE.API.1001 Insufficient instance permissions ×10000)"
            )
        );
        update(&mut state, key('t'), clock);
        let Mode::Confirm(dialog) = &state.mode else {
            panic!("t offers the retry: {:?}", state.flash);
        };
        assert_eq!(dialog.targets.len(), 10_000);
    }

    #[test]
    fn quitting_before_all_answered_counts_at_most_a_slot_each_unknown_and_the_rest_not_sent() {
        let (mut state, action) = launched(40);
        let clock = Clock::system();
        for i in 0..2 {
            let outcome = TargetOutcome::ok(format!("phone-{i:05}"), None);
            update(&mut state, Msg::ActionOutcome { action, outcome }, clock);
        }
        assert_eq!(
            state.activity.exit_summary(8).as_deref(),
            Some("1 action(s) on 40 target(s): 2 done, 0 failed, 8 unknown, 30 not sent")
        );
    }

    #[test]
    fn the_wrap_up_counts_a_target_once_by_its_latest_outcome_across_a_retry() {
        let (mut state, first) = launched(5);
        let clock = Clock::system();
        for i in 0..5 {
            let target = format!("phone-{i:05}");
            let outcome = if i < 3 {
                TargetOutcome::ok(target, None)
            } else {
                TargetOutcome::failed(target, Some("E1".into()), "denied", None)
            };
            update(
                &mut state,
                Msg::ActionOutcome {
                    action: first,
                    outcome,
                },
                clock,
            );
        }
        update(&mut state, Msg::ActionFinished { action: first }, clock);
        assert_eq!(
            state.activity.exit_summary(8).as_deref(),
            Some(
                "1 action(s) on 5 target(s): 3 done, 2 failed, 0 unknown, 0 not sent (E1 denied ×2)"
            )
        );
        let mut effects = Vec::new();
        request_retry(&mut state, None);
        let Mode::Confirm(dialog) = std::mem::replace(&mut state.mode, Mode::Normal) else {
            panic!("a retry dialog");
        };
        launch(&mut state, dialog, &mut effects);
        let Some(Effect::RunAction {
            action: retry,
            targets,
            ..
        }) = effects.first().cloned()
        else {
            panic!("the retry runs");
        };
        for target in targets {
            let outcome = TargetOutcome::ok(target, None);
            update(
                &mut state,
                Msg::ActionOutcome {
                    action: retry,
                    outcome,
                },
                clock,
            );
        }
        update(&mut state, Msg::ActionFinished { action: retry }, clock);
        assert_eq!(
            state.activity.exit_summary(8).as_deref(),
            Some("2 action(s) on 5 target(s): 5 done, 0 failed, 0 unknown, 0 not sent")
        );
    }

    #[test]
    fn a_run_outlives_the_log_lines_that_push_its_entry_out() {
        let (mut state, action) = launched(3);
        let clock = Clock::system();
        for i in 0..MAX_ENTRIES + 10 {
            update(&mut state, Msg::Note(format!("note {i}")), clock);
        }
        assert!(state.activity.action(action).is_some(), "the run is kept");
        assert!(
            state
                .activity
                .exit_summary(8)
                .is_some_and(|s| s.contains("on 3 target(s)")),
            "the exit still accounts for it"
        );
    }
}
