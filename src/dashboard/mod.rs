//! The dashboard's shell: owns the terminal, feeds keys, ticks, signals and API results
//! to `update` as messages, runs the effects, and draws the latest state.

pub mod ansi16;
pub mod effects;
pub mod screen_backend;

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::actions::Executor;
use crate::app::{AppState, Clock, Effect, Msg, Settings, update};

use screen_backend::ScreenBackend;

/// The terminal the dashboard draws on: stdout, writing only what changed, in the
/// palette the terminal has (see `ScreenBackend`).
type Screen = Terminal<ScreenBackend<CrosstermBackend<std::io::Stdout>>>;

/// Ages in the header move on with this tick; it is also when polls fall due.
const TICK: Duration = Duration::from_secs(1);

/// Connects to a profile by name: its executor (client and audit log) and settings.
pub type ProfileSwitcher = Box<dyn Fn(&str) -> Result<(Executor, Settings), String> + Send>;

pub struct DashboardOptions {
    pub settings: Settings,
    pub executor: Executor,
    pub keymap: crate::app::keymap::KeyMap,
    /// Reported in the activity log at start-up.
    pub key_conflicts: Vec<String>,
    /// How `:profile NAME` connects (None in the demo).
    pub switch_profile: Option<ProfileSwitcher>,
}

/// Answers of effects started for one profile. Switching profile replaces it, so
/// late answers for the old profile are dropped instead of landing in the new one.
struct Answers {
    tx: UnboundedSender<Msg>,
    rx: UnboundedReceiver<Msg>,
}

impl Answers {
    fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Answers { tx, rx }
    }
}

/// Runs the dashboard until the engineer quits. The terminal is restored on every
/// way out: quit, error, panic (ratatui's hook), SIGTERM or SIGHUP. A terminal that
/// cannot be drawn on any more (the SSH session died) ends it the way SIGHUP does:
/// nothing new is sent, those in flight are waited for, and the audit accounts for
/// every target. Returns the line
/// to leave on the terminal: what the session's actions did, and where the audit is.
pub async fn run(options: DashboardOptions) -> Result<Option<String>> {
    let (tx, rx) = mpsc::unbounded_channel();
    spawn_input(tx.clone());
    spawn_clock(tx.clone());
    spawn_signals(tx.clone())?;
    // ratatui::init sets up the screen (raw mode, alternate screen, the panic hook that
    // restores it); its terminal is replaced by one that stays quiet when idle.
    drop(ratatui::init());
    let mouse = options.settings.mouse;
    if mouse {
        capture_mouse()?;
    }
    let backend = ScreenBackend::new(
        CrosstermBackend::new(std::io::stdout()),
        ansi16::Palette::from_env(),
        Box::new(std::io::stdout()),
    );
    let result = match Terminal::new(backend) {
        Ok(mut terminal) => {
            let result = event_loop(&mut terminal, options, tx, rx).await;
            if terminal.show_cursor().is_err() {
                // The terminal is gone: dropping it would print that the cursor cannot
                // be shown, and a print to a lost terminal panics.
                std::mem::forget(terminal);
            }
            result
        }
        Err(e) => Err(e).wrap_err("cannot set up the terminal"),
    };
    if mouse {
        release_mouse();
    }
    // Not `ratatui::restore`: it prints its error, and with the terminal gone (the SSH
    // session died) that print panics, and the panic hook's own restore aborts.
    let _ = ratatui::try_restore();
    result
}

/// Turns mouse reporting on, and makes sure a panic turns it off again (ratatui's own
/// hook restores the rest of the terminal).
fn capture_mouse() -> Result<()> {
    let restore = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        release_mouse();
        restore(info);
    }));
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)
        .wrap_err("cannot turn on mouse reporting; set mouse = false in the config")
}

fn release_mouse() {
    // Nothing more can be done if the terminal is gone.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
}

async fn event_loop(
    terminal: &mut Screen,
    mut options: DashboardOptions,
    tx: UnboundedSender<Msg>,
    mut rx: UnboundedReceiver<Msg>,
) -> Result<Option<String>> {
    let mut state = AppState::new(options.settings.clone(), Clock::system());
    state.keymap = options.keymap.clone();
    for conflict in &options.key_conflicts {
        let _ = tx.send(Msg::Note(format!("[keys]: {conflict}")));
    }
    let size = terminal.size().wrap_err("cannot read the terminal size")?;
    state.size = (size.width, size.height);
    let mut answers = Answers::new();
    let running = effects::Running::default();
    let mut pending = vec![Msg::Tick];
    // Set once quitting has stopped the running actions: how long their requests in
    // flight are waited for.
    let mut stop_deadline = None;
    // Set when the terminal cannot be drawn on (the SSH session died): quitting then
    // goes on without drawing, the same way as for SIGHUP.
    let mut terminal_lost: Option<String> = None;
    loop {
        // Handle everything that is waiting, then draw once: only the latest state is drawn.
        while let Some(msg) = pending
            .pop()
            .or_else(|| rx.try_recv().ok())
            .or_else(|| answers.rx.try_recv().ok())
        {
            let effects = match without_panic(|| {
                panic_when_asked(&msg);
                update(&mut state, msg, Clock::system())
            }) {
                Ok(effects) => effects,
                Err(bug) => return stop_after_bug(&bug, &options.executor, &running).await,
            };
            for effect in effects {
                if let Some(answer) = run_effect(effect, &mut options, &running, &mut answers) {
                    pending.push(answer);
                }
            }
        }
        if state.quit {
            return Ok(exit_line(
                &state,
                &options.executor,
                terminal_lost.as_deref(),
            ));
        }
        if state.stopping && stop_deadline.is_none() {
            stop_deadline = Some(tokio::time::Instant::now() + QUIT_GRACE);
        }
        if terminal_lost.is_none() {
            match without_panic(|| terminal.draw(|frame| crate::ui::draw(frame, &state))) {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => {
                    terminal_lost = Some(format!("cannot draw to the terminal: {error}"));
                    pending.push(Msg::Terminate);
                    continue;
                }
                Err(bug) => return stop_after_bug(&bug, &options.executor, &running).await,
            }
        }
        let waited_enough = async {
            match stop_deadline {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        let next = tokio::select! {
            msg = rx.recv() => msg,
            Some(msg) = answers.rx.recv() => Some(msg),
            () = waited_enough => Some(Msg::GraceOver),
        };
        match next {
            Some(msg) => pending.push(msg),
            None => {
                return Ok(exit_line(
                    &state,
                    &options.executor,
                    terminal_lost.as_deref(),
                ));
            }
        }
    }
}

/// Runs `f`; a panic becomes its message. The panic hook has already restored the
/// terminal and printed where it happened.
fn without_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into())
    })
}

/// After a bug (a panic while updating or drawing), the exit every other way out takes,
/// done by the shell since the state may be half-updated: every running action stops
/// sending (its targets not started are recorded `not_sent`), those in flight are
/// waited for within the grace, and those still unanswered are recorded `unknown`.
async fn stop_after_bug(
    bug: &str,
    executor: &Executor,
    running: &effects::Running,
) -> Result<Option<String>> {
    running.cancel_all();
    let deadline = tokio::time::Instant::now() + QUIT_GRACE;
    while !running.is_idle() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The state missed what answered after the bug: the audit log is the account.
    let account = match &executor.audit {
        Some(audit) => {
            let unanswered = audit.abandon_pending();
            match audit.write_problem() {
                Some(problem) => format!("; {problem}"),
                None => format!(
                    "; {unanswered} request(s) unanswered were recorded unknown; every target's outcome is in the audit log {} (`phonedeck audit` lists them)",
                    audit.path().display()
                ),
            }
        }
        None => String::new(),
    };
    Err(color_eyre::eyre::eyre!(
        "phonedeck hit a bug ({bug}) and stopped sending{account}"
    ))
}

/// Debug builds only: the key named by `PHONEDECK_TEST_PANIC_KEY` makes the dashboard
/// panic, so tests can check what a bug in the UI leaves behind.
#[cfg(debug_assertions)]
fn panic_when_asked(msg: &Msg) {
    use crossterm::event::KeyCode;
    let Msg::Key(key) = msg else { return };
    let asked = std::env::var("PHONEDECK_TEST_PANIC_KEY").ok();
    if let (KeyCode::Char(pressed), Some(asked)) = (key.code, asked) {
        if asked.starts_with(pressed) {
            panic!("PHONEDECK_TEST_PANIC_KEY was pressed");
        }
    }
}

#[cfg(not(debug_assertions))]
fn panic_when_asked(_: &Msg) {}

/// The line to leave behind: the exit summary, after why the terminal was lost.
fn exit_line(state: &AppState, executor: &Executor, terminal_lost: Option<&str>) -> Option<String> {
    let summary = exit_summary(state, executor);
    match (terminal_lost, summary) {
        (Some(lost), Some(summary)) => Some(format!("{lost}; {summary}")),
        (Some(lost), None) => Some(lost.to_string()),
        (None, summary) => summary,
    }
}

/// At exit: requests still unanswered are recorded `unknown` (never silently dropped),
/// and one line says what the session's actions did and where the audit log is.
fn exit_summary(state: &AppState, executor: &Executor) -> Option<String> {
    let audit = executor.audit.as_ref();
    if let Some(audit) = audit {
        audit.abandon_pending();
    }
    let summary = state.activity.exit_summary(state.settings.max_in_flight)?;
    Some(match audit {
        Some(audit) => match audit.write_problem() {
            Some(problem) => format!("{summary}; {problem}"),
            None => format!("{summary}; audit log: {}", audit.path().display()),
        },
        None => summary,
    })
}

/// Starts an effect as a task; a profile switch is done here, at once, and answered.
fn run_effect(
    effect: Effect,
    options: &mut DashboardOptions,
    running: &effects::Running,
    answers: &mut Answers,
) -> Option<Msg> {
    let name = match effect {
        Effect::SwitchProfile(name) => name,
        // Written here, between frames, so it never lands inside one.
        Effect::Clipboard(text) => {
            effects::copy_to_clipboard(&text);
            return None;
        }
        // At once, so the polls that R makes due find the credentials open.
        Effect::TryCredentialsAgain => {
            options.executor.api.try_credentials_again();
            return None;
        }
        effect => {
            effects::spawn(effect, &options.executor, running, &answers.tx);
            return None;
        }
    };
    let switched = match &options.switch_profile {
        Some(connect) => connect(&name),
        None => Err("the demo has no other profiles; pass --config to use yours".into()),
    };
    Some(Msg::ProfileSwitched(switched.map(
        |(executor, settings)| {
            options.executor = executor;
            *answers = Answers::new();
            settings
        },
    )))
}

/// How long quitting waits for the requests already in flight, so their outcomes are
/// recorded (a second Ctrl-C does not wait).
const QUIT_GRACE: Duration = Duration::from_secs(10);

fn spawn_input(tx: UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(Ok(event)) = events.next().await {
            let msg = match event {
                Event::Key(key) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Event::Resize(width, height) => Msg::Resize { width, height },
                Event::Mouse(mouse) => Msg::Mouse(mouse),
                _ => continue,
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    });
}

fn spawn_clock(tx: UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            ticks.tick().await;
            if tx.send(Msg::Tick).is_err() {
                return;
            }
        }
    });
}

/// SIGTERM, and SIGHUP (the SSH connection dropped), end the dashboard cleanly.
fn spawn_signals(tx: UnboundedSender<Msg>) -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).wrap_err("cannot watch SIGTERM")?;
    let mut hangup = signal(SignalKind::hangup()).wrap_err("cannot watch SIGHUP")?;
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = hangup.recv() => {}
        }
        let _ = tx.send(Msg::Terminate);
    });
    Ok(())
}
