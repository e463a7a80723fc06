//! Broken specs: every problem is reported at once, each at its exact file:line:column with a
//! hint, and no input makes the generator panic.

use std::path::PathBuf;

use codegen::SourceFile;

const SERVICE: &str = include_str!("fixtures/mini/service.yaml");

fn sources(group: &str) -> Vec<SourceFile> {
    vec![
        SourceFile {
            path: PathBuf::from("spec/service.yaml"),
            text: SERVICE.to_string(),
        },
        SourceFile {
            path: PathBuf::from("spec/broken.yaml"),
            text: group.to_string(),
        },
    ]
}

/// `file:line:column: error: message` lines, hints left out.
fn problems(group: &str) -> Vec<String> {
    match codegen::generate(&sources(group)) {
        Ok(_) => Vec::new(),
        Err(codegen::Error::Spec(d)) => {
            d.0.iter()
                .map(|p| format!("{}: {}", p.location, p.message))
                .collect()
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

const HEAD: &str = "group: broken\ndoc: Broken things.\n";

#[test]
fn every_problem_is_reported_with_its_location() {
    let yaml = format!(
        "{HEAD}\
operations:
  - name: getThing
    method: POST
    path: vod/getThing
    body: json
    doc: Gets a thing.
    retry_safe: true
    request:
      - {{ name: videoId, type: strin, doc: Id. }}
      - {{ name: video_id, type: string, doc: Same name in snake case. }}
      - {{ name: size, type: boolean, min: 1, doc: A flag with a numeric bound. }}
    response:
      envelope: standard
      data: object
      fields:
        - {{ name: items, type: list<FixtureTag>, required: true, doc: Items. }}
    pagination: {{ page_index: pageIndex, page_size: pageSize, items: total }}
  - name: getThing
    method: GET
    path: /vod/getThing2
    body: json
    doc: Duplicate name, GET with a JSON body.
    retry_safe: true
    response: {{ envelope: standard, data: none }}
"
    );
    let got = problems(&yaml);
    let expected = [
        "spec/broken.yaml:6:11: path `vod/getThing` does not start with `/`",
        "spec/broken.yaml:11:32: unknown type `strin` for field `videoId`",
        "spec/broken.yaml:12:17: field `video_id` and field `videoId` (at spec/broken.yaml:11:17) both become `video_id` in Rust",
        "spec/broken.yaml:13:43: `min` on `size`, which is not a number",
        "spec/broken.yaml:19:31: pagination.page_index names `pageIndex`, which is not a request field",
        "spec/broken.yaml:19:53: pagination.page_size names `pageSize`, which is not a request field",
        "spec/broken.yaml:19:70: pagination.items names `total`, which is not a response field",
        "spec/broken.yaml:20:11: generated output type `GetThingOutput` collides with a name defined at spec/broken.yaml:4:11",
        "spec/broken.yaml:20:11: generated request type `GetThingRequest` collides with a name defined at spec/broken.yaml:4:11",
        "spec/broken.yaml:20:11: operation `getThing` is defined twice (or collides after snake_case conversion)",
        "spec/broken.yaml:23:11: GET with `body: json`",
    ];
    assert_eq!(got, expected, "\n{}", got.join("\n"));
}

#[test]
fn hints_suggest_the_fix() {
    let yaml = format!(
        "{HEAD}types:\n  Thing:\n    doc: A thing.\n    fields:\n      - {{ name: color, type: FixtureColr, doc: Colour. }}\n"
    );
    let Err(codegen::Error::Spec(d)) = codegen::generate(&sources(&yaml)) else {
        panic!("must fail")
    };
    assert_eq!(d.0.len(), 1);
    assert!(
        d.0[0].hint.contains("did you mean `FixtureColor`?"),
        "{}",
        d.0[0].hint
    );
    let rendered = d.to_string();
    assert!(
        rendered.contains("spec/broken.yaml:7:30: error: unknown type `FixtureColr`"),
        "{rendered}"
    );
    assert!(
        rendered.ends_with("1 problem found in the spec"),
        "{rendered}"
    );
}

#[test]
fn enums_keywords_and_names_are_checked() {
    let yaml = format!(
        "{HEAD}\
enums:
  Shade:
    type: integer
    doc: Shades.
    values:
      - {{ value: 1, name: light, doc: Light. }}
      - {{ value: 1, name: dark, doc: Dark. }}
      - {{ value: x, name: Light, doc: \"Same variant, wrong type.\" }}
  Client:
    type: string
    doc: Reserved name.
    values:
      - {{ value: a, name: a, doc: A. }}
operations:
  - name: move
    method: POST
    path: /m
    body: json
    doc: A keyword as an operation name.
    retry_safe: false
    response: {{ envelope: standard, data: none }}
"
    );
    let got = problems(&yaml);
    let expected = [
        "spec/broken.yaml:9:18: value `1` appears twice in the enum",
        "spec/broken.yaml:10:18: value `x` does not fit the enum's type",
        "spec/broken.yaml:10:27: value name `Light` becomes `Light`, already used at spec/broken.yaml:8:27",
        "spec/broken.yaml:11:3: `Client` is reserved by the client",
        "spec/broken.yaml:17:11: operation name `move` becomes the Rust keyword `move`",
    ];
    assert_eq!(got, expected, "\n{}", got.join("\n"));
}

#[test]
fn waiter_pointing_at_missing_things_is_reported() {
    let yaml = format!(
        "{HEAD}\
operations:
  - name: startJob
    method: POST
    path: /start
    body: json
    doc: Starts a job.
    retry_safe: false
    request:
      - {{ name: jobNo, type: string, required: true, doc: Job number. }}
    response: {{ envelope: standard, data: string }}
    waiter:
      query: queryJob
      input: {{ jobNo: request.jobNumber }}
      state: status
      success: [2]
      failure: [3]
  - name: queryJob
    method: POST
    path: /query
    body: json
    doc: Reports a job.
    retry_safe: true
    request:
      - {{ name: jobNo, type: string, required: true, doc: Job number. }}
    response:
      envelope: standard
      data: object
      fields:
        - {{ name: state, type: integer, required: true, doc: State. }}
"
    );
    let got = problems(&yaml);
    let expected = [
        "spec/broken.yaml:15:23: waiter input `request.jobNumber` names a missing field",
        "spec/broken.yaml:16:14: waiter state `status`: `status` is not a field of `queryJob`'s response",
    ];
    assert_eq!(got, expected, "\n{}", got.join("\n"));
}

#[test]
fn defaults_must_fit_their_type() {
    let fields = [
        "      - { name: count, type: integer, default: lots, doc: Count. }",
        "      - { name: color, type: FixtureColor, default: green, doc: Colour. }",
        "      - { name: paint, type: FixtureColor, default: red, doc: Fine. }",
    ];
    let yaml = format!(
        "{HEAD}types:\n  Thing:\n    doc: A thing.\n    fields:\n{}\n",
        fields.join("\n")
    );
    let got = problems(&yaml);
    let expected = [
        "spec/broken.yaml:7:48: default `lots` does not fit the type of `count`",
        "spec/broken.yaml:8:53: default `green` does not fit the type of `color`",
    ];
    assert_eq!(got, expected, "\n{}", got.join("\n"));
}

#[test]
fn garbage_never_panics() {
    let inputs = [
        "",
        "---",
        "[1, 2, 3]",
        "group: [",
        "group: g\ndoc: d\noperations: 7",
        "group: g\ndoc: d\noperations:\n  - name: x\n    method: POST\n",
        "group: g\ndoc: d\ntypes:\n  T:\n    doc: t\n    fields:\n      - { name: a, type: 'list<list<' , doc: x }\n",
        "group: g\ndoc: d\nenums:\n  E:\n    type: integer\n    doc: e\n    values: []\n",
        "\u{0}\u{1}\u{2}",
        "group: g\ndoc: d\ntypes:\n  T:\n    doc: t\n    fields:\n      - { name: '', type: string, doc: x }\n",
        "a: &a [*a]",
    ];
    for input in inputs {
        let result = std::panic::catch_unwind(|| codegen::generate(&sources(input)));
        assert!(result.is_ok(), "panicked on {input:?}");
        assert!(result.unwrap().is_err(), "accepted {input:?}");
    }
}

#[test]
fn no_single_line_deletion_or_truncation_panics() {
    // Every variant of the fixture with one line removed, or cut short at a line, either
    // generates or is reported with a location inside the file; nothing panics.
    let group = include_str!("fixtures/mini/widgets.yaml");
    let lines: Vec<&str> = group.lines().collect();
    let mut variants = Vec::new();
    for i in 0..lines.len() {
        let mut without = lines.clone();
        without.remove(i);
        variants.push(without.join("\n"));
        variants.push(lines[..i].join("\n"));
    }
    for text in variants {
        let outcome = std::panic::catch_unwind(|| codegen::generate(&sources(&text)));
        let Ok(result) = outcome else {
            panic!("panicked on:\n{text}");
        };
        if let Err(codegen::Error::Spec(d)) = result {
            for p in &d.0 {
                let in_file = p.location.line >= 1 && p.location.line <= lines.len() + 1;
                assert!(in_file, "location outside the file: {p}");
                assert!(!p.hint.is_empty(), "every problem has a hint: {p}");
            }
        }
    }
}

#[test]
fn at_least_one_groups_name_optional_request_fields() {
    let yaml = format!(
        "{HEAD}\
operations:
  - name: findThing
    method: POST
    path: /find
    body: json
    doc: Finds a thing.
    retry_safe: true
    at_least_one:
      - [thingId, thingNo]
      - [thingName]
    request:
      - {{ name: thingId, type: string, required: true, doc: Id. }}
      - {{ name: thingName, type: string, doc: Name. }}
    response: {{ envelope: standard, data: none }}
"
    );
    let got = problems(&yaml);
    let expected = [
        "spec/broken.yaml:11:9: at_least_one names `thingId`, which is already required",
        "spec/broken.yaml:11:9: at_least_one names `thingNo`, which is not a request field",
        "spec/broken.yaml:12:9: an at_least_one group needs two or more fields",
    ];
    assert_eq!(got, expected, "\n{}", got.join("\n"));
}

#[test]
fn formats_are_known_and_on_strings() {
    let fields = [
        "      - { name: when, type: string, format: date, doc: When. }",
        "      - { name: count, type: integer, format: url, doc: Count. }",
        "      - { name: hook, type: string, format: url, doc: Fine. }",
    ];
    let yaml = format!(
        "{HEAD}types:\n  Thing:\n    doc: A thing.\n    fields:\n{}\n",
        fields.join("\n")
    );
    let got = problems(&yaml);
    let expected = [
        "spec/broken.yaml:7:45: unknown format `date`",
        "spec/broken.yaml:8:47: `format` on `count`, which is not a string",
    ];
    assert_eq!(got, expected, "\n{}", got.join("\n"));
}

/// The single problem of a broken `spec/broken.yaml` (the service file is fine).
fn only_problem(group: &str) -> codegen::Diagnostic {
    match codegen::generate(&sources(group)) {
        Err(codegen::Error::Spec(d)) if d.0.len() == 1 => d.0[0].clone(),
        Err(other) => panic!("expected one spec problem, got: {other}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn yaml_syntax_errors_name_the_place() {
    let p = only_problem("group: broken\ndoc: \"unclosed\n");
    assert_eq!(p.location.file, PathBuf::from("spec/broken.yaml"));
    assert_eq!(p.location.line, 2, "{p}");
    assert!(p.message.contains("unclosed quote"), "{p}");
    assert!(p.hint.contains("quoting"), "{p}");
    let p = only_problem("group: broken\ndoc: d\noperations: 7\n");
    assert_eq!((p.location.line, p.location.column), (3, 13), "{p}");
    assert!(p.hint.contains("type"), "{p}");
}

#[test]
fn deep_flow_nesting_is_refused_with_its_place() {
    // 100,000 levels in 200 KB used to take serde_yaml 22 s; the walk stops at level 65.
    let depth = 100_000;
    let text = format!("{HEAD}types: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let p = only_problem(&text);
    // The flow limit counts brackets: the 65th `[` (column 7 + 65) goes too deep.
    assert_eq!((p.location.line, p.location.column), (3, 7 + 65), "{p}");
    assert_eq!(
        p.message,
        "nesting deeper than 64 levels of mappings and sequences"
    );
    assert!(p.hint.contains("flatten"), "{p}");
}

#[test]
fn deep_block_nesting_is_refused() {
    let mut text = String::from(HEAD);
    text.push_str("types:\n");
    for level in 1..=70 {
        text.push_str(&format!("{}k{level}:\n", "  ".repeat(level)));
    }
    let p = only_problem(&text);
    assert!(p.message.contains("deeper than 64"), "{p}");
    // `k1` (line 4) opens level 2 under `types:`, so level 65 opens on line 4 + 63.
    assert_eq!(p.location.line, 67, "{p}");
}

#[test]
fn oversized_files_are_refused_before_parsing() {
    let big = format!("{HEAD}# {}\n", "x".repeat(codegen::load::MAX_FILE_BYTES));
    let p = only_problem(&big);
    assert_eq!((p.location.line, p.location.column), (1, 1));
    assert!(p.message.contains("at most 8388608 bytes (8 MiB)"), "{p}");

    let dir = scratch_dir("oversized");
    std::fs::write(dir.join("service.yaml"), SERVICE).unwrap();
    std::fs::write(dir.join("big.yaml"), &big).unwrap();
    let err = codegen::read_spec_dir(&dir).unwrap_err().to_string();
    assert!(err.contains("big.yaml:1:1: error: the file is"), "{err}");
}

#[test]
fn invalid_utf8_is_reported_at_its_line_and_column() {
    let bytes = b"group: broken\ndoc: caf\xe9 au lait\n".to_vec();
    let p = codegen::SourceFile::from_bytes(PathBuf::from("spec/broken.yaml"), bytes).unwrap_err();
    assert_eq!(
        p.to_string().lines().next().unwrap(),
        "spec/broken.yaml:2:9: error: invalid UTF-8 (byte 0xe9)"
    );
    assert!(p.hint.contains("UTF-8"));

    // Columns count characters, not bytes, before the bad byte.
    let bytes = "doc: é\u{4e2d}".bytes().chain([0xff, b'\n']).collect();
    let p = codegen::SourceFile::from_bytes(PathBuf::from("x.yaml"), bytes).unwrap_err();
    assert_eq!((p.location.line, p.location.column), (1, 8));

    let dir = scratch_dir("utf8");
    std::fs::write(dir.join("service.yaml"), SERVICE).unwrap();
    std::fs::write(dir.join("broken.yaml"), b"group: g\n\xc3(\n").unwrap();
    let err = codegen::read_spec_dir(&dir).unwrap_err().to_string();
    assert!(
        err.contains("broken.yaml:2:1: error: invalid UTF-8 (byte 0xc3)"),
        "{err}"
    );
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("codegen-validation-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn cli_columns_name_fields_of_the_paged_items() {
    let yaml = format!(
        "{HEAD}\
types:
  Thing:
    doc: A thing.
    fields:
      - {{ name: thingId, type: string, required: true, doc: Id. }}
      - {{ name: thingName, type: string, doc: Name. }}
operations:
  - name: listThings
    method: POST
    path: /listThings
    body: json
    doc: Pages through things.
    retry_safe: true
    cli: {{ group: things, name: list, columns: [thingId, thingNmae, thingId, color] }}
    request:
      - {{ name: pageIndex, type: integer, doc: Page. }}
      - {{ name: pageSize, type: integer, doc: Size. }}
    response:
      envelope: standard
      data: object
      fields:
        - {{ name: things, type: list<Thing>, required: true, doc: This page. }}
    pagination: {{ page_index: pageIndex, page_size: pageSize, items: things }}
  - name: getThing
    method: POST
    path: /getThing
    body: json
    doc: Gets a thing.
    retry_safe: true
    cli: {{ group: things, name: get, columns: [thingId] }}
    response: {{ envelope: standard, data: string }}
"
    );
    let got = problems(&yaml);
    let expected = [
        "spec/broken.yaml:16:58: cli.columns: `thingNmae` is not a field of `Thing`",
        "spec/broken.yaml:16:69: cli.columns lists `thingId` twice",
        "spec/broken.yaml:16:78: cli.columns: `color` is not a field of `Thing`",
        "spec/broken.yaml:32:38: cli.columns on `getThing`, which is not paginated",
    ];
    assert_eq!(got, expected, "\n{}", got.join("\n"));
    let hints: Vec<String> = match codegen::generate(&sources(&yaml)) {
        Err(codegen::Error::Spec(d)) => d.0.iter().map(|p| p.hint.clone()).collect(),
        _ => Vec::new(),
    };
    assert_eq!(hints[0], "did you mean `thingName`?");
    assert_eq!(hints[2], "name a field of `Thing`: thingId, thingName");
}
