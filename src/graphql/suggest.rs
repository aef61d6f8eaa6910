//! The "Unknown field" error and its "Did you mean" suggestion, drawn only
//! from the fields of the caller's role schema. async-graphql's own
//! suggestions are off (they would name every field of the full schema);
//! the request guard reports unknown and hidden fields alike through
//! [`unknown_field`], so the two are indistinguishable. Anonymous callers
//! get no suggestions at all. Pure: no I/O.

use async_graphql::registry::MetaType;

use crate::policy::{field_visible, Field, Viewer};

/// The message for a field `name` that `type_name` does not have for the
/// caller — the same text whether the field does not exist or is hidden.
pub fn unknown_field(viewer: Viewer<'_>, parent: &MetaType, name: &str) -> String {
    let type_name = parent.name();
    let suggestion = if viewer.is_some() {
        let visible = parent
            .fields()
            .into_iter()
            .flat_map(|fields| fields.keys())
            .filter(|f| Field::of_schema_field(type_name, f).is_none_or(|hidden| field_visible(viewer, hidden)))
            .map(String::as_str);
        did_you_mean(visible, name)
    } else {
        String::new()
    };
    format!("Unknown field \"{name}\" on type \"{type_name}\".{suggestion}")
}

/// ` Did you mean "a", "b"?` for the options close to `input`, nearest
/// first, or nothing.
fn did_you_mean<'a>(options: impl Iterator<Item = &'a str>, input: &str) -> String {
    let mut close: Vec<(usize, &str)> = options
        .filter_map(|opt| {
            let distance = levenshtein(input, opt);
            let threshold = (input.len() / 2).max((opt.len() / 2).max(1));
            (distance < threshold).then_some((distance, opt))
        })
        .collect();
    if close.is_empty() {
        return String::new();
    }
    close.sort_by_key(|(d, _)| *d);
    let names: Vec<String> = close.iter().map(|(_, n)| format!("\"{n}\"")).collect();
    format!(" Did you mean {}?", names.join(", "))
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let mut column: Vec<usize> = (0..=a.len()).collect();
    for (x, cb) in b.chars().enumerate() {
        column[0] = x + 1;
        let mut last_diag = x;
        for (y, ca) in a.iter().enumerate() {
            let old_diag = column[y + 1];
            let cost = usize::from(*ca != cb);
            column[y + 1] = (column[y + 1] + 1).min(column[y] + 1).min(last_diag + cost);
            last_diag = old_diag;
        }
    }
    column[a.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_name_close_options_nearest_first() {
        assert_eq!(levenshtein("reportr", "reporter"), 1);
        assert_eq!(did_you_mean(["region", "reporter", "state"].into_iter(), "reportr"), " Did you mean \"reporter\"?");
        assert_eq!(did_you_mean(["state"].into_iter(), "zzq"), "");
    }
}
