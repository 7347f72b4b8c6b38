//! The dashboard: flows through the pure core against the simulator, frames drawn
//! (insta snapshots), the real binary in a real pseudo-terminal, and random
//! key/message sequences (proptest). One test binary (it links the whole stack once).

#[path = "../common/mod.rs"]
mod common;
#[path = "../pty/mod.rs"]
mod pty;

mod flow;
mod frames;
mod properties;
mod terminal;
