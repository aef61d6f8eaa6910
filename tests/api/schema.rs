//! The checked-in `schema.graphql` is the schema netra serves.

#[test]
fn schema_graphql_is_current() {
    let current = netra::app::schema::sdl();
    let checked_in = include_str!("../../schema.graphql").replace("\r\n", "\n");
    assert!(
        current == checked_in,
        "schema.graphql is stale: run `cargo run -q -- schema > schema.graphql` and commit it"
    );
}

#[tokio::test]
async fn each_role_schema_file_is_current() {
    for role in netra::policy::Role::ALL {
        let path = format!("{}/docs/schema/{}.graphql", env!("CARGO_MANIFEST_DIR"), role.name());
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default().replace("\r\n", "\n");
        let current = netra::app::sdl::sdl_for_role(role).await.unwrap();
        assert!(current == checked_in, "{path} is stale: run `cargo run -q -- schema --role {} > {path}`", role.name());
    }
}

#[test]
fn the_api_manual_embeds_the_current_policy_matrix() {
    let manual = include_str!("../../docs/api.md").replace("\r\n", "\n");
    let start = manual.find("<!-- policy:start -->\n").expect("docs/api.md has a policy:start marker") + 22;
    let end = manual.find("<!-- policy:end -->").expect("docs/api.md has a policy:end marker");
    assert!(
        manual[start..end] == netra::policy::matrix::markdown(),
        "docs/api.md's policy matrix is stale: paste the output of `cargo run -q -- policy` between the markers"
    );
}

#[tokio::test]
async fn role_schemas_hide_exactly_the_fields_the_role_may_never_see() {
    use netra::policy::Role;
    // The trimmed lines of one type's block in the SDL.
    let block = |sdl: &str, ty: &str| -> Vec<String> {
        let start = sdl.find(&format!("\ntype {ty} ")).unwrap_or_else(|| panic!("type {ty} in the SDL"));
        let body = &sdl[start..];
        let end = body.find("\n}").unwrap();
        body[..end].lines().map(|l| l.trim().to_owned()).collect()
    };
    let has = |lines: &[String], field: &str| lines.iter().any(|l| l.starts_with(field));
    for role in Role::ALL {
        let sdl = netra::app::sdl::sdl_for_role(role).await.unwrap();
        let case = block(&sdl, "Case");
        let official = block(&sdl, "Official");
        assert_eq!(has(&case, "reporter: Reporter"), role == Role::Bawaslu, "{role:?} reporter");
        assert_eq!(
            has(&case, "evidence: [Evidence!]!"),
            !matches!(role, Role::Other | Role::Anonymous),
            "{role:?} evidence"
        );
        assert_eq!(has(&official, "nip: String"), role != Role::Anonymous, "{role:?} nip");
        assert!(has(&block(&sdl, "Query"), "cases("), "{role:?} still has the case list");
    }
}
