//! The frozen content of a publication — exactly what the public gets — and
//! its two open-data renderings. The JSON document is stored as published
//! and served byte for byte; the CSV is derived from it deterministically.
//! Both have a fixed field order, so the same table always gives the same
//! bytes (and the same ETag).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A code with its name: the publishing agency, the scope region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    /// Registry code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// One value of a dimension in a published table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Margin {
    /// The value's key; null for "no value".
    pub key: Option<String>,
    /// The value for people.
    pub label: String,
    /// Its exact total; null for the rows of a one-way table, whose rows are
    /// its cells.
    pub total: Option<u64>,
}

/// One cell of a published table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedCell {
    /// Key of the row value.
    pub row: Option<String>,
    /// Key of the column value; null in a one-way table.
    pub column: Option<String>,
    /// The count; null when withheld.
    pub value: Option<u64>,
    /// Whether the count is withheld (disclosure control).
    pub suppressed: bool,
}

/// A published table, as frozen at publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// Title.
    pub title: String,
    /// Version within its series (same scope, measure and dimensions).
    pub version: i32,
    /// The Bawaslu office that published it.
    pub publisher: Named,
    /// The region covered; null = Indonesia.
    pub scope: Option<Named>,
    /// What is counted (`StatisticsMeasure`).
    pub measure: String,
    /// The dimensions, rows first (`StatisticsDimension`).
    pub dimensions: Vec<String>,
    /// The day the figures describe: cases received by its end, in the state
    /// their timeline shows then; sanctions decided by then.
    pub as_of: NaiveDate,
    /// When it was published (UTC).
    pub published_at: DateTime<Utc>,
    /// Counts from 1 to this minus one were withheld, with complementary cells.
    pub threshold: u32,
    /// Values of the first dimension.
    pub rows: Vec<Margin>,
    /// Values of the second dimension; empty in a one-way table.
    pub columns: Vec<Margin>,
    /// Every cell, row-major (rows × columns; one per row in a one-way table).
    pub cells: Vec<PublishedCell>,
    /// Exact grand total.
    pub total: u64,
    /// How many cells are withheld.
    pub suppressed_cells: usize,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Document {
    /// The stored and served JSON: pretty-printed, fields in declaration order.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut out = serde_json::to_string_pretty(self)?;
        out.push('\n');
        Ok(out)
    }

    /// The CSV rendering: one line per cell, then the row totals, the column
    /// totals and the grand total, under a header that is the same for every
    /// publication (so files can be concatenated):
    ///
    /// `kind,row_dimension,row_key,row_label,column_dimension,column_key,column_label,value,suppressed`
    ///
    /// `kind` is `cell`, `row_total`, `column_total` or `total`; a withheld
    /// value is empty with `suppressed` = `true`. The keys of the region
    /// dimensions are written `region:<code>` ([`csv_key`]), so that no key
    /// reads as a number.
    pub fn to_csv(&self) -> String {
        let row_dim = self.dimensions.first().map(String::as_str).unwrap_or_default();
        let col_dim = self.dimensions.get(1).map(String::as_str).unwrap_or_default();
        let label_of = |list: &[Margin], key: &Option<String>| {
            list.iter().find(|m| &m.key == key).map(|m| m.label.clone()).unwrap_or_default()
        };
        let mut out = String::from(
            "kind,row_dimension,row_key,row_label,column_dimension,column_key,column_label,value,suppressed\n",
        );
        let mut line = |fields: [&str; 9]| {
            let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&quoted.join(","));
            out.push('\n');
        };
        let number = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
        for c in &self.cells {
            let row_label = label_of(&self.rows, &c.row);
            let (cd, ck, cl) = if self.columns.is_empty() {
                ("", String::new(), String::new())
            } else {
                (col_dim, csv_key(col_dim, c.column.as_deref()), label_of(&self.columns, &c.column))
            };
            let value = number(c.value);
            line([
                "cell",
                row_dim,
                &csv_key(row_dim, c.row.as_deref()),
                &row_label,
                cd,
                &ck,
                &cl,
                &value,
                if c.suppressed { "true" } else { "false" },
            ]);
        }
        if !self.columns.is_empty() {
            for r in &self.rows {
                let total = number(r.total);
                line([
                    "row_total",
                    row_dim,
                    &csv_key(row_dim, r.key.as_deref()),
                    &r.label,
                    "",
                    "",
                    "",
                    &total,
                    "false",
                ]);
            }
            for c in &self.columns {
                let total = number(c.total);
                line([
                    "column_total",
                    "",
                    "",
                    "",
                    col_dim,
                    &csv_key(col_dim, c.key.as_deref()),
                    &c.label,
                    &total,
                    "false",
                ]);
            }
        }
        let total = self.total.to_string();
        line(["total", "", "", "", "", "", "", &total, "false"]);
        out
    }
}

/// The dimensions whose keys are region codes.
const REGION_DIMENSIONS: [&str; 3] = ["PROVINCE", "REGENCY", "DISTRICT"];

/// The CSV text of the key `key` of `dimension`: a region code is written
/// `region:16.10`, because spreadsheet and dataframe readers (pandas'
/// `read_csv` by default) take `16.10` for the number 16.1 and `16` for an
/// integer; every other key is written as it is (none reads as a number:
/// enumeration names and `YYYY-MM` months). Empty for no value.
pub fn csv_key(dimension: &str, key: Option<&str>) -> String {
    match key {
        Some(k) if REGION_DIMENSIONS.contains(&dimension) => format!("region:{k}"),
        Some(k) => k.to_owned(),
        None => String::new(),
    }
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
fn csv_field(raw: &str) -> String {
    if raw.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", raw.replace('"', "\"\""))
    } else {
        raw.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_keys_are_prefixed_and_no_key_reads_as_a_number() {
        assert_eq!(csv_key("REGENCY", Some("16.10")), "region:16.10");
        assert_eq!(csv_key("PROVINCE", Some("16")), "region:16");
        assert_eq!(csv_key("DISTRICT", Some("16.73.01")), "region:16.73.01");
        assert_eq!(csv_key("MONTH", Some("2024-05")), "2024-05");
        assert_eq!(csv_key("REGENCY", None), "");
    }

    #[test]
    fn csv_fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(csv_field("Kota Lubuk Linggau"), "Kota Lubuk Linggau");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
