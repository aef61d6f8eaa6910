//! netra's schema migrations. They run unchanged on SQLite and PostgreSQL, so
//! they use only portable column types: text for enumerations, dates as `date`,
//! instants as `timestamp with time zone` (UTC). Reference and demo data are
//! never inserted here; the `netra` crate loads them.

#![expect(
    elided_lifetimes_in_paths,
    reason = "MigrationTrait is an async_trait whose methods cannot name the SchemaManager lifetime"
)]

pub use sea_orm_migration::prelude::*;

mod m20241101_000001_create_reference;
mod m20241101_000002_create_official;
mod m20241101_000003_create_case;
mod m20241201_000001_create_audit_event;
mod m20241202_000001_create_publication;
mod m20261201_000001_create_registry_version;
mod m20261201_000002_add_read_indexes;
mod m20261202_000001_create_idempotency_key;
mod m20261203_000001_create_change_entry;
mod m20261203_000002_create_webhook;
mod m20261204_000001_add_page_order_indexes;
mod m20261204_000003_add_idempotency_owner;
mod m20261205_000001_add_case_sync_indexes;
mod m20261206_000001_add_audit_document_id;
mod m20261207_000001_add_case_violation_categories;
mod m20261208_000001_add_case_place_statistics;

/// The case's violation-category bit set: the mapping frozen in its
/// migration and the statement that fills it.
pub mod violation_categories {
    pub use super::m20261207_000001_add_case_violation_categories::{backfill, CATEGORIES};
}

/// Applies netra's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20241101_000001_create_reference::Migration),
            Box::new(m20241101_000002_create_official::Migration),
            Box::new(m20241101_000003_create_case::Migration),
            Box::new(m20241201_000001_create_audit_event::Migration),
            Box::new(m20241202_000001_create_publication::Migration),
            Box::new(m20261201_000001_create_registry_version::Migration),
            Box::new(m20261201_000002_add_read_indexes::Migration),
            Box::new(m20261202_000001_create_idempotency_key::Migration),
            Box::new(m20261203_000001_create_change_entry::Migration),
            Box::new(m20261203_000002_create_webhook::Migration),
            Box::new(m20261204_000001_add_page_order_indexes::Migration),
            Box::new(m20261204_000003_add_idempotency_owner::Migration),
            Box::new(m20261205_000001_add_case_sync_indexes::Migration),
            Box::new(m20261206_000001_add_audit_document_id::Migration),
            Box::new(m20261207_000001_add_case_violation_categories::Migration),
            Box::new(m20261208_000001_add_case_place_statistics::Migration),
        ]
    }
}
