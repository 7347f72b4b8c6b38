//! Names where people think in names: a headless command takes a unique name as well
//! as an id (`servers start cph-host-06`). An id wins; a name found on several rows is
//! a usage error listing them. An action on servers or encoders refuses a value that
//! is neither, before anything is sent, when their list could be read; a read (and a
//! phone, which is checked by its status) takes it as given.

use std::collections::HashSet;

use futures::{StreamExt, stream};

use super::Failure;
use crate::api::tolerant::Rows;
use crate::api::{Api, ApiError};
use crate::sanitize::sanitize;

/// Names by id, where the listing gave one: shown beside the ids in a confirmation
/// and in an action's results.
pub type Names = std::collections::HashMap<String, String>;

/// The names of a listing's rows (those that have one).
pub fn names_of(listing: Option<&[(String, String)]>) -> Names {
    (listing.unwrap_or_default().iter())
        .filter(|(_, name)| !name.is_empty())
        .cloned()
        .collect()
}

/// The `(id, name)` of every listed row; when the list cannot be read, None (values
/// then go as ids) and a warning saying so.
pub fn listed<T>(
    list: Result<Rows<T>, ApiError>,
    what: &str,
    id_and_name: impl Fn(&T) -> (String, String),
) -> Option<Vec<(String, String)>> {
    match list {
        Ok(rows) => Some(rows.rows.iter().map(id_and_name).collect()),
        Err(error) => {
            eprintln!(
                "warning: cannot list {what} to look names up ({error}); the values are taken as ids"
            );
            None
        }
    }
}

/// The ids an action is for: as `resolve`, but with the list read, a value that is
/// neither an id nor a name of it is a usage error naming each such value.
pub fn resolve_listed(
    given: Vec<String>,
    listing: Option<&[(String, String)]>,
    what: &str,
) -> Result<Vec<String>, Failure> {
    let Some(rows) = listing else {
        return Ok(given);
    };
    let unknown: Vec<String> = (given.iter())
        .filter(|value| !rows.iter().any(|(id, name)| id == *value || name == *value))
        .map(|value| sanitize(value))
        .collect();
    if !unknown.is_empty() {
        return Err(Failure::usage(format!(
            "no {what} has the id or name {} (of {} listed); nothing was sent",
            unknown.join(", "),
            rows.len()
        )));
    }
    resolve(given, rows, what)
}

/// Phones by id or unique name, without listing a fleet of 100,000: the status call
/// (32 ids a request) says which values are ids, and only the others are looked up
/// as names, one filtered list request each, `max_in_flight` at once. When the check
/// cannot be made, the values go as ids, with a warning.
pub async fn resolve_phones(api: &Api, given: Vec<String>) -> Result<Vec<String>, Failure> {
    let status = api.koophone().batch_status(&given).await;
    if let Some(failure) = status.failures.first() {
        eprintln!(
            "warning: cannot check the phone ids to look names up ({}); the values are taken as ids",
            failure.error
        );
        return Ok(given);
    }
    let known: HashSet<String> = status.results.into_iter().map(|r| r.instance_id).collect();
    let looked_up: Vec<Result<String, Failure>> = stream::iter(given)
        .map(|value| {
            let known = &known;
            async move {
                if known.contains(&value) {
                    return Ok(value);
                }
                phone_named(api, value).await
            }
        })
        .buffered(api.max_in_flight())
        .collect()
        .await;
    looked_up.into_iter().collect()
}

/// The id of the one phone named `value`; `value` itself when none is (or the
/// lookup fails, with a warning); a usage error when several are.
async fn phone_named(api: &Api, value: String) -> Result<String, Failure> {
    match api.koophone().instances_named(&value).await {
        Ok(named) => {
            let rows: Vec<(String, String)> = named
                .into_iter()
                .map(|i| (i.instance_id, i.instance_name))
                .collect();
            resolve_one(value, &rows, "phone")
        }
        Err(error) => {
            eprintln!(
                "warning: cannot look the name {} up ({error}); it is taken as an id",
                sanitize(&value)
            );
            Ok(value)
        }
    }
}

/// The ids meant by `given`, against the listed rows `(id, name)`.
pub fn resolve(
    given: Vec<String>,
    rows: &[(String, String)],
    what: &str,
) -> Result<Vec<String>, Failure> {
    given
        .into_iter()
        .map(|value| resolve_one(value, rows, what))
        .collect()
}

/// The id meant by one value: itself if it is an id, the id of the one row with that
/// name, itself again if no row has it; a usage error if several rows do.
fn resolve_one(value: String, rows: &[(String, String)], what: &str) -> Result<String, Failure> {
    if rows.iter().any(|(id, _)| *id == value) {
        return Ok(value);
    }
    let named: Vec<&(String, String)> = rows.iter().filter(|(_, name)| *name == value).collect();
    match named.as_slice() {
        [] => Ok(value),
        [(id, _)] => Ok(id.clone()),
        several => {
            let ids: Vec<String> = several.iter().map(|(id, _)| sanitize(id)).collect();
            Err(Failure::usage(format!(
                "{} {what}s are named {}: {}; give the id instead; nothing was sent",
                several.len(),
                sanitize(&value),
                ids.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<(String, String)> {
        [("s1", "web"), ("s2", "db"), ("s3", "db")]
            .iter()
            .map(|(id, name)| (id.to_string(), name.to_string()))
            .collect()
    }

    #[test]
    fn ids_win_unique_names_resolve_and_unknown_values_pass() {
        let given = vec!["s2".into(), "web".into(), "s9".into()];
        let ids = resolve(given, &rows(), "server").expect("resolves");
        assert_eq!(ids, ["s2", "s1", "s9"]);
    }

    #[test]
    fn an_action_refuses_a_value_that_is_neither_an_id_nor_a_name_of_the_list() {
        let given = vec!["web".into(), "no-such-host".into(), "s9".into()];
        let failure = resolve_listed(given, Some(&rows()), "server").expect_err("unknown");
        assert_eq!(failure.exit, super::super::EXIT_USAGE);
        assert_eq!(
            failure.message,
            "no server has the id or name no-such-host, s9 (of 3 listed); nothing was sent"
        );
        let unlisted = resolve_listed(vec!["s9".into()], None, "server").expect("as given");
        assert_eq!(
            unlisted,
            ["s9"],
            "a list that could not be read refuses nothing"
        );
        let named = resolve_listed(vec!["web".into()], Some(&rows()), "server");
        assert_eq!(named.expect("a name"), ["s1"]);
    }

    #[test]
    fn an_ambiguous_name_is_a_usage_error_listing_the_matches() {
        let failure = resolve(vec!["db".into()], &rows(), "server").expect_err("ambiguous");
        assert_eq!(failure.exit, super::super::EXIT_USAGE);
        assert!(
            failure.message.contains("2 servers are named db: s2, s3"),
            "{}",
            failure.message
        );
    }
}
