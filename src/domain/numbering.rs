//! Case numbering, in one place: the case number, the receipt number and the
//! registration number, as intake, the workflow and the generators write
//! them. A case of the kabupaten/kota office 16.02, the third report of 2024,
//! is `16.02/LP/2024/0003`, its receipt `003/PL/LP/16.02/2024` and, once
//! registered, `0003/Reg/16.02/LP/2024`.

use super::CaseSource;

/// `LP` for a report (laporan), `TM` for a finding (temuan).
pub fn source_tag(source: CaseSource) -> &'static str {
    if source == CaseSource::Laporan {
        "LP"
    } else {
        "TM"
    }
}

/// The prefix all case numbers of an office, source and year share.
pub fn case_prefix(handling_region: &str, source: CaseSource, year: i32) -> String {
    format!("{handling_region}/{}/{year}/", source_tag(source))
}

/// The sequence after the highest numeric one among `taken` under `prefix`
/// (other numbering schemes under the same prefix are ignored).
pub fn next_sequence<'a>(prefix: &str, taken: impl IntoIterator<Item = &'a str>) -> u32 {
    taken.into_iter().filter_map(|n| n.strip_prefix(prefix)?.parse::<u32>().ok()).max().unwrap_or(0) + 1
}

/// The case number: the prefix and a four-digit sequence.
pub fn case_number(prefix: &str, seq: u32) -> String {
    format!("{prefix}{seq:04}")
}

/// The receipt (tanda terima) number of a case.
pub fn receipt_number(seq: u32, handling_region: &str, source: CaseSource, year: i32) -> String {
    format!("{seq:03}/PL/{}/{handling_region}/{year}", source_tag(source))
}

/// The registration number given when the formal check passes:
/// `16.02/LP/2024/0003` → `0003/Reg/16.02/LP/2024`.
pub fn registration_number(case_number: &str) -> String {
    let (prefix, seq) = case_number.rsplit_once('/').unwrap_or((case_number, "0"));
    format!("{seq}/Reg/{prefix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_one_scheme() {
        let prefix = case_prefix("16.02", CaseSource::Laporan, 2024);
        let seq = next_sequence(&prefix, ["16.02/LP/2024/0002", "16.02/LP/2024/X-9", "16.73/LP/2024/0007"]);
        assert_eq!(seq, 3);
        let number = case_number(&prefix, seq);
        assert_eq!(number, "16.02/LP/2024/0003");
        assert_eq!(receipt_number(seq, "16.02", CaseSource::Laporan, 2024), "003/PL/LP/16.02/2024");
        assert_eq!(registration_number(&number), "0003/Reg/16.02/LP/2024");
        assert_eq!(case_prefix("16", CaseSource::Temuan, 2024), "16/TM/2024/");
    }
}
