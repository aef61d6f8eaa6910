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
async fn each_view_schema_file_is_current_and_there_is_no_other() {
    use netra::policy::SchemaView;
    let dir = format!("{}/docs/schema", env!("CARGO_MANIFEST_DIR"));
    for view in SchemaView::ALL {
        let path = format!("{dir}/{}.graphql", view.name());
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default().replace("\r\n", "\n");
        let current = netra::app::sdl::sdl_for_view(view).await.unwrap();
        assert!(current == checked_in, "{path} is stale: run `cargo run -q -- schema --role {} > {path}`", view.name());
    }
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.ends_with(".graphql"))
        .collect();
    files.sort();
    let mut expected: Vec<String> = SchemaView::ALL.iter().map(|v| format!("{}.graphql", v.name())).collect();
    expected.sort();
    assert_eq!(files, expected, "docs/schema/ holds one file per view, and no other");
    let readme = std::fs::read_to_string(format!("{dir}/README.md")).unwrap();
    for view in SchemaView::ALL {
        assert!(
            readme.contains(&format!("[`{}.graphql`]({}.graphql)", view.name(), view.name())),
            "README names {view:?}"
        );
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
async fn view_schemas_hide_exactly_the_fields_the_view_may_never_see() {
    use netra::policy::SchemaView;
    // The trimmed lines of one type's block in the SDL.
    let block = |sdl: &str, ty: &str| -> Vec<String> {
        let start = sdl.find(&format!("\ntype {ty} ")).unwrap_or_else(|| panic!("type {ty} in the SDL"));
        let body = &sdl[start..];
        let end = body.find("\n}").unwrap();
        body[..end].lines().map(|l| l.trim().to_owned()).collect()
    };
    let has = |lines: &[String], field: &str| lines.iter().any(|l| l.starts_with(field));
    for view in SchemaView::ALL {
        let sdl = netra::app::sdl::sdl_for_view(view).await.unwrap();
        let case = block(&sdl, "Case");
        let official = block(&sdl, "Official");
        let bawaslu = matches!(view, SchemaView::BawasluRiAudit | SchemaView::Bawaslu);
        assert_eq!(has(&case, "reporter: Reporter"), bawaslu, "{view:?} reporter");
        assert_eq!(
            has(&case, "evidence: [Evidence!]!"),
            !matches!(view, SchemaView::Ministry | SchemaView::Anonymous),
            "{view:?} evidence"
        );
        assert_eq!(has(&official, "nip: String"), view != SchemaView::Anonymous, "{view:?} nip");
        assert_eq!(has(&block(&sdl, "Query"), "auditEvents("), view == SchemaView::BawasluRiAudit, "{view:?} audit");
        assert!(has(&block(&sdl, "Query"), "cases("), "{view:?} still has the case list");
    }
}
