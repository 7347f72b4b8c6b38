//! Compute (Nova-style): list servers with status and task state, `os-stop`, `os-start`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::error::{ApiError, Service};
use super::{Api, Call};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Server {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// ACTIVE, SHUTOFF, ERROR, ... kept raw: unknown values are shown as they come.
    pub status: String,
    #[serde(rename = "OS-EXT-STS:task_state", default)]
    pub task_state: Option<String>,
    #[serde(rename = "OS-EXT-STS:vm_state", default)]
    pub vm_state: Option<String>,
    #[serde(rename = "OS-EXT-STS:power_state", default)]
    pub power_state: Option<i64>,
    #[serde(default)]
    pub fault: Option<Value>,
}

#[derive(Deserialize)]
struct ServerList {
    servers: Vec<Server>,
}

pub fn parse_servers(body: &[u8]) -> Result<Vec<Server>, ApiError> {
    super::decode::<ServerList>(Service::Compute, body).map(|list| list.servers)
}

pub struct Compute<'a> {
    api: &'a Api,
}

impl<'a> Compute<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        Compute { api }
    }

    pub async fn list_servers(&self) -> Result<Vec<Server>, ApiError> {
        let path = format!("/v2/{}/servers/detail", self.api.project_id());
        let call = Call::read(Service::Compute, path);
        self.api
            .send_parsed(&call, parse_servers)
            .await
            .map(|(servers, _)| servers)
    }

    async fn action(
        &self,
        server_id: &str,
        body: Value,
        request_id: &str,
    ) -> Result<Option<String>, ApiError> {
        let path = format!("/v2/{}/servers/{server_id}/action", self.api.project_id());
        let reply = self
            .api
            .send(&Call::mutation(Service::Compute, path, body, request_id))
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
    fn servers_detail_parses_with_unknown_status_kept() {
        let body = br#"{"servers":[{"id":"s1","name":"a","status":"MIGRATING",
            "OS-EXT-STS:task_state":"powering-off","OS-EXT-STS:vm_state":"active","OS-EXT-STS:power_state":1}]}"#;
        let servers = parse_servers(body).expect("parses");
        assert_eq!(servers[0].status, "MIGRATING");
        assert_eq!(servers[0].task_state.as_deref(), Some("powering-off"));
    }
}
