//! A table's view state, the same for every pane: cursor, filter, sort and marks.
//! The filtered, sorted order is recomputed when data, filter or sort change, never
//! while drawing, so a frame costs the same for 100 rows and 100,000.

use std::cmp::Ordering;
use std::collections::HashSet;

use super::pane::column::{TableRow, compare, matches};

/// The first row on screen in a window of `height` rows: the cursor stays visible.
pub fn window_start(cursor: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        cursor.saturating_sub(height - 1)
    }
}

/// Two lists sorted by `order` (a total order: no two elements equal) as one. Each of
/// the few `moved` finds its place in `kept` by binary search, and `kept` is copied in
/// slices between them: k log n comparisons, not n.
fn merge(
    kept: Vec<usize>,
    moved: Vec<usize>,
    order: impl Fn(usize, usize) -> Ordering,
) -> Vec<usize> {
    let mut merged = Vec::with_capacity(kept.len() + moved.len());
    let mut rest = kept.as_slice();
    for m in moved {
        let before = rest.partition_point(|&x| order(x, m) == Ordering::Less);
        merged.extend_from_slice(&rest[..before]);
        merged.push(m);
        rest = &rest[before..];
    }
    merged.extend_from_slice(rest);
    merged
}

#[derive(Debug, Clone, Default)]
pub struct TableView {
    pub cursor: usize,
    pub filter: String,
    /// (column, descending); None keeps the service's order.
    pub sort: Option<(usize, bool)>,
    pub marks: HashSet<String>,
    /// Indices into the rows, filtered and sorted.
    pub visible: Vec<usize>,
}

impl TableView {
    /// Recomputes the visible order and drops marks of rows that no longer exist. The
    /// filter also searches each row's `last_error`.
    pub fn refresh<R: TableRow>(&mut self, rows: &[R], last_error: &dyn Fn(&R) -> String) {
        let needle = self.filter.to_lowercase();
        let cursor_key = self.cursor_key(rows).map(str::to_string);
        self.visible = (0..rows.len())
            .filter(|&i| matches(&rows[i], &needle, last_error))
            .collect();
        if let Some((column, descending)) = self.sort {
            self.visible.sort_by(|&a, &b| {
                let order = compare(&rows[a], &rows[b], column);
                if descending { order.reverse() } else { order }
            });
        }
        if !self.marks.is_empty() {
            let keys: HashSet<&str> = rows.iter().map(TableRow::key).collect();
            self.marks.retain(|k| keys.contains(k.as_str()));
        }
        // Keep the cursor on the same row when it is still shown.
        if let Some(key) = cursor_key {
            if let Some(pos) = self.visible.iter().position(|&i| rows[i].key() == key) {
                self.cursor = pos;
            }
        }
        self.clamp();
    }

    /// After the rows at `changed` changed in place (none added or removed): only those
    /// rows leave the visible order and are merged back where they now belong, in
    /// O(n + k log k) instead of a full re-sort. Ties fall in row order, as in the stable
    /// sort of `refresh`, so both give the same order.
    pub fn refresh_changed<R: TableRow>(
        &mut self,
        rows: &[R],
        changed: &[usize],
        last_error: &dyn Fn(&R) -> String,
    ) {
        if changed.is_empty() {
            return;
        }
        let cursor_row = self.visible.get(self.cursor).copied();
        let mut is_changed = vec![false; rows.len()];
        for &i in changed.iter().filter(|&&i| i < rows.len()) {
            is_changed[i] = true;
        }
        self.visible.retain(|&i| !is_changed[i]);
        let needle = self.filter.to_lowercase();
        let mut moved: Vec<usize> = (0..rows.len())
            .filter(|&i| is_changed[i] && matches(&rows[i], &needle, last_error))
            .collect();
        moved.sort_by(|&a, &b| self.order(rows, a, b));
        let kept = std::mem::take(&mut self.visible);
        self.visible = merge(kept, moved, |a, b| self.order(rows, a, b));
        if let Some(row) = cursor_row {
            if let Some(pos) = self.visible.iter().position(|&i| i == row) {
                self.cursor = pos;
            }
        }
        self.clamp();
    }

    /// The visible order: the sort column (reversed when descending), then row order.
    fn order<R: TableRow>(&self, rows: &[R], a: usize, b: usize) -> Ordering {
        match self.sort {
            None => a.cmp(&b),
            Some((column, descending)) => {
                let order = compare(&rows[a], &rows[b], column);
                let order = if descending { order.reverse() } else { order };
                order.then(a.cmp(&b))
            }
        }
    }

    fn clamp(&mut self) {
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    pub fn cursor_row<'a, R: TableRow>(&self, rows: &'a [R]) -> Option<&'a R> {
        self.visible.get(self.cursor).and_then(|&i| rows.get(i))
    }

    fn cursor_key<'a, R: TableRow>(&self, rows: &'a [R]) -> Option<&'a str> {
        self.cursor_row(rows).map(TableRow::key)
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, last.max(0)) as usize;
    }

    pub fn top(&mut self) {
        self.cursor = 0;
    }

    pub fn bottom(&mut self) {
        self.cursor = self.visible.len().saturating_sub(1);
    }

    pub fn toggle_mark<R: TableRow>(&mut self, rows: &[R]) {
        if let Some(key) = self.cursor_key(rows) {
            if !self.marks.remove(key) {
                self.marks.insert(key.to_string());
            }
        }
    }

    pub fn mark_all_visible<R: TableRow>(&mut self, rows: &[R]) {
        for &i in &self.visible {
            self.marks.insert(rows[i].key().to_string());
        }
    }

    /// Next sort column (cycling through `columns`, then back to none).
    pub fn cycle_sort(&mut self, columns: usize) {
        self.sort = match self.sort {
            None => Some((0, false)),
            Some((c, d)) if c + 1 < columns => Some((c + 1, d)),
            Some(_) => None,
        };
    }

    pub fn reverse_sort(&mut self) {
        self.sort = Some(match self.sort {
            None => (0, true),
            Some((c, d)) => (c, !d),
        });
    }

    /// The targets of an action: the marked rows (in table order, hidden ones last),
    /// or the cursor row when nothing is marked. Also how many marked rows the filter hides.
    pub fn targets<R: TableRow>(&self, rows: &[R]) -> (Vec<String>, usize) {
        if self.marks.is_empty() {
            let cursor = self.cursor_key(rows).map(|k| vec![k.to_string()]);
            return (cursor.unwrap_or_default(), 0);
        }
        let mut targets: Vec<String> = self
            .visible
            .iter()
            .map(|&i| rows[i].key())
            .filter(|k| self.marks.contains(*k))
            .map(str::to_string)
            .collect();
        let shown = targets.len();
        let shown_keys: HashSet<&str> = targets.iter().map(String::as_str).collect();
        let mut hidden: Vec<String> = self
            .marks
            .iter()
            .filter(|k| !shown_keys.contains(k.as_str()))
            .cloned()
            .collect();
        drop(shown_keys);
        hidden.sort();
        let hidden_count = hidden.len();
        targets.extend(hidden);
        debug_assert_eq!(targets.len(), shown + hidden_count);
        (targets, hidden_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_cursor_visible() {
        assert_eq!(window_start(3, 10), 0);
        assert_eq!(window_start(25, 10), 16);
    }

    use crate::app::pane::column::{Column, Shown};

    struct R(&'static str, u32);

    impl TableRow for R {
        const COLUMNS: &'static [Column<Self>] = &[
            Column {
                title: "KEY",
                field: "key",
                width: 10,
                priority: 0,
                sort_key: 'k',
                value: |r| r.0.to_string(),
                shown: |r, _| Shown::plain(r.0.to_string()),
                order: |a, b| a.0.cmp(b.0),
                searched: true,
                observed: false,
            },
            Column {
                title: "NUMBER",
                field: "number",
                width: 6,
                priority: 0,
                sort_key: 'n',
                value: |r| r.1.to_string(),
                shown: |r, _| Shown::plain(r.1.to_string()),
                order: |a, b| a.1.cmp(&b.1),
                searched: true,
                observed: false,
            },
        ];

        fn key(&self) -> &str {
            self.0
        }

        fn fields(&self) -> Vec<(String, String)> {
            vec![("key".into(), self.0.to_string())]
        }

        fn json(&self) -> serde_json::Map<String, serde_json::Value> {
            serde_json::Map::from_iter([("key".into(), self.0.into())])
        }
    }

    fn rows() -> Vec<R> {
        vec![R("b-offline", 3), R("a-running", 1), R("c-offline", 2)]
    }

    #[test]
    fn filter_is_case_insensitive_and_sort_reorders() {
        let rows = rows();
        let mut view = TableView {
            filter: "OFFLINE".into(),
            ..TableView::default()
        };
        view.refresh(&rows, &|_| String::new());
        assert_eq!(view.visible, [0, 2]);
        view.sort = Some((1, false));
        view.refresh(&rows, &|_| String::new());
        assert_eq!(view.visible, [2, 0]);
    }

    #[test]
    fn targets_are_marks_with_hidden_count_or_the_cursor() {
        let rows = rows();
        let mut view = TableView::default();
        view.refresh(&rows, &|_| String::new());
        assert_eq!(view.targets(&rows), (vec!["b-offline".to_string()], 0));
        view.marks.insert("a-running".into());
        view.marks.insert("c-offline".into());
        view.filter = "offline".into();
        view.refresh(&rows, &|_| String::new());
        assert_eq!(
            view.targets(&rows),
            (vec!["c-offline".to_string(), "a-running".to_string()], 1)
        );
    }

    #[test]
    fn marks_of_vanished_rows_are_dropped_and_cursor_follows_its_row() {
        let mut rows = rows();
        let mut view = TableView::default();
        view.refresh(&rows, &|_| String::new());
        view.move_by(2);
        view.marks.insert("b-offline".into());
        rows.remove(0);
        view.refresh(&rows, &|_| String::new());
        assert!(view.marks.is_empty());
        assert_eq!(view.cursor_row(&rows).map(|r| r.0), Some("c-offline"));
    }
}
