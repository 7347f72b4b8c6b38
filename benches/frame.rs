//! Criterion benchmarks of the dashboard's hot paths: parsing answers, drawing a
//! frame at 1,000 and 100,000 phones (the cost must stay flat), and `update`.
//! `cargo bench --bench frame`; reports land in target/criterion.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phonedeck::api::koophone::{parse_instance_page, parse_status_results};
use phonedeck::app::{Clock, Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "support/fleet_state.rs"]
mod fleet_state;

const FLEETS: [usize; 2] = [1_000, 100_000];
const SIZE: (u16, u16) = (200, 60);

fn parsing(c: &mut Criterion) {
    let status = serde_json::json!({
        "error_code": "0",
        "data": { "status_results": fleet_state::status_poll(32, 0).results },
    })
    .to_string();
    let page = serde_json::json!({
        "result": fleet_state::instances(100),
        "total_count": 100_000,
    })
    .to_string();
    let mut group = c.benchmark_group("parse");
    group.bench_function("status batch of 32", |b| {
        b.iter(|| parse_status_results(black_box(status.as_bytes())))
    });
    group.bench_function("list page of 100", |b| {
        b.iter(|| parse_instance_page(black_box(page.as_bytes()), 1, 100))
    });
    group.finish();
}

fn drawing(c: &mut Criterion) {
    let mut group = c.benchmark_group("draw phones pane 200x60");
    for phones in FLEETS {
        let state = fleet_state::state(phones, SIZE);
        let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
        group.bench_with_input(BenchmarkId::from_parameter(phones), &state, |b, state| {
            b.iter(|| {
                terminal
                    .draw(|frame| phonedeck::ui::draw(frame, state))
                    .expect("draws");
            })
        });
    }
    group.finish();
}

fn updating(c: &mut Criterion) {
    let mut group = c.benchmark_group("update");
    for phones in FLEETS {
        let mut state = fleet_state::state(phones, SIZE);
        let down = Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
        group.bench_with_input(BenchmarkId::new("cursor down", phones), &phones, |b, _| {
            b.iter(|| update(&mut state, down.clone(), Clock::system()))
        });
        // Alternating polls, so each one changes 1% of the fleet (and changes it back).
        // The answer is built outside the timing: only `update` is measured.
        let polls = [
            Msg::StatusPolled(fleet_state::status_poll(phones, phones / 100)),
            Msg::StatusPolled(fleet_state::status_poll(phones, 0)),
        ];
        let mut next = 0;
        group.bench_with_input(
            BenchmarkId::new("status poll, 1% changed", phones),
            &phones,
            |b, _| {
                b.iter_batched(
                    || {
                        next = 1 - next;
                        polls[next].clone()
                    },
                    |poll| update(&mut state, poll, Clock::system()),
                    BatchSize::LargeInput,
                )
            },
        );
    }
    group.finish();
}

criterion_group!(benches, parsing, drawing, updating);
criterion_main!(benches);
