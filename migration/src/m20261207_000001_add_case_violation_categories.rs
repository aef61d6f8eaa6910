//! The categories of a case's acts on the case itself: `violation_categories`,
//! a bit set with one bit per violation category (social media 1, partisan
//! photos 2, campaign events 4, props 8, partisan activity 16, party and
//! team 32, abuse of office 64, other 128). Counting cases by category over
//! a province then reads the province's cases alone instead of joining each
//! to its allegations (statistics at national scale).
//!
//! Allegations are written with their case at intake and never change, so
//! netra sets the column there; this migration fills it for the cases that
//! exist, from a copy of the act → category mapping as it stands today.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each category's bit and its acts (`ViolationCategory::of` when written).
pub const CATEGORIES: &[(i32, &[&str])] = &[
    (1, &["ETH_SOCMED_PRE", "ETH_SOCMED_INTERACT", "DIS_SOCMED_CAMPAIGN", "DIS_SOCMED_INTERACT"]),
    (2, &["ETH_PHOTO_SYMBOL", "DIS_PHOTO_SYMBOL"]),
    (
        4,
        &[
            "ETH_DECLARATION_PRE",
            "ETH_CAMPAIGN_INTRO",
            "ETH_SPOUSE_CAMPAIGN",
            "DIS_DECLARATION_ACTIVE",
            "CAMPAIGN_JOIN",
            "CAMPAIGN_ATTRIBUTES",
        ],
    ),
    (8, &["ETH_PROPS_PRE", "DIS_PROPS"]),
    (16, &["DIS_PARTISAN_ACTIVITY", "MOBILIZE_PNS", "DIS_KTP_SUPPORT", "CAMPAIGN_INVOLVEMENT"]),
    (32, &["DIS_PARTY_APPROACH", "DIS_PARTY_MEMBER", "DIS_TEAM_PRE", "DIS_TEAM_POST"]),
    (64, &["DIS_FAVORING_DECISION", "STATE_FACILITIES", "PROGRAM_MISUSE", "OFFICIAL_ROTATION"]),
    (128, &["OTHER"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(r#"ALTER TABLE "case" ADD COLUMN violation_categories integer NOT NULL DEFAULT 0"#)
            .await?;
        db.execute_unprepared(&backfill()).await?;
        // A province's categories read from the index alone (index-only scan).
        db.execute_unprepared(
            r#"CREATE INDEX idx_case_province_categories ON "case" (province_code, violation_categories, id)"#,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX idx_case_province_categories").await?;
        db.execute_unprepared(r#"ALTER TABLE "case" DROP COLUMN violation_categories"#).await?;
        Ok(())
    }
}

/// The statement that sets every case's bit set from its allegations.
pub fn backfill() -> String {
    let mut bit = String::from("CASE");
    for (value, codes) in CATEGORIES {
        let list: Vec<String> = codes.iter().map(|c| format!("'{c}'")).collect();
        bit.push_str(&format!(" WHEN a.violation_code IN ({}) THEN {value}", list.join(", ")));
    }
    bit.push_str(" ELSE 0 END");
    // The sum of the distinct bits is their OR on both engines (SQLite has
    // no bit_or aggregate).
    format!(
        r#"UPDATE "case" SET violation_categories = COALESCE((SELECT SUM(b) FROM
             (SELECT DISTINCT {bit} AS b FROM allegation a WHERE a.case_id = "case".id) AS bits), 0)"#
    )
}
