//! Where each service is: its base URL, and which path compute's API is served under.

use reqwest::Url;

use super::error::Service;

/// Base URLs of the services (a trailing slash is fine).
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub koophone: Url,
    pub live: Url,
    pub compute: Url,
    pub cph: Url,
    pub iam: Option<Url>,
}

impl Endpoints {
    /// Every service at one base URL, as the simulator serves them.
    pub fn all_at(base: &Url) -> Self {
        Endpoints {
            koophone: base.clone(),
            live: base.clone(),
            compute: base.clone(),
            cph: base.clone(),
            iam: Some(base.clone()),
        }
    }

    pub fn base(&self, service: Service) -> Option<&Url> {
        match service {
            Service::KooPhone => Some(&self.koophone),
            Service::Live => Some(&self.live),
            Service::Compute => Some(&self.compute),
            Service::Cph => Some(&self.cph),
            Service::Iam => self.iam.as_ref(),
        }
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
