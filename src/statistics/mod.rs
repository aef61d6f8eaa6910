//! Statistics: live breakdowns of the cases an agency may see (counts of
//! cases, allegations, officials and sanctions by one or two dimensions,
//! grouped in SQL over the policy's case scope), and the disclosure control
//! that published tables go through (see `crate::publication`).
//!
//! - [`dimension`]: the dimensions, measures and groupings (pure).
//! - [`service`]: the SQL breakdown.
//! - [`disclosure`]: suppression and its audit (pure).
//! - [`graphql`]: the `statistics` root field and its types.

pub mod dimension;
pub mod disclosure;
pub mod graphql;
pub mod service;

pub use dimension::{Dimension, GroupBy, Measure};
pub use service::{Breakdown, Cell, Counts, Heading};
