//! Case handling: the case (penanganan), its allegations, reporter, evidence,
//! forwardings to the competent agencies, their decisions, execution checks,
//! escalations, and the timeline of events.
//!
//! The case's place is denormalised into `province_code`, `regency_code` and
//! `district_code` (see the reference migration) so that jurisdiction scopes
//! are indexed equalities.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20241101_000001_create_reference::{index, Agency, Election, Region};
use crate::m20241101_000002_create_official::Official;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Case::Table)
                .col(big_integer(Case::Id).auto_increment().primary_key())
                .col(string_len_uniq(Case::Number, 40))
                .col(string_len(Case::Source, 40))
                .col(big_integer(Case::ElectionId))
                .col(big_integer(Case::HandlingAgencyId))
                .col(string_len_null(Case::ReceiptNumber, 80))
                .col(string_len_null(Case::RegistrationNumber, 80).unique_key())
                .col(string_len(Case::RegionCode, 16))
                .col(string_len(Case::ProvinceCode, 16))
                .col(string_len_null(Case::RegencyCode, 16))
                .col(string_len_null(Case::DistrictCode, 16))
                .col(date(Case::OccurredOn))
                .col(date(Case::KnownOn))
                .col(date(Case::ReceivedOn))
                .col(date_null(Case::RegisteredOn))
                .col(date_null(Case::DecidedOn))
                .col(string_len_null(Case::Classification, 40))
                .col(string_len(Case::State, 40))
                .col(date_null(Case::DeadlineOn))
                .col(string_len_null(Case::ClosureReason, 40))
                .col(text_null(Case::NotRegisteredReason))
                .col(text(Case::Summary))
                .col(integer(Case::Version).default(1))
                .col(timestamp_with_time_zone(Case::CreatedAt))
                .col(timestamp_with_time_zone(Case::UpdatedAt))
                .foreign_key(&mut fk((Case::Table, Case::ElectionId), (Election::Table, Election::Id)))
                .foreign_key(&mut fk((Case::Table, Case::HandlingAgencyId), (Agency::Table, Agency::Id)))
                .foreign_key(&mut fk((Case::Table, Case::RegionCode), (Region::Table, Region::Code)))
                .to_owned(),
        )
        .await?;
        index(m, Case::Table, "idx_case_province_received", &[Case::ProvinceCode, Case::ReceivedOn]).await?;
        index(m, Case::Table, "idx_case_regency_received", &[Case::RegencyCode, Case::ReceivedOn]).await?;
        index(m, Case::Table, "idx_case_district", &[Case::DistrictCode]).await?;
        index(m, Case::Table, "idx_case_region", &[Case::RegionCode]).await?;
        index(m, Case::Table, "idx_case_state", &[Case::State]).await?;
        index(m, Case::Table, "idx_case_received", &[Case::ReceivedOn]).await?;
        index(m, Case::Table, "idx_case_handling", &[Case::HandlingAgencyId]).await?;

        m.create_table(
            Table::create()
                .table(Allegation::Table)
                .col(big_integer(Allegation::Id).auto_increment().primary_key())
                .col(big_integer(Allegation::CaseId))
                .col(big_integer(Allegation::OfficialId))
                .col(string_len(Allegation::ViolationCode, 40))
                .col(string_len(Allegation::Phase, 40))
                .col(date(Allegation::ActOn))
                .col(string_len(Allegation::PlaceRegionCode, 16))
                .col(text(Allegation::Description))
                .foreign_key(&mut fk((Allegation::Table, Allegation::CaseId), (Case::Table, Case::Id)))
                .foreign_key(&mut fk((Allegation::Table, Allegation::OfficialId), (Official::Table, Official::Id)))
                .foreign_key(&mut fk((Allegation::Table, Allegation::PlaceRegionCode), (Region::Table, Region::Code)))
                .to_owned(),
        )
        .await?;
        index(m, Allegation::Table, "idx_allegation_case", &[Allegation::CaseId]).await?;
        index(m, Allegation::Table, "idx_allegation_official", &[Allegation::OfficialId]).await?;
        index(m, Allegation::Table, "idx_allegation_violation", &[Allegation::ViolationCode]).await?;

        m.create_table(
            Table::create()
                .table(Reporter::Table)
                .col(big_integer(Reporter::Id).auto_increment().primary_key())
                .col(big_integer_uniq(Reporter::CaseId))
                .col(string_len(Reporter::Kind, 40))
                .col(string_len(Reporter::Name, 200))
                .col(string_len_null(Reporter::Phone, 32))
                .col(string_len_null(Reporter::Email, 200))
                .col(text_null(Reporter::Address))
                .col(string_len_null(Reporter::Nik, 16))
                .col(string_len_null(Reporter::VoterRegionCode, 16))
                .foreign_key(&mut fk((Reporter::Table, Reporter::CaseId), (Case::Table, Case::Id)))
                .foreign_key(&mut fk((Reporter::Table, Reporter::VoterRegionCode), (Region::Table, Region::Code)))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Evidence::Table)
                .col(big_integer(Evidence::Id).auto_increment().primary_key())
                .col(big_integer(Evidence::CaseId))
                .col(string_len(Evidence::Kind, 40))
                .col(text(Evidence::Description))
                .col(string_len(Evidence::Sha256, 64))
                .col(big_integer_null(Evidence::SizeBytes))
                .col(text_null(Evidence::Url))
                .col(timestamp_with_time_zone(Evidence::CapturedAt))
                .col(big_integer(Evidence::SubmittedById))
                .col(string_len(Evidence::AccessLevel, 40))
                .col(timestamp_with_time_zone(Evidence::CreatedAt))
                .foreign_key(&mut fk((Evidence::Table, Evidence::CaseId), (Case::Table, Case::Id)))
                .foreign_key(&mut fk((Evidence::Table, Evidence::SubmittedById), (Agency::Table, Agency::Id)))
                .to_owned(),
        )
        .await?;
        index(m, Evidence::Table, "idx_evidence_case", &[Evidence::CaseId]).await?;

        m.create_table(
            Table::create()
                .table(Forwarding::Table)
                .col(big_integer(Forwarding::Id).auto_increment().primary_key())
                .col(big_integer(Forwarding::AllegationId))
                .col(big_integer(Forwarding::FromAgencyId))
                .col(big_integer(Forwarding::ToAgencyId))
                .col(big_integer_null(Forwarding::CopyToAgencyId))
                .col(string_len(Forwarding::LetterNumber, 80))
                .col(date(Forwarding::SentOn))
                .col(date_null(Forwarding::ReceivedOn))
                .col(date_null(Forwarding::DueOn))
                .col(string_len_null(Forwarding::RecommendedTrack, 40))
                .col(string_len_null(Forwarding::RecommendedSeverity, 40))
                .foreign_key(&mut fk(
                    (Forwarding::Table, Forwarding::AllegationId),
                    (Allegation::Table, Allegation::Id),
                ))
                .foreign_key(&mut fk((Forwarding::Table, Forwarding::FromAgencyId), (Agency::Table, Agency::Id)))
                .foreign_key(&mut fk((Forwarding::Table, Forwarding::ToAgencyId), (Agency::Table, Agency::Id)))
                .foreign_key(&mut fk((Forwarding::Table, Forwarding::CopyToAgencyId), (Agency::Table, Agency::Id)))
                .to_owned(),
        )
        .await?;
        index(m, Forwarding::Table, "idx_forwarding_allegation", &[Forwarding::AllegationId]).await?;
        index(m, Forwarding::Table, "idx_forwarding_to", &[Forwarding::ToAgencyId]).await?;

        m.create_table(
            Table::create()
                .table(AgencyDecision::Table)
                .col(big_integer(AgencyDecision::Id).auto_increment().primary_key())
                .col(big_integer(AgencyDecision::ForwardingId))
                .col(big_integer(AgencyDecision::AgencyId))
                .col(string_len(AgencyDecision::Kind, 40))
                .col(string_len(AgencyDecision::Outcome, 40))
                .col(string_len_null(AgencyDecision::SanctionCode, 40))
                .col(string_len_null(AgencyDecision::Severity, 40))
                .col(integer_null(AgencyDecision::DurationMonths))
                .col(string_len_null(AgencyDecision::DecreeNumber, 80))
                .col(date(AgencyDecision::DecidedOn))
                .col(date_null(AgencyDecision::EffectiveFrom))
                .col(date_null(AgencyDecision::EffectiveTo))
                .col(text_null(AgencyDecision::Note))
                .foreign_key(&mut fk(
                    (AgencyDecision::Table, AgencyDecision::ForwardingId),
                    (Forwarding::Table, Forwarding::Id),
                ))
                .foreign_key(&mut fk((AgencyDecision::Table, AgencyDecision::AgencyId), (Agency::Table, Agency::Id)))
                .to_owned(),
        )
        .await?;
        index(m, AgencyDecision::Table, "idx_decision_forwarding", &[AgencyDecision::ForwardingId]).await?;

        m.create_table(
            Table::create()
                .table(ExecutionCheck::Table)
                .col(big_integer(ExecutionCheck::Id).auto_increment().primary_key())
                .col(big_integer(ExecutionCheck::DecisionId))
                .col(big_integer(ExecutionCheck::AgencyId))
                .col(string_len(ExecutionCheck::Status, 40))
                .col(string_len_null(ExecutionCheck::ProofRef, 200))
                .col(date(ExecutionCheck::CheckedOn))
                .col(text_null(ExecutionCheck::Note))
                .foreign_key(&mut fk(
                    (ExecutionCheck::Table, ExecutionCheck::DecisionId),
                    (AgencyDecision::Table, AgencyDecision::Id),
                ))
                .foreign_key(&mut fk((ExecutionCheck::Table, ExecutionCheck::AgencyId), (Agency::Table, Agency::Id)))
                .to_owned(),
        )
        .await?;
        index(m, ExecutionCheck::Table, "idx_execution_decision", &[ExecutionCheck::DecisionId]).await?;

        m.create_table(
            Table::create()
                .table(Escalation::Table)
                .col(big_integer(Escalation::Id).auto_increment().primary_key())
                .col(big_integer(Escalation::ForwardingId))
                .col(big_integer(Escalation::AgencyId))
                .col(string_len(Escalation::Kind, 40))
                .col(string_len_null(Escalation::LetterNumber, 80))
                .col(date(Escalation::EscalatedOn))
                .col(text_null(Escalation::Note))
                .foreign_key(&mut fk(
                    (Escalation::Table, Escalation::ForwardingId),
                    (Forwarding::Table, Forwarding::Id),
                ))
                .foreign_key(&mut fk((Escalation::Table, Escalation::AgencyId), (Agency::Table, Agency::Id)))
                .to_owned(),
        )
        .await?;
        index(m, Escalation::Table, "idx_escalation_forwarding", &[Escalation::ForwardingId]).await?;

        m.create_table(
            Table::create()
                .table(CaseEvent::Table)
                .col(big_integer(CaseEvent::Id).auto_increment().primary_key())
                .col(big_integer(CaseEvent::CaseId))
                .col(string_len(CaseEvent::Action, 40))
                .col(string_len_null(CaseEvent::FromState, 40))
                .col(string_len(CaseEvent::ToState, 40))
                .col(big_integer(CaseEvent::ActorAgencyId))
                .col(string_len(CaseEvent::ActorSubject, 200))
                .col(timestamp_with_time_zone(CaseEvent::OccurredAt))
                .col(string_len_null(CaseEvent::DocumentRef, 200))
                .col(date_null(CaseEvent::DeadlineOn))
                .col(text_null(CaseEvent::Note))
                .foreign_key(&mut fk((CaseEvent::Table, CaseEvent::CaseId), (Case::Table, Case::Id)))
                .foreign_key(&mut fk((CaseEvent::Table, CaseEvent::ActorAgencyId), (Agency::Table, Agency::Id)))
                .to_owned(),
        )
        .await?;
        index(m, CaseEvent::Table, "idx_case_event_case", &[CaseEvent::CaseId, CaseEvent::OccurredAt]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CaseEvent::Table.into_iden(),
            Escalation::Table.into_iden(),
            ExecutionCheck::Table.into_iden(),
            AgencyDecision::Table.into_iden(),
            Forwarding::Table.into_iden(),
            Evidence::Table.into_iden(),
            Reporter::Table.into_iden(),
            Allegation::Table.into_iden(),
            Case::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Case {
    Table,
    Id,
    Number,
    Source,
    ElectionId,
    HandlingAgencyId,
    ReceiptNumber,
    RegistrationNumber,
    RegionCode,
    ProvinceCode,
    RegencyCode,
    DistrictCode,
    OccurredOn,
    KnownOn,
    ReceivedOn,
    RegisteredOn,
    DecidedOn,
    Classification,
    State,
    DeadlineOn,
    ClosureReason,
    NotRegisteredReason,
    Summary,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Allegation {
    Table,
    Id,
    CaseId,
    OfficialId,
    ViolationCode,
    Phase,
    ActOn,
    PlaceRegionCode,
    Description,
}

#[derive(DeriveIden, Clone, Copy)]
enum Reporter {
    Table,
    Id,
    CaseId,
    Kind,
    Name,
    Phone,
    Email,
    Address,
    Nik,
    VoterRegionCode,
}

#[derive(DeriveIden, Clone, Copy)]
enum Evidence {
    Table,
    Id,
    CaseId,
    Kind,
    Description,
    Sha256,
    SizeBytes,
    Url,
    CapturedAt,
    SubmittedById,
    AccessLevel,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Forwarding {
    Table,
    Id,
    AllegationId,
    FromAgencyId,
    ToAgencyId,
    CopyToAgencyId,
    LetterNumber,
    SentOn,
    ReceivedOn,
    DueOn,
    RecommendedTrack,
    RecommendedSeverity,
}

#[derive(DeriveIden, Clone, Copy)]
enum AgencyDecision {
    Table,
    Id,
    ForwardingId,
    AgencyId,
    Kind,
    Outcome,
    SanctionCode,
    Severity,
    DurationMonths,
    DecreeNumber,
    DecidedOn,
    EffectiveFrom,
    EffectiveTo,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
enum ExecutionCheck {
    Table,
    Id,
    DecisionId,
    AgencyId,
    Status,
    ProofRef,
    CheckedOn,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
enum Escalation {
    Table,
    Id,
    ForwardingId,
    AgencyId,
    Kind,
    LetterNumber,
    EscalatedOn,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
enum CaseEvent {
    Table,
    Id,
    CaseId,
    Action,
    FromState,
    ToState,
    ActorAgencyId,
    ActorSubject,
    OccurredAt,
    DocumentRef,
    DeadlineOn,
    Note,
}
