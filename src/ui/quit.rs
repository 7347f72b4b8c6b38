//! Asked on `q` while actions are still running.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::AppState;

use super::{popup, styles::Styles};

pub fn draw(frame: &mut Frame, state: &AppState, styles: &Styles) {
    let lines = vec![
        Line::from(Span::styled(
            format!(" {} action(s) still running.", state.running_actions),
            styles.title(),
        )),
        Line::from(" Requests already sent may still take effect;"),
        Line::from(" their outcomes are in the audit log."),
        Line::from(""),
        Line::from(" Quit anyway?  y quit · n stay"),
    ];
    popup::draw(frame, "Quit?", lines, 52, styles);
}
