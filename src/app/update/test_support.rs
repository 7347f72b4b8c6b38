//! What the reducer's unit tests share: a state with phones listed, and keys
//! pressed through `update` as the shell would send them.

use crate::app::run_id::RunId;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::koophone::{Instance, PhoneStatus};
use crate::api::tolerant::Rows;
use crate::app::clock::Clock;
use crate::app::effect::Effect;
use crate::app::key_action::KeyAction;
use crate::app::key_binding::Binding;
use crate::app::keymap::KeyMap;
use crate::app::message::Msg;
use crate::app::pane::listing::Listing;
use crate::app::settings::Settings;
use crate::app::state::AppState;

use super::run::launch;
use super::update;
use crate::action_kind::ActionKind;
use crate::app::state::{ConfirmDialog, Focus};

pub fn phone_id(i: usize) -> String {
    format!("ph{i:04}")
}

/// A dashboard with `phones` phones listed (every tenth Offline), on a tall terminal.
pub fn with_phones(phones: usize) -> AppState {
    let clock = Clock::system();
    let mut state = AppState::new(Settings::default(), clock);
    state.size = (120, 40);
    let instances = (0..phones)
        .map(|i| Instance {
            instance_id: phone_id(i),
            instance_name: format!("phone-{i}"),
            region: None,
            instance_sku: None,
            running_status: Some(if i % 10 == 0 {
                PhoneStatus::OFFLINE
            } else {
                PhoneStatus::RUNNING
            }),
            frozen_status: None,
        })
        .collect();
    let listed = Msg::Listed(Listing::Phones(Ok(Rows::new(instances))));
    update(&mut state, listed, clock);
    state
}

pub fn press(state: &mut AppState, code: KeyCode) -> Vec<Effect> {
    update(
        state,
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        Clock::system(),
    )
}

pub fn press_char(state: &mut AppState, c: char) -> Vec<Effect> {
    press(state, KeyCode::Char(c))
}

pub fn type_text(state: &mut AppState, text: &str) {
    for c in text.chars() {
        press_char(state, c);
    }
}

/// The activity log's lines, oldest first, as the log shows them.
pub fn log_lines(state: &AppState) -> Vec<String> {
    (state.activity.entries.iter())
        .map(|(_, entry)| state.activity.text(entry))
        .collect()
}

/// The state with one key action given exactly these keys, as `[keys]` would.
pub fn rebind(state: &mut AppState, action: KeyAction, keys: &[&str]) {
    let keys = keys
        .iter()
        .map(|k| Binding::parse(k).expect("a key"))
        .collect();
    state.keymap = KeyMap::with_overrides(&[(action, keys)]).0;
}

/// The ids of the actions the effects run.
pub fn runs(effects: &[Effect]) -> Vec<RunId> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::StartRun { run, .. } => Some(*run),
            _ => None,
        })
        .collect()
}

/// A run of `total` stop-streaming targets, launched as a confirmed dialog is.
pub fn launched(total: usize) -> (AppState, RunId) {
    let clock = Clock::system();
    let mut state = AppState::new(Settings::default(), clock);
    let targets: Vec<String> = (0..total).map(|i| format!("phone-{i:05}")).collect();
    let run = launch_on(&mut state, ActionKind::StopStreaming, targets);
    (state, run)
}

/// Launches `kind` on `targets` as a confirmed dialog does; the run's id.
pub fn launch_on(state: &mut AppState, kind: ActionKind, targets: Vec<String>) -> RunId {
    let dialog = ConfirmDialog {
        kind,
        targets,
        hidden: 0,
        typed: String::new(),
        focus: Focus::Confirm,
        retry_of: None,
        warning: None,
    };
    let mut effects = Vec::new();
    launch(state, dialog, &mut effects);
    let Some(Effect::StartRun { run, .. }) = effects.first() else {
        panic!("the action is run");
    };
    *run
}
