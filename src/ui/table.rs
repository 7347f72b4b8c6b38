//! The table every pane is drawn with, from its column descriptors: columns chosen by
//! priority to fit the width, rows built only for the visible window, every cell
//! sanitised.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};

use crate::app::clock::Clock;
use crate::app::pane::column::CellContext;
use crate::app::pane::data::{AnyPane, Heading};
use crate::app::table::{TableView, window_start};
use crate::app::{AppState, Mode};
use crate::sanitize::sanitize;

use super::styles::Styles;

/// Indices of the columns that fit in `width`, lowest priority dropped first.
pub fn fitting(columns: &[Heading], width: u16) -> Vec<usize> {
    let mut kept: Vec<usize> = (0..columns.len()).collect();
    let total =
        |kept: &[usize]| -> u16 { kept.iter().map(|&i| columns[i].width + 1).sum::<u16>() + 2 };
    while total(&kept) > width && kept.len() > 1 {
        let drop = kept
            .iter()
            .enumerate()
            .max_by_key(|&(_, &i)| (columns[i].priority, i))
            .map(|(pos, _)| pos)
            .unwrap_or(0);
        kept.remove(drop);
    }
    kept
}

/// Draws a pane's table titled `name` (with shown/total, filter, sort, marks).
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    pane: &dyn AnyPane,
    name: &str,
    styles: &Styles,
) {
    let view = pane.view();
    let headings = pane.headings();
    let filtering = state.mode == Mode::Filtering;
    let block = Block::new().borders(Borders::TOP).title(title(
        name,
        view,
        pane.total(),
        &headings,
        filtering,
        styles,
    ));
    let context = CellContext {
        clock: Clock {
            now: state.now,
            wall: state.wall,
        },
        poll: state.panes.phones.polls,
    };
    let height = usize::from(area.height.saturating_sub(2));
    let kept = fitting(&headings, area.width.saturating_sub(2));
    let start = window_start(view.cursor, height);
    let end = (start + height).min(view.visible.len());
    let rows: Vec<Row> = view.visible[start..end]
        .iter()
        .map(|&i| {
            let marked = pane.key_at(i).is_some_and(|key| view.marks.contains(key));
            let cells = pane.shown_at(i, &context);
            let mut shown = vec![Cell::from(if marked { "*" } else { " " })];
            shown.extend(kept.iter().filter_map(|&c| cells.get(c)).map(|cell| {
                let mut style = styles.tone(cell.tone);
                if cell.changed {
                    style = style.patch(styles.changed());
                }
                Cell::from(Span::styled(sanitize(&cell.text), style))
            }));
            Row::new(shown).style(if marked { styles.title() } else { Style::new() })
        })
        .collect();
    let mut widths = vec![Constraint::Length(1)];
    widths.extend(kept.iter().map(|&i| Constraint::Length(headings[i].width)));
    if let Some(last) = widths.last_mut() {
        *last = Constraint::Fill(1);
    }
    let header = Row::new(
        std::iter::once(Cell::from("")).chain(
            kept.iter()
                .map(|&i| Cell::from(Span::styled(headings[i].title, styles.dim()))),
        ),
    );
    let mut selection =
        TableState::new().with_selected((!rows.is_empty()).then(|| view.cursor - start));
    let widget = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(styles.cursor());
    frame.render_stateful_widget(widget, area, &mut selection);
    // A filter that hides every row says so, instead of leaving an empty table.
    if view.visible.is_empty() && pane.total() > 0 && area.height > 2 {
        let notice = format!(
            " no row matches /{} (Esc clears the filter)",
            sanitize(&view.filter)
        );
        let line = Rect::new(area.x, area.y + 2, area.width, 1);
        frame.render_widget(Span::styled(notice, styles.warning()), line);
    }
}

/// "Phones 20/200 /offline sort:status↓ 3 marked"
pub fn title<'a>(
    name: &str,
    view: &TableView,
    total: usize,
    columns: &[Heading],
    filtering: bool,
    styles: &Styles,
) -> Line<'a> {
    let mut spans = vec![Span::styled(format!(" {name} "), styles.title())];
    spans.push(Span::raw(format!("{}/{} ", view.visible.len(), total)));
    if !view.filter.is_empty() || filtering {
        spans.push(Span::raw(format!(
            "/{}{} ",
            sanitize(&view.filter),
            if filtering { "▏" } else { "" }
        )));
    }
    if let Some((column, descending)) = view.sort {
        let name = columns.get(column).map_or("?", |c| c.title);
        spans.push(Span::raw(format!(
            "sort:{}{} ",
            name.to_lowercase(),
            if descending { "↓" } else { "↑" }
        )));
    }
    if !view.marks.is_empty() {
        spans.push(Span::styled(
            format!("{} marked ", view.marks.len()),
            styles.title(),
        ));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(title: &'static str, priority: u8) -> Heading {
        Heading {
            title,
            field: title,
            width: 10,
            priority,
            sort_key: None,
        }
    }

    #[test]
    fn low_priority_columns_drop_first() {
        let columns = [heading("A", 0), heading("B", 2), heading("C", 1)];
        assert_eq!(fitting(&columns, 100), [0, 1, 2]);
        assert_eq!(fitting(&columns, 26), [0, 2]);
        assert_eq!(fitting(&columns, 5), [0]);
    }
}
