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

/// What a case, receipt or registration number says: the office's region,
/// the source, the year and the sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    /// Region code of the receiving office (`00` for Bawaslu RI).
    pub handling_region: String,
    /// Report or finding.
    pub source: CaseSource,
    /// Year of receipt.
    pub year: i32,
    /// Sequence under the office, source and year.
    pub seq: u32,
}

fn source_of(tag: &str) -> Option<CaseSource> {
    match tag {
        "LP" => Some(CaseSource::Laporan),
        "TM" => Some(CaseSource::Temuan),
        _ => None,
    }
}

fn region_ok(region: &str) -> bool {
    region == "00" || super::RegionCode::parse(region).is_ok_and(|r| r.as_str() == region)
}

/// Reads a case number written by [`case_number`]; `None` for any other text.
pub fn parse_case_number(raw: &str) -> Option<Numbered> {
    let mut parts = raw.split('/');
    let (region, tag, year, seq) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let n = Numbered {
        handling_region: region.to_owned(),
        source: source_of(tag)?,
        year: year.parse().ok()?,
        seq: seq.parse().ok()?,
    };
    let again = case_number(&case_prefix(region, n.source, n.year), n.seq);
    (parts.next().is_none() && region_ok(region) && again == raw).then_some(n)
}

/// Reads a receipt number written by [`receipt_number`].
pub fn parse_receipt_number(raw: &str) -> Option<Numbered> {
    let mut parts = raw.split('/');
    let (seq, pl, tag, region, year) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let n = Numbered {
        handling_region: region.to_owned(),
        source: source_of(tag)?,
        year: year.parse().ok()?,
        seq: seq.parse().ok()?,
    };
    let again = receipt_number(n.seq, region, n.source, n.year);
    (parts.next().is_none() && pl == "PL" && region_ok(region) && again == raw).then_some(n)
}

/// Reads a registration number written by [`registration_number`].
pub fn parse_registration_number(raw: &str) -> Option<Numbered> {
    let (seq, case) = raw.split_once("/Reg/")?;
    let n = parse_case_number(&format!("{case}/{seq}"))?;
    (registration_number(&case_number(&case_prefix(&n.handling_region, n.source, n.year), n.seq)) == raw).then_some(n)
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

    #[test]
    fn numbers_read_back_and_other_schemes_do_not() {
        let n = Numbered { handling_region: "16.02".into(), source: CaseSource::Laporan, year: 2024, seq: 3 };
        assert_eq!(parse_case_number("16.02/LP/2024/0003"), Some(n.clone()));
        assert_eq!(parse_receipt_number("003/PL/LP/16.02/2024"), Some(n.clone()));
        assert_eq!(parse_registration_number("0003/Reg/16.02/LP/2024"), Some(n));
        assert!(parse_case_number("00/TM/2025/12345").is_some());
        for bad in ["16.02/LP/2024/3", "16.02/XX/2024/0003", "16.02/LP/2024/S000001", "1602/LP/2024/0003"] {
            assert_eq!(parse_case_number(bad), None, "{bad}");
        }
        assert_eq!(parse_registration_number("S000001/Reg/LP/13/2024"), None);
        assert_eq!(parse_receipt_number("S000001/PL/LP/13/2024"), None);
    }
}
