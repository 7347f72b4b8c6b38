//! A backend that writes nothing when nothing changed. ratatui ends every frame with
//! colour resets and a hide-cursor sequence, even an identical one: 25 bytes a tick
//! that a slow SSH link carries for nothing. This wrapper drops an empty frame's
//! output and repeated cursor hides, so an idle dashboard is silent.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

pub struct QuietBackend<B> {
    inner: B,
    /// The cursor's visibility as last set (None: not known yet).
    cursor_hidden: Option<bool>,
}

impl<B> QuietBackend<B> {
    pub fn new(inner: B) -> Self {
        QuietBackend {
            inner,
            cursor_hidden: None,
        }
    }
}

impl<B: Backend> Backend for QuietBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.inner.draw(content)
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

    use ratatui::backend::CrosstermBackend;
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
        let backend = QuietBackend::new(CrosstermBackend::new(output.clone()));
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
}
