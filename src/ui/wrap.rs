//! Long lines broken to the width, each continuation indented under its own line's
//! text (a wrapped field value stays under the field, not at the margin).

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// `lines` broken to `width` columns; a continuation starts two columns right of its
/// line's own indent.
pub fn hanging(lines: Vec<Line<'static>>, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    lines
        .into_iter()
        .flat_map(|line| wrap_line(line, width))
        .collect()
}

fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let cells: Vec<(char, Style)> = (line.spans.iter())
        .flat_map(|span| span.content.chars().map(move |ch| (ch, span.style)))
        .collect();
    let indent = cells.iter().take_while(|(ch, _)| *ch == ' ').count();
    let hang = (indent + 2).min(width / 2);
    let mut rows = Vec::new();
    let mut start = 0;
    let mut lead = 0;
    while start < cells.len() {
        let end = row_end(&cells[start..], width - lead) + start;
        let mut row = vec![(' ', Style::new()); lead];
        row.extend_from_slice(&cells[start..end]);
        rows.push(spans_of(&row));
        // A continuation starts at the next word, under the hanging indent.
        start = end;
        while start < cells.len() && cells[start].0 == ' ' && start > 0 {
            start += 1;
        }
        lead = hang;
    }
    if rows.is_empty() {
        rows.push(Line::default());
    }
    rows
}

/// How many of `cells` fit in `room` columns: up to the last space that fits when the
/// rest does not, else as many as fit (a word longer than the room is cut).
fn row_end(cells: &[(char, Style)], room: usize) -> usize {
    let mut used = 0;
    let mut last_space = None;
    let mut text_seen = false;
    for (at, (ch, _)) in cells.iter().enumerate() {
        let width = ch.width().unwrap_or(0);
        if used + width > room {
            return last_space.unwrap_or(at.max(1));
        }
        // A break between words, not inside the indent.
        if *ch == ' ' && text_seen {
            last_space = Some(at);
        }
        text_seen |= *ch != ' ';
        used += width;
    }
    cells.len()
}

/// Consecutive cells of one style as one span.
fn spans_of(cells: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (ch, style) in cells {
        match spans.last_mut() {
            Some(span) if span.style == *style => span.content.to_mut().push(*ch),
            _ => spans.push(Span::styled(ch.to_string(), *style)),
        }
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_wrapped_value_stays_indented_under_its_field() {
        let line = Line::from(vec![
            Span::raw("  url: "),
            Span::raw("https://example.com/a/b/c"),
        ]);
        let rows: Vec<String> = hanging(vec![line], 16).iter().map(text).collect();
        assert_eq!(
            rows,
            ["  url:", "    https://exam", "    ple.com/a/b/", "    c"]
        );
    }

    #[test]
    fn short_lines_and_wide_characters_fit_their_columns() {
        let rows = hanging(vec![Line::from("  ok"), Line::from("  名前名前名前")], 8);
        let texts: Vec<String> = rows.iter().map(text).collect();
        assert_eq!(texts, ["  ok", "  名前名", "    前名", "    前"]);
        let words = hanging(vec![Line::from("  code: E1 denied again")], 14);
        let texts: Vec<String> = words.iter().map(text).collect();
        assert_eq!(texts, ["  code: E1", "    denied", "    again"]);
        assert!(rows.iter().all(|r| r.width() <= 8));
    }
}
