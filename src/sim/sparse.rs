//! `--faults sparse`: answers as thin as the official models allow. Every row field
//! is optional there (huaweicloud-sdk-java-v3 KooPhone, -python-v3 CPH and Live, Nova's
//! v2.69 down-cell servers), so every third row leaves its optional fields out and
//! every third sends them as `null`; the first page of the phone and server lists
//! (paged by number and by marker) also carries one row with no id at all (a client
//! must leave it out and say so); KooPhone's errors come
//! inside `data`, as the Java SDK's list model declares them.

use serde_json::{Value, json};

/// Thins one row in place: `index` picks which of the three forms it takes.
pub fn thin(row: &mut Value, index: usize, keep: &[&str]) {
    let Some(object) = row.as_object_mut() else {
        return;
    };
    match index % 3 {
        1 => object.retain(|name, _| keep.contains(&name.as_str())),
        2 => object
            .iter_mut()
            .filter(|(name, _)| !keep.contains(&name.as_str()))
            .for_each(|(_, value)| *value = Value::Null),
        _ => {}
    }
}

/// Thins every row of a list; `first` is the list position of the first row, so a
/// row looks the same whichever page it comes on.
pub fn thin_rows(rows: &mut [Value], first: usize, keep: &[&str]) {
    for (i, row) in rows.iter_mut().enumerate() {
        thin(row, first + i, keep);
    }
}

/// Puts a row without an id (only `fields`) before the rows of a list's first page.
pub fn add_row_without_id(rows: &mut Vec<Value>, first: usize, fields: Value) {
    if first == 0 {
        rows.insert(0, fields);
    }
}

/// A KooPhone error body with the error inside `data`.
pub fn error_inside_data(code: &str, message: &str) -> Value {
    json!({ "data": { "error_code": code, "error_msg": message } })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_ids_and_lose_or_null_the_rest() {
        let mut rows: Vec<Value> = (0..3)
            .map(|i| json!({ "id": format!("s{i}"), "name": "n", "status": "ACTIVE" }))
            .collect();
        thin_rows(&mut rows, 0, &["id"]);
        assert_eq!(
            rows[0],
            json!({ "id": "s0", "name": "n", "status": "ACTIVE" })
        );
        assert_eq!(rows[1], json!({ "id": "s1" }));
        assert_eq!(rows[2], json!({ "id": "s2", "name": null, "status": null }));
    }
}
