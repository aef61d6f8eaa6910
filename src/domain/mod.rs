//! Domain vocabulary and validated value types. No database or HTTP here.

pub mod agencies;
mod enums;
mod grouping;
mod ids;
pub mod numbering;
pub mod routing;
pub mod sanctions;
pub mod workflow;
pub mod zones;

pub use enums::*;
pub use grouping::{Stage, ViolationCategory};
pub use ids::{code_contains, Nik, Nip, RegionCode};
pub use workflow::{next_actions, Action};

/// Candidate determination (penetapan paslon) of Pilkada 2024: acts before it
/// and acts on or after it fall under different sanctions.
pub const DETERMINATION_2024: (i32, u32, u32) = (2024, 9, 22);

/// The phase of an act dated `on` relative to the 2024 determination date.
pub fn phase_of(on: chrono::NaiveDate) -> Phase {
    let (y, m, d) = DETERMINATION_2024;
    match chrono::NaiveDate::from_ymd_opt(y, m, d) {
        Some(det) if on < det => Phase::BeforeDetermination,
        _ => Phase::AfterDetermination,
    }
}
