//! The environment variables netra reads, and a warning for each `NETRA_*`
//! variable it does not (a misspelt setting would otherwise be ignored
//! silently). Reads the process environment only when asked.

/// Variables under `NETRA_` that netra itself does not read but its tests do.
const FOREIGN_PREFIXES: [&str; 1] = ["NETRA_TEST_"];

/// The environment variables `command` reads (every argument's `env`).
pub fn known_variables(command: &clap::Command) -> Vec<String> {
    let mut names: Vec<String> =
        command.get_arguments().filter_map(|a| a.get_env()).map(|n| n.to_string_lossy().into_owned()).collect();
    names.sort();
    names.dedup();
    names
}

/// Removes the known variables that are set but empty, so that `NETRA_X=`
/// means "use the default" as it always did. Call before any thread starts.
pub fn forget_empty_variables(known: &[String]) {
    for name in known {
        if std::env::var_os(name).is_some_and(|v| v.to_string_lossy().trim().is_empty()) {
            std::env::remove_var(name);
        }
    }
}

/// One warning for each `NETRA_*` variable in `vars` that netra does not
/// read, naming the closest known variable: a misspelt setting is otherwise
/// silently ignored.
pub fn unknown_variables(known: &[String], vars: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut warnings = Vec::new();
    for name in vars {
        let ours = name.starts_with("NETRA_") && !FOREIGN_PREFIXES.iter().any(|p| name.starts_with(p));
        if !ours || known.contains(&name) {
            continue;
        }
        let closest = known.iter().min_by_key(|k| distance(k, &name)).filter(|k| distance(k, &name) <= 3);
        warnings.push(match closest {
            Some(k) => format!("{name} is not a netra setting and is ignored; did you mean {k}?"),
            None => format!("{name} is not a netra setting and is ignored (see `netra --help`)"),
        });
    }
    warnings.sort();
    warnings
}

/// Levenshtein distance over bytes (variable names are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        ["NETRA_MAX_PAGE_SIZE", "NETRA_LISTEN", "DATABASE_URL"].map(String::from).to_vec()
    }

    #[test]
    fn a_misspelt_variable_is_named_with_the_closest_known_one() {
        let vars = ["NETRA_MAX_PAGESIZE", "NETRA_LISTEN", "HOME", "NETRA_TEST_POSTGRES_URL", "NETRA_FROBNICATE"];
        let warnings = unknown_variables(&known(), vars.map(String::from));
        assert_eq!(
            warnings,
            vec![
                "NETRA_FROBNICATE is not a netra setting and is ignored (see `netra --help`)".to_owned(),
                "NETRA_MAX_PAGESIZE is not a netra setting and is ignored; did you mean NETRA_MAX_PAGE_SIZE?"
                    .to_owned(),
            ]
        );
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("NETRA_LISTEN", "NETRA_LISTEN"), 0);
        assert_eq!(distance("NETRA_LISTEN", "NETRA_LISTN"), 1);
        assert_eq!(distance("abc", "xyz"), 3);
    }
}
