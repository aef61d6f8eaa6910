//! Who is competent for a proven allegation (BRIEF §3), as registry codes:
//! pure, so that the workflow and the synthetic generator route alike.

use super::{agencies, RegionCode, SubjectKind};

/// The receiving agency of a forwarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receiver {
    /// The agency with this registry code.
    Agency(String),
    /// The subject's own employer.
    Employer,
}

/// Where a neutrality recommendation goes, and whether the PPK's government
/// gets a copy. ASN → BKN, with a copy to the PPK; village heads and staff →
/// the bupati/walikota's government of their kabupaten; TNI → TNI; Polri →
/// Polri; everyone else → the employer. (The criminal track goes to Gakkumdu
/// at the plenary's decision, whatever the subject.)
pub fn competent(kind: SubjectKind, work_region: &str) -> (Receiver, bool) {
    match kind {
        k if k.is_asn() => (Receiver::Agency(agencies::BKN.to_owned()), true),
        SubjectKind::VillageHead | SubjectKind::VillageOfficial => {
            let regency =
                RegionCode::parse(work_region).ok().and_then(|c| c.prefix(2)).unwrap_or_else(|| work_region.to_owned());
            (Receiver::Agency(agencies::pemda(&regency)), false)
        }
        SubjectKind::Tni => (Receiver::Agency(agencies::TNI.to_owned()), false),
        SubjectKind::Polri => (Receiver::Agency(agencies::POLRI.to_owned()), false),
        _ => (Receiver::Employer, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_go_to_their_competent_agency() {
        assert_eq!(competent(SubjectKind::Pns, "16.73"), (Receiver::Agency("BKN".into()), true));
        assert_eq!(
            competent(SubjectKind::VillageHead, "16.02.05.2011"),
            (Receiver::Agency("PEMDA-16.02".into()), false)
        );
        assert_eq!(competent(SubjectKind::Polri, "16.73"), (Receiver::Agency("POLRI".into()), false));
        assert_eq!(competent(SubjectKind::StateOfficial, "16.73"), (Receiver::Employer, false));
    }
}
