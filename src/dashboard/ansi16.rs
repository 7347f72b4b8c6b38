//! Drawing with the 16 basic colours' own codes (SGR 30-37, 90-97 and their
//! backgrounds). crossterm writes every colour as `38;5;N`, which a terminal with
//! only 16 colours (TERM=screen, linux, plain xterm) may not understand.

use std::io::Write;

use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};

/// The palette the terminal can show, from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    /// 256 colours or more: crossterm's encoding.
    Full,
    /// The 16 basic colours, with their own codes.
    Basic,
    /// NO_COLOR: no colour at all; bold, underline and reverse stay.
    None,
}

impl Palette {
    /// NO_COLOR wins; then a terminal that says it has 256 colours or true colour
    /// (TERM=*-256color, COLORTERM=truecolor) gets the full palette, any other the basic one.
    pub fn from_env() -> Palette {
        let var = |name| std::env::var(name).unwrap_or_default();
        Palette::detect(&var("NO_COLOR"), &var("TERM"), &var("COLORTERM"))
    }

    pub fn detect(no_color: &str, term: &str, colorterm: &str) -> Palette {
        if !no_color.is_empty() {
            Palette::None
        } else if term.contains("256color")
            || term.contains("truecolor")
            || term.contains("direct")
            || matches!(colorterm, "truecolor" | "24bit")
        {
            Palette::Full
        } else {
            Palette::Basic
        }
    }
}

/// The SGR number of a colour as a foreground (a background is 10 more); colours
/// beyond the 16 (a theme's #rrggbb) fall back to the terminal's default.
fn foreground(color: Color) -> u8 {
    match color {
        Color::Black | Color::Indexed(0) => 30,
        Color::Red | Color::Indexed(1) => 31,
        Color::Green | Color::Indexed(2) => 32,
        Color::Yellow | Color::Indexed(3) => 33,
        Color::Blue | Color::Indexed(4) => 34,
        Color::Magenta | Color::Indexed(5) => 35,
        Color::Cyan | Color::Indexed(6) => 36,
        Color::Gray | Color::Indexed(7) => 37,
        Color::DarkGray | Color::Indexed(8) => 90,
        Color::LightRed | Color::Indexed(9) => 91,
        Color::LightGreen | Color::Indexed(10) => 92,
        Color::LightYellow | Color::Indexed(11) => 93,
        Color::LightBlue | Color::Indexed(12) => 94,
        Color::LightMagenta | Color::Indexed(13) => 95,
        Color::LightCyan | Color::Indexed(14) => 96,
        Color::White | Color::Indexed(15) => 97,
        _ => 39,
    }
}

const MODIFIERS: [(Modifier, u8); 8] = [
    (Modifier::BOLD, 1),
    (Modifier::DIM, 2),
    (Modifier::ITALIC, 3),
    (Modifier::UNDERLINED, 4),
    (Modifier::SLOW_BLINK, 5),
    (Modifier::REVERSED, 7),
    (Modifier::HIDDEN, 8),
    (Modifier::CROSSED_OUT, 9),
];

fn sgr(cell: &Cell) -> String {
    let mut codes = vec!["0".to_string()];
    for (modifier, code) in MODIFIERS {
        if cell.modifier.contains(modifier) {
            codes.push(code.to_string());
        }
    }
    codes.push(foreground(cell.fg).to_string());
    codes.push((foreground(cell.bg) + 10).to_string());
    format!("\u{1b}[{}m", codes.join(";"))
}

/// Writes changed cells: a move only where a cell does not follow the last one, a
/// style only where it changes, and a reset at the end.
pub fn draw<'a>(
    content: impl Iterator<Item = (u16, u16, &'a Cell)>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut next: Option<(u16, u16)> = None;
    let mut style = String::new();
    for (x, y, cell) in content {
        if next != Some((x, y)) {
            write!(out, "\u{1b}[{};{}H", y + 1, x + 1)?;
        }
        let wanted = sgr(cell);
        if wanted != style {
            out.write_all(wanted.as_bytes())?;
            style = wanted;
        }
        out.write_all(cell.symbol().as_bytes())?;
        next = Some((x + 1, y));
    }
    out.write_all(b"\x1b[0m")
}

#[cfg(test)]
mod tests {
    use ratatui::style::Style;

    use super::*;

    #[test]
    fn basic_codes_moves_only_where_needed_and_a_reset() {
        let mut red = Cell::new("O");
        red.set_style(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD));
        let mut plain = Cell::new("k");
        plain.set_style(Style::new().fg(Color::DarkGray).bg(Color::Black));
        let cells = [(3, 1, &red), (4, 1, &red), (9, 1, &plain)];
        let mut out = Vec::new();
        draw(cells.into_iter(), &mut out).expect("written");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "\u{1b}[2;4H\u{1b}[0;1;31;49mOO\u{1b}[2;10H\u{1b}[0;90;40mk\u{1b}[0m"
        );
        assert!(!text.contains("38;5"));
    }

    #[test]
    fn palette_from_the_environment() {
        assert_eq!(Palette::detect("1", "xterm-256color", ""), Palette::None);
        assert_eq!(Palette::detect("", "tmux-256color", ""), Palette::Full);
        assert_eq!(Palette::detect("", "xterm", "truecolor"), Palette::Full);
        assert_eq!(Palette::detect("", "screen", ""), Palette::Basic);
        assert_eq!(Palette::detect("", "linux", ""), Palette::Basic);
    }
}
