//! Golden tests: the fixture spec's output is compared byte for byte with files under
//! `tests/golden/mini/`. After an intended change, refresh them with
//! `UPDATE_EXPECT=1 cargo test -p codegen --test golden` and review the diff.
//! `vod-client` compiles these files in its own tests, so the golden code is known to build.

use std::path::Path;

use codegen::emit::Package;

fn fixture() -> Vec<codegen::SourceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let mut sources = codegen::read_spec_dir(&dir).expect("fixture readable");
    for s in &mut sources {
        // Relative paths keep messages and output independent of the checkout location.
        s.path = Path::new("mini").join(s.path.file_name().expect("file name"));
    }
    sources
}

#[test]
fn fixture_output_matches_golden_files() {
    let files = codegen::generate(&fixture()).expect("fixture generates");
    let names: Vec<String> = files.iter().map(golden_path).collect();
    assert_eq!(
        names,
        [
            "mod.rs",
            "service.rs",
            "dispatch.rs",
            "widgets.rs",
            "cli/mod.rs",
            "cli/commands.rs",
            "cli/invoke.rs",
            "emulator/mod.rs",
            "emulator/routes.rs",
        ]
    );
    for file in &files {
        let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/mini")
            .join(golden_path(file));
        expect_test::expect_file![golden].assert_eq(&file.contents);
    }
}

/// Where a file's golden copy is: the SDK's at the top, each other package's in a folder.
fn golden_path(file: &codegen::GeneratedFile) -> String {
    match file.package {
        Package::Sdk => file.path.clone(),
        Package::Cli => format!("cli/{}", file.path),
        Package::Emulator => format!("emulator/{}", file.path),
    }
}

#[test]
fn openapi_export_matches_golden_file() {
    let (generated, _) = codegen::generate_all(&fixture()).expect("fixture generates");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/mini/openapi.json");
    expect_test::expect_file![golden].assert_eq(&generated.openapi);
    let document: serde_json::Value =
        serde_json::from_str(&generated.openapi).expect("the export is JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let get = &document["paths"]["/fixture/getToken"]["get"];
    assert_eq!(
        get["parameters"][0]["name"], "fileList",
        "GET parameters go in the query"
    );
    let create = &document["components"]["schemas"]["FixtureCreateWidgetRequest"];
    assert_eq!(create["properties"]["count"]["maximum"], 5.0);
    assert_eq!(create["required"], serde_json::json!(["name", "count"]));
}

#[test]
fn output_is_deterministic() {
    let first = codegen::generate_all(&fixture()).expect("generates").0;
    let mut reversed = fixture();
    reversed.reverse();
    let second = codegen::generate_all(&reversed).expect("generates").0;
    assert_eq!(
        first, second,
        "same spec, in any file order, gives the same bytes"
    );
}

#[test]
fn every_generated_file_carries_the_header() {
    for file in codegen::generate(&fixture()).expect("generates") {
        assert!(
            file.contents.starts_with(codegen::emit::HEADER),
            "{} lacks the header",
            file.path
        );
    }
}

#[test]
fn real_spec_generates() {
    // The checked-in spec must always pass validation (the xtask --check test covers staleness).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec");
    let sources = codegen::read_spec_dir(&dir).expect("api-spec readable");
    if let Err(e) = codegen::generate(&sources) {
        panic!("api-spec/ does not generate:\n{e}");
    }
}
