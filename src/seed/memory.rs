//! The synthetic generator's player: plays a [`CasePlan`] on a case kept in
//! memory, with the API's own rules at every point — intake's checks and
//! rows (`case::intake::{check_form, intake_rows}`, numbering by
//! `domain::numbering`), the policy's `may_intake` and `may_act`, the
//! engine's transition and date checks, the pure step functions of
//! `case::steps` (through [`Act::effects`]) and the timeline event of
//! `case::effects::event_of`. The effects are applied as
//! `case::effects::persist_effects` applies them, and the finished case's
//! rows go to a [`Batch`] with explicit ids. No I/O after [`Memory::load`].

use std::collections::HashMap;

use anyhow::{anyhow, bail, Context};
use chrono::Datelike;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::batch::{Batch, Ids};
use super::book::{principal, Book};
use super::plan::{clock_for, step_of, CasePlan};
use crate::auth::Principal;
use crate::case::effects::{event_of, Effects};
use crate::case::engine::{candidate_codes, check_transition, step_date, zone_of_actor, Ctx, Directory, Loaded};
use crate::case::intake::{check_form, intake_rows, Intaker, SubjectRef};
use crate::config::Deadlines;
use crate::domain::{numbering, sanctions, ExecutionStatus};
use crate::entity::{agency_decision, case, case_event, election, escalation, evidence, execution_check, official};
use crate::policy::actions::{may_act, may_intake, CaseFacts};

/// The in-memory player, with the state a load carries from case to case:
/// ids, the last number of each office, the races and the actors.
pub struct Memory<'a> {
    book: &'a Book,
    deadlines: Deadlines,
    subject: String,
    elections: HashMap<String, i64>,
    seqs: HashMap<String, u32>,
    ids: Ids,
    actors: HashMap<String, Principal>,
}

/// A case being played: what the rules read, and the rows written so far.
struct Open {
    loaded: Loaded,
    decisions: Vec<agency_decision::Model>,
    checks: Vec<execution_check::Model>,
    escalations: Vec<escalation::Model>,
    evidence: Vec<evidence::Model>,
    events: Vec<case_event::Model>,
}

impl<'a> Memory<'a> {
    /// Reads what the player needs from the database: the next ids, the
    /// numbers already taken, the 2024 races.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        book: &'a Book,
        deadlines: Deadlines,
        subject: &str,
    ) -> anyhow::Result<Self> {
        let elections = election::Entity::find()
            .filter(election::Column::Year.eq(2024))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.region_code, e.id))
            .collect();
        let numbers: Vec<String> =
            case::Entity::find().select_only().column(case::Column::Number).into_tuple().all(db).await?;
        let mut seqs: HashMap<String, u32> = HashMap::new();
        for n in &numbers {
            if let Some((head, _)) = n.rsplit_once('/') {
                let prefix = format!("{head}/");
                let taken = numbering::next_sequence(&prefix, [n.as_str()]) - 1;
                let slot = seqs.entry(prefix).or_default();
                *slot = (*slot).max(taken);
            }
        }
        Ok(Self {
            book,
            deadlines,
            subject: subject.to_owned(),
            elections,
            seqs,
            ids: Ids::load(db).await?,
            actors: HashMap::new(),
        })
    }

    /// Takes the next id of `table`.
    pub fn take_id(&mut self, table: &'static str) -> i64 {
        self.ids.take(table)
    }

    fn actor(&mut self, code: &str) -> anyhow::Result<Principal> {
        if let Some(p) = self.actors.get(code) {
            return Ok(p.clone());
        }
        let p = principal(self.book.agency(code)?, &self.subject);
        self.actors.insert(code.to_owned(), p.clone());
        Ok(p)
    }

    /// Plays `plan`, whose allegations name `subjects` in order, and adds
    /// the case's rows to `batch`. Returns the case as it ends.
    pub fn play(
        &mut self,
        plan: &CasePlan,
        subjects: &[official::Model],
        batch: &mut Batch,
    ) -> anyhow::Result<case::Model> {
        let mut open = self.intake(plan, subjects)?;
        for (i, planned) in plan.steps.iter().enumerate() {
            let action = planned.act.action();
            let what = || format!("case {}: {}", open.loaded.case.number, action.name());
            let actor = self.actor(&planned.actor)?;
            let l = &open.loaded;
            let facts = CaseFacts {
                handling_agency_id: l.case.handling_agency_id,
                receivers: l.forwardings.iter().map(|f| f.to_agency_id).collect(),
                copies: l.forwardings.iter().filter_map(|f| f.copy_to_agency_id).collect(),
                // No plan lets an inspectorate act, so their ids are not needed.
                inspectorates: Vec::new(),
            };
            if !may_act(Some(&actor), action, &facts) {
                bail!("{}: {} may not act", what(), actor.agency_code);
            }
            check_transition(l, action).with_context(what)?;
            let zone = zone_of_actor(&actor);
            let clock = clock_for(planned.on, zone, i + 1);
            let today = clock.today(zone);
            let step = step_of(&l.case, planned);
            let on = step_date(&step, &l.case, today).with_context(what)?;
            let handling_region = self.book.agency(self.book.code(l.case.handling_agency_id)?)?.region_code.clone();
            let by_code = candidate_codes(l, handling_region.as_deref(), &[])
                .into_iter()
                .filter_map(|c| self.book.by_code.get(&c).map(|a| (c, a.clone())))
                .collect();
            let directory = Directory { by_code, handling_region };
            let ctx = Ctx {
                actor_agency_id: actor.agency_id,
                on,
                at: clock.instant(on, zone),
                now: clock.now(),
                today,
                zone,
                deadlines: self.deadlines,
                directory: &directory,
                step: &step,
            };
            let effects = planned.act.effects(l, &ctx).with_context(what)?;
            let event = event_of(l, &ctx, &actor, action, &effects);
            self.apply(&mut open, &ctx, effects, event);
        }
        let case = open.loaded.case.clone();
        self.flush(open, batch);
        Ok(case)
    }

    /// Intake, as `case::intake::receive_case` does it.
    fn intake(&mut self, plan: &CasePlan, subjects: &[official::Model]) -> anyhow::Result<Open> {
        let form = &plan.intake;
        let actor = self.actor(&plan.handling)?;
        if !may_intake(Some(&actor), &form.place.ancestors()) {
            bail!("{} may not receive a case at {}", plan.handling, form.place.as_str());
        }
        if subjects.len() != form.allegations.len()
            || form
                .allegations
                .iter()
                .zip(subjects)
                .any(|(a, o)| !matches!(a.subject, SubjectRef::Id(id) if id == o.id))
        {
            bail!("BUG: the subjects given are not the ones the plan names");
        }
        let zone = zone_of_actor(&actor);
        let received = form.received_on.context("a plan sets the date of receipt")?;
        let clock = clock_for(received, zone, 0);
        let received_on = check_form(form, clock.today(zone)).map_err(|e| anyhow!("intake: {e}"))?;
        let election_id = *self
            .elections
            .get(form.election_region.as_str())
            .with_context(|| format!("no 2024 race in {}", form.election_region.as_str()))?;
        let handling = self.book.agency(&plan.handling)?;
        let handling_region = handling.region_code.clone().unwrap_or_else(|| "00".into());
        let prefix = numbering::case_prefix(&handling_region, form.source, received_on.year());
        let seq = self.seqs.entry(prefix).or_default();
        *seq += 1;
        let by = Intaker {
            agency_id: actor.agency_id,
            subject: &actor.subject,
            handling_region: &handling_region,
            election_id,
            seq: *seq,
            received_on,
            now: clock.now(),
            at: clock.instant(received_on, zone),
        };
        let rows = intake_rows(form, &by, subjects);
        let case_id = self.ids.take("case");
        let case = case::Model { id: case_id, ..rows.case };
        let mut pairs = Vec::new();
        for (a, o) in rows.allegations.into_iter().zip(subjects) {
            pairs.push((crate::entity::allegation::Model { id: self.ids.take("allegation"), case_id, ..a }, o.clone()));
        }
        let reporter =
            rows.reporter.map(|r| crate::entity::reporter::Model { id: self.ids.take("reporter"), case_id, ..r });
        let evidence: Vec<evidence::Model> = rows
            .evidence
            .into_iter()
            .map(|e| evidence::Model { id: self.ids.take("evidence"), case_id, ..e })
            .collect();
        let event = case_event::Model { id: self.ids.take("case_event"), case_id, ..rows.event };
        let loaded = Loaded {
            via_bkn: subjects.iter().any(|o| o.subject_kind.is_asn()),
            case,
            subjects: pairs,
            forwardings: Vec::new(),
            reporter,
            has_evidence: !evidence.is_empty(),
            sanctions: Vec::new(),
            executed: false,
        };
        Ok(Open {
            loaded,
            decisions: Vec::new(),
            checks: Vec::new(),
            escalations: Vec::new(),
            evidence,
            events: vec![event],
        })
    }

    /// Applies a step's effects as `persist_effects` writes them.
    fn apply(&mut self, open: &mut Open, ctx: &Ctx<'_>, effects: Effects, event: case_event::Model) {
        let l = &mut open.loaded;
        let c = &effects.changes;
        let case = &mut l.case;
        case.state = effects.to;
        case.version += 1;
        case.updated_at = ctx.now;
        if let Some(v) = c.handling_agency_id {
            case.handling_agency_id = v;
        }
        if let Some(v) = &c.registration_number {
            case.registration_number = Some(v.clone());
        }
        if let Some(v) = c.registered_on {
            case.registered_on = Some(v);
        }
        if let Some(v) = c.decided_on {
            case.decided_on = Some(v);
        }
        if let Some(v) = c.classification {
            case.classification = Some(v);
        }
        if let Some(v) = c.closure_reason {
            case.closure_reason = Some(v);
        }
        if let Some(v) = &c.not_registered_reason {
            case.not_registered_reason = Some(v.clone());
        }
        if let Some(v) = c.deadline_on {
            case.deadline_on = v;
        }
        for f in effects.forwardings {
            l.forwardings.push(crate::entity::forwarding::Model { id: self.ids.take("forwarding"), ..f });
        }
        for f in effects.updated_forwardings {
            if let Some(slot) = l.forwardings.iter_mut().find(|x| x.id == f.id) {
                *slot = f;
            }
        }
        for d in effects.decisions {
            let d = agency_decision::Model { id: self.ids.take("agency_decision"), ..d };
            if sanctions::is_sanction(d.kind, d.sanction_code) {
                l.sanctions.push(d.clone());
            }
            open.decisions.push(d);
        }
        for x in effects.checks {
            open.checks.push(execution_check::Model { id: self.ids.take("execution_check"), ..x });
        }
        for e in effects.escalations {
            open.escalations.push(escalation::Model { id: self.ids.take("escalation"), ..e });
        }
        for e in effects.evidence {
            open.evidence.push(evidence::Model { id: self.ids.take("evidence"), ..e });
            l.has_evidence = true;
        }
        open.events.push(case_event::Model { id: self.ids.take("case_event"), ..event });
        let current: Vec<i64> = l.current_sanctions().iter().map(|d| d.id).collect();
        l.executed = !current.is_empty()
            && open.checks.iter().any(|x| x.status == ExecutionStatus::Done && current.contains(&x.decision_id));
    }

    /// Moves a finished case's rows into `batch`.
    fn flush(&self, open: Open, batch: &mut Batch) {
        let l = open.loaded;
        batch.cases.push(l.case);
        batch.allegations.extend(l.subjects.into_iter().map(|(a, _)| a));
        batch.reporters.extend(l.reporter);
        batch.evidence.extend(open.evidence);
        batch.forwardings.extend(l.forwardings);
        batch.decisions.extend(open.decisions);
        batch.checks.extend(open.checks);
        batch.escalations.extend(open.escalations);
        batch.events.extend(open.events);
    }
}
