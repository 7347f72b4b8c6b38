//! What goes over the wire and what is read back: the clients against the simulator,
//! official bodies through every parser, ids kept in their path segment, the official
//! SDKs' requests accepted, proxies, TLS, redirects and secrets; and the source's own
//! shape (no circle of modules). One test binary (it links the whole stack once).

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod clients;
mod contract;
mod identifiers;
mod official_sdks;
mod proxy;
mod redirects;
mod secrets;
mod tls;
