//! What statistics count and by what: the dimensions of a breakdown, the
//! measures, and the two groupings netra adds to the vocabulary for the
//! published breakdowns (BRIEF §9): the violation category (act type) and
//! the pipeline stage. Pure: no database access here.

use async_graphql::Enum;
use sea_orm::Iterable;

use crate::domain::{CaseSource, CaseState, PositionClass, Severity, SubjectKind, ViolationCode};
use crate::error::{AppError, AppResult};

pub use crate::domain::{Stage, ViolationCategory};

/// A dimension of a breakdown. Case-level dimensions (region, source,
/// state, stage, month) describe the case; allegation-level ones (violation,
/// subject kind, position class) the allegation and its official; the
/// sanction severity the sanctions decided on an allegation.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(name = "StatisticsDimension")]
pub enum Dimension {
    /// The province of the case's place (key: region code `16`).
    Province,
    /// The kabupaten/kota of the case's place (key: `16.73`).
    Regency,
    /// The kecamatan of the case's place (key: `16.73.01`). Live statistics
    /// only: tables this fine are never published.
    District,
    /// The act alleged (`ViolationCode`).
    ViolationCode,
    /// The act type: a grouping of violation codes used in the published
    /// figures (social media, campaign events, abuse of office…).
    ViolationCategory,
    /// The kind of the reported official (`SubjectKind`).
    SubjectKind,
    /// The position class of the reported official (`PositionClass`); null
    /// when it is not recorded.
    PositionClass,
    /// Laporan (report) or temuan (finding).
    Source,
    /// The case's state.
    State,
    /// The case's stage in the pipeline: a grouping of states.
    Stage,
    /// The severity of a sanction decided on the allegation; null for none,
    /// `UNGRADED` for a sanction without a severity (village, criminal,
    /// internal, non-statutory).
    SanctionSeverity,
    /// The month the case was received, `YYYY-MM`.
    Month,
}

impl Dimension {
    /// Every dimension.
    pub const ALL: [Self; 12] = [
        Self::Province,
        Self::Regency,
        Self::District,
        Self::ViolationCode,
        Self::ViolationCategory,
        Self::SubjectKind,
        Self::PositionClass,
        Self::Source,
        Self::State,
        Self::Stage,
        Self::SanctionSeverity,
        Self::Month,
    ];

    /// The GraphQL (and CSV) name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Province => "PROVINCE",
            Self::Regency => "REGENCY",
            Self::District => "DISTRICT",
            Self::ViolationCode => "VIOLATION_CODE",
            Self::ViolationCategory => "VIOLATION_CATEGORY",
            Self::SubjectKind => "SUBJECT_KIND",
            Self::PositionClass => "POSITION_CLASS",
            Self::Source => "SOURCE",
            Self::State => "STATE",
            Self::Stage => "STAGE",
            Self::SanctionSeverity => "SANCTION_SEVERITY",
            Self::Month => "MONTH",
        }
    }

    /// Parses [`Dimension::name`].
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == raw)
    }

    /// A heading for people, e.g. in generated titles.
    pub fn title(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Regency => "kabupaten/kota",
            Self::District => "kecamatan",
            Self::ViolationCode => "violation",
            Self::ViolationCategory => "violation category",
            Self::SubjectKind => "subject kind",
            Self::PositionClass => "position class",
            Self::Source => "source",
            Self::State => "state",
            Self::Stage => "stage",
            Self::SanctionSeverity => "sanction severity",
            Self::Month => "month",
        }
    }

    /// The region level of a region dimension.
    pub fn region_level(self) -> Option<u8> {
        match self {
            Self::Province => Some(1),
            Self::Regency => Some(2),
            Self::District => Some(3),
            _ => None,
        }
    }

    /// The order of a key among the values of this dimension: the
    /// vocabulary's own order for enumerations (the process order for
    /// states), the key itself otherwise; no value (null) last.
    pub fn rank(self, key: Option<&str>) -> (u8, usize, String) {
        let Some(key) = key else { return (2, 0, String::new()) };
        let position = match self {
            Self::ViolationCode => ViolationCode::iter().position(|v| v.as_str() == key),
            Self::ViolationCategory => ViolationCategory::ALL.iter().position(|v| v.as_str() == key),
            Self::SubjectKind => SubjectKind::iter().position(|v| v.as_str() == key),
            Self::PositionClass => PositionClass::iter().position(|v| v.as_str() == key),
            Self::Source => CaseSource::iter().position(|v| v.as_str() == key),
            Self::State => CaseState::iter().position(|v| v.as_str() == key),
            Self::Stage => Stage::ALL.iter().position(|v| v.as_str() == key),
            Self::SanctionSeverity => Severity::iter().position(|v| v.as_str() == key),
            Self::Province | Self::Regency | Self::District | Self::Month => None,
        };
        match position {
            Some(p) => (0, p, String::new()),
            None => (1, 0, key.to_owned()),
        }
    }
}

/// What a breakdown counts in each cell.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(name = "StatisticsMeasure")]
pub enum Measure {
    /// Cases (penanganan).
    Cases,
    /// Allegations: one official × one act.
    Allegations,
    /// Distinct officials named.
    Officials,
    /// Sanctions decided (decrees, appeal outcomes, verdicts, internal outcomes).
    Sanctions,
}

impl Measure {
    /// The GraphQL (and CSV) name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cases => "CASES",
            Self::Allegations => "ALLEGATIONS",
            Self::Officials => "OFFICIALS",
            Self::Sanctions => "SANCTIONS",
        }
    }

    /// Parses [`Measure::name`].
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Cases, Self::Allegations, Self::Officials, Self::Sanctions].into_iter().find(|m| m.name() == raw)
    }

    /// A word for people.
    pub fn title(self) -> &'static str {
        match self {
            Self::Cases => "Cases",
            Self::Allegations => "Allegations",
            Self::Officials => "Officials",
            Self::Sanctions => "Sanctions",
        }
    }

    /// Whether each counted thing has exactly one value of `dim`, so that a
    /// table's cells add up to its totals. A case may name several acts and
    /// officials, and an official may appear in several cases: counting
    /// those by such a dimension counts one thing in several cells.
    pub fn is_additive_over(self, dim: Dimension) -> bool {
        use Dimension as D;
        let case_level =
            matches!(dim, D::Province | D::Regency | D::District | D::Source | D::State | D::Stage | D::Month);
        let allegation_level =
            matches!(dim, D::ViolationCode | D::ViolationCategory | D::SubjectKind | D::PositionClass);
        match self {
            Self::Cases => case_level,
            Self::Allegations => case_level || allegation_level,
            Self::Officials => matches!(dim, D::SubjectKind | D::PositionClass),
            Self::Sanctions => true,
        }
    }
}

/// One or two distinct dimensions: the shape of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBy(Vec<Dimension>);

impl GroupBy {
    /// Checks that there are one or two distinct dimensions.
    pub fn parse(dims: Vec<Dimension>) -> AppResult<Self> {
        match dims.as_slice() {
            [_] => Ok(Self(dims)),
            [a, b] if a != b => Ok(Self(dims)),
            [_, _] => Err(AppError::invalid("groupBy", "the two dimensions must differ")),
            _ => Err(AppError::invalid("groupBy", "give one or two dimensions")),
        }
    }

    /// The dimensions, rows first.
    pub fn dims(&self) -> &[Dimension] {
        &self.0
    }

    /// The row dimension.
    pub fn rows(&self) -> Dimension {
        self.0[0]
    }

    /// The column dimension of a two-way breakdown.
    pub fn columns(&self) -> Option<Dimension> {
        self.0.get(1).copied()
    }
}

/// The key of a sanction without a severity in the severity dimension.
pub const UNGRADED: &str = "UNGRADED";

/// The label of a key in an enumeration dimension (regions and months are
/// labelled by the caller).
pub fn enum_label(dim: Dimension, key: Option<&str>) -> String {
    let Some(key) = key else {
        return match dim {
            Dimension::SanctionSeverity => "no sanction",
            Dimension::ViolationCode | Dimension::ViolationCategory | Dimension::SubjectKind => "no allegation",
            _ => "not recorded",
        }
        .to_owned();
    };
    let grouped = match dim {
        Dimension::ViolationCategory => ViolationCategory::ALL.iter().find(|c| c.as_str() == key).map(|c| c.label()),
        Dimension::Stage => Stage::ALL.iter().find(|s| s.as_str() == key).map(|s| s.label()),
        Dimension::SanctionSeverity if key == UNGRADED => Some("sanction without severity"),
        _ => None,
    };
    grouped.unwrap_or(key).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exhaustive `match`es already give every act and state a group;
    /// what can go wrong is a group nothing maps to (a column that is always
    /// empty) or two groups sharing a key. Spot checks pin the mapping.
    #[test]
    fn every_group_is_reached_and_keys_are_distinct() {
        let categories: Vec<ViolationCategory> = ViolationCode::iter().map(ViolationCategory::of).collect();
        for c in ViolationCategory::ALL {
            assert!(categories.contains(c), "no act falls under {c:?}");
        }
        let stages: Vec<Stage> = CaseState::iter().map(Stage::of).collect();
        for s in Stage::ALL {
            assert!(stages.contains(s), "no state falls under {s:?}");
        }
        for mut keys in [
            ViolationCategory::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            Stage::ALL.iter().map(|s| s.as_str()).collect(),
        ] {
            let count = keys.len();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), count, "two groups share a key");
        }
        assert_eq!(Stage::of(CaseState::OverdueEscalated), Stage::AwaitingPpk);
        assert_eq!(Stage::of(CaseState::AdminAppeal), Stage::Sanctioned);
        assert_eq!(ViolationCategory::of(ViolationCode::StateFacilities), ViolationCategory::AbuseOfOffice);
        assert_eq!(ViolationCategory::of(ViolationCode::DisSocmedInteract), ViolationCategory::SocialMedia);
    }

    #[test]
    fn cases_are_not_additive_over_acts_but_sanctions_are_over_everything() {
        assert!(Measure::Cases.is_additive_over(Dimension::Regency));
        assert!(!Measure::Cases.is_additive_over(Dimension::ViolationCode));
        assert!(Measure::Allegations.is_additive_over(Dimension::SubjectKind));
        assert!(!Measure::Allegations.is_additive_over(Dimension::SanctionSeverity));
        assert!(!Measure::Officials.is_additive_over(Dimension::Month));
        assert!(Dimension::ALL.iter().all(|d| Measure::Sanctions.is_additive_over(*d)));
    }
}
