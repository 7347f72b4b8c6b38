//! One line editor for both prompts, `/` (the filter) and `:` (the command line):
//! what a key does to the line, as in a shell. Each prompt decides what Enter, Esc,
//! ↑ and Tab mean to it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKey {
    /// The line as the key left it: a character typed or erased, Ctrl-U (all of
    /// it), Ctrl-W (the last word).
    Edited(String),
    /// Backspace with nothing left to erase.
    BackspaceOnEmpty,
    /// Enter.
    Submit,
    /// Esc.
    Cancel,
    /// ↑: an earlier line.
    Recall,
    /// Tab: complete the line.
    Complete,
    /// A key a line does not use.
    Ignored,
}

pub fn line_key(line: &str, key: &KeyEvent) -> LineKey {
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('u') if control => LineKey::Edited(String::new()),
        KeyCode::Char('w') if control => LineKey::Edited(without_last_word(line)),
        KeyCode::Char(_) if control => LineKey::Ignored,
        KeyCode::Char(c) => LineKey::Edited(format!("{line}{c}")),
        KeyCode::Backspace if line.is_empty() => LineKey::BackspaceOnEmpty,
        KeyCode::Backspace => {
            let mut edited = line.to_string();
            edited.pop();
            LineKey::Edited(edited)
        }
        KeyCode::Enter => LineKey::Submit,
        KeyCode::Esc => LineKey::Cancel,
        KeyCode::Up => LineKey::Recall,
        KeyCode::Tab => LineKey::Complete,
        _ => LineKey::Ignored,
    }
}

/// Ctrl-W: the line without its last word (and the spaces after it).
fn without_last_word(text: &str) -> String {
    let trimmed = text.trim_end();
    let cut = trimmed.rfind(' ').map_or(0, |at| at + 1);
    trimmed[..cut].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn control(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn typing_and_erasing_edit_the_line() {
        assert_eq!(
            line_key("offl", &plain(KeyCode::Char('i'))),
            LineKey::Edited("offli".into())
        );
        assert_eq!(
            line_key("é", &plain(KeyCode::Backspace)),
            LineKey::Edited(String::new())
        );
        assert_eq!(
            line_key("", &plain(KeyCode::Backspace)),
            LineKey::BackspaceOnEmpty
        );
    }

    #[test]
    fn control_u_and_w_edit_as_in_a_shell_and_other_controls_type_nothing() {
        assert_eq!(
            line_key("status offline", &control('u')),
            LineKey::Edited(String::new())
        );
        assert_eq!(
            line_key("status offline  ", &control('w')),
            LineKey::Edited("status ".into())
        );
        assert_eq!(
            line_key("one", &control('w')),
            LineKey::Edited(String::new())
        );
        assert_eq!(line_key("one", &control('x')), LineKey::Ignored);
    }

    #[test]
    fn enter_esc_up_and_tab_are_left_to_the_prompt() {
        assert_eq!(line_key("x", &plain(KeyCode::Enter)), LineKey::Submit);
        assert_eq!(line_key("x", &plain(KeyCode::Esc)), LineKey::Cancel);
        assert_eq!(line_key("x", &plain(KeyCode::Up)), LineKey::Recall);
        assert_eq!(line_key("x", &plain(KeyCode::Tab)), LineKey::Complete);
        assert_eq!(line_key("x", &plain(KeyCode::F(2))), LineKey::Ignored);
    }
}
