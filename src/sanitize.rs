//! Network strings are untrusted: before they reach a terminal, a log or an error
//! message, control characters and escape sequences become visible, harmless text.

/// Replaces every control character (C0, DEL, C1) with a visible `\u{..}` escape,
/// so `ESC [2J` or an OSC title sequence is shown, never executed.
pub fn sanitize(input: &str) -> String {
    if !input.chars().any(char::is_control) {
        return input.to_string();
    }
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// A short, safe excerpt of a response body for an error message.
pub fn excerpt(body: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut short: String = collapsed.chars().take(max_chars).collect();
    if collapsed.chars().count() > max_chars {
        short.push('…');
    }
    sanitize(&short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_text() {
        let hostile = "phone\u{1b}[2J\u{1b}]0;owned\u{7}";
        let clean = sanitize(hostile);
        assert!(!clean.chars().any(char::is_control));
        assert_eq!(clean, "phone\\u{1b}[2J\\u{1b}]0;owned\\u{7}");
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(sanitize("Running 上海"), "Running 上海");
    }

    #[test]
    fn excerpt_collapses_whitespace_and_truncates() {
        let html = b"<html>\n  <body>502   Bad Gateway</body>\n</html>";
        assert_eq!(excerpt(html, 20), "<html> <body>502 Bad…");
    }
}
