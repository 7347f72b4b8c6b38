//! A centred box drawn over the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::styles::Styles;

pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    rect
}

pub fn draw(
    frame: &mut Frame,
    title: &str,
    lines: Vec<Line<'static>>,
    width: u16,
    styles: &Styles,
) {
    draw_scrolled(frame, title, lines, width, 0, styles);
}

/// A dialog: its `body`, and below it its `actions` (buttons, the typed count), which
/// are always drawn: on a screen too short for both, the body is cut, never them.
pub fn draw_dialog(
    frame: &mut Frame,
    title: &str,
    body: Vec<Line<'static>>,
    actions: Vec<Line<'static>>,
    width: u16,
    styles: &Styles,
) {
    let inner_width = width.min(frame.area().width).saturating_sub(2);
    let action_rows = wrapped_rows(&actions, inner_width);
    let rows = wrapped_rows(&body, inner_width).saturating_add(action_rows);
    let area = centred(frame.area(), width, rows.saturating_add(2));
    let inner = framed(frame, title, area, styles);
    let [body_area, actions_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(action_rows)]).areas(inner);
    let wrapped = |lines| Paragraph::new(lines).wrap(Wrap { trim: false });
    frame.render_widget(wrapped(body), body_area);
    frame.render_widget(wrapped(actions), actions_area);
}

/// Rows `lines` take wrapped at `width` columns.
pub fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// A box taller than the screen shows its rows from `scroll` on (stopping at the
/// last screenful).
pub fn draw_scrolled(
    frame: &mut Frame,
    title: &str,
    lines: Vec<Line<'static>>,
    width: u16,
    scroll: u16,
    styles: &Styles,
) {
    let inner_width = width.min(frame.area().width).saturating_sub(2);
    let rows = wrapped_rows(&lines, inner_width);
    let area = centred(frame.area(), width, rows.saturating_add(2));
    let scroll = scroll.min(rows.saturating_sub(area.height.saturating_sub(2)));
    let inner = framed(frame, title, area, styles);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}

/// Clears `area`, draws its titled border, and returns what is inside.
fn framed(frame: &mut Frame, title: &str, area: Rect, styles: &Styles) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(ratatui::text::Span::styled(
            format!(" {title} "),
            styles.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
