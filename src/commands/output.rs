//! Printing results as an aligned table, CSV or JSON. Table and CSV cells are
//! sanitised: network strings never reach the terminal raw (JSON escapes control
//! characters itself).

use crate::api::tolerant::MISSING;
use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::api::TargetOutcome;
use crate::app::causes::Causes;
use crate::app::pane::column::{self, TableRow};
use crate::cli::OutputFormat;
use crate::sanitize::{sanitize, sanitized};

use super::names::Names;

use super::{EXIT_FAILED, EXIT_OK, Failure};

/// Every cell made safe for a terminal (borrowed where it already is).
fn sanitized_rows(rows: &[Vec<String>]) -> Vec<Vec<Cow<'_, str>>> {
    rows.iter()
        .map(|row| row.iter().map(|cell| sanitized(cell)).collect())
        .collect()
}

/// An aligned table: columns as wide as their widest cell on screen (a CJK character
/// takes two columns), padded by hand so a cell of any length prints.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows = sanitized_rows(rows);
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let start = out.len();
        for (cell, width) in cells.zip(&widths) {
            out.push_str(cell);
            out.extend(std::iter::repeat_n(
                ' ',
                width.saturating_sub(cell.width()) + 2,
            ));
        }
        out.truncate(out[start..].trim_end().len() + start);
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in &rows {
        line(&mut row.iter().map(AsRef::as_ref));
    }
    out.pop();
    out
}

/// The same columns as the table, as CSV with a header row (quoted where needed).
pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> Result<String, Failure> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| sanitize(cell)).collect())
        .collect();
    let text = crate::app::export::to_csv(headers, &rows)
        .map_err(|e| Failure::failed(format!("cannot write CSV: {e}")))?;
    Ok(text.trim_end().to_string())
}

pub fn print_rows<T: Serialize>(
    format: OutputFormat,
    items: &T,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), Failure> {
    match format {
        OutputFormat::Json => print_json(items),
        OutputFormat::Table => print_text(&table(headers, rows)),
        OutputFormat::Csv => print_text(&csv(headers, rows)?),
    }
}

/// As `print_rows`, for lists that can be long (the audit log's): the rows of text
/// are built only when a table or CSV is asked for.
pub fn print_long_list<T: Serialize>(
    format: OutputFormat,
    items: &T,
    headers: &[&str],
    rows: impl FnOnce() -> Vec<Vec<String>>,
) -> Result<(), Failure> {
    match format {
        OutputFormat::Json => print_json(items),
        OutputFormat::Table | OutputFormat::Csv => print_rows(format, items, headers, &rows()),
    }
}

/// JSON written straight to standard output, never held whole as text.
fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    quiet_on_broken_pipe(written)
}

/// Writes a result to standard output. A reader that went away (`| head`, `| true`) is
/// not an error: the rest is dropped and the command ends as it would have (its audit
/// lines are written already).
pub fn print_text(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    quiet_on_broken_pipe(writeln!(out, "{text}").and_then(|()| out.flush()))
}

fn quiet_on_broken_pipe(written: std::io::Result<()>) -> Result<(), Failure> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::failed(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// A pane's rows as a headless `list` prints them: the pane's own columns (those the
/// dashboard observes left out) for a table or CSV, an empty value shown as `-` in a
/// table; JSON in the schema the dashboard's export uses (`TableRow::json`).
pub fn print_list<R: TableRow>(format: OutputFormat, rows: &[R]) -> Result<(), Failure> {
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| serde_json::Value::Object(row.json()))
        .collect();
    let (headers, mut records) = column::headless(rows);
    if format == OutputFormat::Table {
        for cell in records.iter_mut().flatten().filter(|c| c.is_empty()) {
            *cell = MISSING.into();
        }
    }
    print_rows(format, &items, &headers, &records)
}

/// Says on stderr how many rows of a list had no id and were left out.
pub fn warn_dropped<T>(rows: &crate::api::tolerant::Rows<T>, what: &str) {
    if let Some(note) = rows.drop_note(what) {
        eprintln!("warning: {note}");
    }
}

pub fn optional(value: Option<impl ToString>) -> String {
    value
        .map(|v| v.to_string())
        .unwrap_or_else(|| MISSING.into())
}

/// A target a retry did not send, and why: its action may have happened already.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub target: String,
    /// Always `left_out`, so a JSON reader tells these rows from sent ones.
    pub outcome: &'static str,
    pub reason: String,
}

impl LeftOut {
    pub fn new(target: impl Into<String>, reason: impl Into<String>) -> LeftOut {
        LeftOut {
            target: target.into(),
            outcome: "left_out",
            reason: reason.into(),
        }
    }
}

/// One printed row: a target's outcome (with its action's id, for `retry`), or a
/// target left out of the run.
#[derive(Serialize)]
#[serde(untagged)]
enum Row<'a> {
    Sent {
        #[serde(skip_serializing_if = "Option::is_none")]
        action_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<&'a str>,
        #[serde(flatten)]
        outcome: &'a TargetOutcome,
    },
    LeftOut(&'a LeftOut),
}

/// Prints one result per target, then the targets left out; exit 0 only when every
/// target is ok (a left-out target may not have happened, so it is not).
pub fn print_outcomes(
    format: OutputFormat,
    outcomes: &[TargetOutcome],
    left_out: &[LeftOut],
    action_id: Option<&str>,
    names: &Names,
) -> Result<u8, Failure> {
    // A NAME column when some target has a name.
    let named = outcomes.iter().any(|o| names.contains_key(&o.target));
    let name_of = |target: &str| names.get(target).map_or(MISSING, String::as_str);
    let mut rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| {
            let name = named.then(|| name_of(&o.target).to_string());
            [o.target.clone()]
                .into_iter()
                .chain(name)
                .chain([
                    match o.reconciled {
                        Some(settled) => format!("{} ({settled})", o.outcome),
                        None => o.outcome.to_string(),
                    },
                    optional(o.error_code.as_ref()),
                    optional(
                        o.seen
                            .as_ref()
                            .or(o.error_msg.as_ref())
                            .or(o.job_id.as_ref()),
                    ),
                    optional(o.request_id.as_ref()),
                ])
                .collect()
        })
        .collect();
    rows.extend(left_out.iter().map(|l| {
        let name = named.then(|| name_of(&l.target).to_string());
        [l.target.clone()]
            .into_iter()
            .chain(name)
            .chain([
                l.outcome.into(),
                String::new(),
                l.reason.clone(),
                String::new(),
            ])
            .collect()
    }));
    let headers: Vec<&str> = ["TARGET"]
        .into_iter()
        .chain(named.then_some("NAME"))
        .chain(["OUTCOME", "CODE", "MESSAGE/JOB", "REQUEST ID"])
        .collect();
    let items: Vec<Row> = outcomes
        .iter()
        .map(|outcome| Row::Sent {
            action_id,
            name: names.get(&outcome.target).map(String::as_str),
            outcome,
        })
        .chain(left_out.iter().map(Row::LeftOut))
        .collect();
    print_rows(format, &items, &headers, &rows)?;
    if outcomes.len() > 1 {
        say_summary(&tally(outcomes.iter().map(|o| {
            (
                o.outcome.to_string(),
                o.error_code.as_deref(),
                o.error_msg.as_deref(),
            )
        })));
    }
    // JSON carries the id in every row; a table says it once, beside the data.
    if let (Some(id), OutputFormat::Table | OutputFormat::Csv) = (action_id, format) {
        let id = sanitize(id);
        let _ = writeln!(
            std::io::stderr(),
            "action {id} (`phonedeck retry {id}` sends what did not take effect)"
        );
    }
    // An unknown outcome read back as done counts as done; the JSON keeps both.
    let all_ok = left_out.is_empty() && outcomes.iter().all(TargetOutcome::took_effect);
    Ok(if all_ok { EXIT_OK } else { EXIT_FAILED })
}

/// "6000 target(s): 2377 ok, 3623 failed, 0 unknown, 0 not sent (KOOPHONE.API.1001
/// Insufficient instance permissions ×3623)" from (outcome, code, message) triples.
pub fn tally<'a>(
    outcomes: impl Iterator<Item = (String, Option<&'a str>, Option<&'a str>)>,
) -> String {
    let mut counts = [0usize; 4];
    let mut causes = Causes::default();
    let mut total = 0;
    for (outcome, code, message) in outcomes {
        total += 1;
        let slot = ["ok", "failed", "unknown", "not_sent"]
            .iter()
            .position(|name| *name == outcome);
        if let Some(slot) = slot {
            counts[slot] += 1;
        }
        causes.note_parts(&outcome, code, message);
    }
    let mut text = format!(
        "{total} target(s): {} ok, {} failed, {} unknown, {} not sent",
        counts[0], counts[1], counts[2], counts[3]
    );
    if let Some(causes) = causes.text() {
        text.push_str(&format!(" ({causes})"));
    }
    text
}

/// The summary line on standard error, if there still is one.
pub fn say_summary(summary: &str) {
    let _ = writeln!(std::io::stderr(), "summary: {}", sanitize(summary));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_and_sanitises() {
        let text = table(
            &["ID", "NAME"],
            &[
                vec!["a".into(), "x\u{1b}[2J".into()],
                vec!["long-id".into(), "y".into()],
            ],
        );
        assert_eq!(text, "ID       NAME\na        x\\u{1b}[2J\nlong-id  y");
    }

    #[test]
    fn wide_characters_align_by_their_screen_width() {
        let text = table(
            &["NAME", "STATUS"],
            &[
                vec!["上海-01".into(), "Running".into()],
                vec!["sh-0001".into(), "Offline".into()],
            ],
        );
        assert_eq!(text, "NAME     STATUS\n上海-01  Running\nsh-0001  Offline");
    }

    #[test]
    fn csv_quotes_and_sanitises() {
        let text = csv(
            &["ID", "NAME"],
            &[
                vec!["a".into(), "x, \"y\"".into()],
                vec!["b".into(), "z\u{1b}[2J".into()],
            ],
        )
        .expect("csv");
        assert_eq!(text, "ID,NAME\na,\"x, \"\"y\"\"\"\nb,z\\u{1b}[2J");
    }

    /// Random text up to 200 KB, of any characters.
    fn cell() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        (prop::collection::vec(any::<char>(), 1..64), 0usize..200_000)
            .prop_map(|(alphabet, length)| alphabet.iter().cycle().take(length).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(24))]

        #[test]
        fn the_printers_take_any_cell(rows in proptest::collection::vec((cell(), cell()), 1..3)) {
            let rows: Vec<Vec<String>> = rows.into_iter().map(|(a, b)| vec![a, b]).collect();
            let text = table(&["ID", "NAME"], &rows);
            proptest::prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
            proptest::prop_assert_eq!(text.lines().count(), rows.len() + 1);
            let text = csv(&["ID", "NAME"], &rows).map_err(|f| proptest::test_runner::TestCaseError::fail(f.message))?;
            let parsed = ::csv::Reader::from_reader(text.as_bytes()).records().count();
            proptest::prop_assert_eq!(parsed, rows.len());
        }
    }
}
