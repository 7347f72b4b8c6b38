//! Bounds on reading a list page by page. A list ends where its answer's own totals
//! say, and in any case at a hard cap, with an error that says so: a service that
//! always answers a full page, ignores the offset, or claims 10^15 rows must not
//! make phonedeck send requests and grow without end.

use super::error::{ApiError, ErrorKind};
use super::service::Service;

/// The most pages of one list phonedeck reads.
pub const MAX_PAGES: u64 = 10_000;
/// The most rows of one list phonedeck keeps.
pub const MAX_ROWS: u64 = 1_000_000;

/// The pages a list of `total` rows takes at `page_size` rows a page, or the error
/// when the total is past the caps.
pub fn pages_for_total(
    service: Service,
    what: &str,
    total: u64,
    page_size: u64,
) -> Result<u64, ApiError> {
    let pages = total.div_ceil(page_size.max(1)).max(1);
    if total > MAX_ROWS || pages > MAX_PAGES {
        return Err(ApiError::new(
            service,
            ErrorKind::Decode,
            format!(
                "the {what} list says it has {total} rows, more than phonedeck reads ({MAX_ROWS} rows, {MAX_PAGES} pages); nothing was listed"
            ),
        ));
    }
    Ok(pages)
}

/// After `pages` pages and `rows` rows of a list that says no total: an error once
/// either is at its cap and the list still goes on.
pub fn check_progress(service: Service, what: &str, pages: u64, rows: u64) -> Result<(), ApiError> {
    if pages < MAX_PAGES && rows < MAX_ROWS {
        return Ok(());
    }
    Err(ApiError::new(
        service,
        ErrorKind::Decode,
        format!(
            "the {what} list still went on after {pages} pages and {rows} rows; phonedeck stopped reading it there"
        ),
    ))
}

/// A page that starts with the same row as the page before it: the service ignored
/// the offset or marker, and reading on would repeat it for ever.
pub fn repeated_page(service: Service, what: &str, page: u64) -> ApiError {
    ApiError::new(
        service,
        ErrorKind::Decode,
        format!(
            "page {page} of the {what} list repeats the page before it (the service ignored where to start); listing stopped"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_give_pages_up_to_the_caps() {
        let pages = |total| pages_for_total(Service::KooPhone, "instance", total, 100);
        assert_eq!(pages(0).ok(), Some(1));
        assert_eq!(pages(250).ok(), Some(3));
        assert_eq!(pages(MAX_ROWS).ok(), Some(10_000));
        let absurd = pages(1_000_000_000_000_000).expect_err("refused");
        assert!(
            absurd.message.contains("1000000000000000 rows"),
            "{}",
            absurd.message
        );
        assert!(pages_for_total(Service::KooPhone, "instance", 20_000, 1).is_err());
    }

    #[test]
    fn a_list_without_a_total_stops_at_the_caps() {
        assert!(check_progress(Service::Cph, "encode server", 9_999, 999_900).is_ok());
        assert!(check_progress(Service::Cph, "encode server", MAX_PAGES, 0).is_err());
        assert!(check_progress(Service::Cph, "encode server", 1, MAX_ROWS).is_err());
    }
}
