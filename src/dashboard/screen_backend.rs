//! The backend the dashboard draws through, around crossterm's:
//! - it writes nothing when nothing changed. ratatui ends every frame with colour
//!   resets and a hide-cursor sequence, even an identical one: 25 bytes a tick that a
//!   slow SSH link carries for nothing. Empty frames and repeated hides are dropped,
//!   so an idle dashboard is silent;
//! - with NO_COLOR (https://no-color.org) every cell goes out without colours; bold,
//!   underline and reverse stay, so the cursor row and changed statuses still stand
//!   out, and every status is written out as text anyway.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::Color;

/// Whether the environment asks for no colour: NO_COLOR set and not empty.
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

pub struct ScreenBackend<B> {
    inner: B,
    /// The cursor's visibility as last set (None: not known yet).
    cursor_hidden: Option<bool>,
    monochrome: bool,
}

impl<B> ScreenBackend<B> {
    pub fn new(inner: B, monochrome: bool) -> Self {
        ScreenBackend {
            inner,
            cursor_hidden: None,
            monochrome,
        }
    }

    #[cfg(test)]
    fn inner(&self) -> &B {
        &self.inner
    }
}

fn without_colour(cell: &Cell) -> Cell {
    let mut cell = cell.clone();
    cell.fg = Color::Reset;
    cell.bg = Color::Reset;
    cell.underline_color = Color::Reset;
    cell
}

impl<B: Backend> Backend for ScreenBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        if !self.monochrome {
            return self.inner.draw(content);
        }
        let plain: Vec<(u16, u16, Cell)> = content
            .map(|(x, y, cell)| (x, y, without_colour(cell)))
            .collect();
        self.inner
            .draw(plain.iter().map(|(x, y, cell)| (*x, *y, cell)))
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_hidden == Some(true) {
            return Ok(());
        }
        self.inner.hide_cursor()?;
        self.cursor_hidden = Some(true);
        Ok(())
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()?;
        self.cursor_hidden = Some(false);
        Ok(())
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use ratatui::backend::{CrosstermBackend, TestBackend};
    use ratatui::style::{Modifier, Style};
    use ratatui::text::Span;
    use ratatui::widgets::Paragraph;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    use super::*;

    /// Counts the bytes the terminal would receive.
    #[derive(Clone, Default)]
    struct Output(Arc<Mutex<usize>>);

    impl std::io::Write for Output {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            *self.0.lock().expect("lock") += bytes.len();
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_unchanged_frame_writes_nothing_and_a_change_writes_only_itself() {
        let output = Output::default();
        let written = || *output.0.lock().expect("lock");
        let backend = ScreenBackend::new(CrosstermBackend::new(output.clone()), false);
        let options = TerminalOptions {
            viewport: Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 40, 5)),
        };
        let mut terminal = Terminal::with_options(backend, options).expect("terminal");
        let draw = |terminal: &mut Terminal<_>, text: &'static str| {
            terminal
                .draw(|frame| frame.render_widget(Paragraph::new(text), frame.area()))
                .expect("draws");
        };
        draw(&mut terminal, "Running 19  Offline 6");
        let first = written();
        assert!(first > 0);
        draw(&mut terminal, "Running 19  Offline 6");
        assert_eq!(written(), first, "an identical frame is silent");
        draw(&mut terminal, "Running 18  Offline 7");
        let change = written() - first;
        assert!(change > 0 && change < 60, "{change} bytes for two digits");
    }

    fn draw_red_bold(enabled: bool) -> Cell {
        let backend = ScreenBackend::new(TestBackend::new(10, 1), enabled);
        let mut terminal = Terminal::new(backend).expect("terminal");
        terminal
            .draw(|frame| {
                let style = Style::new()
                    .fg(Color::Red)
                    .bg(Color::Blue)
                    .add_modifier(Modifier::BOLD);
                frame.render_widget(Span::styled("Offline", style), frame.area());
            })
            .expect("draws");
        terminal.backend().inner().buffer()[(0, 0)].clone()
    }

    #[test]
    fn strips_colours_but_keeps_text_and_emphasis() {
        let plain = draw_red_bold(true);
        assert_eq!(plain.symbol(), "O");
        assert_eq!((plain.fg, plain.bg), (Color::Reset, Color::Reset));
        assert!(plain.modifier.contains(Modifier::BOLD));
        let coloured = draw_red_bold(false);
        assert_eq!((coloured.fg, coloured.bg), (Color::Red, Color::Blue));
    }
}
