//! Network strings are untrusted: before they reach a terminal, a log or an error
//! message, control characters, escape sequences and invisible or reordering
//! characters become visible, harmless text.

/// Replaces every control character (C0, DEL, C1), every format character (Unicode
/// category Cf: bidi overrides and isolates, zero-width characters, the BOM) and the
/// line and paragraph separators with a visible `\u{..}` escape, so `ESC [2J`, an OSC
/// title sequence or a right-to-left override that reorders a phone's name is shown,
/// never obeyed.
pub fn sanitize(input: &str) -> String {
    sanitized(input).into_owned()
}

/// As `sanitize`, borrowing text that needs no change (most of it): for printing long
/// lists without copying every cell.
pub fn sanitized(input: &str) -> std::borrow::Cow<'_, str> {
    if !input.chars().any(is_unsafe) {
        return input.into();
    }
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        if is_unsafe(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Characters a terminal obeys or hides instead of showing.
fn is_unsafe(c: char) -> bool {
    c.is_control() || (c >= '\u{ad}' && is_format_or_separator(c))
}

/// Unicode 16's category Cf, plus Zl (U+2028) and Zp (U+2029). Rust's `char` has no
/// general category, and the table is short enough to keep here.
fn is_format_or_separator(c: char) -> bool {
    const RANGES: &[(char, char)] = &[
        ('\u{ad}', '\u{ad}'),
        ('\u{600}', '\u{605}'),
        ('\u{61c}', '\u{61c}'),
        ('\u{6dd}', '\u{6dd}'),
        ('\u{70f}', '\u{70f}'),
        ('\u{890}', '\u{891}'),
        ('\u{8e2}', '\u{8e2}'),
        ('\u{180e}', '\u{180e}'),
        ('\u{200b}', '\u{200f}'),
        ('\u{2028}', '\u{202e}'),
        ('\u{2060}', '\u{2064}'),
        ('\u{2066}', '\u{206f}'),
        ('\u{feff}', '\u{feff}'),
        ('\u{fff9}', '\u{fffb}'),
        ('\u{110bd}', '\u{110bd}'),
        ('\u{110cd}', '\u{110cd}'),
        ('\u{13430}', '\u{1343f}'),
        ('\u{1bca0}', '\u{1bca3}'),
        ('\u{1d173}', '\u{1d17a}'),
        ('\u{e0001}', '\u{e0001}'),
        ('\u{e0020}', '\u{e007f}'),
    ];
    RANGES
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
}

/// Masks the password of every URL in `text` (`http://alice:s3cret@proxy` becomes
/// `http://alice:***@proxy`), and of a proxy value without a scheme
/// (`HTTP_PROXY=alice:s3cret@proxy:3128`): the one way an endpoint, a proxy variable, an
/// `auth_url` or a `Location` is shown in `doctor`, errors, logs and the detail view.
pub fn mask_url_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word_start = 0;
    for (index, c) in text.char_indices().chain([(text.len(), ' ')]) {
        if c.is_whitespace() {
            mask_word(&text[word_start..index], &mut out);
            if index < text.len() {
                out.push(c);
            }
            word_start = index + c.len_utf8();
        }
    }
    out
}

/// One whitespace-free word: its authority starts after `://`, else after `=`, else at
/// its start, and ends at `/`, `?` or `#`.
fn mask_word(word: &str, out: &mut String) {
    let authority_start = word
        .find("://")
        .map(|at| at + 3)
        .or_else(|| word.find('=').map(|at| at + 1))
        .unwrap_or(0);
    let rest = &word[authority_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    out.push_str(&word[..authority_start]);
    match authority.rfind('@').map(|at| authority.split_at(at)) {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            out.push_str(user);
            out.push_str(":***");
            out.push_str(host);
            out.push_str(&rest[authority_end..]);
        }
        _ => out.push_str(rest),
    }
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
    fn invisible_and_reordering_characters_become_visible_text() {
        for hostile in [
            '\u{202e}',
            '\u{202a}',
            '\u{2066}',
            '\u{2069}',
            '\u{200b}',
            '\u{200d}',
            '\u{feff}',
            '\u{2028}',
            '\u{2029}',
            '\u{ad}',
            '\u{e0041}',
        ] {
            let clean = sanitize(&format!("phone-{hostile}7"));
            assert_eq!(
                clean,
                format!("phone-{}7", hostile.escape_unicode()),
                "{:?}",
                hostile
            );
        }
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(sanitize("Running 上海"), "Running 上海");
        assert_eq!(sanitize("Ünïcödé — “quoted” 🙂"), "Ünïcödé — “quoted” 🙂");
    }

    #[test]
    fn url_passwords_are_masked_wherever_they_stand() {
        assert_eq!(
            mask_url_secrets(
                "endpoints.koophone http://proxyuser:ProxyPass-S3cret@10.0.0.1:8080/v1?a=b"
            ),
            "endpoints.koophone http://proxyuser:***@10.0.0.1:8080/v1?a=b"
        );
        assert_eq!(
            mask_url_secrets(
                "HTTP_PROXY=alice:Pr0xy@p:3128 and https://bob:x@y@h/ and https://h/a@b"
            ),
            "HTTP_PROXY=alice:***@p:3128 and https://bob:***@h/ and https://h/a@b"
        );
        assert_eq!(mask_url_secrets("https://user@host/"), "https://user@host/");
        assert_eq!(mask_url_secrets("no url: here"), "no url: here");
        assert_eq!(
            mask_url_secrets("(http://a:b@h)\tmail oncall@example.com"),
            "(http://a:***@h)\tmail oncall@example.com"
        );
    }

    #[test]
    fn excerpt_collapses_whitespace_and_truncates() {
        let html = b"<html>\n  <body>502   Bad Gateway</body>\n</html>";
        assert_eq!(excerpt(html, 20), "<html> <body>502 Bad…");
    }
}
