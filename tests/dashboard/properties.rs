//! Bad input at volume: random bodies never panic a parser, and random key and message
//! sequences (actions' outcomes and finishes among them) never panic the dashboard or
//! leave its state inconsistent.
//! `PROPTEST_CASES=20000 cargo test --release --test dashboard properties` runs longer.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phonedeck::api::koophone::{
    self, BatchStatus, Instance, InstancePage, PhoneStatus, StatusResult,
};
use phonedeck::api::tolerant::Rows;
use phonedeck::api::transport::error_from_body;
use phonedeck::api::{Outcome, Service, TargetOutcome, compute, cph, live};
use phonedeck::app::counts::StatusCounts;
use phonedeck::app::effect::Effect;
use phonedeck::app::pane::column::TableRow;
use phonedeck::app::pane::listing::Listing;
use phonedeck::app::pane::phones::PhoneRow;
use phonedeck::app::run_id::RunId;
use phonedeck::app::table::TableView;
use phonedeck::app::{AppState, Clock, Msg, Settings, update};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    ProptestConfig::with_cases(cases)
}

/// Arbitrary JSON, shaped like the APIs' answers often enough to reach deep code.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z_0-9\\x1b]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("error_code".to_string()),
            Just("error_msg".to_string()),
            Just("data".to_string()),
            Just("status_results".to_string()),
            Just("instance_id".to_string()),
            Just("status".to_string()),
            Just("result".to_string()),
            Just("streams".to_string()),
            Just("servers".to_string()),
            Just("jobs".to_string()),
            Just("job_id".to_string()),
            Just("conflictingRequest".to_string()),
            "[a-z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn every_parser(body: &[u8]) {
    let _ = koophone::parse_status_results(body);
    let _ = koophone::parse_envelope::<InstancePage>(body);
    let _ = koophone::parse_envelope::<Value>(body);
    let _ = live::parse_stream_page(body);
    let _ = compute::parse_servers(body);
    let _ = cph::parse_encode_servers(body);
    let _ = cph::parse_restart_reply(body);
    let _ = cph::parse_job(body);
    for status in [200, 400, 401, 409, 429, 500, 502] {
        let error = error_from_body(Service::Cph, status, body);
        assert!(
            !error.message.chars().any(char::is_control),
            "error text is sanitised"
        );
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parsers_never_panic_on_random_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        every_parser(&body);
    }

    #[test]
    fn parsers_never_panic_on_random_json(value in json()) {
        every_parser(value.to_string().as_bytes());
    }

    #[test]
    fn dashboard_state_stays_consistent(steps in prop::collection::vec(step(), 1..80)) {
        let mut state = fixture();
        let mut clock = Clock { now: Instant::now(), wall: chrono::Utc::now() };
        let mut runs = Runs::default();
        for step in steps {
            clock.now += Duration::from_millis(700);
            for msg in runs.messages(step) {
                let effects = update(&mut state, msg, clock);
                runs.started(&effects);
                check_invariants(&state);
                check_runs(&state);
            }
            let (width, height) = state.size;
            let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
            terminal.draw(|frame| phonedeck::ui::draw(frame, &state)).expect("draws");
        }
    }
}

fn key() -> impl Strategy<Value = KeyEvent> {
    let code = prop_oneof![
        prop::sample::select(vec![
            '?', 'q', '1', '2', '3', '4', 'j', 'k', 'g', 'G', '/', 'o', 'O', ' ', 'A', 'U', 's',
            'S', 'p', 'r', 'R', 'f', 'l', 'y', 'n', '0', '5', '9', 'x', 't', 'c', 'L',
        ])
        .prop_map(KeyCode::Char),
        prop::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Backspace,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Left,
        ]),
    ];
    code.prop_map(|code| {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        KeyEvent::new(code, modifiers)
    })
}

fn message() -> impl Strategy<Value = Msg> {
    prop_oneof![
        6 => key().prop_map(Msg::Key),
        1 => (1u16..200, 1u16..70).prop_map(|(width, height)| Msg::Resize { width, height }),
        // -2 stands for a result without a readable status.
        1 => prop::collection::vec((0usize..40, -2i64..9), 0..20).prop_map(|changes| {
            Msg::StatusPolled(BatchStatus {
                chunks: 1,
                results: changes
                    .into_iter()
                    .map(|(i, s)| StatusResult {
                        instance_id: format!("ph{i:06}"),
                        status: (s != -2).then_some(PhoneStatus(s)),
                    })
                    .collect(),
                failures: vec![],
                dropped: 0,
            })
        }),
        1 => (0usize..40).prop_map(|n| Msg::Listed(Listing::Phones(Ok(instances(n))))),
        1 => Just(Msg::Tick),
    ]
}

/// One step of a session: a message, or an answer to one of the runs started so far
/// (which run and which of its targets are picked when the step is taken, from the
/// runs the dashboard really started).
#[derive(Debug, Clone)]
enum Step {
    Message(Box<Msg>),
    /// The action key of the pane in view, confirmed (`s` then `y`).
    Act,
    Outcome {
        run: usize,
        target: usize,
        outcome: Outcome,
    },
    Finished {
        run: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let outcome = prop::sample::select(vec![
        Outcome::Ok,
        Outcome::Failed,
        Outcome::Unknown,
        Outcome::NotSent,
    ]);
    prop_oneof![
        10 => message().prop_map(|msg| Step::Message(Box::new(msg))),
        2 => Just(Step::Act),
        4 => (0usize..4, 0usize..64, outcome)
            .prop_map(|(run, target, outcome)| Step::Outcome { run, target, outcome }),
        1 => (0usize..4).prop_map(|run| Step::Finished { run }),
    ]
}

/// The runs the dashboard started (from its StartRun effects), and which of their
/// targets have answered: the executor answers each target once, then finishes.
#[derive(Default)]
struct Runs {
    started: Vec<(RunId, Vec<String>, HashSet<String>)>,
}

impl Runs {
    fn started(&mut self, effects: &[Effect]) {
        for effect in effects {
            if let Effect::StartRun { run, targets, .. } = effect {
                self.started.push((*run, targets.to_vec(), HashSet::new()));
            }
        }
    }

    fn messages(&mut self, step: Step) -> Vec<Msg> {
        match step {
            Step::Act => ['s', 'y']
                .map(|c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
                .to_vec(),
            other => self.answer(other).into_iter().collect(),
        }
    }

    fn answer(&mut self, step: Step) -> Option<Msg> {
        match step {
            Step::Message(msg) => Some(*msg),
            Step::Act => None,
            Step::Outcome {
                run,
                target,
                outcome,
            } => {
                let count = self.started.len();
                let (id, targets, answered) = self.started.get_mut(run % count.max(1))?;
                let unanswered: Vec<&String> =
                    targets.iter().filter(|t| !answered.contains(*t)).collect();
                let target = (*unanswered.get(target % unanswered.len().max(1))?).clone();
                answered.insert(target.clone());
                let outcome = TargetOutcome {
                    outcome,
                    error_code: (outcome == Outcome::Failed).then(|| "E1".to_string()),
                    ..TargetOutcome::ok(target, None)
                };
                Some(Msg::RunOutcome { run: *id, outcome })
            }
            Step::Finished { run } => {
                let count = self.started.len();
                let (id, targets, answered) = self.started.get(run % count.max(1))?;
                // The executor finishes a run once each target answered (not sent ones
                // included); quitting's grace may end one sooner, which GraceOver stands for.
                (answered.len() == targets.len()).then_some(Msg::RunFinished { run: *id })
            }
        }
    }
}

/// Runs: the running ones are kept and unfinished; each run's tally counts every
/// answer once; the exit summary accounts for each target exactly once.
fn check_runs(state: &AppState) {
    for id in &state.running {
        let run = state.activity.run(*id).expect("a running run is kept");
        assert!(!run.finished, "run {id} is running, not finished");
    }
    for run in state.activity.runs() {
        assert_eq!(
            run.ok + run.failed + run.unknown + run.not_sent,
            run.results.len(),
            "run {}: each answer counted once",
            run.id
        );
        assert!(
            run.results.len() <= run.total,
            "run {}: no more answers than targets",
            run.id
        );
    }
    if let Some(summary) = state.activity.exit_summary(state.settings.max_in_flight) {
        let numbers: Vec<usize> = summary
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        let [_, total, done, failed, unknown, not_sent, ..] = numbers[..] else {
            panic!("a summary with its counts: {summary}");
        };
        assert_eq!(
            done + failed + unknown + not_sent,
            total,
            "every target once in: {summary}"
        );
    }
}

fn instances(count: usize) -> Rows<Instance> {
    (0..count)
        .map(|i| Instance {
            instance_id: format!("ph{i:06}"),
            instance_name: format!("phone-{i}"),
            region: None,
            instance_sku: None,
            // Every eighth phone's answer has no status (the models allow it).
            running_status: (i % 8 != 7).then_some(PhoneStatus((i % 7) as i64)),
            frozen_status: None,
        })
        .collect()
}

fn fixture() -> AppState {
    let clock = Clock {
        now: Instant::now(),
        wall: chrono::Utc::now(),
    };
    let settings = Settings {
        profile: "p".into(),
        simulator: true,
        read_only: false,
        ..Settings::default()
    };
    let mut state = AppState::new(settings, clock);
    let _ = update(
        &mut state,
        Msg::Listed(Listing::Phones(Ok(instances(30)))),
        clock,
    );
    state
}

fn check_view<R: TableRow>(view: &TableView, rows: &[R]) {
    assert!(
        view.visible.iter().all(|&i| i < rows.len()),
        "visible rows exist"
    );
    assert!(view.cursor < view.visible.len().max(1), "cursor in range");
    let keys: std::collections::HashSet<&str> = rows.iter().map(TableRow::key).collect();
    assert!(
        view.marks.iter().all(|m| keys.contains(m.as_str())),
        "marks refer to rows"
    );
}

fn check_invariants(state: &AppState) {
    check_view(
        &state.panes.phones.table.view,
        &state.panes.phones.table.rows,
    );
    check_view(&state.panes.streams.view, &state.panes.streams.rows);
    check_view(&state.panes.encoders.view, &state.panes.encoders.rows);
    check_view(&state.panes.servers.view, &state.panes.servers.rows);
    assert_eq!(
        state.panes.phones.index.len(),
        state.panes.phones.table.rows.len()
    );
    assert_eq!(
        state.panes.phones.counts,
        StatusCounts::of(state.panes.phones.table.rows.iter().map(|p| p.status)),
        "the counts follow every change as a recount would"
    );
    let mut fresh = TableView {
        sort: state.panes.phones.table.view.sort,
        filter: state.panes.phones.table.view.filter.clone(),
        ..TableView::default()
    };
    let table = &state.panes.phones.table;
    fresh.refresh(&table.rows, &|row| table.last_error(row));
    assert_eq!(
        fresh.visible, state.panes.phones.table.view.visible,
        "moving changed rows keeps the order a full refresh gives"
    );
}

/// A phone row for the view properties: status from a small set (ties are common), an
/// error sometimes.
fn phone_row(i: usize, status: i64, error: bool, base: Instant) -> PhoneRow {
    PhoneRow {
        id: format!("ph{i:04}"),
        name: format!("phone-{}", i % 7),
        status: (status >= 0).then_some(PhoneStatus(status)),
        since: (i % 3 == 0).then(|| Clock {
            now: base + Duration::from_secs(i as u64),
            wall: chrono::Utc::now(),
        }),
        changed_in_poll: None,
        refreshed: base,
        error: error.then(|| format!("E{}", i % 4)),
    }
}

proptest! {
    #![proptest_config(config())]

    /// Moving only the changed rows gives exactly the order a full refresh gives,
    /// whatever the sort, the filter and the changes.
    #[test]
    fn moving_changed_rows_equals_a_full_refresh(
        statuses in prop::collection::vec((-1i64..6, any::<bool>()), 0..60),
        changes in prop::collection::vec((0usize..60, -1i64..6, any::<bool>()), 0..20),
        sort in prop::option::of((0usize..5, any::<bool>())),
        filter in prop::sample::select(vec!["", "running", "phone-3", "e1", "offline"]),
        cursor in 0usize..60,
    ) {
        let base = Instant::now();
        let mut rows: Vec<PhoneRow> = statuses
            .iter()
            .enumerate()
            .map(|(i, &(s, e))| phone_row(i, s, e, base))
            .collect();
        let mut incremental = TableView { sort, filter: filter.to_string(), ..TableView::default() };
        incremental.refresh(&rows, &|_| String::new());
        incremental.cursor = cursor.min(incremental.visible.len().saturating_sub(1));
        let cursor_row = incremental.visible.get(incremental.cursor).copied();
        let mut changed = Vec::new();
        for (i, status, error) in changes {
            if i < rows.len() {
                rows[i] = phone_row(i, status, error, base);
                changed.push(i);
            }
        }
        incremental.refresh_changed(&rows, &changed, &|_| String::new());
        let mut full = TableView { sort, filter: filter.to_string(), ..TableView::default() };
        full.refresh(&rows, &|_| String::new());
        prop_assert_eq!(&incremental.visible, &full.visible);
        if let Some(row) = cursor_row.filter(|r| full.visible.contains(r)) {
            prop_assert_eq!(incremental.visible[incremental.cursor], row, "the cursor stays on its row");
        }
    }
}
