//! Failed and unknown targets counted by cause (code and message), so thousands of
//! failures read as a few lines: "KOOPHONE.API.1001 Insufficient instance permissions
//! ×3623". The dashboard's action entries and exit line, the headless commands' summary
//! and `phonedeck audit --action` all group the same way.

use crate::api::{Outcome, TargetOutcome};

/// Causes told apart; any further ones are counted together.
const MAX_CAUSES: usize = 16;
/// Causes a line names, most frequent first.
const CAUSES_SHOWN: usize = 3;
/// Causes past `MAX_CAUSES`, counted together.
const OTHER_CAUSES: &str = "other causes";

/// A cause and how many targets it stopped.
type Counted = (String, usize);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Causes(Vec<Counted>);

impl Causes {
    /// Counts a target's outcome if it failed or went unanswered.
    pub fn note(&mut self, outcome: &TargetOutcome) {
        if let Some(cause) = cause_of(outcome) {
            self.add(cause, 1);
        }
    }

    /// Counts a `failed` or `unknown` target with its code and message (as the audit
    /// log keeps them); other outcomes are not causes.
    pub fn note_parts(&mut self, outcome: &str, code: Option<&str>, message: Option<&str>) {
        if let Some(cause) = cause_from_parts(outcome, code, message) {
            self.add(cause, 1);
        }
    }

    /// Counts a cause `cause_of` gave.
    pub fn note_cause(&mut self, cause: &str) {
        self.add(cause.to_string(), 1);
    }

    pub fn merge(&mut self, other: &Causes) {
        for (cause, count) in &other.0 {
            self.add(cause.clone(), *count);
        }
    }

    fn add(&mut self, cause: String, count: usize) {
        if let Some((_, total)) = self.0.iter_mut().find(|(c, _)| *c == cause) {
            *total += count;
        } else if self.0.len() < MAX_CAUSES {
            self.0.push((cause, count));
        } else if let Some((_, total)) = self.0.iter_mut().find(|(c, _)| c == OTHER_CAUSES) {
            *total += count;
        } else {
            self.0.push((OTHER_CAUSES.to_string(), count));
        }
    }

    /// "KOOPHONE.API.1001 Insufficient instance permissions ×3623; …", most frequent
    /// first; None when nothing failed.
    pub fn text(&self) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        // Causes past the limit are never named, only counted with the rest.
        let (others, mut sorted): (Vec<&Counted>, Vec<&Counted>) =
            self.0.iter().partition(|(cause, _)| cause == OTHER_CAUSES);
        sorted.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        let mut parts: Vec<String> = sorted
            .iter()
            .take(CAUSES_SHOWN)
            .map(|(cause, count)| format!("{cause} ×{count}"))
            .collect();
        let rest: usize = sorted
            .iter()
            .skip(CAUSES_SHOWN)
            .chain(&others)
            .map(|(_, count)| count)
            .sum();
        if rest > 0 {
            parts.push(format!("{rest} more of other causes"));
        }
        Some(parts.join("; "))
    }
}

/// A failed or unanswered target's cause: its code and message ("no answer: …" when it
/// was not answered); None for any other outcome.
pub fn cause_of(outcome: &TargetOutcome) -> Option<String> {
    let kind = match outcome.outcome {
        Outcome::Failed => "failed",
        Outcome::Unknown => "unknown",
        Outcome::Ok | Outcome::NotSent => return None,
    };
    cause_from_parts(
        kind,
        outcome.error_code.as_deref(),
        outcome.error_msg.as_deref(),
    )
}

fn cause_from_parts(outcome: &str, code: Option<&str>, message: Option<&str>) -> Option<String> {
    let why: Vec<&str> = [code, message].into_iter().flatten().collect();
    let why = if why.is_empty() {
        "no reason given".to_string()
    } else {
        why.join(" ")
    };
    match outcome {
        "failed" => Some(why),
        "unknown" => Some(format!("no answer: {why}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_counted_and_named_most_frequent_first() {
        let mut causes = Causes::default();
        for _ in 0..3 {
            causes.note_parts("failed", Some("E1"), Some("denied"));
        }
        causes.note_parts("unknown", None, Some("timed out"));
        causes.note_parts("ok", None, None);
        for code in 0..20 {
            causes.note_parts("failed", Some(&format!("X{code}")), None);
        }
        assert_eq!(
            causes.text().as_deref(),
            Some("E1 denied ×3; no answer: timed out ×1; X0 ×1; 19 more of other causes")
        );
        assert_eq!(Causes::default().text(), None);
    }
}
