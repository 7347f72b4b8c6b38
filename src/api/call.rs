//! One request as a service module describes it: which API, method, path, query and
//! body, and whether it changes something. The client sends it.

use reqwest::Method;
use serde_json::Value;

use super::rate_limits::ApiName;
use super::service::Service;

/// One request as a service module describes it.
pub(crate) struct Call {
    /// Which API: its service, and the limit it is paced to.
    pub api: ApiName,
    pub service: Service,
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    pub mutating: bool,
    /// Sent as `x-request-id`. KooPhone calls without one get a fresh UUID each.
    pub request_id: Option<String>,
    /// Sent without credentials (IAM's login and version document).
    pub anonymous: bool,
    /// The request id goes in the query string too (KooPhone's instance list).
    pub request_id_in_query: bool,
}

impl Call {
    pub fn read(api: ApiName, path: String) -> Self {
        Call {
            api,
            service: api.service(),
            method: Method::GET,
            path,
            query: Vec::new(),
            body: None,
            mutating: false,
            request_id: None,
            request_id_in_query: false,
            anonymous: false,
        }
    }

    /// A POST that only reads (KooPhone's batch status query).
    pub fn read_post(api: ApiName, path: String, body: Value) -> Self {
        Call {
            method: Method::POST,
            body: Some(body),
            ..Call::read(api, path)
        }
    }

    /// A mutation, tagged with the caller's request id (the audit log's correlation id).
    pub fn mutation(api: ApiName, path: String, body: Value, request_id: &str) -> Self {
        Call {
            mutating: true,
            request_id: Some(request_id.to_string()),
            ..Call::read_post(api, path, body)
        }
    }

    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    pub fn request_id_in_query(mut self) -> Self {
        self.request_id_in_query = true;
        self
    }

    pub fn anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }
}
