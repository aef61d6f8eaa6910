//! What of a request goes into its audit event: the hash of the normalized
//! query, and the variables with personal values redacted. Pure functions.
//!
//! **Query.** Only a hash is stored, never the text (an inline argument can
//! be a NIP). Normalization keeps the GraphQL tokens and drops what the
//! language ignores — whitespace, commas, comments — then joins the tokens
//! with one space; strings stay verbatim. Two requests that differ only in
//! layout hash the same.
//!
//! **Redaction rule.** In the variables, the value (with everything below it)
//! of any key that names personal data is replaced by `"[REDACTED]"`: after
//! lower-casing and dropping `_` and `-`, keys equal to or ending in `nip`,
//! `nrp`, `nik` or `nipppk`, and keys containing `name`, `phone`, `telp`,
//! `email`, `address`, `alamat` or `contact`. Independently of the key, any
//! string or number that looks personal is redacted too: an e-mail address
//! (`x@y`), 16 or more digits once spaces, dots and dashes are removed (NIK
//! 16, NIP 18), or a phone number (`+62…`, `62…` or `08…` with 9 to 15
//! digits). Everything else — case numbers, region codes, dates, states,
//! cursors, page sizes — is kept, so auditors see what was asked for.
//! Variables longer than [`MAX_VARIABLES`] bytes after redaction are stored
//! as a note of their size only.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The replacement of a redacted value.
pub const REDACTED: &str = "[REDACTED]";

/// Largest redacted variables text stored, in bytes.
pub const MAX_VARIABLES: usize = 8 * 1024;

/// The query's tokens joined by single spaces (see the module doc).
pub fn normalize_query(query: &str) -> String {
    let bytes = query.as_bytes();
    let at = |i: usize, s: &str| bytes.get(i..).is_some_and(|b| b.starts_with(s.as_bytes()));
    let mut tokens: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            _ if at(i, "\u{feff}") => i += 3,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if at(i, "\"\"\"") => {
                i += 3;
                while i < bytes.len() && !at(i, "\"\"\"") {
                    i += if at(i, "\\\"\"\"") { 4 } else { 1 };
                }
                i = (i + 3).min(bytes.len());
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
            }
            b'.' if at(i, "...") => i += 3,
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'+' => {
                // Names and numbers (a number may hold `.`, `e`, `+`, `-`).
                let number = c.is_ascii_digit() || c == b'-';
                i += 1;
                while i < bytes.len() {
                    let d = bytes[i];
                    let exponent_sign = (d == b'+' || d == b'-') && matches!(bytes[i - 1], b'e' | b'E');
                    if !(d.is_ascii_alphanumeric() || d == b'_' || (number && (d == b'.' || exponent_sign))) {
                        break;
                    }
                    i += 1;
                }
            }
            // A punctuator, or any other character taken alone.
            _ => i += query.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8),
        }
        let skipped = matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b',' | b'#') || at(start, "\u{feff}");
        if !skipped {
            // Every token ends on a character boundary; `get` keeps a
            // malformed request from ever panicking here.
            tokens.push(query.get(start..i).unwrap_or("\u{fffd}"));
        }
    }
    tokens.join(" ")
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 (hex) of the normalized query.
pub fn query_hash(query: &str) -> String {
    sha256_hex(normalize_query(query).as_bytes())
}

fn personal_key(key: &str) -> bool {
    let k: String = key.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect();
    ["nip", "nrp", "nik", "nipppk"].iter().any(|s| k.ends_with(s))
        || ["name", "phone", "telp", "email", "address", "alamat", "contact"].iter().any(|s| k.contains(s))
}

fn personal_text(text: &str) -> bool {
    let t = text.trim();
    if t.contains('@') && !t.starts_with('@') && !t.ends_with('@') && !t.contains(char::is_whitespace) {
        return true;
    }
    let compact: String = t.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let phone = (compact.starts_with("+62") || digits.starts_with("62") || digits.starts_with("08"))
        && (9..=15).contains(&digits.len());
    digits.len() >= 16 || phone
}

fn redact_value(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(k.clone(), if personal_key(k) { json!(REDACTED) } else { redact_value(v) });
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(redact_value).collect()),
        Value::String(s) if personal_text(s) => json!(REDACTED),
        Value::Number(n) if personal_text(&n.to_string()) => json!(REDACTED),
        other => other.clone(),
    }
}

/// The variables as stored: redacted JSON text (keys sorted), or a note of
/// their size when too long.
pub fn variables(vars: &Value) -> String {
    let text = redact_value(vars).to_string();
    if text.len() > MAX_VARIABLES {
        json!({ "omitted": format!("{} bytes of variables", text.len()) }).to_string()
    } else {
        text
    }
}

/// `raw` cut to at most `max` characters, for free text from the client.
pub fn clip(raw: &str, max: usize) -> String {
    raw.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_comments_and_commas_do_not_change_the_query_hash() {
        let a = "query Q($n: String!) {\n  case(number: $n) { number, reporter { name } } # who\n}";
        let b = "query Q($n:String!){case(number:$n){number reporter{name}}}";
        assert_eq!(
            normalize_query(b),
            "query Q ( $ n : String ! ) { case ( number : $ n ) { number reporter { name } } }"
        );
        assert_eq!(query_hash(a), query_hash(b));
        assert_ne!(query_hash(a), query_hash("{ case(number: \"x\") { number } }"));
    }

    #[test]
    fn strings_in_queries_are_kept_verbatim() {
        assert_eq!(normalize_query(r#"{ a(s: "x,  #y\"z") }"#), r#"{ a ( s : "x,  #y\"z" ) }"#);
        assert_eq!(normalize_query("{ a(s: \"\"\"b\n  c\"\"\") }"), "{ a ( s : \"\"\"b\n  c\"\"\" ) }");
        assert_eq!(normalize_query("{ a(n: -1.5e+3) { ...F } }"), "{ a ( n : -1.5e+3 ) { ... F } }");
    }

    #[test]
    fn personal_values_are_redacted_by_key_and_by_shape() {
        let vars = json!({
            "nip": "198503152010011002",
            "filter": { "name": "Budi", "regionCode": "16.73", "states": ["CLOSED"] },
            "reporterPhone": "0812",
            "contact_email": "a@b.id",
            "q": "199001012015031001",
            "mail": "x@example.org",
            "nik": null,
            "number": "NTR/16.73/2024/0001",
            "received": "2024-11-27",
            "first": 20,
            "phoneLike": "+62 812-3456-7890",
            "loose": "081234567890",
            "bigNumber": 3_573_010_101_900_001_u64,
        });
        let out: Value = serde_json::from_str(&variables(&vars)).unwrap();
        for key in ["nip", "reporterPhone", "contact_email", "q", "mail", "nik", "phoneLike", "loose", "bigNumber"] {
            assert_eq!(out[key], REDACTED, "{key}");
        }
        assert_eq!(out["filter"]["name"], REDACTED);
        assert_eq!(out["filter"]["regionCode"], "16.73");
        assert_eq!(out["filter"]["states"][0], "CLOSED");
        assert_eq!(out["number"], "NTR/16.73/2024/0001");
        assert_eq!(out["received"], "2024-11-27");
        assert_eq!(out["first"], 20);
    }

    #[test]
    fn huge_variables_are_stored_as_their_size() {
        let big = json!({ "summary": "x".repeat(MAX_VARIABLES) });
        assert!(variables(&big).contains("omitted"));
    }
}
