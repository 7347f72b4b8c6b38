//! `update(state, msg, clock) -> effects`: the dashboard's only way to change state.
//! Pure: no I/O, no clock reads, no sleeping; the shell runs the returned effects.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use crate::action_kind::ActionKind;
use crate::api::compute::Server;
use crate::api::cph::{EncodeServer, Job};
use crate::api::koophone::{BatchStatus, Instance};
use crate::api::live::DomainStreams;
use crate::api::tolerant::Rows;
use crate::api::{ApiError, Outcome, TargetOutcome};
use crate::with_pane;

use super::activity::{ActionProgress, Entry};
use super::clock::Clock;
use super::command_line::{self, Command};
use super::counts::StatusCounts;
use super::effect::Effect;
use super::export::{self, Export};
use super::keymap::Action;
use super::layout::{self, Hit};
use super::message::Msg;
use super::poll_plan;
use super::rows::{
    ENCODER_COLUMNS, EncoderRow, JobRow, JobState, PHONE_COLUMNS, PhoneRow, SERVER_COLUMNS,
    STREAM_COLUMNS, ServerRow, StreamRow,
};
use super::state::{AppState, ConfirmDialog, FeedId, Focus, Mode, Pane, Settings};
use super::table::window_start;

pub fn update(state: &mut AppState, msg: Msg, clock: Clock) -> Vec<Effect> {
    state.now = clock.now;
    state.wall = clock.wall;
    let mut effects = Vec::new();
    match msg {
        Msg::Key(key) => on_key(state, key, &mut effects),
        Msg::Mouse(event) => on_mouse(state, event),
        Msg::Resize { width, height } => state.size = (width, height),
        Msg::Tick => {}
        Msg::Terminate => state.quit = true,
        Msg::PhonesListed(result) => on_phones_listed(state, result),
        Msg::StatusPolled(batch) => on_status(state, batch),
        Msg::StreamsListed(domains) => on_streams(state, domains),
        Msg::EncodersListed(result) => on_encoders(state, result),
        Msg::ServersListed(result) => on_servers(state, result),
        Msg::JobsPolled(jobs) => on_jobs(state, jobs),
        Msg::ActionOutcome { action, outcome } => on_outcome(state, action, outcome),
        Msg::ActionFinished { action } => on_action_finished(state, action),
        Msg::FileWritten { what, result } => on_file_written(state, what, result),
        Msg::ProfileSwitched(result) => on_profile_switched(state, result, clock),
        Msg::Note(note) => state.notify(note),
    }
    if !state.quit {
        schedule_polls(state, &mut effects);
    }
    effects
}

// ---- polling ------------------------------------------------------------------

fn schedule_polls(state: &mut AppState, effects: &mut Vec<Effect>) {
    if state.frozen {
        return;
    }
    let now = state.now;
    let due = |feed: &super::state::Feed| !feed.in_flight && feed.next_due <= now;
    if due(&state.feeds.phones) {
        state.feeds.phones.start(now);
        effects.push(if poll_plan::relist_due(state) {
            Effect::ListPhones
        } else {
            Effect::PollStatus(poll_plan::status_targets(state))
        });
    }
    let feeds = &mut state.feeds;
    for (feed, effect) in [
        (&mut feeds.streams, Effect::ListStreams),
        (&mut feeds.encoders, Effect::ListEncoders),
        (&mut feeds.servers, Effect::ListServers),
    ] {
        if due(feed) {
            feed.start(now);
            effects.push(effect);
        }
    }
    let running = state.running_jobs();
    if !running.is_empty() && due(&state.feeds.jobs) {
        state.feeds.jobs.start(now);
        effects.push(Effect::PollJobs(running));
    }
}

fn refresh_now(state: &mut AppState) {
    let now = state.now;
    for feed in state.feeds.all_mut() {
        feed.next_due = now;
    }
}

/// Records a poll's result: on success the next poll is one interval away; on failure
/// the last data stays, the error is logged and the feed backs off.
fn feed_result(state: &mut AppState, id: FeedId, error: Option<&ApiError>) {
    let (now, interval) = (state.now, state.settings.poll_interval);
    let feed = state.feeds.get_mut(id);
    match error {
        None => feed.succeeded(now, interval),
        Some(error) => {
            feed.failed(now, interval, error);
            state.log_activity(Entry::RefreshError {
                what: id.name(),
                message: error.to_string(),
            });
        }
    }
}

/// Says in the activity log how many rows of a listing had no id and were left out.
fn note_dropped<T>(state: &mut AppState, rows: &Rows<T>, what: &str) {
    if let Some(note) = rows.drop_note(what) {
        state.log_activity(Entry::Note(note));
    }
}

fn on_phones_listed(state: &mut AppState, result: Result<Rows<Instance>, ApiError>) {
    let instances = match result {
        Ok(instances) => instances,
        Err(error) => return feed_result(state, FeedId::Phones, Some(&error)),
    };
    note_dropped(state, &instances, "phone");
    let instances = instances.rows;
    let now = state.now;
    let previous = std::mem::take(&mut state.phones);
    let old: std::collections::HashMap<&str, &PhoneRow> =
        previous.iter().map(|p| (p.id.as_str(), p)).collect();
    state.phones = instances
        .into_iter()
        .map(|instance| {
            let kept = old.get(instance.instance_id.as_str());
            let same_status = kept.is_some_and(|p| p.status == instance.running_status);
            PhoneRow {
                since: match kept {
                    Some(p) if same_status => p.since,
                    Some(_) => Some(now),
                    None => None,
                },
                changed_in_poll: kept.filter(|_| same_status).and_then(|p| p.changed_in_poll),
                refreshed: now,
                error: kept.and_then(|p| p.error.clone()),
                id: instance.instance_id,
                name: instance.instance_name,
                status: instance.running_status,
            }
        })
        .collect();
    state.phone_index = state
        .phones
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    state.poll += 1;
    finish_phone_poll(state, Changed::All, true, None);
}

/// Which phone rows a poll changed.
enum Changed {
    /// The list itself (rows added or removed): recompute the view.
    All,
    /// These rows changed in place: move only them.
    Rows(Vec<usize>),
}

fn on_status(state: &mut AppState, batch: BatchStatus) {
    state.poll += 1;
    let (now, poll) = (state.now, state.poll);
    let mut changed = Vec::new();
    // Answers come chunk by chunk in the order the ids were asked, which is the rows'
    // order: the next result is nearly always the next row, so one comparison stands
    // in for most of 100,000 random hash lookups (they dominated a big poll).
    let mut next_row = 0;
    let answered_for_all = batch.failures.is_empty() && batch.results.len() == state.phones.len();
    for result in batch.results {
        let index = match state.phones.get(next_row) {
            Some(phone) if phone.id == result.instance_id => Some(next_row),
            _ => state.phone_index.get(&result.instance_id).copied(),
        };
        if let Some(i) = index {
            next_row = i + 1;
            let phone = &mut state.phones[i];
            let mut row_changed = phone.error.take().is_some();
            phone.refreshed = now;
            if phone.status != result.status {
                state.counts.moved(phone.status, result.status);
                phone.status = result.status;
                phone.since = Some(now);
                phone.changed_in_poll = Some(poll);
                row_changed = true;
            }
            if row_changed {
                changed.push(i);
            }
        }
    }
    for failure in &batch.failures {
        let message = short_error(&failure.error);
        for id in &failure.ids {
            if let Some(&i) = state.phone_index.get(id) {
                state.phones[i].error = Some(message.clone());
                changed.push(i);
            }
        }
    }
    let summary = batch.failures.first().map(|failure| ApiError {
        message: format!(
            "{} of {} status batches failed; last data kept: {}",
            batch.failures.len(),
            batch.chunks,
            failure.error.message
        ),
        ..failure.error.clone()
    });
    finish_phone_poll(
        state,
        Changed::Rows(changed),
        answered_for_all,
        summary.as_ref(),
    );
}

/// After a listing or a status poll: counts and view (most polls change nothing; a
/// poll that changes rows moves only those), the trend, the oldest row (no search
/// when the poll confirmed every phone), the feed.
fn finish_phone_poll(
    state: &mut AppState,
    changed: Changed,
    confirmed_all: bool,
    error: Option<&ApiError>,
) {
    state.oldest_refresh = if confirmed_all {
        Some(state.now)
    } else {
        state.phones.iter().map(|p| p.refreshed).min()
    };
    match changed {
        Changed::All => {
            state.counts = StatusCounts::of(&state.phones);
            state.phones_view.refresh(&state.phones);
        }
        // The counts already followed each changed status.
        Changed::Rows(rows) => state.phones_view.refresh_changed(&state.phones, &rows),
    }
    state.history.record(state.now, &state.counts);
    feed_result(state, FeedId::Phones, error);
}

fn short_error(error: &ApiError) -> String {
    match &error.code {
        Some(code) => format!("{code} {}", error.message),
        None => error.message.clone(),
    }
}

fn on_streams(state: &mut AppState, domains: Vec<DomainStreams>) {
    let mut rows = Vec::new();
    let mut first_error = None;
    for domain in domains {
        match domain.streams {
            Ok(streams) => {
                note_dropped(state, &streams, "stream");
                rows.extend(streams.rows.into_iter().map(StreamRow::new));
            }
            Err(error) => {
                // Keep what we knew of that domain's streams.
                let prefix = format!("{}/", domain.domain);
                rows.extend(
                    state
                        .streams
                        .iter()
                        .filter(|r| r.key.starts_with(&prefix))
                        .cloned(),
                );
                first_error.get_or_insert(error);
            }
        }
    }
    state.streams = rows;
    state.streams_view.refresh(&state.streams);
    feed_result(state, FeedId::Streams, first_error.as_ref());
}

fn on_encoders(state: &mut AppState, result: Result<Rows<EncodeServer>, ApiError>) {
    let error = result
        .map(|list| {
            note_dropped(state, &list, "encode server");
            state.encoders = list.rows.into_iter().map(EncoderRow).collect();
            state.encoders_view.refresh(&state.encoders);
        })
        .err();
    feed_result(state, FeedId::Encoders, error.as_ref());
}

fn on_servers(state: &mut AppState, result: Result<Rows<Server>, ApiError>) {
    let error = result
        .map(|list| {
            note_dropped(state, &list, "server");
            state.servers = list.rows.into_iter().map(ServerRow).collect();
            state.servers_view.refresh(&state.servers);
        })
        .err();
    feed_result(state, FeedId::Servers, error.as_ref());
}

fn on_jobs(state: &mut AppState, jobs: Vec<(String, Result<Job, ApiError>)>) {
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
            let note = match &new_state {
                JobState::Failed { code, message } => format!(
                    "restart job {} failed: {} {message}",
                    row.job_id,
                    code.as_deref().unwrap_or("")
                ),
                _ => format!("restart job {} succeeded", row.job_id),
            };
            row.state = new_state;
            state.activity.push(state.now, Entry::Note(note));
        } else {
            row.state = new_state;
        }
    }
    feed_result(state, FeedId::Jobs, first_error.as_ref());
    if state.running_jobs().is_empty() {
        state.feeds.encoders.next_due = state.now;
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
    let (targets, hidden) = with_pane!(state, state.pane, |rows, view| view.targets(rows));
    if targets.is_empty() {
        state.flash = Some(format!("nothing to {}: no row selected", kind.label()));
        return;
    }
    state.mode = Mode::Confirm(ConfirmDialog {
        kind,
        targets,
        hidden,
        typed: String::new(),
        focus: Focus::Cancel,
    });
}

fn action_for(pane: Pane, action: Action) -> Option<ActionKind> {
    match (pane, action) {
        (Pane::Phones, Action::Stop) => Some(ActionKind::StopStreaming),
        (Pane::Streams, Action::Pause) => Some(ActionKind::PauseStream),
        (Pane::Encoders, Action::Restart) => Some(ActionKind::RestartEncoder),
        (Pane::Servers, Action::Stop) => Some(ActionKind::StopServer),
        (Pane::Servers, Action::Start) => Some(ActionKind::StartServer),
        _ => None,
    }
}

fn launch(state: &mut AppState, dialog: ConfirmDialog, effects: &mut Vec<Effect>) {
    let action = state.next_action;
    state.next_action += 1;
    state.running_actions += 1;
    state.log_activity(Entry::Action(ActionProgress {
        id: action,
        kind: dialog.kind,
        total: dialog.targets.len(),
        ok: 0,
        failed: 0,
        unknown: 0,
        started: state.now,
        finished: false,
    }));
    // Marks are spent by the action, so the next one cannot hit them by accident.
    with_pane!(state, state.pane, |_rows, view| view.marks.clear());
    state.flash = Some(format!(
        "{} started on {} target(s)",
        dialog.kind.label(),
        dialog.targets.len()
    ));
    effects.push(Effect::RunAction {
        action,
        kind: dialog.kind,
        targets: dialog.targets,
    });
}

fn action_kind(state: &AppState, action: u64) -> Option<ActionKind> {
    state
        .activity
        .entries
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            Entry::Action(p) if p.id == action => Some(p.kind),
            _ => None,
        })
}

fn on_outcome(state: &mut AppState, action: u64, outcome: TargetOutcome) {
    let Some(kind) = action_kind(state, action) else {
        return;
    };
    if let Some(progress) = state.activity.action_mut(action) {
        progress.count(outcome.outcome);
    }
    if kind == ActionKind::StopStreaming {
        if let Some(&i) = state.phone_index.get(&outcome.target) {
            state.phones[i].error = (outcome.outcome != Outcome::Ok).then(|| {
                format!(
                    "{}: {}",
                    outcome.outcome,
                    outcome.error_msg.clone().unwrap_or_default()
                )
            });
        }
    }
    if let (ActionKind::RestartEncoder, Outcome::Ok, Some(job_id)) =
        (kind, outcome.outcome, &outcome.job_id)
    {
        state.jobs.push(JobRow {
            job_id: job_id.clone(),
            encoder_id: outcome.target.clone(),
            state: JobState::Running,
            started: state.now,
        });
    }
    if outcome.outcome != Outcome::Ok {
        state.log_activity(Entry::TargetProblem {
            action: kind,
            outcome,
        });
    }
}

fn on_action_finished(state: &mut AppState, action: u64) {
    state.running_actions = state.running_actions.saturating_sub(1);
    let kind = action_kind(state, action);
    if let Some(progress) = state.activity.action_mut(action) {
        progress.finished = true;
    }
    // Show the effect at once: refresh what the action changed.
    let now = state.now;
    match kind {
        Some(ActionKind::StopStreaming) => state.feeds.phones.next_due = now,
        Some(ActionKind::PauseStream) => state.feeds.streams.next_due = now,
        Some(ActionKind::RestartEncoder) => {
            state.feeds.encoders.next_due = now;
            state.feeds.jobs.next_due = now;
        }
        Some(ActionKind::StopServer | ActionKind::StartServer) => {
            state.feeds.servers.next_due = now
        }
        None => {}
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
        state.quit = true;
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
        Mode::Confirm(dialog) => on_confirm_key(state, dialog, key, effects),
        Mode::ConfirmQuit => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => state.quit = true,
            KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('q') => state.mode = Mode::Normal,
            _ => {}
        },
    }
}

/// Rows a page moves: the table's height at the current terminal size.
fn page(state: &AppState) -> isize {
    layout::table_rows(state.size, state.log_expanded).max(1) as isize
}

fn on_normal_key(state: &mut AppState, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(action) = state.keymap.action(&key) else {
        return;
    };
    state.flash = None;
    let pane = state.pane;
    match action {
        Action::Quit if state.running_actions > 0 => state.mode = Mode::ConfirmQuit,
        Action::Quit | Action::ForceQuit => state.quit = true,
        Action::Help => state.mode = Mode::Help,
        Action::NextPane => state.pane = pane.cycle(1),
        Action::PrevPane => state.pane = pane.cycle(-1),
        Action::PhonesPane => state.pane = Pane::Phones,
        Action::StreamsPane => state.pane = Pane::Streams,
        Action::EncodersPane => state.pane = Pane::Encoders,
        Action::ServersPane => state.pane = Pane::Servers,
        Action::Up => with_pane!(state, pane, |_rows, view| view.move_by(-1)),
        Action::Down => with_pane!(state, pane, |_rows, view| view.move_by(1)),
        Action::PageUp => {
            let page = page(state);
            with_pane!(state, pane, |_rows, view| view.move_by(-page))
        }
        Action::PageDown => {
            let page = page(state);
            with_pane!(state, pane, |_rows, view| view.move_by(page))
        }
        Action::Top => with_pane!(state, pane, |_rows, view| view.top()),
        Action::Bottom => with_pane!(state, pane, |_rows, view| view.bottom()),
        Action::Filter => state.mode = Mode::Filtering,
        Action::CommandLine => state.mode = Mode::Command(String::new()),
        Action::SortNext => {
            let columns = column_count(pane);
            with_pane!(state, pane, |rows, view| {
                view.cycle_sort(columns);
                view.refresh(rows)
            })
        }
        Action::SortReverse => with_pane!(state, pane, |rows, view| {
            view.reverse_sort();
            view.refresh(rows)
        }),
        Action::Mark => with_pane!(state, pane, |rows, view| {
            view.toggle_mark(rows);
            view.move_by(1)
        }),
        Action::MarkAll => with_pane!(state, pane, |rows, view| view.mark_all_visible(rows)),
        Action::UnmarkAll => with_pane!(state, pane, |_rows, view| view.marks.clear()),
        Action::Stop | Action::Start | Action::Pause | Action::Restart => {
            match action_for(pane, action) {
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
        Action::Refresh => {
            refresh_now(state);
            state.flash = Some("refreshing".into());
        }
        Action::Freeze => {
            state.frozen = !state.frozen;
            if !state.frozen {
                refresh_now(state);
            }
        }
        Action::ToggleLog => state.log_expanded = !state.log_expanded,
        Action::ExportCsv => write_export(state, export::pane(state, export::Format::Csv), effects),
        Action::ExportJson => {
            write_export(state, export::pane(state, export::Format::Json), effects)
        }
        Action::SaveLog => write_export(state, Ok(export::activity(state)), effects),
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

fn column_count(pane: Pane) -> usize {
    match pane {
        Pane::Phones => PHONE_COLUMNS.len(),
        Pane::Streams => STREAM_COLUMNS.len(),
        Pane::Encoders => ENCODER_COLUMNS.len(),
        Pane::Servers => SERVER_COLUMNS.len(),
    }
}

/// Rows one turn of the wheel moves.
const WHEEL_ROWS: isize = 3;

/// The wheel moves the cursor; a click picks a tab or a row. Only in the normal
/// view: dialogs are answered with keys.
fn on_mouse(state: &mut AppState, event: MouseEvent) {
    if !state.settings.mouse || state.mode != Mode::Normal {
        return;
    }
    let pane = state.pane;
    match event.kind {
        MouseEventKind::ScrollDown => {
            with_pane!(state, pane, |_rows, view| view.move_by(WHEEL_ROWS))
        }
        MouseEventKind::ScrollUp => {
            with_pane!(state, pane, |_rows, view| view.move_by(-WHEEL_ROWS))
        }
        MouseEventKind::Down(MouseButton::Left) => {
            match layout::hit(state.size, state.log_expanded, event.column, event.row) {
                Hit::Tab(pane) => state.pane = pane,
                Hit::Row(offset) => {
                    let height = layout::table_rows(state.size, state.log_expanded);
                    with_pane!(state, pane, |_rows, view| {
                        let row = window_start(view.cursor, height) + offset;
                        if row < view.visible.len() {
                            view.cursor = row;
                        }
                    })
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
    let profiles = &state.settings.profiles;
    match key.code {
        KeyCode::Esc => state.mode = Mode::Normal,
        KeyCode::Backspace if input.is_empty() => state.mode = Mode::Normal,
        KeyCode::Backspace => {
            input.pop();
            state.mode = Mode::Command(input);
        }
        KeyCode::Tab => {
            let completed = command_line::complete(&input, profiles).unwrap_or(input);
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
    let pane = state.pane;
    match command {
        Command::Pane(pane) => state.pane = pane,
        Command::Filter(text) => with_pane!(state, pane, |rows, view| {
            view.filter = text;
            view.refresh(rows)
        }),
        Command::Help => state.mode = Mode::Help,
        Command::Quit if state.running_actions > 0 => state.mode = Mode::ConfirmQuit,
        Command::Quit => state.quit = true,
        Command::Profile(name) if name == state.settings.profile => {
            state.flash = Some(format!("already on profile {name}"));
        }
        Command::Profile(_) if state.running_actions > 0 => {
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

fn on_filter_key(state: &mut AppState, key: KeyEvent) {
    let pane = state.pane;
    match key.code {
        KeyCode::Enter => state.mode = Mode::Normal,
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            with_pane!(state, pane, |rows, view| {
                view.filter.clear();
                view.refresh(rows)
            })
        }
        KeyCode::Backspace => with_pane!(state, pane, |rows, view| {
            view.filter.pop();
            view.refresh(rows)
        }),
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            with_pane!(state, pane, |rows, view| {
                view.filter.push(c);
                view.refresh(rows)
            })
        }
        _ => {}
    }
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
