//! Target 3: drawing the Phones pane at 200x60 costs the same for 100,000 phones as for
//! 1,000 (at most 1.5x), and under 2 ms. The median of many draws on a TestBackend;
//! `cargo bench --bench frame` measures the same with criterion's statistics.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::Figure;
use crate::fleet_state;

const SIZE: (u16, u16) = (200, 60);
const DRAWS: usize = 500;
const LIMIT: Duration = Duration::from_millis(2);

fn median_draw(phones: usize) -> Duration {
    let state = fleet_state::state(phones, SIZE);
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
    let mut times: Vec<Duration> = (0..DRAWS)
        .map(|_| {
            let started = Instant::now();
            terminal
                .draw(|frame| phonedeck::ui::draw(frame, &state))
                .expect("draws");
            started.elapsed()
        })
        .collect();
    times.sort();
    times[DRAWS / 2]
}

pub fn flat_cost() -> Vec<Figure> {
    let small = median_draw(1_000);
    let large = median_draw(100_000);
    let ratio = large.as_secs_f64() / small.as_secs_f64();
    let micros = |d: Duration| format!("{} us", d.as_micros());
    vec![
        Figure {
            name: "3. frame, phones pane 200x60, 100000 vs 1000 phones".into(),
            measured: format!("{} / {}", micros(large), micros(small)),
            limit: "ratio 1.5".into(),
            ratio: Some(ratio),
            met: Some(ratio <= 1.5),
        },
        Figure {
            name: "3. frame, phones pane 200x60, 100000 phones".into(),
            measured: micros(large),
            limit: micros(LIMIT),
            ratio: Some(large.as_secs_f64() / LIMIT.as_secs_f64()),
            met: Some(large < LIMIT),
        },
    ]
}
