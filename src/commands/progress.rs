//! Progress of a long wait (`--wait`), shown on a terminal only: one line on stderr,
//! rewritten in place, so a script's output stays clean. Shared by concurrent waits.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Progress {
    on_terminal: bool,
    shown: AtomicBool,
}

impl Progress {
    pub fn new() -> Self {
        Progress {
            on_terminal: std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
        }
    }

    /// Replaces the progress line.
    pub fn show(&self, text: &str) {
        if self.on_terminal {
            let mut stderr = std::io::stderr().lock();
            // Nothing to do if the terminal is gone.
            let _ = write!(stderr, "\r{text}\x1b[K");
            let _ = stderr.flush();
            self.shown.store(true, Ordering::SeqCst);
        }
    }

    /// Ends the line, so what follows starts on its own.
    pub fn finish(&self) {
        if self.shown.swap(false, Ordering::SeqCst) {
            eprintln!();
        }
    }
}
