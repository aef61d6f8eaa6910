//! The checked-in `schema.graphql` is the schema netra serves.

#[test]
fn schema_graphql_is_current() {
    let current = netra::graphql::schema::sdl();
    let checked_in = include_str!("../../schema.graphql").replace("\r\n", "\n");
    assert!(
        current == checked_in,
        "schema.graphql is stale: run `cargo run -q -- schema > schema.graphql` and commit it"
    );
}
