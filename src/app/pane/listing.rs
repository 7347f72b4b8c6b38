//! A pane's fresh listing, as the shell fetched it for `Effect::List` (each pane
//! takes its own in `Panes::listed`).

use crate::api::ApiError;
use crate::api::compute::Server;
use crate::api::cph::EncodeServer;
use crate::api::koophone::Instance;
use crate::api::live::DomainStreams;
use crate::api::tolerant::Rows;

#[derive(Debug, Clone)]
pub enum Listing {
    Phones(Result<Rows<Instance>, ApiError>),
    Streams(Vec<DomainStreams>),
    Encoders(Result<Rows<EncodeServer>, ApiError>),
    Servers(Result<Rows<Server>, ApiError>),
}
