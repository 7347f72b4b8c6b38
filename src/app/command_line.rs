//! The `:` command line, as in k9s and vim: `:profile prod-eu`, `:phones`,
//! `:servers`, `:filter offline`, `:quit`. Tab completes the command, a profile name
//! or a status; parsing and completion are pure.

use super::pane::Pane;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Pane(Pane),
    /// Filter the current pane (empty clears it).
    Filter(String),
    Profile(String),
    Help,
    Quit,
    /// Stop the running actions from sending more requests.
    Cancel,
    /// An action again (the latest, or the one named by its id), on the targets it
    /// left undone.
    Retry(Option<String>),
}

/// The command words, as offered for completion: `profile`, each pane's word, then
/// the rest (`q` is accepted too, but not offered).
pub fn words() -> Vec<&'static str> {
    std::iter::once("profile")
        .chain(Pane::ALL.iter().map(|p| p.spec().word))
        .chain(["filter", "cancel", "retry", "help", "quit"])
        .collect()
}

/// Words `:filter` completes to: the statuses an engineer filters by.
const FILTER_WORDS: [&str; 10] = [
    "offline",
    "running",
    "stopped",
    "starting",
    "shut down",
    "unknown",
    "abnormal",
    "active",
    "error",
    "shutoff",
];

pub fn parse(input: &str, profiles: &[String]) -> Result<Command, String> {
    let input = input.trim();
    let (word, argument) = match input.split_once(' ') {
        Some((word, rest)) => (word, rest.trim()),
        None => (input, ""),
    };
    if let Some(pane) = Pane::named(word) {
        return Ok(Command::Pane(pane));
    }
    match word {
        "filter" | "f" => Ok(Command::Filter(argument.to_string())),
        "help" | "?" => Ok(Command::Help),
        "quit" | "q" => Ok(Command::Quit),
        "cancel" => Ok(Command::Cancel),
        "retry" | "t" => Ok(Command::Retry(
            (!argument.is_empty()).then(|| argument.to_string()),
        )),
        "profile" | "p" if argument.is_empty() => Err(format!(
            "which profile? {}",
            if profiles.is_empty() {
                "(none configured: the demo has no other profiles)".to_string()
            } else {
                profiles.join(", ")
            }
        )),
        "profile" | "p" if profiles.iter().any(|p| p == argument) => {
            Ok(Command::Profile(argument.to_string()))
        }
        "profile" | "p" => Err(format!(
            "no profile `{argument}`; known: {}",
            profiles.join(", ")
        )),
        "" => Err(format!("type a command: {}", words().join(", "))),
        other => Err(format!(
            "unknown command `{other}`; known: {}",
            words().join(", ")
        )),
    }
}

/// What the command line completes arguments from: the profiles, and the ids of the
/// actions listed (this session's and earlier runs').
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    pub profiles: &'a [String],
    pub actions: &'a [String],
}

/// The candidates for what is being typed: command names, or the argument's values.
pub fn candidates(input: &str, known: Known) -> Vec<String> {
    match input.split_once(' ') {
        None => starting_with(words().into_iter(), input),
        Some(("profile" | "p", typed)) => {
            starting_with(known.profiles.iter().map(String::as_str), typed)
        }
        Some(("filter" | "f", typed)) => starting_with(FILTER_WORDS.iter().copied(), typed),
        Some(("retry" | "t", typed)) => {
            starting_with(known.actions.iter().map(String::as_str), typed)
        }
        Some(_) => Vec::new(),
    }
}

fn starting_with<'a>(words: impl Iterator<Item = &'a str>, typed: &str) -> Vec<String> {
    let typed = typed.to_lowercase();
    words
        .filter(|w| w.to_lowercase().starts_with(&typed))
        .map(str::to_string)
        .collect()
}

/// Tab: completes to the only candidate (a command gets its space), or to the
/// candidates' common prefix; None when there is nothing to add.
pub fn complete(input: &str, known: Known) -> Option<String> {
    let found = candidates(input, known);
    let (head, typed) = match input.split_once(' ') {
        Some((word, typed)) => (format!("{word} "), typed),
        None => (String::new(), input),
    };
    let completed = match found.as_slice() {
        [] => return None,
        [only] if head.is_empty() => format!("{only} "),
        [only] => only.clone(),
        many => common_prefix(many),
    };
    (completed.len() > typed.len()).then(|| format!("{head}{completed}"))
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut end = first.len();
    for word in &words[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(word.chars())
                .find(|((_, a), b)| a != b)
                .map_or(end.min(word.len()), |((i, _), _)| i),
        );
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> Vec<String> {
        vec!["prod-eu".into(), "prod-us".into(), "staging".into()]
    }

    #[test]
    fn parses_commands_and_checks_profiles() {
        assert_eq!(
            parse("servers", &profiles()),
            Ok(Command::Pane(Pane::Servers))
        );
        assert_eq!(
            parse("filter shut down", &profiles()),
            Ok(Command::Filter("shut down".into()))
        );
        assert_eq!(
            parse("filter", &profiles()),
            Ok(Command::Filter(String::new()))
        );
        assert_eq!(
            parse("profile staging", &profiles()),
            Ok(Command::Profile("staging".into()))
        );
        let err = parse("profile prod", &profiles()).expect_err("unknown profile");
        assert!(err.contains("prod-eu, prod-us, staging"), "{err}");
        assert!(parse("explode", &profiles()).is_err());
    }

    fn known(profiles: &[String]) -> Known<'_> {
        Known {
            profiles,
            actions: &[],
        }
    }

    #[test]
    fn retry_takes_an_action_id_and_tab_completes_it() {
        let actions = vec!["3fa9c1d2-4".to_string(), "e77b21aa90c1".to_string()];
        let known = Known {
            profiles: &[],
            actions: &actions,
        };
        assert_eq!(
            complete("retry e", known),
            Some("retry e77b21aa90c1".into())
        );
        assert_eq!(
            parse("retry e77b21aa90c1", &[]),
            Ok(Command::Retry(Some("e77b21aa90c1".into())))
        );
        assert_eq!(parse("retry", &[]), Ok(Command::Retry(None)));
    }

    #[test]
    fn tab_completes_commands_profiles_and_statuses() {
        assert_eq!(complete("pro", known(&profiles())), Some("profile ".into()));
        assert_eq!(
            complete("s", known(&profiles())),
            None,
            "streams or servers: nothing to add"
        );
        assert_eq!(complete("se", known(&profiles())), Some("servers ".into()));
        assert_eq!(
            complete("profile p", known(&profiles())),
            Some("profile prod-".into())
        );
        assert_eq!(
            complete("profile prod-e", known(&profiles())),
            Some("profile prod-eu".into())
        );
        assert_eq!(
            complete("filter off", known(&profiles())),
            Some("filter offline".into())
        );
        assert_eq!(candidates("s", known(&profiles())), ["streams", "servers"]);
    }
}
