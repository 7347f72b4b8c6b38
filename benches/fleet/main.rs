//! Fleet-scale benchmarks of issue 5's targets, run with `cargo bench --bench fleet`
//! (release build). The network figures use the simulator as its own process with
//! 50 ms latency per request; the terminal figures run the real dashboard in a
//! pseudo-terminal. Each figure is printed beside its limit and whether it is met.
//!
//! 1. status refresh of 10,000 and 100,000 phones, max_in_flight = 16
//!    (and the same 10,000 with curl and `xargs -P 16`, for comparison)
//! 2. stop streaming on 1,000 phones, concurrency 16, audit log on
//! 3. drawing the phones pane at 200x60: 100,000 phones against 1,000
//! 4. idle: CPU and terminal bytes over 60 s with a steady fleet; one status change
//! 5. resident memory of a dashboard state holding 100,000 phones
//! 6. start-up: first frame of the demo
//! 7. acting on 100,000 phones: mark all, confirm, type, launch (update time)
//! 8. the audit log: listing 100,000 targets, reading a 100 MB log back (`phonedeck audit`)
//! 9. `status ID…` of 10,000 ids, names included (statuses and list read together)
//! 10. pausing 1,000 streams paced to Live's block-once limit (sped up to 6,000/min)

mod audit;
#[path = "../support/fleet_state.rs"]
mod fleet_state;
mod frame;
mod marking;
mod memory;
mod network;
#[allow(dead_code)]
#[path = "../../tests/pty/mod.rs"]
mod pty;
mod simulator;
mod terminal;

/// One measured figure and its target.
pub struct Figure {
    pub name: String,
    pub measured: String,
    pub limit: String,
    /// Measured over limit, where the target is a ratio.
    pub ratio: Option<f64>,
    /// None for a figure shown for comparison only.
    pub met: Option<bool>,
}

impl Figure {
    /// A duration against the limit latency and concurrency allow.
    pub fn timed(
        name: String,
        took: std::time::Duration,
        limit: std::time::Duration,
        target: f64,
    ) -> Figure {
        let ratio = took.as_secs_f64() / limit.as_secs_f64();
        Figure {
            name,
            measured: format!("{:.3} s", took.as_secs_f64()),
            limit: format!("{:.3} s x {target}", limit.as_secs_f64()),
            ratio: Some(ratio),
            met: Some(ratio <= target),
        }
    }

    fn print(&self) {
        let ratio = self.ratio.map_or(String::new(), |r| format!("{r:.2}"));
        let verdict = match self.met {
            Some(true) => "MET",
            Some(false) => "MISSED",
            None => "(comparison)",
        };
        println!(
            "{:<52} {:>14}  limit {:<18} {:>5}  {verdict}",
            self.name, self.measured, self.limit, ratio
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this with nothing
    // to do, so the test suite stays fast.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut figures = Vec::new();
    let mut record = |figure: Figure| {
        figure.print();
        figures.push(figure);
    };
    // Memory first, before other figures leave freed memory in the process.
    record(runtime.block_on(memory::resident(100_000)));
    record(runtime.block_on(network::refresh(10_000)));
    record(network::curl_baseline(10_000));
    record(runtime.block_on(network::refresh(100_000)));
    record(runtime.block_on(network::bulk_stop(1_000)));
    record(runtime.block_on(network::status_of_ids(10_000)));
    record(runtime.block_on(network::paced_pause(1_000, 6_000)));
    for figure in frame::flat_cost() {
        record(figure);
    }
    for figure in terminal::idle() {
        record(figure);
    }
    record(terminal::startup());
    for figure in marking::act_on_all() {
        record(figure);
    }
    record(runtime.block_on(audit::list_targets()));
    for figure in audit::read_back() {
        record(figure);
    }
    let missed: Vec<&str> = figures
        .iter()
        .filter(|f| f.met == Some(false))
        .map(|f| f.name.as_str())
        .collect();
    if missed.is_empty() {
        println!("every target met");
    } else {
        println!("targets missed: {}", missed.join("; "));
        std::process::exit(1);
    }
}
