//! Drives the dashboard's real `update` loop and real effects against the simulator,
//! with a clock the test moves by hand.

use std::collections::VecDeque;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phonedeck::actions::Executor;
use phonedeck::app::{AppState, Clock, Msg, Settings, update};
use phonedeck::audit::AuditLog;
use phonedeck::dashboard::effects::{Running, perform};
use phonedeck::sim::SimHandle;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub struct Harness {
    pub state: AppState,
    pub executor: Executor,
    pub clock: Clock,
    pub audit_dir: tempfile::TempDir,
    running: Running,
}

impl Harness {
    pub async fn new(sim: &SimHandle, read_only: bool) -> Harness {
        let mut config = super::config_for(sim);
        config.read_only = read_only;
        Harness::with_config(config).await
    }

    pub async fn with_config(config: phonedeck::api::ApiConfig) -> Harness {
        let (read_only, max_requests_per_sec) = (config.read_only, config.max_requests_per_sec);
        let api = phonedeck::api::Api::new(config).expect("client");
        let audit_dir = tempfile::tempdir().expect("tempdir");
        let audit = AuditLog::open(
            &audit_dir.path().join("audit.jsonl"),
            "test",
            phonedeck::audit::Links::Follow,
        )
        .expect("audit");
        let clock = Clock::system();
        let settings = Settings {
            profile: "test".into(),
            simulator: true,
            read_only,
            max_requests_per_sec,
            // As a dashboard starts: a fresh session, so two runs' ids differ.
            session: phonedeck::audit::new_session_id(),
            ..Settings::default()
        };
        let mut harness = Harness {
            state: AppState::new(settings, clock),
            executor: Executor {
                api,
                audit: Some(audit),
            },
            clock,
            audit_dir,
            running: Running::default(),
        };
        harness.state.size = (120, 40);
        harness.dispatch(Msg::Tick).await;
        harness
    }

    /// Handles a message and every message its effects produce, until quiet.
    pub async fn dispatch(&mut self, msg: Msg) {
        let mut queue = VecDeque::from([msg]);
        while let Some(msg) = queue.pop_front() {
            for effect in update(&mut self.state, msg, self.clock) {
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                perform(effect, &self.executor, &self.running, &tx).await;
                drop(tx);
                while let Some(answer) = rx.recv().await {
                    queue.push_back(answer);
                }
            }
        }
    }

    pub async fn key(&mut self, code: KeyCode) {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.dispatch(Msg::Key(KeyEvent::new(code, modifiers)))
            .await;
    }

    /// Types each character as a key press.
    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    /// Moves the clock on and lets due polls run.
    pub async fn advance(&mut self, by: Duration) {
        self.clock.now += by;
        self.clock.wall += chrono::TimeDelta::from_std(by).expect("duration");
        self.dispatch(Msg::Tick).await;
    }

    pub fn screen(&self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| phonedeck::ui::draw(frame, &self.state))
            .expect("draws");
        terminal.backend().to_string()
    }

    pub fn audit_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.audit_dir.path().join("audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect()
    }
}
