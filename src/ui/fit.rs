//! Fitting a line of items into a width: whole items are dropped, least important
//! first, never cut in the middle of a word; the rest keep their order.

use ratatui::text::Span;

/// One item of a line: its spans (leading space included) and its rank (0 is kept
/// longest).
pub struct Item {
    pub rank: u8,
    pub spans: Vec<Span<'static>>,
}

impl Item {
    pub fn new(rank: u8, spans: Vec<Span<'static>>) -> Self {
        Item { rank, spans }
    }

    fn width(&self) -> usize {
        self.spans.iter().map(Span::width).sum()
    }
}

/// The items that fit in `width`, in their order.
pub fn fit(mut items: Vec<Item>, width: u16) -> Vec<Span<'static>> {
    let width = usize::from(width);
    while items.iter().map(Item::width).sum::<usize>() > width && !items.is_empty() {
        let least = items
            .iter()
            .enumerate()
            .max_by_key(|(position, item)| (item.rank, *position))
            .map_or(0, |(position, _)| position);
        items.remove(least);
    }
    items.into_iter().flat_map(|item| item.spans).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn least_important_items_go_first_and_whole() {
        let items = || {
            vec![
                Item::new(3, vec![Span::raw("prod")]),
                Item::new(5, vec![Span::raw(" Run 136")]),
                Item::new(0, vec![Span::raw(" Off 47")]),
                Item::new(1, vec![Span::raw(" STALE")]),
            ]
        };
        assert_eq!(text(&fit(items(), 80)), "prod Run 136 Off 47 STALE");
        assert_eq!(text(&fit(items(), 20)), "prod Off 47 STALE");
        assert_eq!(text(&fit(items(), 14)), " Off 47 STALE");
        assert_eq!(text(&fit(items(), 3)), "");
    }
}
