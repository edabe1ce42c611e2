//! A list page's query string: its parameters (search, filters, sort, page) kept in the URL, so
//! that every link of the page — a sorted column, the next page — keeps the rest.

/// `?k=v&…` of the pairs with a value, or nothing.
pub fn query_string(pairs: &[(String, String)]) -> String {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    if encoded.is_empty() {
        String::new()
    } else {
        format!("?{encoded}")
    }
}

/// `pairs` with `key` set to `value` (or removed when empty), and back to page 1 unless the
/// page itself is what changes.
pub fn with(pairs: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != key && (key == "page" || k != "page"))
        .cloned()
        .collect();
    if !value.is_empty() {
        out.push((key.to_owned(), value.to_owned()));
    }
    out
}
