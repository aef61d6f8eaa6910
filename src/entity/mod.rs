//! sea-orm entities: persistence only, one file per table, in the shape
//! sea-orm-cli generates from the migrated schema. They carry no GraphQL
//! derives; the domain slices define the API types.

pub mod agency;
pub mod agency_decision;
pub mod allegation;
pub mod audit_chain;
pub mod audit_event;
pub mod audit_event_case;
pub mod case;
pub mod case_event;
pub mod change_entry;
pub mod election;
pub mod escalation;
pub mod evidence;
pub mod execution_check;
pub mod forwarding;
pub mod official;
pub mod publication;
pub mod region;
pub mod region_alias;
pub mod reporter;
pub mod webhook;
pub mod webhook_delivery;
