//! A JSON answer read into its type, or a Decode error that names the service.

use serde::Deserialize;

use super::error::{ApiError, ErrorKind};
use super::service::Service;

/// Decodes a JSON body into `T`, as a Decode error naming the service on failure.
pub(crate) fn decode<'a, T: Deserialize<'a>>(
    service: Service,
    body: &'a [u8],
) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            service,
            ErrorKind::Decode,
            format!(
                "unexpected response ({e}): {}",
                crate::sanitize::excerpt(body, 120)
            ),
        )
    })
}
