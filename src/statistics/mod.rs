//! Statistics: live breakdowns of the cases an agency may see, and the
//! disclosure control that published tables go through.
//!
//! - [`disclosure`]: suppression and its audit (pure).

pub mod disclosure;
