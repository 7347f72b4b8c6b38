//! Acting on the whole fleet from the dashboard: mark all 100,000 phones, open the
//! confirmation, type one digit of the count, launch. Each step's `update` is timed
//! alone (median of 5), on a state prepared untimed to be just before it.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phonedeck::app::{AppState, Clock, Msg, update};

use super::Figure;
use super::fleet_state;

const PHONES: usize = 100_000;
const LIMIT: Duration = Duration::from_millis(50);

fn key(code: KeyCode) -> Msg {
    let modifiers = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    Msg::Key(KeyEvent::new(code, modifiers))
}

/// A dashboard of 100,000 phones after `keys`.
fn after(keys: &[KeyCode]) -> AppState {
    let mut state = fleet_state::state(PHONES, (200, 60));
    for &code in keys {
        update(&mut state, key(code), Clock::system());
    }
    state
}

/// The median time `update` takes for `code`, each run on a state after `keys`.
fn median(keys: &[KeyCode], code: KeyCode) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let mut state = after(keys);
            let started = Instant::now();
            update(&mut state, key(code), Clock::system());
            started.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}

pub fn act_on_all() -> Vec<Figure> {
    let (mark, open) = (KeyCode::Char('A'), KeyCode::Char('s'));
    let mut typed = vec![mark, open];
    typed.extend(PHONES.to_string().chars().map(KeyCode::Char));
    let steps: [(&str, &[KeyCode], KeyCode); 4] = [
        ("mark all", &[], mark),
        ("open the confirmation", &[mark], open),
        (
            "type a digit of the count",
            &[mark, open],
            KeyCode::Char('1'),
        ),
        ("launch", &typed, KeyCode::Enter),
    ];
    steps
        .into_iter()
        .map(|(step, keys, code)| {
            Figure::timed(
                format!("act on {PHONES} phones: {step}"),
                median(keys, code),
                LIMIT,
                1.0,
            )
        })
        .collect()
}
