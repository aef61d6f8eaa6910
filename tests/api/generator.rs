//! The synthetic generator writes what the API writes. The same case plans,
//! one per path of the process, are played once through the API's entry
//! points (intake and `case::commands`, one transaction per step) and once
//! the way the generator writes (in memory, then in bulk), each on its own
//! database; every row of every table the workflow writes must be the same,
//! compared by natural keys (case numbers, official names, agency codes)
//! since ids may differ.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use netra::case::intake::{NewAllegation, NewCase, NewEvidence, NewReporter, SubjectRef};
use netra::config::Deadlines;
use netra::domain::{
    CaseSource, CaseState as S, ClosureReason as C, EvidenceKind, Nik, RegionCode, ReporterKind, SubjectKind,
    ViolationCode,
};
use netra::entity::official;
use netra::seed::book::Book;
use netra::seed::plan::{Act, CasePlan, PlannedStep};
use netra::seed::planner::{plan_steps, Outline};
use netra::seed::replay::{play_api, write_plans};
use sea_orm::ActiveModelTrait;
use sea_orm::ActiveValue::{NotSet, Set};

use crate::helpers::{engines, TestApp};

/// An official of the test: name, kind, NIP, employer, PPK, workplace.
type Person = (&'static str, SubjectKind, Option<&'static str>, &'static str, Option<&'static str>, &'static str);

const PEOPLE: &[Person] = &[
    ("Guru Satu", SubjectKind::Pns, Some("198503142010011001"), "PEMDA-16.73", None, "16.73"),
    ("Kabid Dua", SubjectKind::Pns, Some("197908212005012002"), "PEMDA-16.73", Some("PEMDA-16"), "16.73"),
    ("Perawat Tiga", SubjectKind::Pppk, Some("199001012022212003"), "PEMDA-16.73", None, "16.73"),
    ("Honorer Empat", SubjectKind::NonAsn, None, "PEMDA-16.73", None, "16.73"),
    ("Kades Lima", SubjectKind::VillageHead, None, "PEMDA-16.02", None, "16.02.05.2011"),
    ("Babinsa Enam", SubjectKind::Tni, None, "TNI", None, "16.73"),
    ("Bhabin Tujuh", SubjectKind::Polri, None, "POLRI", None, "16.73"),
    ("Analis Delapan", SubjectKind::Pns, Some("198812302014031004"), "PEMDA-94", None, "94"),
];

/// One path of the process: handling office, place, subjects, source, day
/// of receipt, the state to reach, and steps beyond the planner's.
struct Path {
    handling: &'static str,
    place: &'static str,
    subjects: &'static [&'static str],
    source: CaseSource,
    received: &'static str,
    target: (S, Option<C>),
}

const PATHS: &[Path] = &[
    // Filed too late: not registered.
    path("BAWASLU-16.73", "16.73", &["Guru Satu"], CaseSource::Laporan, "2024-09-02", (S::NotRegistered, None)),
    path(
        "BAWASLU-16.73",
        "16.73",
        &["Guru Satu"],
        CaseSource::Temuan,
        "2024-09-03",
        (S::Closed, Some(C::NotAViolation)),
    ),
    // ASN: BKN verifies, the PPK (its ppk_id, not its employer) decrees, Bawaslu checks and closes.
    path(
        "BAWASLU-16.73",
        "16.73",
        &["Kabid Dua", "Guru Satu"],
        CaseSource::Laporan,
        "2024-09-04",
        (S::Closed, Some(C::SanctionExecuted)),
    ),
    path(
        "BAWASLU-16.73",
        "16.73",
        &["Perawat Tiga"],
        CaseSource::Temuan,
        "2024-09-05",
        (S::Closed, Some(C::NotProven)),
    ),
    path("BAWASLU-16.73", "16.73", &["Guru Satu"], CaseSource::Temuan, "2024-09-06", (S::OverdueEscalated, None)),
    path("BAWASLU-16.73", "16.73", &["Kabid Dua"], CaseSource::Temuan, "2024-09-07", (S::AdminAppeal, None)),
    // Non-ASN to their government, a village head to the regency, TNI and Polri to themselves.
    path(
        "BAWASLU-16.73",
        "16.73",
        &["Honorer Empat"],
        CaseSource::Laporan,
        "2024-09-08",
        (S::ExecutionMonitoring, None),
    ),
    path("BAWASLU-16.02", "16.02", &["Kades Lima"], CaseSource::Temuan, "2024-09-09", (S::SanctionImposed, None)),
    path("BAWASLU-16.73", "16.73", &["Babinsa Enam"], CaseSource::Temuan, "2024-09-10", (S::SanctionImposed, None)),
    path("BAWASLU-16.73", "16.73", &["Bhabin Tujuh"], CaseSource::Temuan, "2024-09-11", (S::PpkExamination, None)),
    // The criminal track to Gakkumdu, to a verdict.
    path(
        "BAWASLU-16.73",
        "16.73",
        &["Honorer Empat"],
        CaseSource::Temuan,
        "2024-09-12",
        (S::Closed, Some(C::CriminalVerdict)),
    ),
    // An office in WIT (UTC+9).
    path("BAWASLU-94", "94", &["Analis Delapan"], CaseSource::Laporan, "2024-09-13", (S::SanctionRecommended, None)),
];

const fn path(
    handling: &'static str,
    place: &'static str,
    subjects: &'static [&'static str],
    source: CaseSource,
    received: &'static str,
    target: (S, Option<C>),
) -> Path {
    Path { handling, place, subjects, source, received, target }
}

async fn insert_people(app: &TestApp, book: &Book) -> HashMap<&'static str, official::Model> {
    let mut out = HashMap::new();
    for (name, kind, nip, employer, ppk, region) in PEOPLE {
        let m = official::ActiveModel {
            id: NotSet,
            subject_kind: Set(*kind),
            nip: Set(nip.map(str::to_owned)),
            nrp: Set(matches!(kind, SubjectKind::Tni | SubjectKind::Polri).then(|| format!("NRP-{name}"))),
            full_name: Set((*name).to_owned()),
            position: Set("Staf".into()),
            position_class: Set(None),
            grade: Set(None),
            employer_id: Set(book.agency(employer).unwrap().id),
            ppk_id: Set(ppk.map(|p| book.agency(p).unwrap().id)),
            work_region_code: Set((*region).to_owned()),
        }
        .insert(&app.db)
        .await
        .unwrap();
        out.insert(*name, m);
    }
    out
}

fn plan_of(serial: u64, p: &Path, people: &HashMap<&str, official::Model>, book: &Book) -> CasePlan {
    let received: NaiveDate = p.received.parse().unwrap();
    let late = p.target.0 == S::NotRegistered;
    let known = received - Duration::days(if late { 10 } else { 2 });
    let place = RegionCode::parse(p.place).unwrap();
    let act = ViolationCode::DisSocmedCampaign;
    let subjects: Vec<&official::Model> = p.subjects.iter().map(|n| &people[n]).collect();
    let laporan = p.source == CaseSource::Laporan;
    let intake = NewCase {
        source: p.source,
        place: place.clone(),
        election_region: place.clone(),
        occurred_on: known - Duration::days(1),
        known_on: known,
        received_on: Some(received),
        summary: format!("Generator test case {serial}."),
        reporter: laporan.then(|| NewReporter {
            kind: ReporterKind::Voter,
            name: "Pelapor Uji".into(),
            phone: Some("081234567890".into()),
            email: None,
            address: None,
            nik: Some(Nik::parse("1673014101900001").unwrap()),
            voter_region: Some(place.clone()),
        }),
        allegations: subjects
            .iter()
            .map(|o| NewAllegation {
                subject: SubjectRef::Id(o.id),
                violation: act,
                act_on: known - Duration::days(1),
                place: None,
                description: format!("Shared a campaign post ({}).", o.full_name),
            })
            .collect(),
        evidence: vec![NewEvidence {
            kind: EvidenceKind::Screenshot,
            description: "Screenshot of the post".into(),
            sha256: format!("{serial:064}"),
            size_bytes: Some(2048),
            url: None,
            captured_at: known.and_hms_opt(3, 0, 0).unwrap().and_utc(),
        }],
        document_ref: Some("Form A".into()),
    };
    let outline = Outline {
        serial,
        handling: book.agency(p.handling).unwrap(),
        subject: subjects[0],
        act,
        received_on: received,
        target: p.target.0,
        closure: p.target.1,
        sanction: None,
    };
    let mut steps = plan_steps(&outline, book, &Deadlines::default()).unwrap();
    if p.target.0 == S::AdminAppeal {
        // The appeal is decided too: the decree is upheld.
        let last = steps.last().unwrap().clone();
        let resolve = Act::ResolveAppeal(None);
        steps.push(PlannedStep {
            on: last.on + Duration::days(10),
            act: resolve,
            document_ref: Some("KEP-1".into()),
            ..last
        });
    }
    CasePlan { handling: p.handling.to_owned(), intake, steps }
}

/// Every table the workflow writes, as sorted text rows keyed naturally.
async fn dump(app: &TestApp) -> Vec<(&'static str, Vec<String>)> {
    let c = "JOIN \"case\" c ON c.id = a.case_id JOIN official o ON o.id = a.official_id";
    let tables: [(&str, &[&str], String); 9] = [
        ("case", &["c.number", "c.source", "e.region_code", "h.code", "c.receipt_number", "c.registration_number",
            "c.region_code", "c.province_code", "c.regency_code", "c.district_code", "c.occurred_on", "c.known_on",
            "c.received_on", "c.registered_on", "c.decided_on", "c.classification", "c.state", "c.deadline_on",
            "c.closure_reason", "c.not_registered_reason", "c.summary", "c.version", "c.created_at", "c.updated_at"],
            "\"case\" c JOIN agency h ON h.id = c.handling_agency_id JOIN election e ON e.id = c.election_id".into()),
        ("allegation", &["c.number", "o.full_name", "a.violation_code", "a.phase", "a.act_on", "a.place_region_code",
            "a.description"], format!("allegation a {c}")),
        ("reporter", &["c.number", "r.kind", "r.name", "r.phone", "r.nik", "r.voter_region_code"],
            "reporter r JOIN \"case\" c ON c.id = r.case_id".into()),
        ("evidence", &["c.number", "v.kind", "v.description", "v.sha256", "v.size_bytes", "v.captured_at", "s.code",
            "v.access_level", "v.created_at"],
            "evidence v JOIN \"case\" c ON c.id = v.case_id JOIN agency s ON s.id = v.submitted_by_id".into()),
        ("forwarding", &["c.number", "o.full_name", "fa.code", "ta.code", "ca.code", "f.letter_number", "f.sent_on",
            "f.received_on", "f.due_on", "f.recommended_track", "f.recommended_severity"],
            format!("forwarding f JOIN allegation a ON a.id = f.allegation_id {c} JOIN agency fa ON fa.id = f.from_agency_id \
             JOIN agency ta ON ta.id = f.to_agency_id LEFT JOIN agency ca ON ca.id = f.copy_to_agency_id")),
        ("agency_decision", &["c.number", "o.full_name", "da.code", "d.kind", "d.outcome", "d.sanction_code",
            "d.severity", "d.duration_months", "d.decree_number", "d.decided_on", "d.effective_from", "d.effective_to",
            "d.note"],
            format!("agency_decision d JOIN forwarding f ON f.id = d.forwarding_id JOIN allegation a ON a.id = f.allegation_id {c} \
             JOIN agency da ON da.id = d.agency_id")),
        ("execution_check", &["c.number", "o.full_name", "d.kind", "d.decree_number", "xa.code", "x.status",
            "x.proof_ref", "x.checked_on", "x.note"],
            format!("execution_check x JOIN agency_decision d ON d.id = x.decision_id JOIN forwarding f ON f.id = d.forwarding_id \
             JOIN allegation a ON a.id = f.allegation_id {c} JOIN agency xa ON xa.id = x.agency_id")),
        ("escalation", &["c.number", "o.full_name", "sa.code", "s.kind", "s.letter_number", "s.escalated_on", "s.note"],
            format!("escalation s JOIN forwarding f ON f.id = s.forwarding_id JOIN allegation a ON a.id = f.allegation_id {c} \
             JOIN agency sa ON sa.id = s.agency_id")),
        ("case_event", &["c.number", "e.occurred_at", "e.action", "e.from_state", "e.to_state", "ea.code",
            "e.actor_subject", "e.document_ref", "e.deadline_on", "e.note"],
            "case_event e JOIN \"case\" c ON c.id = e.case_id JOIN agency ea ON ea.id = e.actor_agency_id".into()),
    ];
    let mut out = Vec::new();
    for (name, cols, from) in tables {
        let row =
            cols.iter().map(|c| format!("COALESCE(CAST({c} AS TEXT), '-')")).collect::<Vec<_>>().join(" || '|' || ");
        let mut rows = app.strings(&format!("SELECT {row} FROM {from}")).await;
        rows.sort();
        out.push((name, rows));
    }
    out
}

#[tokio::test]
async fn the_generator_writes_exactly_what_the_api_writes() {
    for engine in engines() {
        let (api, generator) = (TestApp::spawn(engine).await, TestApp::spawn(engine).await);
        let mut ended = Vec::new();
        for (app, through_api) in [(&api, true), (&generator, false)] {
            let book = Book::load(&app.db).await.unwrap();
            let people = insert_people(app, &book).await;
            let plans: Vec<CasePlan> =
                PATHS.iter().enumerate().map(|(i, p)| plan_of(i as u64 + 1, p, &people, &book)).collect();
            let cases = if through_api {
                let mut out = Vec::new();
                for plan in &plans {
                    out.push(play_api(&app.db, &book, Deadlines::default(), "officer", plan).await.unwrap());
                }
                out
            } else {
                write_plans(&app.db, Deadlines::default(), "officer", &plans).await.unwrap()
            };
            let states: Vec<(S, Option<C>)> = cases.iter().map(|c| (c.state, c.closure_reason)).collect();
            // The appeal is resolved after it is filed: the case is back to SANCTION_IMPOSED.
            let targets: Vec<(S, Option<C>)> = PATHS
                .iter()
                .map(|p| if p.target.0 == S::AdminAppeal { (S::SanctionImposed, None) } else { p.target })
                .collect();
            assert_eq!(states, targets, "{engine:?}: every plan reaches its state");
            ended.push(dump(app).await);
        }
        let (from_api, from_generator) = (&ended[0], &ended[1]);
        for ((table, a), (_, g)) in from_api.iter().zip(from_generator) {
            assert!(!a.is_empty(), "{engine:?}: the paths write {table} rows");
            assert_eq!(a, g, "{engine:?}: {table} differs between the API and the generator");
        }
        // The paths reach every receiver, and the PPK named by ppk_id gets the copy.
        let forwardings = from_api.iter().find(|(t, _)| *t == "forwarding").unwrap().1.join("\n");
        for to in [
            "|BKN|PEMDA-16|",
            "|BKN|PEMDA-16.73|",
            "|PEMDA-16.73|-|",
            "|PEMDA-16.02|-|",
            "|TNI|-|",
            "|POLRI|-|",
            "|GAKKUMDU-16.73|-|",
            "|BKN|PEMDA-94|",
        ] {
            assert!(forwardings.contains(to), "{engine:?}: a forwarding {to} in\n{forwardings}");
        }
        let events = from_api.iter().find(|(t, _)| *t == "case_event").unwrap().1.join("\n");
        for action in [
            "|COMPLETE_FORMAL_CHECK|",
            "|VERIFY|",
            "|ESCALATE|",
            "|RESOLVE_APPEAL|",
            "|CHECK_EXECUTION|",
            "|RECORD_VERDICT|",
            "|CLOSE|",
        ] {
            assert!(events.contains(action), "{engine:?}: an event {action}");
        }
    }
}
