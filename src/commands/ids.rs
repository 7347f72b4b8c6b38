//! Ids given on the command line, checked before anything is sent.

use super::failure::Failure;

/// Refuses, before anything is sent, ids that cannot be one (empty, control
/// characters, `.` or `..`): a usage error, exit 2.
pub fn check_ids(ids: &[String], what: &str) -> Result<(), Failure> {
    for id in ids {
        if let Some(why) = crate::api::path::invalid_id(id) {
            return Err(Failure::usage(format!(
                "the {what} `{}` {why}; nothing was sent",
                crate::sanitize::sanitize(id)
            )));
        }
    }
    Ok(())
}
