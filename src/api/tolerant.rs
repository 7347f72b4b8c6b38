//! Reading list answers the way the official SDK models allow: every field of a row is
//! optional (huaweicloud-sdk-java-v3 and -python-v3 declare them all nullable), so a
//! row missing a field, or holding `null` or an odd type there, is kept with that field
//! unknown. Only a row without its id is dropped, and drops are counted, never silent.
//! One odd row never hides the others; a whole answer of the wrong shape is still an error.

use std::marker::PhantomData;

use serde::de::{DeserializeOwned, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

/// How a field the answer left out (or sent as `null` or an odd type) is shown: one
/// placeholder everywhere (tables, exports, headless output), ASCII so that a CSV
/// cell is plain text.
pub const MISSING: &str = "-";

/// A field's label, or `MISSING`.
pub fn label<T>(value: Option<T>, name: impl FnOnce(T) -> String) -> String {
    value.map_or_else(|| MISSING.to_string(), name)
}

/// A row of a list: it can be acted on only when it has an id.
pub trait Row {
    fn has_id(&self) -> bool;
}

/// The rows of one or more list answers, and how many rows were dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows<T> {
    pub rows: Vec<T>,
    /// Rows without an id (or not even an object): they cannot be shown or acted on.
    pub dropped: usize,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows {
            rows: Vec::new(),
            dropped: 0,
        }
    }
}

impl<T> Rows<T> {
    pub fn new(rows: Vec<T>) -> Self {
        Rows { rows, dropped: 0 }
    }

    /// Adds another page's rows and drops.
    pub fn append(&mut self, other: Rows<T>) {
        self.rows.extend(other.rows);
        self.dropped += other.dropped;
    }

    /// What to tell the engineer about dropped rows of `what`, if any were.
    pub fn drop_note(&self, what: &str) -> Option<String> {
        (self.dropped > 0).then(|| {
            format!(
                "{} {what} row(s) in the answer had no id and were left out",
                self.dropped
            )
        })
    }
}

impl<T> std::ops::Deref for Rows<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.rows
    }
}

impl<T> IntoIterator for Rows<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

impl<T> FromIterator<T> for Rows<T> {
    fn from_iter<I: IntoIterator<Item = T>>(rows: I) -> Self {
        Rows::new(rows.into_iter().collect())
    }
}

impl<'de, T: DeserializeOwned + Row> Deserialize<'de> for Rows<T> {
    /// Each element is first taken as raw JSON (no copy), then read as a row on its
    /// own, so a broken element costs only itself.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RowsVisitor<T>(PhantomData<T>);

        impl<'de, T: DeserializeOwned + Row> Visitor<'de> for RowsVisitor<T> {
            type Value = Rows<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of rows")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rows<T>, A::Error> {
                let mut rows = Rows {
                    rows: Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024)),
                    dropped: 0,
                };
                while let Some(raw) = seq.next_element::<&'de RawValue>()? {
                    match serde_json::from_str::<T>(raw.get()) {
                        Ok(row) if row.has_id() => rows.rows.push(row),
                        _ => rows.dropped += 1,
                    }
                }
                Ok(rows)
            }
        }

        deserializer.deserialize_seq(RowsVisitor(PhantomData))
    }
}

impl<T: Serialize> Serialize for Rows<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.rows.serialize(serializer)
    }
}

/// An optional field: absent, `null` or of another type all read as None.
/// Use with `#[serde(default, deserialize_with = "tolerant::lenient")]`.
pub fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let raw = <&RawValue>::deserialize(deserializer)?;
    Ok(serde_json::from_str(raw.get()).ok())
}

/// A text field (an id or a name, strings in every model): anything but a string
/// reads as empty. Use with `#[serde(default, deserialize_with = "tolerant::text")]`.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    lenient::<D, String>(deserializer).map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        #[serde(default, deserialize_with = "text")]
        id: String,
        #[serde(default, deserialize_with = "lenient")]
        size: Option<i64>,
    }

    impl Row for Item {
        fn has_id(&self) -> bool {
            !self.id.is_empty()
        }
    }

    #[derive(Deserialize)]
    struct Page {
        items: Rows<Item>,
    }

    #[test]
    fn odd_rows_are_kept_and_rows_without_ids_counted() {
        let body = br#"{"items":[{"id":"a","size":1},{"id":"b"},{"id":"c","size":null},
            {"id":"d","size":"big"},{"id":7},{"size":3},{"id":null},{"id":""},null,5]}"#;
        let page: Page = serde_json::from_slice(body).expect("parses");
        let ids: Vec<&str> = page.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(page.items[3].size, None);
        assert_eq!(page.items.dropped, 6);
        assert!(
            page.items
                .drop_note("test")
                .is_some_and(|n| n.starts_with("6 test"))
        );
    }

    #[test]
    fn a_list_of_the_wrong_shape_is_still_an_error() {
        for body in [
            &br#"{"items":7}"#[..],
            br#"{"items":{"id":"a"}}"#,
            br#"{"items":"x"}"#,
        ] {
            assert!(serde_json::from_slice::<Page>(body).is_err());
        }
    }
}
