//! The one way a value reaches a URL path: checked, then percent-encoded as exactly
//! one segment. Ids typed by the user or read from the network are untrusted: `../`,
//! `/`, `?`, `#` or `%2F` in one must never take a request to another endpoint.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::error::{ApiError, ErrorKind};
use super::service::Service;

/// Everything but RFC 3986's unreserved characters (`A-Za-z0-9-_.~`) is encoded, so a
/// segment can hold no `/`, `?`, `#` or `%` of its own.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Why a value cannot be used as an identifier, or None when it can.
///
/// Empty values and control characters are refused (they are typing or copy-paste
/// accidents, and nothing good comes of sending them); so are `.` and `..`, which URL
/// parsers treat as "this" and "parent" segments even when percent-encoded.
pub fn invalid_id(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("is empty")
    } else if value.chars().any(char::is_control) {
        Some("contains a control character")
    } else if value == "." || value == ".." {
        Some("is a relative path segment")
    } else {
        None
    }
}

/// Checks `value` as an identifier of `what` and encodes it as one path segment.
pub fn segment(service: Service, what: &str, value: &str) -> Result<String, ApiError> {
    match invalid_id(value) {
        Some(why) => Err(ApiError::new(
            service,
            ErrorKind::InvalidInput,
            format!(
                "the {what} `{}` {why}; nothing was sent",
                crate::sanitize::sanitize(value)
            ),
        )),
        None => Ok(utf8_percent_encode(value, SEGMENT).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(value: &str) -> String {
        segment(Service::Compute, "server id", value).expect("valid")
    }

    #[test]
    fn separators_and_escapes_stay_inside_the_segment() {
        assert_eq!(
            encoded("../../../v3/auth/tokens?x="),
            "..%2F..%2F..%2Fv3%2Fauth%2Ftokens%3Fx%3D"
        );
        assert_eq!(encoded("a/b"), "a%2Fb");
        assert_eq!(encoded("x#y"), "x%23y");
        assert_eq!(encoded("a%2Fb"), "a%252Fb");
        assert_eq!(encoded("f5dc173b-6804_x.y~z"), "f5dc173b-6804_x.y~z");
        assert_eq!(encoded("上海"), "%E4%B8%8A%E6%B5%B7");
    }

    #[test]
    fn empty_control_and_dot_segments_are_refused() {
        for bad in ["", "ab\ncd", "\u{1b}[2J", ".", ".."] {
            let err = segment(Service::Cph, "job id", bad).expect_err(bad);
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad:?}");
            assert!(err.message.contains("job id"), "{}", err.message);
        }
        assert!(invalid_id("...").is_none());
    }
}
