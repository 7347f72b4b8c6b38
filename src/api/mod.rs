//! Typed async clients for the five cloud APIs phonedeck drives. Nothing here knows
//! about the screen: every call returns typed data or an `ApiError`.
pub mod auth;
pub mod budget;
pub mod call;
pub mod client;
pub mod compute;
pub mod cph;
mod credential_gate;
pub mod decode;
pub mod endpoints;
pub mod envelope;
pub mod error;
pub mod iam;
pub mod keystone;
pub mod koophone;
pub mod live;
pub mod outcome;
pub mod paging;
pub mod path;
pub mod rate_limits;
pub mod retry;
pub mod server_status;
pub mod service;
pub mod signer;
pub mod tolerant;
pub mod transport;

pub use auth::{AccessKey, Credentials, PasswordLogin, TokenCommand, TokenSource};
pub use client::{Api, ApiConfig};
pub use endpoints::{ComputeApi, Endpoints};
pub use error::{ApiError, ErrorKind};
pub use outcome::{Outcome, TargetOutcome};
pub use rate_limits::{ApiName, Rate, RateLimits};
pub use retry::RetryPolicy;
pub use service::Service;
pub use transport::Limits;
