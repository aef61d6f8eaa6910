//! Published statistics: tables a Bawaslu office froze, with disclosure
//! control applied, for the public. Immutable and versioned; readable by
//! anyone through GraphQL (`publications`, `publication(id)`) and as open
//! data (`/public/publications/{id}.csv` and `.json`).
//!
//! - [`document`]: the frozen content and its JSON and CSV renderings.
//! - [`service`]: publishing (policy, breakdown, suppression, audit, insert) and reading.
//! - [`graphql`]: the `Publication` type, root fields and `publishStatistics`.
//! - [`http`]: the open-data endpoints.

pub mod document;
pub mod graphql;
pub mod http;
pub mod service;
