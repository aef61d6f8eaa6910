//! Cases (penanganan): their reads, filters and nested records. The workflow
//! that changes them arrives with the case-workflow capability.

pub mod graphql;
pub mod nested;
pub mod service;
