//! Where each service is, resolved the way the official SDKs resolve it: an explicit
//! `[endpoints]` key first (phonedeck's own), then `HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}`,
//! then the SDKs' regions file (`HUAWEICLOUD_SDK_REGIONS_FILE`, default
//! `~/.huaweicloud/regions.yaml`), then the built-in table: `https://{service}.{region}.{cloud}`
//! (huaweicloud-sdk-python-v3 `cph_region.py`, `live_region.py`, `ecs_region.py`,
//! `iam_region.py`), the global IAM `https://iam.{cloud}` and KooPhone's region-less
//! `https://koophone.{cloud}` (huaweicloud-sdk-java-v3 `KooPhoneRegion`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reqwest::Url;
use serde::Deserialize;

use super::environment::Environment;
use super::origin::Origin;
use crate::api::Service;
use crate::api::service::HostScope;
use crate::sanitize::mask_url_secrets;

/// The domain the built-in table builds hosts under.
pub const DEFAULT_CLOUD: &str = "myhuaweicloud.com";

/// `HUAWEICLOUD_SDK_REGION_CPH_CN_EAST_3` for CPH in cn-east-3.
pub fn env_override_name(service: Service, region: &str) -> String {
    let region = region.to_ascii_uppercase().replace('-', "_");
    format!(
        "HUAWEICLOUD_SDK_REGION_{}_{region}",
        service.spec().sdk_name
    )
}

/// One region's entry in the regions file.
#[derive(Debug, Deserialize)]
struct RegionEntry {
    id: String,
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default)]
    endpoints: Vec<String>,
}

/// The SDKs' regions file: per service, the endpoints of some regions.
#[derive(Debug, Default)]
pub struct RegionsFile {
    path: PathBuf,
    services: BTreeMap<String, Vec<RegionEntry>>,
}

impl RegionsFile {
    /// Reads the regions file the SDKs would read; absent is empty, broken is an error.
    pub fn load(env: &Environment) -> Result<RegionsFile, String> {
        let path = match env.var("HUAWEICLOUD_SDK_REGIONS_FILE") {
            Some(path) => PathBuf::from(path),
            None => match env.home_file(".huaweicloud/regions.yaml") {
                Some(path) if path.exists() => path,
                _ => return Ok(RegionsFile::default()),
            },
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read the regions file {} ({e})", path.display()))?;
        RegionsFile::parse(&path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<RegionsFile, String> {
        let services = serde_saphyr::from_str(text).map_err(|e| {
            format!(
                "the regions file {} is not what the SDKs read (SERVICE: [{{id, endpoint}}]): {e}",
                path.display()
            )
        })?;
        Ok(RegionsFile {
            path: path.to_path_buf(),
            services,
        })
    }

    fn endpoint(&self, service: Service, region: &str) -> Option<String> {
        let entry = self
            .services
            .get(service.spec().sdk_name)?
            .iter()
            .find(|entry| entry.id == region)?;
        entry
            .endpoint
            .clone()
            .or_else(|| entry.endpoints.first().cloned())
    }
}

/// A service's base URL and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub url: Url,
    pub origin: Origin,
}

/// What a profile says about where its services are.
pub struct Placement<'a> {
    pub region: Option<&'a str>,
    pub cloud: &'a str,
}

/// Resolves one service's base URL; None when nothing names it (no key, no region).
pub fn locate(
    service: Service,
    explicit: Option<&str>,
    placement: &Placement,
    env: &Environment,
    regions: &RegionsFile,
) -> Result<Option<Located>, String> {
    let found = explicit
        .map(|text| (text.to_string(), Origin::Config))
        .or_else(|| sdk_override(service, placement.region?, env, regions))
        .or_else(|| table(service, placement).map(|url| (url, Origin::Table)));
    let Some((text, origin)) = found else {
        return Ok(None);
    };
    let url = base_url(&text).map_err(|problem| {
        format!(
            "the {service} endpoint `{}` (from {origin}) {problem}; give a full base URL such as https://cph.cn-east-3.myhuaweicloud.com",
            mask_url_secrets(&text)
        )
    })?;
    Ok(Some(Located { url, origin }))
}

/// A base URL every request can be built on: http or https, with a host, and no query
/// or fragment (they would be dropped or misplace every path built on it). The error
/// says what is wrong, to follow "the … endpoint `…` (from …)".
pub fn base_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "uses `{}:`; only http and https are spoken",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("names no host".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(
            "has a query (`?`) or fragment (`#`), which would misplace every request's path".into(),
        );
    }
    Ok(url)
}

/// The SDKs' own overrides for a region: the env variable (a comma-separated list, the
/// first is used), then the regions file.
fn sdk_override(
    service: Service,
    region: &str,
    env: &Environment,
    regions: &RegionsFile,
) -> Option<(String, Origin)> {
    let name = env_override_name(service, region);
    if let Some(value) = env.var(&name) {
        let first = value
            .split(',')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        return Some((first, Origin::Env(name)));
    }
    regions
        .endpoint(service, region)
        .map(|url| (url, Origin::RegionsFile(regions.path.clone())))
}

/// The built-in table: regional services need a region; KooPhone and IAM have a
/// global endpoint.
fn table(service: Service, placement: &Placement) -> Option<String> {
    let spec = service.spec();
    let label = spec.host_label;
    let cloud = placement.cloud;
    match (spec.host, placement.region) {
        (HostScope::Global, _) | (HostScope::RegionalElseGlobal, None) => {
            Some(format!("https://{label}.{cloud}"))
        }
        (HostScope::Regional | HostScope::RegionalElseGlobal, Some(region)) => {
            Some(format!("https://{label}.{region}.{cloud}"))
        }
        (HostScope::Regional, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(region: Option<&str>) -> Placement<'_> {
        Placement {
            region,
            cloud: DEFAULT_CLOUD,
        }
    }

    fn url(located: Option<Located>) -> (String, Origin) {
        let located = located.expect("located");
        (located.url.to_string(), located.origin)
    }

    #[test]
    fn the_table_builds_each_service_host_from_region_and_cloud() {
        let env = Environment::fixed(&[], "/nonexistent");
        let none = RegionsFile::default();
        let cases = [
            (Service::Cph, "https://cph.cn-east-3.myhuaweicloud.com/"),
            (Service::Live, "https://live.cn-east-3.myhuaweicloud.com/"),
            (Service::Compute, "https://ecs.cn-east-3.myhuaweicloud.com/"),
            (Service::Iam, "https://iam.cn-east-3.myhuaweicloud.com/"),
            (Service::KooPhone, "https://koophone.myhuaweicloud.com/"),
        ];
        for (service, expected) in cases {
            let found = locate(service, None, &at(Some("cn-east-3")), &env, &none);
            assert_eq!(
                url(found.expect("ok")),
                (expected.to_string(), Origin::Table)
            );
        }
        let global = locate(Service::Iam, None, &at(None), &env, &none).expect("ok");
        assert_eq!(url(global).0, "https://iam.myhuaweicloud.com/");
        assert!(
            locate(Service::Cph, None, &at(None), &env, &none)
                .expect("ok")
                .is_none()
        );
        let other_cloud = Placement {
            region: Some("ap-southeast-1"),
            cloud: "myhuaweicloud.eu",
        };
        let found = locate(Service::Live, None, &other_cloud, &env, &none).expect("ok");
        assert_eq!(
            url(found).0,
            "https://live.ap-southeast-1.myhuaweicloud.eu/"
        );
    }

    #[test]
    fn config_beats_env_beats_regions_file_beats_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("regions.yaml");
        std::fs::write(
            &file,
            "CPH:\n  - id: cn-east-3\n    endpoint: https://cph.from-file.example\nKOOPHONE:\n  - id: cn-east-3\n    endpoint: https://kp.from-file.example\n",
        )
        .expect("write");
        let file_text = file.display().to_string();
        let env = Environment::fixed(
            &[
                ("HUAWEICLOUD_SDK_REGIONS_FILE", file_text.as_str()),
                (
                    "HUAWEICLOUD_SDK_REGION_CPH_CN_EAST_3",
                    "https://cph.from-env.example,https://second.example",
                ),
            ],
            dir.path(),
        );
        let regions = RegionsFile::load(&env).expect("loads");
        let east = at(Some("cn-east-3"));
        let explicit = locate(
            Service::Cph,
            Some("https://cph.config.example"),
            &east,
            &env,
            &regions,
        );
        assert_eq!(url(explicit.expect("ok")).1, Origin::Config);
        let from_env = url(locate(Service::Cph, None, &east, &env, &regions).expect("ok"));
        assert_eq!(from_env.0, "https://cph.from-env.example/");
        assert_eq!(
            from_env.1,
            Origin::Env("HUAWEICLOUD_SDK_REGION_CPH_CN_EAST_3".into())
        );
        let koophone = url(locate(Service::KooPhone, None, &east, &env, &regions).expect("ok"));
        assert_eq!(
            koophone,
            (
                "https://kp.from-file.example/".into(),
                Origin::RegionsFile(file)
            )
        );
        let live = url(locate(Service::Live, None, &east, &env, &regions).expect("ok"));
        assert_eq!(live.1, Origin::Table);
    }

    #[test]
    fn broken_regions_files_and_urls_are_clear_errors() {
        let err = RegionsFile::parse(Path::new("/r.yaml"), "CPH: [ {id: 3").expect_err("broken");
        assert!(err.contains("/r.yaml"), "{err}");
        let env = Environment::fixed(&[], "/nonexistent");
        let err = locate(
            Service::Cph,
            Some("not a url"),
            &at(None),
            &env,
            &RegionsFile::default(),
        )
        .expect_err("bad url");
        assert!(
            err.contains("not a URL") && err.contains("from config"),
            "{err}"
        );
    }
}
