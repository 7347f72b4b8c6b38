//! SDK-HMAC-SHA256 request signing (Huawei Cloud AK/SK), used by the clients to sign
//! and by the simulator to verify. The published test vector is a unit test below.

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
pub const DATE_HEADER: &str = "x-sdk-date";
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";
/// Sent (and signed) with temporary AK/SK credentials.
pub const SECURITY_TOKEN_HEADER: &str = "x-security-token";
/// A body hash header value that tells the gateway the payload is not signed.
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Everything but `A-Za-z0-9-_.~` is percent-encoded.
const SIGNING_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The parts of a request that the signature covers.
pub struct SignableRequest<'a> {
    pub method: &'a str,
    /// The path as sent on the wire (percent-encoded or not).
    pub path: &'a str,
    /// The raw query string without `?` (may be empty).
    pub query: &'a str,
    /// The signed headers: (name, value); names in any case.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// A path segment or query name or value as the official SDKs send and sign it:
/// everything but `A-Za-z0-9-_.~` percent-encoded, a space as `%20` (never `+`).
pub fn encode(part: &str) -> String {
    utf8_percent_encode(part, SIGNING_SET).to_string()
}

fn decode(part: &str) -> String {
    percent_decode_str(&part.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn canonical_uri(path: &str) -> String {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let mut uri = decoded.split('/').map(encode).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (encode(&decode(name)), encode(&decode(value)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn sorted_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut sorted: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    sorted.sort();
    sorted
}

pub fn signed_header_names(headers: &[(String, String)]) -> String {
    sorted_headers(headers)
        .into_iter()
        .map(|(name, _)| name)
        .collect::<Vec<_>>()
        .join(";")
}

fn body_hash(request: &SignableRequest) -> String {
    let unsigned = request.headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("x-sdk-content-sha256") && value == UNSIGNED_PAYLOAD
    });
    if unsigned {
        UNSIGNED_PAYLOAD.to_string()
    } else {
        hex::encode(Sha256::digest(request.body))
    }
}

pub fn canonical_request(request: &SignableRequest) -> String {
    let headers = sorted_headers(request.headers);
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.to_ascii_uppercase(),
        canonical_uri(request.path),
        canonical_query(request.query),
        canonical_headers,
        signed_header_names(request.headers),
        body_hash(request)
    )
}

/// The hex HMAC-SHA256 signature of a request signed at `sdk_date`.
pub fn signature(request: &SignableRequest, sdk_date: &str, secret_key: &str) -> String {
    let hashed = hex::encode(Sha256::digest(canonical_request(request).as_bytes()));
    let string_to_sign = format!("{ALGORITHM}\n{sdk_date}\n{hashed}");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value for a signed request.
pub fn authorization(request: &SignableRequest, sdk_date: &str, ak: &str, sk: &str) -> String {
    format!(
        "{ALGORITHM} Access={ak}, SignedHeaders={}, Signature={}",
        signed_header_names(request.headers),
        signature(request, sdk_date, sk)
    )
}

/// The fields of a received `Authorization: SDK-HMAC-SHA256 ...` header.
#[derive(Debug, PartialEq, Eq)]
pub struct ParsedAuthorization {
    pub access_key: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization> {
    let rest = value.strip_prefix(ALGORITHM)?.trim();
    let mut access_key = None;
    let mut signed_headers = None;
    let mut signature = None;
    for field in rest.split(',') {
        let (name, value) = field.trim().split_once('=')?;
        match name {
            "Access" => access_key = Some(value.to_string()),
            "SignedHeaders" => {
                signed_headers = Some(value.split(';').map(str::to_string).collect())
            }
            "Signature" => signature = Some(value.to_string()),
            _ => {}
        }
    }
    Some(ParsedAuthorization {
        access_key: access_key?,
        signed_headers: signed_headers?,
        signature: signature?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published_vector_headers() -> Vec<(String, String)> {
        vec![
            ("Content-Type".into(), "application/json".into()),
            ("Host".into(), "service.region.example.com".into()),
            ("X-Sdk-Date".into(), "20191115T033655Z".into()),
        ]
    }

    #[test]
    fn published_test_vector() {
        let headers = published_vector_headers();
        let request = SignableRequest {
            method: "GET",
            path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            query: "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
            headers: &headers,
            body: b"",
        };
        let hashed = hex::encode(Sha256::digest(canonical_request(&request).as_bytes()));
        assert_eq!(
            hashed,
            "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
        assert_eq!(
            signed_header_names(&headers),
            "content-type;host;x-sdk-date"
        );
        assert_eq!(
            signature(
                &request,
                "20191115T033655Z",
                "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
            ),
            "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }

    #[test]
    fn query_is_sorted_and_reencoded() {
        assert_eq!(canonical_query("b=2&a=x%20y&c"), "a=x%20y&b=2&c=");
    }

    #[test]
    fn uri_gets_trailing_slash_and_encoded_segments() {
        assert_eq!(canonical_uri("/v1/a b/c"), "/v1/a%20b/c/");
        assert_eq!(canonical_uri("/v1/x/"), "/v1/x/");
    }

    #[test]
    fn authorization_header_round_trips() {
        let headers = published_vector_headers();
        let request = SignableRequest {
            method: "POST",
            path: "/v1/p/stream/block-once",
            query: "",
            headers: &headers,
            body: b"{}",
        };
        let header = authorization(&request, "20191115T033655Z", "AK", "SK");
        let parsed = parse_authorization(&header).expect("parses");
        assert_eq!(parsed.access_key, "AK");
        assert_eq!(
            parsed.signed_headers,
            ["content-type", "host", "x-sdk-date"]
        );
        assert_eq!(
            parsed.signature,
            signature(&request, "20191115T033655Z", "SK")
        );
    }
}
