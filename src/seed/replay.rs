//! Playing explicit case plans two ways: through the API's entry points
//! ([`play_api`]: `case::intake::receive_case` and `case::commands`, each in
//! its own transaction), or the way the synthetic generator writes
//! ([`write_plans`]: in memory, then in bulk). For the same plans both write
//! the same rows; `tests/api/generator.rs` holds them to it.

use anyhow::{anyhow, Context};
use sea_orm::{DatabaseConnection, EntityTrait};

use super::batch::{sync_sequences, Batch};
use super::book::{principal, Book};
use super::memory::Memory;
use super::plan::{clock_for, step_of, CasePlan};
use crate::case::commands::Rules;
use crate::case::engine::zone_of_actor;
use crate::case::intake::{self, SubjectRef};
use crate::config::Deadlines;
use crate::entity::{case, official};

/// Plays `plan` through the API as users named `subject` of each acting
/// agency, every step under the clock of its day ([`clock_for`]).
pub async fn play_api(
    db: &DatabaseConnection,
    book: &Book,
    deadlines: Deadlines,
    subject: &str,
    plan: &CasePlan,
) -> anyhow::Result<case::Model> {
    let handling = principal(book.agency(&plan.handling)?, subject);
    let received = plan.intake.received_on.context("a plan sets the date of receipt")?;
    let rules = Rules { deadlines, clock: clock_for(received, zone_of_actor(&handling), 0) };
    let mut case = intake::receive_case(db, Some(&handling), rules, plan.intake.clone())
        .await
        .map_err(|e| anyhow!("intake: {e}"))?;
    for (i, planned) in plan.steps.iter().enumerate() {
        let actor = principal(book.agency(&planned.actor)?, subject);
        let rules = Rules { deadlines, clock: clock_for(planned.on, zone_of_actor(&actor), i + 1) };
        case = planned
            .act
            .run(db, &actor, rules, step_of(&case, planned))
            .await
            .map_err(|e| anyhow!("case {}: {}: {e}", case.number, planned.act.action().name()))?;
    }
    Ok(case)
}

/// Writes `plans` as the synthetic generator does: played in memory by
/// [`Memory`] as users named `subject`, then inserted in bulk with explicit
/// ids in one transaction. Returns the cases as they end.
pub async fn write_plans(
    db: &DatabaseConnection,
    deadlines: Deadlines,
    subject: &str,
    plans: &[CasePlan],
) -> anyhow::Result<Vec<case::Model>> {
    let book = Book::load(db).await?;
    let mut memory = Memory::load(db, &book, deadlines, subject).await?;
    let mut batch = Batch::default();
    let mut out = Vec::new();
    for plan in plans {
        let mut subjects = Vec::new();
        for a in &plan.intake.allegations {
            let SubjectRef::Id(id) = a.subject else { anyhow::bail!("a plan names its subjects by id") };
            subjects
                .push(official::Entity::find_by_id(id).one(db).await?.with_context(|| format!("no official {id}"))?);
        }
        out.push(memory.play(plan, &subjects, &mut batch)?);
    }
    batch.write(db).await?;
    sync_sequences(db).await?;
    Ok(out)
}
