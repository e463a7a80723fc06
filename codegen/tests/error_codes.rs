//! `error_codes` in service.yaml: classes and `retryable` are checked and generated into the
//! `ErrorCode` enum the runtime matches on.

use std::path::{Path, PathBuf};

use codegen::SourceFile;

const SERVICE: &str = include_str!("fixtures/mini/service.yaml");

fn with_codes(extra: &str) -> Vec<SourceFile> {
    let service = SERVICE.replace("error_codes:\n", &format!("error_codes:\n{extra}"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let mut files = codegen::read_spec_dir(&dir).expect("fixture readable");
    for f in &mut files {
        if f.path.file_name().is_some_and(|n| n == "service.yaml") {
            f.text = service.clone();
        }
        f.path = PathBuf::from("mini").join(f.path.file_name().expect("name"));
    }
    files
}

fn problems(extra: &str) -> Vec<String> {
    match codegen::generate(&with_codes(extra)) {
        Ok(_) => Vec::new(),
        Err(codegen::Error::Spec(d)) => {
            d.0.iter()
                .map(|p| format!("{}: {} ({})", p.location, p.message, p.hint))
                .collect()
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

#[test]
fn bad_classes_names_and_codes_are_reported_with_locations() {
    let got = problems(
        "  - { code: 7, name: tooBusy, doc: Busy., class: throtled }\n\
         \x20 - { code: 8, name: too_busy, doc: Busy again. }\n\
         \x20 - { code: 9, name: unknown, doc: Reserved. }\n\
         \x20 - { code: 200, name: fine, doc: Success is no error. }\n\
         \x20 - { code: 10, name: not-an-ident, doc: Bad. }\n",
    );
    let expected = [
        "mini/service.yaml:17:50: unknown error class `throtled` (did you mean `throttled`?)",
        "mini/service.yaml:18:22: error code name `too_busy` gives the variant `TooBusy`, already used (first used at mini/service.yaml:17:22",
        "mini/service.yaml:19:22: error code name `unknown` is reserved",
        "mini/service.yaml:20:13: error code 200 is the envelope's success code",
        "mini/service.yaml:21:23: error code name `not-an-ident` is not an identifier",
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (got, want) in got.iter().zip(expected) {
        assert!(got.starts_with(want), "{got}\n  expected {want}");
    }
}

#[test]
fn classes_and_retryable_codes_are_generated() {
    let files = codegen::generate(&with_codes(
        "  - { code: 429, name: tooManyRequests, doc: Slow down., class: throttled, retryable: true }\n",
    ))
    .expect("generates");
    let service = &files
        .iter()
        .find(|f| f.path == "service.rs")
        .expect("service.rs")
        .contents;
    assert!(
        service.contains("pub const RETRYABLE_ERROR_CODES: &[i64] = &[429, 2101];"),
        "{service}"
    );
    assert!(
        service.contains("429 => ErrorCode::TooManyRequests,"),
        "{service}"
    );
    assert!(
        service.contains("ErrorCode::TooManyRequests => Some(crate::ErrorClass::Throttled),"),
        "{service}"
    );
    assert!(
        service.contains("ErrorCode::BadParameter => Some(crate::ErrorClass::InvalidParameter),"),
        "{service}"
    );
    assert!(
        service.contains("/// Code 1000. Returned by `fixtureCreateWidget`."),
        "{service}"
    );
}
