//! Reference data: regions with aliases and tree navigation, agencies,
//! elections — public to every caller.

use serde_json::json;

use crate::helpers::{Engine, TestApp};

#[tokio::test]
async fn the_region_tree_has_every_province_and_the_sumsel_kabupaten_kota() {
    for engine in crate::helpers::engines() {
        let app = TestApp::spawn(engine).await;
        let data = app
            .data_as(None, "{ regions { code } sumsel: region(code: \"16\") { children { code kind } } }", json!({}))
            .await;
        assert_eq!(data["regions"].as_array().unwrap().len(), 38);
        let children = data["sumsel"]["children"].as_array().unwrap();
        assert_eq!(children.len(), 17);
        assert!(children.iter().any(|c| c["code"] == "16.73" && c["kind"] == "KOTA"));
        let llg = app.data_as(None, "{ region(code: \"16.73\") { name children { code } } }", json!({})).await;
        assert_eq!(llg["region"]["name"], "Kota Lubuk Linggau");
        assert_eq!(llg["region"]["children"].as_array().unwrap().len(), 8);
        let plg = app.data_as(None, "{ region(code: \"16.71\") { children { code } } }", json!({})).await;
        assert_eq!(plg["region"]["children"].as_array().unwrap().len(), 18);
        let lampung = app.data_as(None, "{ region(code: \"18.71\") { name parent { code } } }", json!({})).await;
        assert_eq!(lampung["region"]["name"], "Kota Bandar Lampung");
        assert_eq!(lampung["region"]["parent"]["code"], "18");
    }
}

#[tokio::test]
async fn aliases_find_regions_by_the_spelling_the_press_uses() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let data = app
        .data_as(None, "{ byAlias: region(code: \"Lubuklinggau\") { code aliases } search: regions(search: \"lubuklinggau\") { code } }", json!({}))
        .await;
    assert_eq!(data["byAlias"]["code"], "16.73");
    assert!(data["byAlias"]["aliases"].as_array().unwrap().iter().any(|a| a == "Lubuklinggau"));
    assert!(data["search"].as_array().unwrap().iter().any(|r| r["code"] == "16.73"));
    let village = app.data_as(None, "{ region(code: \"16.73.01.1001\") { name kind level } }", json!({})).await;
    assert_eq!(village["region"]["name"], "Air Kuti");
    assert_eq!(village["region"]["level"], 4);
}

#[tokio::test]
async fn agencies_and_elections_are_public() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let q = "{ agencies(regionCode: \"16.73\") { code kind parent { code } } elections(regionCode: \"16.73\") { kind name determinationOn votingOn } \
             kasn: agency(code: \"KASN\") { validTo active } }";
    let data = app.data_as(None, q, json!({})).await;
    let codes: Vec<&str> = data["agencies"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    for code in ["BAWASLU-16.73", "INSPEKTORAT-16.73", "PEMDA-16.73"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let bawaslu = data["agencies"].as_array().unwrap().iter().find(|a| a["code"] == "BAWASLU-16.73").unwrap();
    assert_eq!(bawaslu["parent"]["code"], "BAWASLU-16");
    let races = data["elections"].as_array().unwrap();
    assert_eq!(races.len(), 2, "the mayor race and the governor race cover Lubuk Linggau");
    assert!(races.iter().all(|r| r["determinationOn"] == "2024-09-22" && r["votingOn"] == "2024-11-27"));
    assert_eq!(data["kasn"]["validTo"], "2024-08-23");
    assert_eq!(data["kasn"]["active"], false);
    for agency in [
        "BAWASLU",
        "BAWASLU-16",
        "BAWASLU-16.71",
        "BAWASLU-18",
        "BAWASLU-18.71",
        "PANWASCAM-16.73.01",
        "INSPEKTORAT-16.71",
        "PEMDA-16.71",
        "PEMDA-16",
        "BKN",
        "POLRI",
        "TNI",
    ] {
        let d = app.data_as(None, "query($c: String!) { agency(code: $c) { code } }", json!({ "c": agency })).await;
        assert_eq!(d["agency"]["code"], agency);
    }
}
