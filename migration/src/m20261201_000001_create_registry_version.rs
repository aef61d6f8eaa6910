//! The version of the reference data that authentication holds in memory (the
//! agency registry and the region tree). Database triggers bump
//! `registry_version.version` on every write to `agency` or `region`,
//! whatever writes them (netra, a CLI in another process, an operator's SQL),
//! so a running netra notices a change by reading one row. On PostgreSQL the
//! trigger also sends `NOTIFY netra_registry`, so instances reload at once
//! instead of at their next poll.
//!
//! The single row is part of the structure (the triggers update it), not seed
//! data, so it is inserted here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose writes bump the version.
const WATCHED: [&str; 2] = ["agency", "region"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE TABLE registry_version (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)",
        )
        .await?;
        db.execute_unprepared("INSERT INTO registry_version (id, version) VALUES (1, 1)").await?;
        match m.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION netra_registry_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                     DECLARE v bigint;
                     BEGIN
                       UPDATE registry_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
                       PERFORM pg_notify('netra_registry', v::text);
                       RETURN NULL;
                     END $$",
                )
                .await?;
                for table in WATCHED {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_registry_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE \
                         ON {table} FOR EACH STATEMENT EXECUTE FUNCTION netra_registry_bump()"
                    ))
                    .await?;
                }
            }
            _ => {
                // SQLite has only row triggers; one per event.
                for table in WATCHED {
                    for event in ["INSERT", "UPDATE", "DELETE"] {
                        let name = format!("{table}_registry_bump_{}", event.to_lowercase());
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN \
                             UPDATE registry_version SET version = version + 1 WHERE id = 1; END"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                for table in WATCHED {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_registry_bump ON {table}")).await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS netra_registry_bump()").await?;
            }
            _ => {
                for table in WATCHED {
                    for event in ["insert", "update", "delete"] {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_registry_bump_{event}")).await?;
                    }
                }
            }
        }
        db.execute_unprepared("DROP TABLE registry_version").await?;
        Ok(())
    }
}
