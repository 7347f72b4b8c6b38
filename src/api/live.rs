//! Live: online streams per publish domain (all pages), and block-once (pause).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::call::Call;
use super::client::Api;
use super::error::{ApiError, ErrorKind};
use super::rate_limits::ApiName;
use super::service::Service;
use super::tolerant::{self, Row, Rows};

pub const PAGE_LIMIT: u32 = 100;

/// One online stream. Every field is optional in the official model
/// (huaweicloud-sdk-python-v3 `live/v1/model/online_info.py`); a stream is known by
/// its app and name (its domain is the one asked for), any other gap reads as unknown.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Stream {
    #[serde(default, deserialize_with = "tolerant::text")]
    pub publish_domain: String,
    #[serde(default, deserialize_with = "tolerant::text")]
    pub app: String,
    #[serde(default, deserialize_with = "tolerant::text")]
    pub stream: String,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub video_codec: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub audio_codec: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub video_frame_rate: Option<f64>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub audio_frame_rate: Option<f64>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub video_bitrate: Option<f64>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub audio_bitrate: Option<f64>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub resolution: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub client_ip: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub start_time: Option<String>,
    /// Every other field the service returned, kept under its own name for the
    /// detail view and `-o json`.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Row for Stream {
    fn has_id(&self) -> bool {
        !self.app.is_empty() && !self.stream.is_empty()
    }
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

/// A stream's key as text: `DOMAIN/APP/STREAM`, each part with `%` written `%25` and
/// `/` written `%2F`, so that app `live/x` with stream `y` (`d/live%2Fx/y`) and app
/// `live` with stream `x/y` (`d/live/x%2Fy`) stay two keys. Parts without either
/// character read as they are.
impl std::fmt::Display for StreamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let part = |text: &str| text.replace('%', "%25").replace('/', "%2F");
        write!(
            f,
            "{}/{}/{}",
            part(&self.domain),
            part(&self.app),
            part(&self.stream)
        )
    }
}

impl std::str::FromStr for StreamKey {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wrong = || {
            format!(
                "`{text}` is not DOMAIN/APP/STREAM (write a `/` inside a part as %2F, a `%` as %25)"
            )
        };
        let parts: Vec<&str> = text.split('/').collect();
        let [domain, app, stream] = parts.as_slice() else {
            return Err(wrong());
        };
        let part = |escaped: &str| -> Result<String, String> {
            let unescaped = unescape(escaped).ok_or_else(wrong)?;
            if unescaped.is_empty() {
                return Err(wrong());
            }
            Ok(unescaped)
        };
        Ok(StreamKey {
            domain: part(domain)?,
            app: part(app)?,
            stream: part(stream)?,
        })
    }
}

/// A key part with `%2F` and `%25` read back; None for any other `%` escape.
fn unescape(escaped: &str) -> Option<String> {
    let mut text = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find('%') {
        text.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 3)?;
        text.push(match code.to_ascii_uppercase().as_str() {
            "2F" => '/',
            "25" => '%',
            _ => return None,
        });
        rest = &rest[at + 3..];
    }
    text.push_str(rest);
    Some(text)
}

/// One page of `realtime/streams`.
#[derive(Debug, Clone, Deserialize)]
pub struct StreamPage {
    #[serde(default)]
    pub total_page: Option<u64>,
    #[serde(default)]
    pub total_num: Option<u64>,
    #[serde(default)]
    pub streams: Rows<Stream>,
}

pub fn parse_stream_page(body: &[u8]) -> Result<StreamPage, ApiError> {
    super::decode::decode(Service::Live, body)
}

/// The streams of one domain, or why they could not be listed.
#[derive(Debug, Clone)]
pub struct DomainStreams {
    pub domain: String,
    pub streams: Result<Rows<Stream>, ApiError>,
}

/// What `offset` counts. The SDK model says only "offset >= 0, where the query
/// starts" and the answer carries `total_page`: no official text settles it, so the
/// first two pages decide (see `StreamListing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetReading {
    Pages,
    Items,
}

/// A guard against a service whose pages never end: 100,000 streams in one domain.
pub const MAX_STREAM_PAGES: u64 = 1000;

/// The pages of one domain's listing, gathered under either reading of `offset`:
/// page 2 is asked for at offset 1; if it repeats a stream of page 1, offset counts
/// streams and the next offset is where the last page ended, else it counts pages.
/// Streams are de-duplicated by (domain, app, stream).
#[derive(Default)]
pub struct StreamListing {
    streams: Rows<Stream>,
    seen: HashSet<StreamKey>,
    reading: Option<OffsetReading>,
    pages: u64,
    /// The offset to ask for next.
    next_offset: u64,
    total_num: Option<u64>,
    total_page: Option<u64>,
    finished: bool,
}

impl StreamListing {
    /// The offset of the next page to fetch, or None when the listing is complete.
    pub fn next_offset(&self) -> Option<u64> {
        (!self.finished).then_some(self.next_offset)
    }

    pub fn reading(&self) -> Option<OffsetReading> {
        self.reading
    }

    /// Takes in the page fetched at `next_offset()`; `domain` fills a missing domain.
    pub fn add(&mut self, domain: &str, page: StreamPage) -> Result<(), ApiError> {
        let asked_at = self.next_offset;
        let page_len = (page.streams.len() + page.streams.dropped) as u64;
        self.pages += 1;
        self.total_num = page.total_num.or(self.total_num);
        self.total_page = page.total_page.or(self.total_page);
        self.streams.dropped += page.streams.dropped;
        let mut fresh = 0;
        let mut repeated = false;
        for mut stream in page.streams.rows {
            if stream.publish_domain.is_empty() {
                stream.publish_domain = domain.to_string();
            }
            if self.seen.insert(stream.key()) {
                self.streams.rows.push(stream);
                fresh += 1;
            } else {
                repeated = true;
            }
        }
        if self.pages == 2 {
            self.reading = Some(if repeated {
                OffsetReading::Items
            } else {
                OffsetReading::Pages
            });
        }
        self.next_offset = match self.reading {
            Some(OffsetReading::Items) => asked_at + page_len,
            _ => self.pages,
        };
        self.finished = page_len == 0 || (self.pages > 1 && fresh == 0) || self.complete(page_len);
        if !self.finished && self.pages >= MAX_STREAM_PAGES {
            return Err(ApiError::new(
                Service::Live,
                ErrorKind::Decode,
                format!(
                    "domain {domain} still had more streams after {MAX_STREAM_PAGES} pages; listing stopped"
                ),
            ));
        }
        Ok(())
    }

    fn complete(&self, page_len: u64) -> bool {
        let listed = self.streams.len() as u64;
        match (self.total_num, self.total_page, self.reading) {
            (Some(total), ..) if listed >= total => true,
            (_, Some(total_pages), None | Some(OffsetReading::Pages)) => self.pages >= total_pages,
            (Some(total), _, Some(OffsetReading::Items)) => self.next_offset >= total,
            (None, None, _) => page_len < u64::from(PAGE_LIMIT),
            _ => false,
        }
    }

    pub fn into_streams(self) -> Rows<Stream> {
        self.streams
    }
}

pub struct Live<'a> {
    api: &'a Api,
}

impl Api {
    pub fn live(&self) -> Live<'_> {
        Live::new(self)
    }
}

impl<'a> Live<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        Live { api }
    }

    async fn path(&self, rest: &str) -> Result<String, ApiError> {
        Ok(format!(
            "{}/{rest}",
            self.api.project_base(Service::Live).await?
        ))
    }

    async fn page(&self, domain: &str, offset: u64, limit: u32) -> Result<StreamPage, ApiError> {
        let call = Call::read(
            ApiName::LiveStreamsOnline,
            self.path("realtime/streams").await?,
        )
        .query("publish_domain", domain)
        .query("offset", offset)
        .query("limit", limit);
        self.api
            .send_parsed(&call, parse_stream_page)
            .await
            .map(|(page, _)| page)
    }

    /// All online streams of one publish domain, right whatever `offset` counts.
    pub async fn list_streams(&self, domain: &str) -> Result<Rows<Stream>, ApiError> {
        let mut listing = StreamListing::default();
        while let Some(offset) = listing.next_offset() {
            let page = self.page(domain, offset, PAGE_LIMIT).await?;
            listing.add(domain, page)?;
        }
        Ok(listing.into_streams())
    }

    /// One stream of a domain at most: the cheapest read (`phonedeck doctor`).
    pub async fn probe(&self, domain: &str) -> Result<StreamPage, ApiError> {
        self.page(domain, 0, 1).await
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
        let call = Call::mutation(
            ApiName::LiveBlockOnce,
            self.path("stream/block-once").await?,
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
    fn streams_whose_parts_hold_a_slash_keep_apart() {
        let key = |app: &str, stream: &str| StreamKey {
            domain: "d".into(),
            app: app.into(),
            stream: stream.into(),
        };
        let (first, second) = (key("live/x", "y"), key("live", "x/y"));
        assert_eq!(first.to_string(), "d/live%2Fx/y");
        assert_eq!(second.to_string(), "d/live/x%2Fy");
        for stream in [first, second, key("100%", "a%2Fb/c")] {
            assert_eq!(stream.to_string().parse::<StreamKey>(), Ok(stream.clone()));
        }
        assert!(
            "d/live/x/y".parse::<StreamKey>().is_err(),
            "ambiguous: refused"
        );
        assert!("d/live/x%zz".parse::<StreamKey>().is_err());
        assert!("d/live/x%2".parse::<StreamKey>().is_err());
    }

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
        assert_eq!(page.streams.rows[0].video_bitrate, Some(2048.0));
        assert_eq!(page.total_page, Some(1));
    }
}
