//! Who is competent for a proven allegation (BRIEF §3), as registry codes:
//! pure, so that the workflow and the synthetic generator route alike.

use super::SubjectKind;

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
        k if k.is_asn() => (Receiver::Agency("BKN".to_owned()), true),
        SubjectKind::VillageHead | SubjectKind::VillageOfficial => {
            let regency = work_region.split('.').take(2).collect::<Vec<_>>().join(".");
            (Receiver::Agency(format!("PEMDA-{regency}")), false)
        }
        SubjectKind::Tni => (Receiver::Agency("TNI".to_owned()), false),
        SubjectKind::Polri => (Receiver::Agency("POLRI".to_owned()), false),
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
