//! The backend the dashboard draws through, around crossterm's:
//! - it writes nothing when nothing changed. ratatui ends every frame with colour
//!   resets and a hide-cursor sequence, even an identical one: 25 bytes a tick that a
//!   slow SSH link carries for nothing. Empty frames and repeated hides are dropped,
//!   so an idle dashboard is silent;
//! - it draws with the palette the terminal has (see `ansi16::Palette`): with NO_COLOR
//!   (https://no-color.org) every cell goes out without colours (bold, underline and
//!   reverse stay, and every status is written out as text anyway); on a 16-colour
//!   terminal with the basic colour codes.

use std::io::Write;

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::Color;

use super::ansi16::{self, Palette};

pub struct ScreenBackend<B> {
    inner: B,
    /// The cursor's visibility as last set (None: not known yet).
    cursor_hidden: Option<bool>,
    palette: Palette,
    /// Where the basic palette's cells are written: the same stream as `inner`'s.
    out: Box<dyn Write + Send>,
}

impl<B> ScreenBackend<B> {
    /// `out` must be the stream `inner` writes to (for the dashboard, stdout).
    pub fn new(inner: B, palette: Palette, out: Box<dyn Write + Send>) -> Self {
        ScreenBackend {
            inner,
            cursor_hidden: None,
            palette,
            out,
        }
    }
}

fn without_colour(cell: &Cell) -> Cell {
    let mut cell = cell.clone();
    cell.fg = Color::Reset;
    cell.bg = Color::Reset;
    cell.underline_color = Color::Reset;
    cell
}

impl<B: Backend> Backend for ScreenBackend<B>
where
    B::Error: From<std::io::Error>,
{
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        match self.palette {
            Palette::Full => self.inner.draw(content),
            Palette::Basic => Ok(ansi16::draw(content, &mut self.out)?),
            Palette::None => {
                let plain: Vec<(u16, u16, Cell)> = content
                    .map(|(x, y, cell)| (x, y, without_colour(cell)))
                    .collect();
                self.inner
                    .draw(plain.iter().map(|(x, y, cell)| (*x, *y, cell)))
            }
        }
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
        self.out.flush()?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use ratatui::backend::CrosstermBackend;
    use ratatui::style::{Modifier, Style};
    use ratatui::text::Span;
    use ratatui::widgets::Paragraph;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    use super::*;

    /// What the terminal would receive.
    #[derive(Clone, Default)]
    struct Output(Arc<Mutex<Vec<u8>>>);

    impl Write for Output {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Output {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
        }
    }

    type Screen = Terminal<ScreenBackend<CrosstermBackend<Output>>>;

    fn screen(palette: Palette) -> (Screen, Output) {
        let output = Output::default();
        let backend = ScreenBackend::new(
            CrosstermBackend::new(output.clone()),
            palette,
            Box::new(output.clone()),
        );
        let options = TerminalOptions {
            viewport: Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 40, 5)),
        };
        (
            Terminal::with_options(backend, options).expect("terminal"),
            output,
        )
    }

    fn draw(terminal: &mut Screen, text: &'static str) {
        let style = Style::new()
            .fg(Color::Red)
            .bg(Color::Blue)
            .add_modifier(Modifier::BOLD);
        terminal
            .draw(|frame| {
                frame.render_widget(Paragraph::new(Span::styled(text, style)), frame.area())
            })
            .expect("draws");
    }

    #[test]
    fn an_unchanged_frame_writes_nothing_and_a_change_writes_only_itself() {
        for palette in [Palette::Full, Palette::Basic, Palette::None] {
            let (mut terminal, output) = screen(palette);
            draw(&mut terminal, "Running 19  Offline 6");
            let first = output.text().len();
            assert!(first > 0);
            draw(&mut terminal, "Running 19  Offline 6");
            assert_eq!(
                output.text().len(),
                first,
                "{palette:?}: an identical frame is silent"
            );
            draw(&mut terminal, "Running 18  Offline 7");
            let change = output.text().len() - first;
            assert!(
                change > 0 && change < 80,
                "{palette:?}: {change} bytes for two digits"
            );
        }
    }

    #[test]
    fn each_palette_speaks_its_own_colour_codes() {
        let (mut full, full_out) = screen(Palette::Full);
        draw(&mut full, "Offline");
        let text = full_out.text();
        assert!(
            text.contains("38;5;"),
            "crossterm's 256-colour form: {text:?}"
        );
        let (mut basic, basic_out) = screen(Palette::Basic);
        draw(&mut basic, "Offline");
        let text = basic_out.text();
        assert!(text.contains("\u{1b}[0;1;31;44mOffline"), "{text:?}");
        assert!(!text.contains("38;5"), "{text:?}");
        let (mut none, none_out) = screen(Palette::None);
        draw(&mut none, "Offline");
        let text = none_out.text();
        assert!(
            text.contains("Offline") && !text.contains("38;5;"),
            "{text:?}"
        );
        assert!(text.contains("\u{1b}[1m"), "bold stays: {text:?}");
    }
}
