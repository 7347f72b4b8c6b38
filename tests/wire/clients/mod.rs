//! Every client call against the in-process simulator, over real loopback HTTP.

mod auth;
mod failures;
mod lists;
mod mutations;
mod pacing;
mod support;
