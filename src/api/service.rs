//! The five cloud services phonedeck talks to, each described once: what the
//! engineer reads, what the official SDKs call it, where its host is, whether its
//! paths name a project, and how the simulator recognises its paths.

use std::fmt;

/// The cloud service a request went to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, strum::EnumIter,
)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    KooPhone,
    Live,
    Compute,
    Cph,
    Iam,
}

#[derive(Debug, Clone, Copy)]
pub struct ServiceSpec {
    /// As the engineer reads it in errors and `doctor`.
    pub display_name: &'static str,
    /// The SDKs' name, in `HUAWEICLOUD_SDK_REGION_{NAME}_{REGION}` and regions.yaml.
    pub sdk_name: &'static str,
    /// Its key under `[endpoints]` in the configuration.
    pub config_key: &'static str,
    /// The first label of its host in the built-in table (`cph.cn-east-3.…`).
    pub host_label: &'static str,
    pub host: HostScope,
    pub project: ProjectScope,
    /// Whether the service knows a request by the `x-request-id` the client sent: the
    /// KooPhone API declares it a parameter. The others name their own ids, and only
    /// those may be asked about later (CPH's ListJobs takes the id its answer gave).
    pub adopts_client_request_id: bool,
    /// Whether a path is this service's, as the simulator's gateway routes it. No
    /// path is two services' (a unit test checks), so the order asked does not matter.
    pub sim_route: fn(&str) -> bool,
}

/// Where the built-in table puts a service's host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostScope {
    /// `https://{label}.{region}.{cloud}`: no region, no endpoint.
    Regional,
    /// `https://{label}.{cloud}` whatever the region (KooPhone).
    Global,
    /// Regional when a region is set, else global (IAM).
    RegionalElseGlobal,
}

/// Whether a service's paths carry a project id (and its signed calls name it in
/// `X-Project-Id`), and under which prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectScope {
    Global,
    /// `/v1/{project}` (Live).
    V1,
    /// `/v1/{project}/cloud-phone` (CPH).
    CloudPhone,
    /// `/v2/{project}` or `/v2.1/{project}`, as `compute_api` says (compute).
    ComputeApi,
}

impl Service {
    pub fn spec(self) -> ServiceSpec {
        match self {
            Service::KooPhone => ServiceSpec {
                display_name: "KooPhone",
                sdk_name: "KOOPHONE",
                config_key: "koophone",
                host_label: "koophone",
                host: HostScope::Global,
                project: ProjectScope::Global,
                adopts_client_request_id: true,
                sim_route: |path| path.starts_with("/v1/instances/"),
            },
            Service::Live => ServiceSpec {
                display_name: "Live",
                sdk_name: "LIVE",
                config_key: "live",
                host_label: "live",
                host: HostScope::Regional,
                project: ProjectScope::V1,
                adopts_client_request_id: false,
                sim_route: |path| {
                    path.starts_with("/v1/")
                        && !path.starts_with("/v1/instances/")
                        && !path.contains("/cloud-phone/")
                },
            },
            Service::Compute => ServiceSpec {
                display_name: "Compute",
                sdk_name: "ECS",
                config_key: "compute",
                host_label: "ecs",
                host: HostScope::Regional,
                project: ProjectScope::ComputeApi,
                adopts_client_request_id: false,
                sim_route: |path| path.starts_with("/v2/") || path.starts_with("/v2.1/"),
            },
            Service::Cph => ServiceSpec {
                display_name: "CPH",
                sdk_name: "CPH",
                config_key: "cph",
                host_label: "cph",
                host: HostScope::Regional,
                project: ProjectScope::CloudPhone,
                adopts_client_request_id: false,
                sim_route: |path| path.starts_with("/v1/") && path.contains("/cloud-phone/"),
            },
            Service::Iam => ServiceSpec {
                display_name: "IAM",
                sdk_name: "IAM",
                config_key: "iam",
                host_label: "iam",
                host: HostScope::RegionalElseGlobal,
                project: ProjectScope::Global,
                adopts_client_request_id: false,
                sim_route: |path| path.starts_with("/v3"),
            },
        }
    }

    /// Services whose paths carry a project id; KooPhone and IAM are global.
    pub fn is_project_scoped(self) -> bool {
        self.spec().project != ProjectScope::Global
    }

    pub fn adopts_client_request_id(self) -> bool {
        self.spec().adopts_client_request_id
    }

    /// The service a path belongs to, as the simulator's gateway routes it.
    pub fn of_sim_path(path: &str) -> Option<Service> {
        use strum::IntoEnumIterator;
        Service::iter().find(|service| (service.spec().sim_route)(path))
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec().display_name)
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn every_simulated_path_belongs_to_exactly_one_service() {
        let paths = [
            (
                "/v1/instances/batch-stop-streaming",
                Some(Service::KooPhone),
            ),
            ("/v1/p1/stream/blocks", Some(Service::Live)),
            ("/v1/p1/realtime/streams", Some(Service::Live)),
            ("/v1/p1/cloud-phone/encode-servers", Some(Service::Cph)),
            ("/v2/p1/servers/detail", Some(Service::Compute)),
            ("/v2.1/p1/servers/s1/action", Some(Service::Compute)),
            ("/v3/auth/tokens", Some(Service::Iam)),
            ("/v3.0/OS-CREDENTIAL/credentials", Some(Service::Iam)),
            ("/favicon.ico", None),
        ];
        for (path, expected) in paths {
            let claimed: Vec<Service> = Service::iter()
                .filter(|service| (service.spec().sim_route)(path))
                .collect();
            assert!(claimed.len() <= 1, "{path} is claimed by {claimed:?}");
            assert_eq!(Service::of_sim_path(path), expected, "{path}");
        }
    }

    #[test]
    fn names_and_keys_are_each_one_services() {
        for pick in [
            |s: ServiceSpec| s.display_name,
            |s: ServiceSpec| s.sdk_name,
            |s: ServiceSpec| s.config_key,
            |s: ServiceSpec| s.host_label,
        ] {
            let mut names: Vec<&str> = Service::iter().map(|s| pick(s.spec())).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), Service::iter().count(), "{names:?}");
        }
    }
}
