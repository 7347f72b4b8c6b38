//! A pane's fresh listing, as the shell fetched it for `Effect::List`, and where it
//! goes: each pane's own `on_listed`.

use crate::api::ApiError;
use crate::api::compute::Server;
use crate::api::cph::EncodeServer;
use crate::api::koophone::Instance;
use crate::api::live::DomainStreams;
use crate::api::tolerant::Rows;
use crate::app::state::AppState;

use super::{encoders, phones, servers, streams};

#[derive(Debug, Clone)]
pub enum Listing {
    Phones(Result<Rows<Instance>, ApiError>),
    Streams(Vec<DomainStreams>),
    Encoders(Result<Rows<EncodeServer>, ApiError>),
    Servers(Result<Rows<Server>, ApiError>),
}

impl Listing {
    pub fn apply(self, state: &mut AppState) {
        match self {
            Listing::Phones(result) => phones::on_listed(state, result),
            Listing::Streams(domains) => streams::on_listed(state, domains),
            Listing::Encoders(result) => encoders::on_listed(state, result),
            Listing::Servers(result) => servers::on_listed(state, result),
        }
    }
}
