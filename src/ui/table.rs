//! The table all panes share: columns chosen by priority to fit the width, and rows
//! built only for the visible window.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};

use crate::app::table::{TableRow, TableView, window_start};
use crate::app::{AppState, Mode};

use super::styles::Styles;

/// A column: its title, the width it wants, and its priority (0 is kept longest).
pub struct Column {
    pub title: &'static str,
    pub width: u16,
    pub priority: u8,
}

/// Indices of the columns that fit in `width`, lowest priority dropped first.
pub fn fitting(columns: &[Column], width: u16) -> Vec<usize> {
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

/// A pane's table: its name (as titled), columns, view and rows.
pub struct PaneTable<'a, R> {
    pub name: String,
    pub columns: &'a [Column],
    pub view: &'a TableView,
    pub rows: &'a [R],
}

/// Draws a pane's table with its title (shown/total, filter, sort, marks); `cells`
/// builds one row's cells (all columns, in order) and runs only for visible rows.
pub fn draw<R: TableRow>(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    table: PaneTable<R>,
    cells: impl Fn(&R) -> Vec<Cell<'static>>,
    styles: &Styles,
) {
    let view = table.view;
    let filtering = state.mode == Mode::Filtering;
    let block = Block::new().borders(Borders::TOP).title(title(
        &table.name,
        view,
        table.rows.len(),
        table.columns,
        filtering,
        styles,
    ));
    let height = usize::from(area.height.saturating_sub(2));
    let kept = fitting(table.columns, area.width.saturating_sub(2));
    let start = window_start(view.cursor, height);
    let end = (start + height).min(view.visible.len());
    let rows: Vec<Row> = view.visible[start..end]
        .iter()
        .map(|&i| {
            let row = &table.rows[i];
            let marked = view.marks.contains(row.key());
            let mut all = cells(row);
            let mut shown = vec![Cell::from(if marked { "*" } else { " " })];
            shown.extend(kept.iter().map(|&c| std::mem::take(&mut all[c])));
            Row::new(shown).style(if marked { styles.title() } else { Style::new() })
        })
        .collect();
    let mut widths = vec![Constraint::Length(1)];
    widths.extend(
        kept.iter()
            .map(|&i| Constraint::Length(table.columns[i].width)),
    );
    if let Some(last) = widths.last_mut() {
        *last = Constraint::Fill(1);
    }
    let header = Row::new(
        std::iter::once(Cell::from("")).chain(
            kept.iter()
                .map(|&i| Cell::from(Span::styled(table.columns[i].title, styles.dim()))),
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
}

/// "Phones 20/200 /offline sort:status↓ 3 marked"
pub fn title<'a>(
    name: &str,
    view: &TableView,
    total: usize,
    columns: &[Column],
    filtering: bool,
    styles: &Styles,
) -> Line<'a> {
    let mut spans = vec![Span::styled(format!(" {name} "), styles.title())];
    spans.push(Span::raw(format!("{}/{} ", view.visible.len(), total)));
    if !view.filter.is_empty() || filtering {
        spans.push(Span::raw(format!(
            "/{}{} ",
            crate::sanitize::sanitize(&view.filter),
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

    #[test]
    fn low_priority_columns_drop_first() {
        let columns = [
            Column {
                title: "A",
                width: 10,
                priority: 0,
            },
            Column {
                title: "B",
                width: 10,
                priority: 2,
            },
            Column {
                title: "C",
                width: 10,
                priority: 1,
            },
        ];
        assert_eq!(fitting(&columns, 100), [0, 1, 2]);
        assert_eq!(fitting(&columns, 26), [0, 2]);
        assert_eq!(fitting(&columns, 5), [0]);
    }
}
