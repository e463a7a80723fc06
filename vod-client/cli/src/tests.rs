//! The command builder against a small hand-written table (the generated one is exercised by
//! the binary tests in `tests/cli/`).

use clap::error::ErrorKind;
use serde_json::{json, Map, Value};

use super::commands::{check_input, request_from_matches};
use super::table::{ArgKind, ArgSpec, CommandSpec, TimeWire};

const fn arg(flag: &'static str, wire: &'static str, kind: ArgKind) -> ArgSpec {
    ArgSpec {
        flag,
        wire,
        kind,
        list: false,
        comma: false,
        required: false,
        help: "A field.",
        default: None,
        values: &[],
        names: &[],
    }
}

static TABLE: &[CommandSpec] = &[
    CommandSpec {
        group: "videos",
        name: "list",
        operation: "getVideoList",
        about: "Pages through videos.",
        long_about: "Pages through videos.\n\nOperation `getVideoList`.",
        mutation: false,
        paginated: true,
        waitable: false,
        columns: &[],
        items: None,
        page_index: None,
        page_size: None,
        wait_query: None,
        wait_args: &[],
        answer: &[],
        args: &[
            arg("video-name", "videoName", ArgKind::String),
            ArgSpec {
                default: Some("10"),
                ..arg("page-size", "pageSize", ArgKind::Integer)
            },
            arg("start-time", "startTime", ArgKind::Long),
            arg("end-time", "endTime", ArgKind::Time(TimeWire::Text)),
            arg(
                "upload-after",
                "uploadAfter",
                ArgKind::Time(TimeWire::Seconds),
            ),
            arg("ratio", "ratio", ArgKind::Number),
            arg("encrypt", "encrypt", ArgKind::Boolean),
            ArgSpec {
                values: &[
                    ("0", "The video is enabled."),
                    ("1", "The video is blocked."),
                ],
                names: &["enabled", "blocked"],
                ..arg("video-state", "videoState", ArgKind::Long)
            },
            ArgSpec {
                values: &[("flv", "Flash video."), ("mp4", "MPEG-4.")],
                names: &["flv", "mp4"],
                ..arg("suffix", "suffix", ArgKind::String)
            },
            ArgSpec {
                list: true,
                comma: true,
                ..arg("video-ids", "videoIds", ArgKind::String)
            },
            ArgSpec {
                list: true,
                ..arg("tags", "tags", ArgKind::String)
            },
            ArgSpec {
                list: true,
                ..arg("urls", "urls", ArgKind::Json)
            },
            // Collides with the global --output: becomes --param-output.
            arg("output", "output", ArgKind::String),
        ],
    },
    CommandSpec {
        group: "videos",
        name: "delete",
        operation: "deleteVideo",
        about: "Deletes a video.",
        long_about: "Deletes a video.",
        mutation: false,
        paginated: false,
        waitable: false,
        columns: &[],
        items: None,
        page_index: None,
        page_size: None,
        wait_query: None,
        wait_args: &[],
        answer: &[],
        args: &[ArgSpec {
            required: true,
            ..arg("video-id", "videoId", ArgKind::String)
        }],
    },
    CommandSpec {
        group: "upload",
        name: "token",
        operation: "getUploadToken",
        about: "Returns an upload token.",
        long_about: "Returns an upload token.",
        mutation: false,
        paginated: false,
        waitable: false,
        columns: &[],
        items: None,
        page_index: None,
        page_size: None,
        wait_query: None,
        wait_args: &[],
        answer: &[],
        args: &[ArgSpec {
            required: true,
            ..arg("origin-file-name", "originFileName", ArgKind::String)
        }],
    },
];

fn parse(args: &[&str]) -> Result<clap::ArgMatches, clap::Error> {
    super::command(TABLE).try_get_matches_from(std::iter::once("vod").chain(args.iter().copied()))
}

/// The request object `vod <args>` builds for an operation command.
fn request(args: &[&str]) -> Value {
    let matches = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let (group, sub) = matches.subcommand().expect("group");
    let (name, op) = sub.subcommand().expect("operation");
    let spec = TABLE
        .iter()
        .find(|s| s.group == group && s.name == name)
        .expect("spec");
    request_from_matches(spec, op, Map::new())
}

#[test]
fn the_tree_is_valid() {
    super::command(TABLE).debug_assert();
}

#[test]
fn flags_become_typed_json() {
    let value = request(&[
        "videos",
        "list",
        "--video-name",
        "cat",
        "--page-size",
        "20",
        "--start-time",
        "1700000000000",
        "--ratio",
        "1.5",
        "--encrypt",
        "--video-state",
        "1",
        "--suffix",
        "mp4",
        "--video-ids",
        "a",
        "--video-ids",
        "b",
        "--urls",
        r#"{"url":"u1"}"#,
        "--param-output",
        "x",
    ]);
    assert_eq!(
        value,
        json!({
            "videoName": "cat", "pageSize": 20, "startTime": 1_700_000_000_000_i64, "ratio": 1.5,
            "encrypt": true, "videoState": 1, "suffix": "mp4", "videoIds": ["a", "b"],
            "urls": [{"url": "u1"}], "output": "x"
        })
    );
    assert_eq!(
        request(&["videos", "list", "--encrypt", "false"]),
        json!({"encrypt": false})
    );
    assert_eq!(request(&["videos", "list"]), json!({}));
}

#[test]
fn list_flags_take_commas_spaces_and_repeats_alike() {
    let ids = |args: &[&str]| {
        let mut all = vec!["videos", "list"];
        all.extend_from_slice(args);
        request(&all)["videoIds"].clone()
    };
    let expected = json!(["a", "b", "c"]);
    assert_eq!(ids(&["--video-ids", "a,b,c"]), expected);
    assert_eq!(ids(&["--video-ids", "a, b", "--video-ids", "c"]), expected);
    assert_eq!(ids(&["--video-ids", "a", "b", "c"]), expected);
    assert_eq!(ids(&["--video-ids", "a", "--video-ids", "b,c"]), expected);
    // A list whose items may hold commas refuses to guess, naming the flag.
    let err = parse(&["videos", "list", "--tags", "x,y"]).expect_err("comma");
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string()
            .contains("items of --tags may contain commas"),
        "{err}"
    );
    assert_eq!(
        request(&["videos", "list", "--tags", "x", "y"])["tags"],
        json!(["x", "y"])
    );
    let err = parse(&["videos", "list", "--video-ids", "a,,b"]).expect_err("empty");
    assert!(
        err.to_string().contains("item 2 of `a,,b` is empty"),
        "{err}"
    );
}

#[test]
fn time_flags_take_rfc3339_service_text_and_dates() {
    let end = |text: &str| request(&["videos", "list", "--end-time", text])["endTime"].clone();
    assert_eq!(end("2026-12-06T10:00:00Z"), "2026-12-06 18:00:00");
    assert_eq!(end("2026-12-06T10:00:00+08:00"), "2026-12-06 10:00:00");
    assert_eq!(end("2026-12-06 10:00:00"), "2026-12-06 10:00:00");
    assert_eq!(end("2026-12-06"), "2026-12-06 00:00:00");
    let after = request(&["videos", "list", "--upload-after", "2026-12-06T02:00:00Z"]);
    assert_eq!(after["uploadAfter"], 1_796_522_400);
    let err = parse(&["videos", "list", "--end-time", "soon"]).expect_err("time");
    assert!(err.to_string().contains("--end-time"), "{err}");
    assert!(err.to_string().contains("RFC 3339"), "{err}");
    // --input-json takes the same forms, rewritten to the wire's.
    let spec = &TABLE[0];
    let mut object: Map<String, Value> = serde_json::from_value(
        json!({"endTime": "2026-12-06", "uploadAfter": "2026-12-06T10:00:00+08:00"}),
    )
    .unwrap();
    super::commands::normalize_input(spec, &mut object).unwrap();
    assert_eq!(
        Value::Object(object.clone()),
        json!({"endTime": "2026-12-06 00:00:00", "uploadAfter": 1_796_522_400})
    );
    check_input(spec, &object).unwrap();
    let mut bad: Map<String, Value> = serde_json::from_value(json!({"endTime": "soon"})).unwrap();
    let err = super::commands::normalize_input(spec, &mut bad).unwrap_err();
    assert!(err.starts_with("$.endTime: "), "{err}");
}

#[test]
fn bad_values_are_usage_errors_naming_the_flag() {
    for (args, flag) in [
        (&["videos", "list", "--page-size", "x"][..], "--page-size"),
        (
            &["videos", "list", "--page-size", "3000000000"][..],
            "--page-size",
        ),
        (
            &["videos", "list", "--video-state", "7"][..],
            "--video-state",
        ),
        (&["videos", "list", "--ratio", "NaN"][..], "--ratio"),
        (&["videos", "list", "--urls", "{"][..], "--urls"),
        (&["videos", "list", "--urls", "[1,"][..], "--urls"),
        (&["videos", "list", "--nope", "1"][..], "--nope"),
    ] {
        let err = parse(args).expect_err(flag);
        assert_eq!(err.exit_code(), 2, "{args:?}");
        assert!(err.to_string().contains(flag), "{args:?}: {err}");
    }
}

#[test]
fn required_flags_unless_input_json() {
    let err = parse(&["videos", "delete"]).expect_err("required");
    assert_eq!(err.kind(), ErrorKind::MissingRequiredArgument);
    assert!(err.to_string().contains("--video-id"), "{err}");
    assert!(parse(&["videos", "delete", "--input-json", "req.json"]).is_ok());
}

#[test]
fn help_lists_enum_values_with_their_meaning() {
    let mut cmd = super::command(TABLE);
    let list = cmd
        .find_subcommand_mut("videos")
        .and_then(|g| g.find_subcommand_mut("list"))
        .expect("videos list");
    let help = list.render_long_help().to_string();
    assert!(help.contains("The video is blocked."), "{help}");
    assert!(help.contains("--video-state <INT>"), "{help}");
    assert!(help.contains("[service default: 10]"), "{help}");
    assert!(help.contains("--input-json <FILE|->"), "{help}");
    let root = super::command(TABLE).render_long_help().to_string();
    assert!(root.contains("Exit codes:"), "{root}");
}

#[test]
fn a_generated_group_named_like_a_builtin_is_merged() {
    let value = request(&["upload", "token", "--origin-file-name", "a.mp4"]);
    assert_eq!(value, json!({"originFileName": "a.mp4"}));
    let matches = parse(&["upload", "a.mp4", "b.mp4", "--no-progress"]).expect("files");
    let (_, sub) = matches.subcommand().expect("upload");
    assert!(sub.subcommand().is_none());
    assert_eq!(
        sub.get_many::<std::path::PathBuf>("files")
            .map(|f| f.count()),
        Some(2)
    );
}

#[test]
fn globals_work_after_the_subcommand() {
    let matches = parse(&["videos", "list", "--output", "yaml", "--query", "a[0]"]).expect("ok");
    let globals = super::Globals::read(&matches).expect("globals");
    assert_eq!(globals.output, Some(super::output::Format::Yaml));
    assert!(globals.query.is_some());
    let err = parse(&["videos", "list", "--output", "xml"]).expect_err("bad format");
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn input_json_is_checked_against_the_table() {
    let spec = &TABLE[0];
    let object = |v: Value| v.as_object().cloned().expect("object");
    assert!(check_input(spec, &object(json!({"pageSize": "20", "videoIds": ["a"]}))).is_ok());
    // The wire forms: a comma list as one string, an enum value by name (kebab or snake).
    for good in [
        json!({"videoIds": "a,b"}),
        json!({"videoIds": ""}),
        json!({"videoState": "blocked"}),
        json!({"suffix": "flv"}),
    ] {
        assert!(check_input(spec, &object(good.clone())).is_ok(), "{good}");
    }
    for (input, path) in [
        (json!({"pagesize": 1}), "$.pagesize"),
        (json!({"pageSize": "x"}), "$.pageSize"),
        (json!({"tags": "a"}), "$.tags"),
        (json!({"videoIds": 7}), "$.videoIds"),
        (json!({"videoState": "Blocked"}), "$.videoState"),
        (json!({"videoIds": ["a", {}]}), "$.videoIds[1]"),
        (json!({"videoState": 5}), "$.videoState"),
        (json!({"encrypt": "yes"}), "$.encrypt"),
    ] {
        let err = check_input(spec, &object(input.clone())).expect_err("bad");
        assert!(err.starts_with(path), "{input}: {err}");
    }
}

#[test]
fn flags_override_input_json() {
    let matches = parse(&["videos", "list", "--page-size", "5"]).expect("ok");
    let (_, sub) = matches.subcommand().expect("group");
    let (_, op) = sub.subcommand().expect("op");
    let base = json!({"pageSize": 50, "videoName": "dog"})
        .as_object()
        .cloned()
        .expect("obj");
    let value = request_from_matches(&TABLE[0], op, base);
    assert_eq!(value, json!({"pageSize": 5, "videoName": "dog"}));
}

fn help_of(args: &[&str]) -> String {
    match parse(args) {
        Err(e) if e.kind() == ErrorKind::DisplayHelp => e.to_string(),
        other => panic!("{args:?}: expected help, got {other:?}"),
    }
}

#[test]
fn group_help_says_what_the_resource_is() {
    let root = help_of(&["--help"]);
    assert!(
        root.contains("Videos in your library"),
        "the root lists each group with its resource: {root}"
    );
    let group = help_of(&["videos", "--help"]);
    assert!(
        group.contains("Videos in your library: list, edit"),
        "{group}"
    );
    assert!(group.contains("Commands: list, delete."), "{group}");
}

#[test]
fn debug_sign_help_documents_its_input() {
    let help = help_of(&["debug-sign", "--help"]);
    for member in [
        "method",
        "uri",
        "access_key",
        "secret_key",
        "timestamp",
        "headers",
        "body",
        "algorithm",
        "signed_headers",
        "canonical_request",
        "vod debug-sign < request.json",
    ] {
        assert!(help.contains(member), "{member} missing from:\n{help}");
    }
}

#[test]
fn output_text_and_columns_are_global_options() {
    let matches = parse(&[
        "videos",
        "list",
        "-o",
        "text",
        "--columns",
        "videoId,videoName",
    ])
    .expect("parses");
    let globals = super::Globals::read(&matches).expect("globals");
    assert_eq!(globals.output, Some(super::output::Format::Text));
    assert_eq!(
        globals.columns.as_deref(),
        Some(&["videoId".to_string(), "videoName".to_string()][..])
    );
    let bad = parse(&["videos", "list", "--query", "a[", "-o", "json"]).expect("clap accepts");
    let failure = super::Globals::read(&bad).unwrap_err();
    assert!(
        failure.message.starts_with("--query: "),
        "{}",
        failure.message
    );
}

#[test]
fn enum_flags_take_names_or_wire_values_and_help_lists_both() {
    let by_name = request(&["videos", "list", "--video-state", "blocked"]);
    let by_wire = request(&["videos", "list", "--video-state", "1"]);
    assert_eq!(by_name, json!({"videoState": 1}));
    assert_eq!(by_wire, by_name);
    // Names equal to the wire value are not listed twice.
    assert_eq!(
        request(&["videos", "list", "--suffix", "mp4"]),
        json!({"suffix": "mp4"})
    );
    let help = help_of(&["videos", "list", "--help"]);
    assert!(
        help.contains("blocked: The video is blocked. (or 1)"),
        "{help}"
    );
    assert!(help.contains("mp4: MPEG-4."), "{help}");
    let err = parse(&["videos", "list", "--video-state", "blockd"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(err.to_string().contains("enabled, blocked"), "{err}");
}

#[test]
fn all_pages_only_on_paged_commands() {
    assert!(parse(&["videos", "list", "--all-pages"]).is_ok());
    let err = parse(&["videos", "delete", "--video-id", "v", "--all-pages"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownArgument);
    let err = parse(&["videos", "list", "--wait"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownArgument);
}

/// Every command of the real tree, with its words (`["tasks", "transcode"]`).
fn every_command(
    cmd: &clap::Command,
    words: Vec<String>,
    out: &mut Vec<(Vec<String>, clap::Command)>,
) {
    for sub in cmd.get_subcommands() {
        let mut path = words.clone();
        path.push(sub.get_name().to_string());
        out.push((path.clone(), sub.clone()));
        every_command(sub, path, out);
    }
}

#[test]
fn every_command_has_examples_that_parse_and_globals_apart() {
    let mut root = super::command(crate::generated::COMMANDS);
    // Building propagates the global options into every subcommand, as parsing does.
    root.build();
    let mut all = vec![(Vec::new(), root.clone())];
    every_command(&root, Vec::new(), &mut all);
    assert!(all.len() > 40, "{}", all.len());
    for (words, cmd) in all {
        // clap's own `help` subcommands.
        if words.iter().any(|w| w == "help") {
            continue;
        }
        let mut cmd = cmd;
        let help = cmd.render_long_help().to_string();
        let short = cmd.render_help().to_string();
        let Some((_, examples)) = help.split_once("Examples:\n") else {
            panic!("vod {}: no Examples: section\n{help}", words.join(" "));
        };
        assert!(
            short.contains("Examples:"),
            "vod {}: -h has no examples",
            words.join(" ")
        );
        // Each example of an operation command (`vod <words> ...`) is accepted by the parser.
        let mut joined: Vec<String> = Vec::new();
        let mut continued = false;
        for line in examples.lines().take_while(|l| l.starts_with("  ")) {
            let text = line.trim().trim_end_matches('\\').trim_end();
            if continued {
                let last = joined.last_mut().expect("a line to continue");
                last.push(' ');
                last.push_str(text);
            } else {
                joined.push(text.to_string());
            }
            continued = line.ends_with('\\');
        }
        assert!(
            !joined.is_empty(),
            "vod {}: empty Examples:",
            words.join(" ")
        );
        for line in &joined {
            let line = line.as_str();
            assert!(
                line.starts_with("vod ") || line.contains("| vod "),
                "vod {}: {line}",
                words.join(" ")
            );
            if line.contains('$') || line.contains('|') || line.contains('<') || line.contains('>')
            {
                continue; // shell constructs: covered by the binary tests
            }
            let args: Vec<String> = line
                .split_whitespace()
                .map(|w| w.trim_matches('\'').to_string())
                .collect();
            if let Err(e) = super::command(crate::generated::COMMANDS).try_get_matches_from(&args) {
                panic!(
                    "vod {}: example `{line}` does not parse: {e}",
                    words.join(" ")
                );
            }
        }
        // Inherited options are listed apart from the command's own.
        if !words.is_empty() {
            let own = help.split("Global options:").next().unwrap_or_default();
            assert!(
                !own.contains("--access-key <AK>"),
                "vod {}: {help}",
                words.join(" ")
            );
            assert!(help.contains("Global options:"), "vod {}", words.join(" "));
        }
    }
}

#[test]
fn wait_commands_exist_only_where_their_flags_make_a_whole_request() {
    let follow: Vec<&CommandSpec> = crate::generated::COMMANDS
        .iter()
        .filter(|s| !s.wait_args.is_empty())
        .collect();
    assert!(follow.iter().any(|s| s.operation == "transCode"));
    for spec in follow {
        assert!(spec.waitable, "{}", spec.operation);
        for arg in spec.args.iter().filter(|a| a.required) {
            assert!(
                spec.wait_args.contains(&arg.wire),
                "{}: {}",
                spec.operation,
                arg.wire
            );
        }
    }
}

#[test]
fn a_json_flag_takes_json_or_the_wire_text() {
    // JSON stays JSON; text in a wire form (base64 of JSON, `{key:value}` pairs) is passed on
    // as text for the typed request to decode.
    for (text, expected) in [
        ("[1]", json!([[1]])),
        ("W3siYSI6MX1d", json!(["W3siYSI6MX1d"])),
        ("{key:value}", json!(["{key:value}"])),
    ] {
        let sent = request(&["videos", "list", "--urls", text]);
        assert_eq!(sent["urls"], expected, "{text}");
    }
}
