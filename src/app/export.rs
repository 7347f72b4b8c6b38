//! Exports for the incident write-up: the current pane (filter and sort applied) as
//! CSV (its columns) or JSON (the schema `phonedeck ... -o json` prints too: the
//! provider's field names and raw values, `*_name` beside enums), and the activity log
//! as text. Pure: builds the file's name and
//! contents; the shell writes it and says where.

use crate::sanitize::sanitize;

use super::clock::Clock;
use super::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// A file to write: its name (no directory), contents, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub file_name: String,
    pub contents: String,
    pub what: String,
}

fn stamp(state: &AppState) -> String {
    state.wall.format("%Y%m%d-%H%M%S").to_string()
}

/// The current pane's shown rows, in the order shown.
pub fn pane(state: &AppState, format: Format) -> Result<Export, String> {
    let pane = state.pane(state.pane);
    let headings = pane.headings();
    let rows: Vec<Vec<String>> = pane
        .records()
        .into_iter()
        .map(|record| record.iter().map(|cell| sanitize(cell)).collect())
        .collect();
    let (extension, contents) = match format {
        Format::Csv => {
            let titles: Vec<&str> = headings.iter().map(|h| h.title).collect();
            ("csv", to_csv(&titles, &rows)?)
        }
        Format::Json => (
            "json",
            serde_json::to_string_pretty(&pane.json_records()).map_err(|e| e.to_string())?,
        ),
    };
    let pane = state.pane.spec().word;
    Ok(Export {
        file_name: format!(
            "phonedeck-{}-{pane}-{}.{extension}",
            sanitize_file_part(&state.settings.profile),
            stamp(state)
        ),
        contents,
        what: format!("{} {pane}", rows.len()),
    })
}

/// The whole activity log, one entry a line with its wall-clock time.
pub fn activity(state: &AppState) -> Export {
    let clock = Clock {
        now: state.now,
        wall: state.wall,
    };
    let mut contents = format!(
        "phonedeck activity log, profile {}, saved {}\n",
        sanitize(&state.settings.profile),
        clock.wall_time(state.now)
    );
    for (at, entry) in &state.activity.entries {
        contents.push_str(&format!(
            "{} {}\n",
            clock.wall_time(*at),
            sanitize(&state.activity.text(entry))
        ));
    }
    Export {
        file_name: format!(
            "phonedeck-{}-activity-{}.log",
            sanitize_file_part(&state.settings.profile),
            stamp(state)
        ),
        contents,
        what: format!("{} activity entries", state.activity.entries.len()),
    }
}

/// A profile name as part of a file name: letters, digits, `-` and `_` only.
fn sanitize_file_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
/// Rows of text as CSV with a header row (none when `headers` is empty; quoting done by
/// the csv crate), for the dashboard's exports and the headless `--output csv` alike.
/// Callers sanitise cells; formulas are defused here.
pub fn to_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<String, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if !headers.is_empty() {
        writer.write_record(headers).map_err(|e| e.to_string())?;
    }
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| inert_cell(cell)))
            .map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// A cell a spreadsheet will not run: one that starts with `=`, `+`, `-`, `@`, tab or CR
/// gets a leading `'` (OWASP's rule against CSV injection), so a server-supplied name
/// such as `=HYPERLINK(…)` is shown as text. A lone `-` (phonedeck's "no value") has
/// nothing to run and stays as it is.
fn inert_cell(cell: &str) -> std::borrow::Cow<'_, [u8]> {
    let starts_a_formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_a_formula && cell != "-" {
        format!("'{cell}").into_bytes().into()
    } else {
        cell.as_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_from_the_network_are_written_as_text() {
        let rows = vec![
            vec![
                "=HYPERLINK(\"http://x\",\"y\")".to_string(),
                "ok".to_string(),
            ],
            vec!["+cmd|' /C calc'!A0".into(), "-2+3".into()],
            vec!["@SUM(A1)".into(), "\tx".into()],
            vec!["-".into(), "a=b".into()],
        ];
        let text = to_csv(&["NAME", "NOTE"], &rows).expect("csv");
        assert_eq!(
            text,
            "NAME,NOTE\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",ok\n\
             '+cmd|' /C calc'!A0,'-2+3\n'@SUM(A1),'\tx\n-,a=b\n"
        );
    }
}
