//! phonedeck: a terminal dashboard and headless CLI for on-call engineers running
//! fleets of cloud phones, with a built-in simulator of the cloud APIs it drives.

pub mod actions;
pub mod api;
pub mod app;
pub mod audit;
pub mod bulk;
pub mod cli;
pub mod commands;
pub mod config;
pub mod csv_text;
pub mod dashboard;
pub mod sim;
pub mod text;
pub mod ui;
