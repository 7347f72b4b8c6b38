//! The panes. Each is one unit in its own file: its row type, its column table
//! (`column.rs`), its spec (title, command word, key, actions, footer hints, how it
//! polls) and what it does with a fresh listing. Everything that lists the panes is
//! derived from `Pane::ALL` and `Pane::spec`, so the compiler (and the tests at the
//! end of this file) catch a pane left out.

pub mod column;
pub mod data;
pub mod encoders;
pub mod id;
pub mod listing;
pub mod phones;
pub mod refresh;
pub mod servers;
pub mod spec;
pub mod streams;

use crate::action_kind::ActionKind;

use crate::app::clock::Clock;

use data::{AnyPane, PaneData};
use encoders::EncoderRow;
use listing::Listing;
use phones::Phones;
use refresh::Refresh;
use servers::ServerRow;
use streams::StreamRow;

pub use id::Pane;
pub use spec::{PaneSpec, Polling};

impl Pane {
    pub fn spec(self) -> &'static PaneSpec {
        match self {
            Pane::Phones => &phones::SPEC,
            Pane::Streams => &streams::SPEC,
            Pane::Encoders => &encoders::SPEC,
            Pane::Servers => &servers::SPEC,
        }
    }

    pub fn title(self) -> &'static str {
        self.spec().title
    }

    /// The pane a word or its number (`phones`, `1`) names.
    pub fn named(word: &str) -> Option<Pane> {
        Pane::ALL
            .iter()
            .copied()
            .find(|p| p.spec().word == word || (p.index() + 1).to_string() == word)
    }

    /// The pane whose rows an action kind changes.
    pub fn changed_by(kind: ActionKind) -> Option<Pane> {
        Pane::ALL
            .iter()
            .copied()
            .find(|p| p.spec().actions.iter().any(|(_, k)| *k == kind))
    }
}

/// The panes' data, one field a pane; reached by `get`/`get_mut` whatever the row type.
pub struct Panes {
    pub phones: Phones,
    pub streams: PaneData<StreamRow>,
    pub encoders: PaneData<EncoderRow>,
    pub servers: PaneData<ServerRow>,
}

impl Panes {
    pub fn new(now: std::time::Instant) -> Self {
        Panes {
            phones: Phones::new(now),
            streams: PaneData::new(now),
            encoders: PaneData::new(now),
            servers: PaneData::new(now),
        }
    }

    /// A fresh listing into its pane: which pane, and what the listing changed.
    pub fn listed(&mut self, listing: Listing, seen: Clock) -> (Pane, Refresh) {
        match listing {
            Listing::Phones(result) => (Pane::Phones, self.phones.listed(result, seen)),
            Listing::Streams(domains) => {
                (Pane::Streams, streams::listed(&mut self.streams, domains))
            }
            Listing::Encoders(result) => (
                Pane::Encoders,
                self.encoders.listed(result, "encode server", EncoderRow),
            ),
            Listing::Servers(result) => (
                Pane::Servers,
                self.servers.listed(result, "server", ServerRow),
            ),
        }
    }

    pub fn get(&self, pane: Pane) -> &dyn AnyPane {
        match pane {
            Pane::Phones => &self.phones.table,
            Pane::Streams => &self.streams,
            Pane::Encoders => &self.encoders,
            Pane::Servers => &self.servers,
        }
    }

    pub fn get_mut(&mut self, pane: Pane) -> &mut dyn AnyPane {
        match pane {
            Pane::Phones => &mut self.phones.table,
            Pane::Streams => &mut self.streams,
            Pane::Encoders => &mut self.encoders,
            Pane::Servers => &mut self.servers,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::app::command_line;
    use crate::app::key_action::KeyAction;
    use crate::app::keymap::KeyMap;

    #[test]
    fn every_pane_has_a_distinct_word_key_and_title() {
        let words: HashSet<_> = Pane::ALL.iter().map(|p| p.spec().word).collect();
        let keys: HashSet<_> = Pane::ALL.iter().map(|p| p.spec().key).collect();
        let titles: HashSet<_> = Pane::ALL.iter().map(|p| p.title()).collect();
        assert_eq!(words.len(), Pane::ALL.len());
        assert_eq!(keys.len(), Pane::ALL.len());
        assert_eq!(titles.len(), Pane::ALL.len());
    }

    #[test]
    fn every_pane_is_reachable_by_key_command_word_and_number() {
        let keymap = KeyMap::default();
        for &pane in Pane::ALL {
            let spec = pane.spec();
            assert!(
                keymap.first_key(KeyAction::ShowPane(pane)).is_some(),
                "{} has no key",
                spec.title
            );
            assert_eq!(Pane::named(spec.word), Some(pane));
            assert_eq!(Pane::named(&(pane.index() + 1).to_string()), Some(pane));
            assert!(command_line::words().contains(&spec.word), "{}", spec.word);
        }
    }

    #[test]
    fn every_pane_action_has_a_footer_hint_and_one_pane() {
        for &pane in Pane::ALL {
            for (action, kind) in pane.spec().actions {
                assert!(
                    pane.spec().hints.iter().any(|(a, _)| a == action),
                    "{} offers {action:?} without a hint",
                    pane.title()
                );
                assert_eq!(Pane::changed_by(*kind), Some(pane));
            }
        }
    }

    #[test]
    fn every_pane_is_polled_from_the_start() {
        let clock = crate::app::Clock::system();
        let mut state = crate::app::AppState::new(crate::app::Settings::default(), clock);
        let effects = crate::app::update(&mut state, crate::app::Msg::Tick, clock);
        for &pane in Pane::ALL {
            assert!(
                effects.contains(&crate::app::Effect::List(pane)),
                "{} is never listed: {effects:?}",
                pane.title()
            );
        }
    }

    #[test]
    fn every_pane_has_data_with_its_own_columns() {
        let panes = Panes::new(std::time::Instant::now());
        for &pane in Pane::ALL {
            let headings = panes.get(pane).headings();
            assert!(!headings.is_empty(), "{}", pane.title());
            let fields: HashSet<_> = headings.iter().map(|h| h.field).collect();
            assert_eq!(fields.len(), headings.len(), "{}", pane.title());
        }
    }
}
