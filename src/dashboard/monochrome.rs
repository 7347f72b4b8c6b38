//! NO_COLOR (https://no-color.org): when set, every cell reaches the terminal without
//! colours; bold, underline and reverse stay, so the cursor row and changed statuses
//! still stand out, and every status is written out as text anyway.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::Color;

/// Whether the environment asks for no colour: NO_COLOR set and not empty.
pub fn requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

pub struct Monochrome<B> {
    inner: B,
    enabled: bool,
}

impl<B> Monochrome<B> {
    pub fn new(inner: B, enabled: bool) -> Self {
        Monochrome { inner, enabled }
    }

    pub fn inner(&self) -> &B {
        &self.inner
    }
}

impl<B: Backend> Backend for Monochrome<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        if !self.enabled {
            return self.inner.draw(content);
        }
        let plain: Vec<(u16, u16, Cell)> = content
            .map(|(x, y, cell)| {
                let mut cell = cell.clone();
                cell.fg = Color::Reset;
                cell.bg = Color::Reset;
                cell.underline_color = Color::Reset;
                (x, y, cell)
            })
            .collect();
        self.inner
            .draw(plain.iter().map(|(x, y, cell)| (*x, *y, cell)))
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
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
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::{Modifier, Style};
    use ratatui::text::Span;

    use super::*;

    fn draw_red_bold(enabled: bool) -> Cell {
        let backend = Monochrome::new(TestBackend::new(10, 1), enabled);
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
