//! Live: online streams per publish domain (all pages), and block-once (pause).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::error::{ApiError, Service};
use super::{Api, Call};

pub const PAGE_LIMIT: u32 = 100;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Stream {
    pub publish_domain: String,
    pub app: String,
    pub stream: String,
    #[serde(default)]
    pub video_codec: Option<String>,
    #[serde(default)]
    pub audio_codec: Option<String>,
    #[serde(default)]
    pub video_frame_rate: Option<f64>,
    #[serde(default)]
    pub audio_frame_rate: Option<f64>,
    #[serde(default)]
    pub video_bitrate: Option<f64>,
    #[serde(default)]
    pub audio_bitrate: Option<f64>,
    #[serde(default)]
    pub resolution: Option<String>,
    #[serde(default)]
    pub client_ip: Option<String>,
    #[serde(default)]
    pub start_time: Option<String>,
}

impl Stream {
    /// `domain/app/stream`, the form the CLI takes and the dashboard shows.
    pub fn key(&self) -> StreamKey {
        StreamKey {
            domain: self.publish_domain.clone(),
            app: self.app.clone(),
            stream: self.stream.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamKey {
    pub domain: String,
    pub app: String,
    pub stream: String,
}

impl std::fmt::Display for StreamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.domain, self.app, self.stream)
    }
}

impl std::str::FromStr for StreamKey {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.splitn(3, '/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(domain), Some(app), Some(stream))
                if !domain.is_empty() && !app.is_empty() && !stream.is_empty() =>
            {
                Ok(StreamKey {
                    domain: domain.into(),
                    app: app.into(),
                    stream: stream.into(),
                })
            }
            _ => Err(format!("`{text}` is not DOMAIN/APP/STREAM")),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct StreamPage {
    #[serde(default)]
    pub total_page: Option<u32>,
    #[serde(default)]
    pub streams: Vec<Stream>,
}

pub fn parse_stream_page(body: &[u8]) -> Result<StreamPage, ApiError> {
    super::decode(Service::Live, body)
}

/// The streams of one domain, or why they could not be listed.
#[derive(Debug, Clone)]
pub struct DomainStreams {
    pub domain: String,
    pub streams: Result<Vec<Stream>, ApiError>,
}

pub struct Live<'a> {
    api: &'a Api,
}

impl<'a> Live<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        Live { api }
    }

    async fn page(&self, domain: &str, offset: u32) -> Result<StreamPage, ApiError> {
        let path = format!("/v1/{}/realtime/streams", self.api.project_id());
        let call = Call::read(Service::Live, path)
            .query("publish_domain", domain)
            .query("offset", offset)
            .query("limit", PAGE_LIMIT);
        self.api
            .send_parsed(&call, parse_stream_page)
            .await
            .map(|(page, _)| page)
    }

    /// All online streams of one publish domain (`offset` counts pages).
    pub async fn list_streams(&self, domain: &str) -> Result<Vec<Stream>, ApiError> {
        let mut streams = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.page(domain, offset).await?;
            let short_page = page.streams.len() < PAGE_LIMIT as usize;
            streams.extend(page.streams);
            offset += 1;
            let more = match page.total_page {
                Some(total) => offset < total,
                None => !short_page,
            };
            if !more {
                return Ok(streams);
            }
        }
    }

    /// Streams of every configured publish domain; one failing domain does not hide the others.
    pub async fn list_all_streams(&self) -> Vec<DomainStreams> {
        let domains = self.api.config().live_domains.clone();
        let lists = futures::future::join_all(domains.iter().map(|d| self.list_streams(d))).await;
        domains
            .into_iter()
            .zip(lists)
            .map(|(domain, streams)| DomainStreams { domain, streams })
            .collect()
    }

    /// Pauses (block-once) a stream; the publisher may push again afterwards.
    pub async fn pause(
        &self,
        key: &StreamKey,
        request_id: &str,
    ) -> Result<Option<String>, ApiError> {
        let path = format!("/v1/{}/stream/block-once", self.api.project_id());
        let call = Call::mutation(
            Service::Live,
            path,
            json!({ "domain": key.domain, "app_name": key.app, "stream_name": key.stream }),
            request_id,
        );
        self.api.send(&call).await.map(|reply| reply.request_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_key_parses_and_prints() {
        let key: StreamKey = "publish.example.com/live/cam-1".parse().expect("parses");
        assert_eq!(key.app, "live");
        assert_eq!(key.to_string(), "publish.example.com/live/cam-1");
        assert!("publish.example.com/live".parse::<StreamKey>().is_err());
    }

    #[test]
    fn documented_page_parses() {
        let body = br#"{"total_page":1,"total_num":1,"offset":0,"limit":10,"request_id":"r",
            "streams":[{"publish_domain":"p.example.com","app":"live","stream":"s","video_codec":"H264",
            "audio_codec":"AAC","video_frame_rate":30,"audio_frame_rate":44,"video_bitrate":2048,
            "audio_bitrate":128,"resolution":"1280x720","client_ip":"10.0.0.1","start_time":"2025-01-01T00:00:00Z"}]}"#;
        let page = parse_stream_page(body).expect("parses");
        assert_eq!(page.streams[0].video_bitrate, Some(2048.0));
        assert_eq!(page.total_page, Some(1));
    }
}
