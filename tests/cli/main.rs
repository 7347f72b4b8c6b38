//! The headless side, as a user runs it: the real binary's commands against the
//! simulator, `init` and `doctor` on a clean HOME, and the audit log written ahead of
//! every request. One test binary (it links the whole stack once).

#[path = "../common/mod.rs"]
mod common;
#[allow(dead_code)] // the helpers the dashboard tests use are not all needed here
#[path = "../pty/mod.rs"]
mod pty;

mod actions;
mod audit_write_ahead;
mod doctor;
mod exits;
mod init;
mod reads;
mod retries;
mod setup;
mod support;
