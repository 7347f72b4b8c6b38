//! Scripted key sequences through the dashboard's real update loop and effects,
//! against the in-process simulator.

mod acting;
mod support;
mod views;
mod watching;
