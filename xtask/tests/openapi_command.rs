//! `cargo xtask openapi`: the export in a chosen OpenAPI version, written where asked.

use std::path::Path;
use std::process::Command;

fn xtask(args: &[&str]) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(&root)
        .output()
        .expect("xtask runs")
}

#[test]
fn writes_the_3_0_export_and_the_3_1_one_matches_docs() {
    let out = std::env::temp_dir().join(format!("xtask-openapi-{}.json", std::process::id()));
    let out_text = out.to_str().expect("utf-8 temp path");
    let run = xtask(&["openapi", "--version", "3.0", "--out", out_text]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let written = std::fs::read_to_string(&out).expect("written");
    let _ = std::fs::remove_file(&out);
    assert!(
        written.contains("\"openapi\": \"3.0.3\""),
        "{}",
        &written[..200]
    );
    assert!(written.contains("\"/vod/videoManage/getVideoList\": {"));

    let run = xtask(&["openapi", "--version", "3.1", "--out", "-"]);
    assert!(run.status.success());
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        std::fs::read_to_string(docs).expect("docs/openapi.json")
    );
}

#[test]
fn refuses_an_unknown_version_or_a_missing_flag() {
    let run = xtask(&["openapi", "--version", "2.0", "--out", "-"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("unknown OpenAPI version `2.0`"));
    let run = xtask(&["openapi", "--version", "3.0"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("needs `--out FILE`"));
}

#[test]
fn help_works_for_openapi_too() {
    let output = xtask(&["openapi", "--help"]);
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("cargo xtask openapi --version"), "{text}");
}
