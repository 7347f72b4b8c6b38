//! phonedeck: a terminal dashboard and headless CLI for on-call engineers running
//! fleets of cloud phones, with a built-in simulator of the cloud APIs it drives.

pub mod action_kind;
pub mod actions;
pub mod api;
pub mod app;
pub mod audit;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dashboard;
pub mod reconcile;
pub mod sanitize;
pub mod sim;
pub mod theme;
pub mod ui;
