//! Officials (terlapor): the people named in cases. Visible only as subjects
//! of the caller's visible cases; Bawaslu may also look one up by exact NIP.

pub mod graphql;
pub mod loaders;
pub mod service;
