//! Where each service is: its base URL, and which path compute's API is served under.

use std::collections::BTreeMap;

use reqwest::Url;
use strum::IntoEnumIterator;

use super::service::Service;

/// Base URLs of the services (a trailing slash is fine), by service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints(BTreeMap<Service, Url>);

impl Endpoints {
    /// Every service at one base URL, as the simulator serves them.
    pub fn all_at(base: &Url) -> Self {
        Endpoints(
            Service::iter()
                .map(|service| (service, base.clone()))
                .collect(),
        )
    }

    /// The service's base URL; None when none was configured.
    pub fn base(&self, service: Service) -> Option<&Url> {
        self.0.get(&service)
    }

    pub fn set(&mut self, service: Service, url: Url) {
        self.0.insert(service, url);
    }

    /// Forgets a service's base URL (its requests then fail as not configured).
    pub fn remove(&mut self, service: Service) {
        self.0.remove(&service);
    }

    /// Each configured service with its base URL, in `Service` order.
    pub fn iter(&self) -> impl Iterator<Item = (Service, &Url)> {
        self.0.iter().map(|(service, url)| (*service, url))
    }
}

/// Which path ECS serves the Nova-compatible API under: `/v2` (the seed's) or `/v2.1`
/// (the one Huawei's ECS docs recommend); both work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
pub enum ComputeApi {
    #[default]
    #[serde(rename = "v2")]
    V2,
    #[serde(rename = "v2.1")]
    V21,
}

impl ComputeApi {
    pub fn prefix(self) -> &'static str {
        match self {
            ComputeApi::V2 => "/v2",
            ComputeApi::V21 => "/v2.1",
        }
    }
}
