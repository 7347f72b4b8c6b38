//! Compute (Nova-style): list servers with status and task state, `os-stop`, `os-start`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::call::Call;
use super::client::Api;
use super::error::ApiError;
use super::paging;
use super::path;
use super::rate_limits::ApiName;
use super::server_status::ServerStatus;
use super::service::Service;
use super::tolerant::{self, Row, Rows};

/// One server of `servers/detail`. Rows are read tolerantly: Nova's own v2.69 sample
/// of a server in a down cell has no name and no extended status fields.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Server {
    #[serde(default, deserialize_with = "tolerant::text")]
    pub id: String,
    #[serde(default, deserialize_with = "tolerant::text")]
    pub name: String,
    /// ACTIVE, SHUTOFF, ERROR, ... others kept raw: shown as they come.
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub status: Option<ServerStatus>,
    #[serde(
        rename = "OS-EXT-STS:task_state",
        default,
        deserialize_with = "tolerant::lenient"
    )]
    pub task_state: Option<String>,
    #[serde(
        rename = "OS-EXT-STS:vm_state",
        default,
        deserialize_with = "tolerant::lenient"
    )]
    pub vm_state: Option<String>,
    #[serde(
        rename = "OS-EXT-STS:power_state",
        default,
        deserialize_with = "tolerant::lenient"
    )]
    pub power_state: Option<i64>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub fault: Option<Value>,
    /// Every other field the service returned, kept under its own name for the
    /// detail view and `-o json`.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Server {
    /// Settled in `wanted`: there, with no task under way.
    pub fn is_settled_in(&self, wanted: &ServerStatus) -> bool {
        self.status.as_ref() == Some(wanted) && self.task_state.is_none()
    }
}

impl Row for Server {
    fn has_id(&self) -> bool {
        !self.id.is_empty()
    }
}

/// One page of `servers/detail`; `servers_links` has a `next` link when more remain.
#[derive(Deserialize)]
pub struct ServerPage {
    pub servers: Rows<Server>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    servers_links: Option<Vec<Link>>,
}

#[derive(Deserialize)]
struct Link {
    #[serde(default)]
    rel: String,
}

impl ServerPage {
    pub fn has_next(&self) -> bool {
        self.servers_links
            .iter()
            .flatten()
            .any(|link| link.rel == "next")
    }
}

pub fn parse_server_page(body: &[u8]) -> Result<ServerPage, ApiError> {
    super::decode::decode::<ServerPage>(Service::Compute, body)
}

/// `GET servers/{id}`.
pub fn parse_server(body: &[u8]) -> Result<Server, ApiError> {
    super::decode::decode::<ServerBody>(Service::Compute, body).map(|body| body.server)
}

pub fn parse_servers(body: &[u8]) -> Result<Rows<Server>, ApiError> {
    parse_server_page(body).map(|page| page.servers)
}

/// `GET servers/{id}`: `{"server": {...}}`.
#[derive(Deserialize)]
struct ServerBody {
    server: Server,
}

/// Servers asked for per page (Nova's usual `max_limit`).
pub const SERVER_PAGE_SIZE: usize = 1000;

pub struct Compute<'a> {
    api: &'a Api,
}

impl Api {
    pub fn compute(&self) -> Compute<'_> {
        Compute::new(self)
    }
}

impl<'a> Compute<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        Compute { api }
    }

    /// Every server, page by page: Nova cuts a list at its `max_limit` and says so with
    /// a `next` link; the next page starts after the last server seen (`marker`).
    pub async fn list_servers(&self) -> Result<Rows<Server>, ApiError> {
        let path = format!(
            "{}/servers/detail",
            self.api.project_base(Service::Compute).await?
        );
        let what = "server";
        let mut servers: Rows<Server> = Rows::default();
        for page_no in 1.. {
            let read = (servers.len() + servers.dropped) as u64;
            paging::check_progress(Service::Compute, what, page_no - 1, read)?;
            let marker = servers.rows.last().map(|last| last.id.clone());
            let mut call = Call::read(ApiName::ComputeListServers, path.clone())
                .query("limit", SERVER_PAGE_SIZE);
            if let Some(marker) = &marker {
                call = call.query("marker", marker);
            }
            let (page, _) = self.api.send_parsed(&call, parse_server_page).await?;
            let more = page.has_next() && !page.servers.is_empty();
            // A page ending where the last one did: the marker was not followed.
            if more && page.servers.rows.last().map(|s| &s.id) == marker.as_ref() {
                return Err(paging::repeated_page(Service::Compute, what, page_no));
            }
            servers.append(page.servers);
            if !more {
                break;
            }
        }
        Ok(servers)
    }

    /// One server as it stands (reading back an action whose answer never came).
    pub async fn server(&self, server_id: &str) -> Result<Server, ApiError> {
        let server = path::segment(Service::Compute, "server id", server_id)?;
        let base = self.api.project_base(Service::Compute).await?;
        let call = Call::read(
            ApiName::ComputeShowServer,
            format!("{base}/servers/{server}"),
        );
        let (server, _) = self.api.send_parsed(&call, parse_server).await?;
        Ok(server)
    }

    /// One server at most: the cheapest read (`phonedeck doctor`).
    pub async fn probe(&self) -> Result<Rows<Server>, ApiError> {
        let path = format!(
            "{}/servers/detail",
            self.api.project_base(Service::Compute).await?
        );
        let call = Call::read(ApiName::ComputeListServers, path).query("limit", 1);
        let (page, _) = self.api.send_parsed(&call, parse_server_page).await?;
        Ok(page.servers)
    }

    async fn action(
        &self,
        server_id: &str,
        body: Value,
        request_id: &str,
    ) -> Result<Option<String>, ApiError> {
        let server = path::segment(Service::Compute, "server id", server_id)?;
        let base = self.api.project_base(Service::Compute).await?;
        let path = format!("{base}/servers/{server}/action");
        let reply = self
            .api
            .send(&Call::mutation(
                ApiName::ComputeServerAction,
                path,
                body,
                request_id,
            ))
            .await?;
        Ok(reply.request_id)
    }

    /// `os-stop`: asynchronous; the server goes powering-off, then SHUTOFF.
    pub async fn stop(
        &self,
        server_id: &str,
        request_id: &str,
    ) -> Result<Option<String>, ApiError> {
        self.action(server_id, json!({ "os-stop": null }), request_id)
            .await
    }

    /// `os-start`: needs SHUTOFF.
    pub async fn start(
        &self,
        server_id: &str,
        request_id: &str,
    ) -> Result<Option<String>, ApiError> {
        self.action(server_id, json!({ "os-start": null }), request_id)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_next_link_means_more_pages() {
        let body = br#"{"servers":[{"id":"s1","status":"ACTIVE"}],
            "servers_links":[{"rel":"next","href":"https://x/v2/p/servers/detail?limit=1&marker=s1"}]}"#;
        assert!(parse_server_page(body).expect("parses").has_next());
        let last = br#"{"servers":[{"id":"s2","status":"ACTIVE"}]}"#;
        assert!(!parse_server_page(last).expect("parses").has_next());
    }

    #[test]
    fn servers_detail_parses_with_unknown_status_kept() {
        let body = br#"{"servers":[{"id":"s1","name":"a","status":"MIGRATING",
            "OS-EXT-STS:task_state":"powering-off","OS-EXT-STS:vm_state":"active","OS-EXT-STS:power_state":1}]}"#;
        let servers = parse_servers(body).expect("parses").rows;
        assert_eq!(
            servers[0].status,
            Some(ServerStatus::Other("MIGRATING".into()))
        );
        assert_eq!(servers[0].task_state.as_deref(), Some("powering-off"));
    }
}
