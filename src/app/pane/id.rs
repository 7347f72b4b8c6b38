//! Which pane: an id and nothing more, so anything may name a pane without reaching
//! the panes themselves (their specs and data live in `pane/mod.rs` and each pane's file).

use strum::VariantArray;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, VariantArray)]
pub enum Pane {
    #[default]
    Phones,
    Streams,
    Encoders,
    Servers,
}

impl Pane {
    /// Every pane, in tab order (derived from the enum).
    pub const ALL: &'static [Pane] = Pane::VARIANTS;

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn cycle(self, step: isize) -> Pane {
        let n = Pane::ALL.len() as isize;
        Pane::ALL[((self.index() as isize + step).rem_euclid(n)) as usize]
    }
}
