//! API operations through `vod <group> <name>` against a `vod emulator` child process: a read,
//! writes, a paged list, `--input-json`, `--query`, and the error paths with their exit codes.
//!
//! Commands and flags are looked up in the generated table by operation and wire name, so the
//! tests do not depend on how the spec names the commands.

use std::path::PathBuf;

use crate::support::{fails_with, json_ok, temp_dir, Emulator};
use serde_json::{json, Value};
use vod_cli::generated::COMMANDS;

/// `[group, name]` of the command of `operation`.
pub(crate) fn command(operation: &str) -> [&'static str; 2] {
    let spec = COMMANDS
        .iter()
        .find(|c| c.operation == operation)
        .unwrap_or_else(|| panic!("no command for {operation}"));
    [spec.group, spec.name]
}

/// `--<flag>` of the field `wire` of `operation`.
pub(crate) fn flag(operation: &str, wire: &str) -> String {
    let spec = COMMANDS
        .iter()
        .find(|c| c.operation == operation)
        .unwrap_or_else(|| panic!("no command for {operation}"));
    let arg = spec
        .args
        .iter()
        .find(|a| a.wire == wire)
        .unwrap_or_else(|| panic!("{operation} has no field {wire}"));
    format!("--{}", arg.flag)
}

pub(crate) fn upload(emulator: &Emulator, dir: &std::path::Path, names: &[&str]) -> Vec<String> {
    let files: Vec<PathBuf> = names
        .iter()
        .map(|name| {
            let path = dir.join(name);
            std::fs::write(&path, name.as_bytes()).unwrap();
            path
        })
        .collect();
    let output = emulator.vod().arg("upload").args(&files).output().unwrap();
    json_ok(&output)
        .as_array()
        .expect("list")
        .iter()
        .map(|v| v["videoId"].as_str().expect("videoId").to_string())
        .collect()
}

fn list_page(emulator: &Emulator, index: u32, size: u32) -> Value {
    let output = emulator
        .vod()
        .args(command("getVideoList"))
        .args([flag("getVideoList", "pageIndex"), index.to_string()])
        .args([flag("getVideoList", "pageSize"), size.to_string()])
        .output()
        .unwrap();
    json_ok(&output)
}

#[test]
fn paged_list_read_and_write() {
    let emulator = Emulator::start();
    let dir = temp_dir("ops-paged");
    let ids = upload(&emulator, &dir, &["a.mp4", "b.mp4", "c.mp4"]);

    // Paged list: 2 + 1 entries (`videoTotal` counts the entries of the page, as documented).
    let first = list_page(&emulator, 1, 2);
    let second = list_page(&emulator, 2, 2);
    assert_eq!(first["videoTotal"], 2, "{first}");
    assert_eq!(second["videoTotal"], 1, "{second}");
    assert_eq!(
        first["videoListInfo"].as_array().map(Vec::len),
        Some(2),
        "{first}"
    );
    assert_eq!(
        second["videoListInfo"].as_array().map(Vec::len),
        Some(1),
        "{second}"
    );
    let mut listed: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|page| {
            page["videoListInfo"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|v| v["videoId"].as_str().unwrap_or_default().to_string())
        .collect();
    listed.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(listed, expected);

    // Write: rename one video; read it back with --query (the envelope's `data.` accepted).
    let output = emulator
        .vod()
        .args(command("videoEdit"))
        .args([flag("videoEdit", "videoId"), ids[0].clone()])
        .args([flag("videoEdit", "videoName"), "renamed".into()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = emulator
        .vod()
        .args(command("getVideoList"))
        .args([flag("getVideoList", "videoId"), ids[0].clone()])
        .args(["--query", "data.videoListInfo[0].videoName"])
        .output()
        .unwrap();
    assert_eq!(json_ok(&output), json!("renamed"));

    // The same read as YAML.
    let output = emulator
        .vod()
        .args(command("getVideoList"))
        .args([flag("getVideoList", "videoId"), ids[0].clone()])
        .args(["--output", "yaml", "--query", "videoListInfo[0].videoName"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "renamed");
}

#[test]
fn category_create_then_list() {
    let emulator = Emulator::start();
    let output = emulator
        .vod()
        .args(command("createCategory"))
        .args([flag("createCategory", "labelName"), "cats".into()])
        .output()
        .unwrap();
    json_ok(&output);
    let output = emulator
        .vod()
        .args(command("getCategoryList"))
        .output()
        .unwrap();
    let text = json_ok(&output).to_string();
    assert!(text.contains("cats"), "{text}");
}

#[test]
fn service_errors_show_code_message_and_request_id() {
    let emulator = Emulator::start();
    let output = emulator
        .vod()
        .args(command("deleteVideo"))
        .args([flag("deleteVideo", "videoId"), "no-such-video".into()])
        .output()
        .unwrap();
    let stderr = fails_with(&output, 1);
    assert!(stderr.contains("deleteVideo"), "{stderr}");
    assert!(stderr.contains("code: "), "{stderr}");
    assert!(stderr.contains("message: "), "{stderr}");
    assert!(
        stderr.contains("request id: ") && !stderr.contains("request id: (none)"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn input_json_from_a_file_and_stdin() {
    let emulator = Emulator::start();
    let dir = temp_dir("ops-input-json");
    upload(&emulator, &dir, &["x.mp4", "y.mp4"]);
    let request = dir.join("request.json");
    std::fs::write(&request, r#"{"pageSize": 1, "pageIndex": 2}"#).unwrap();
    let output = emulator
        .vod()
        .args(command("getVideoList"))
        .arg("--input-json")
        .arg(&request)
        .output()
        .unwrap();
    let page = json_ok(&output);
    assert_eq!(
        page["videoListInfo"].as_array().map(Vec::len),
        Some(1),
        "{page}"
    );
    // Newest first: the second page of one holds the first upload.
    assert_eq!(page["videoListInfo"][0]["videoName"], "x.mp4", "{page}");

    // From stdin; a flag overrides the JSON's field.
    let output = emulator
        .vod()
        .args(command("getVideoList"))
        .args(["--input-json", "-"])
        .args([flag("getVideoList", "pageSize"), "2".into()])
        .write_stdin(r#"{"pageSize": 1}"#)
        .output()
        .unwrap();
    let page = json_ok(&output);
    assert_eq!(
        page["videoListInfo"].as_array().map(Vec::len),
        Some(2),
        "{page}"
    );
}

#[test]
fn bad_input_is_a_usage_error_naming_the_flag_or_path() {
    let emulator = Emulator::start();
    let list = command("getVideoList");
    let page_size = flag("getVideoList", "pageSize");
    let out_of_range = format!("{page_size}: must be");
    let cases: Vec<(Vec<String>, Option<&str>, &str)> = vec![
        // clap: not an integer.
        (vec![page_size.clone(), "many".into()], None, &page_size),
        // unknown flag.
        (
            vec!["--no-such-flag".into(), "1".into()],
            None,
            "--no-such-flag",
        ),
        // The typed request's validation (1..=50), named by the flag the user typed.
        (vec![page_size.clone(), "80".into()], None, &out_of_range),
        // Malformed --input-json: line and column.
        (
            vec!["--input-json".into(), "-".into()],
            Some("{\"pageSize\": }"),
            "line 1 column",
        ),
        // Unknown field in --input-json: its JSON path.
        (
            vec!["--input-json".into(), "-".into()],
            Some(r#"{"pagesize": 1}"#),
            "$.pagesize",
        ),
        // Wrong type in --input-json.
        (
            vec!["--input-json".into(), "-".into()],
            Some(r#"{"pageSize": [1]}"#),
            "$.pageSize",
        ),
    ];
    for (args, stdin, expected) in cases {
        let mut cmd = emulator.vod();
        cmd.args(list).args(&args);
        if let Some(input) = stdin {
            cmd.write_stdin(input);
        }
        let output = cmd.output().unwrap();
        let stderr = fails_with(&output, 2);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // A required flag is marked as such.
    let output = emulator
        .vod()
        .args(command("deleteVideo"))
        .output()
        .unwrap();
    let stderr = fails_with(&output, 2);
    assert!(stderr.contains(&flag("deleteVideo", "videoId")), "{stderr}");
}

#[test]
fn output_for_scripts_and_for_people() {
    let emulator = Emulator::start();
    let dir = temp_dir("ops-output");
    let ids = upload(&emulator, &dir, &["猫の動画.mp4", "dog.mp4"]);
    let list = || {
        let mut cmd = emulator.vod();
        cmd.args(command("getVideoList")).env_remove("COLUMNS");
        cmd
    };
    let stdout = |cmd: &mut assert_cmd::Command| {
        let output = cmd.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let newest = &ids[1];

    // A captured scalar is bare with -o text, and stays JSON with -o json.
    let id = stdout(list().args(["--query", "videoListInfo[0].videoId", "-o", "text"]));
    assert_eq!(id, format!("{newest}\n"));
    let id = stdout(list().args(["--query", "videoListInfo[0].videoId", "-o", "json"]));
    assert_eq!(id, format!("\"{newest}\"\n"));
    // JMESPath projections and filters; lists print one item per line.
    let all = stdout(list().args(["--query", "videoListInfo[*].videoId", "-o", "text"]));
    assert_eq!(all, format!("{}\n{}\n", ids[1], ids[0]));
    let filtered = stdout(list().args([
        "--query",
        "videoListInfo[?videoName=='dog.mp4'].videoId | [0]",
        "-o",
        "text",
    ]));
    assert_eq!(filtered, format!("{newest}\n"));

    // Tables: the answer's field order (videoName, videoId, ... as the spec lists them), and
    // columns aligned by display width (each CJK character is two columns wide).
    let table = stdout(list().args(["--query", "videoListInfo", "-o", "table"]));
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("videoName     videoId"), "{table}");
    let starts: Vec<usize> = lines
        .iter()
        .map(|line| {
            let name_end = line.find("  ").unwrap();
            let rest = &line[name_end..];
            let pad = rest.len() - rest.trim_start().len();
            unicode_width::UnicodeWidthStr::width(&line[..name_end]) + pad
        })
        .collect();
    assert!(
        starts.iter().all(|s| *s == starts[0]),
        "{table}\n{starts:?}"
    );

    // --columns picks and orders; COLUMNS fits the table.
    let picked = stdout(list().args([
        "--query",
        "videoListInfo",
        "-o",
        "table",
        "--columns",
        "videoId,videoName",
    ]));
    assert!(picked.starts_with("videoId"), "{picked}");
    assert_eq!(picked.lines().next().unwrap().split_whitespace().count(), 2);
    let narrow = stdout(
        list()
            .args(["--query", "videoListInfo", "-o", "table"])
            .env("COLUMNS", "50"),
    );
    for line in narrow.lines().filter(|l| !l.starts_with('(')) {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 50,
            "{line:?}"
        );
    }
    assert!(narrow.contains("more columns not shown"), "{narrow}");
    let output = list()
        .args(["-o", "table", "--columns", "nope"])
        .output()
        .unwrap();
    let stderr = fails_with(&output, 2);
    assert!(stderr.contains("--columns: no column nope"), "{stderr}");
}

/// The curated `-o table` columns the spec declares for `operation` (`cli.columns`).
fn spec_columns(operation: &str) -> &'static [&'static str] {
    COMMANDS
        .iter()
        .find(|c| c.operation == operation)
        .unwrap_or_else(|| panic!("no command for {operation}"))
        .columns
}

/// The header words of the table of items under `heading:` (the first line after it).
fn header_after<'t>(table: &'t str, heading: &str) -> Vec<&'t str> {
    let mut lines = table.lines().skip_while(|l| *l != heading);
    assert!(lines.next().is_some(), "no `{heading}` in\n{table}");
    lines.next().unwrap_or("").split_whitespace().collect()
}

#[test]
fn list_tables_show_the_spec_columns_by_default() {
    let emulator = Emulator::start();
    let dir = temp_dir("ops-columns");
    upload(&emulator, &dir, &["a.mp4", "b.mp4", "c.mp4"]);
    let run = |args: &[&str]| {
        let output = emulator
            .vod()
            .args(command("getVideoList"))
            .env_remove("COLUMNS")
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let curated = spec_columns("getVideoList");
    assert!(
        curated.len() >= 3 && curated.contains(&"videoId"),
        "{curated:?}"
    );
    // One page: the page's scalars, then the items under the curated header, in spec order.
    let table = run(&["-o", "table"]);
    assert_eq!(header_after(&table, "videoListInfo:"), curated, "{table}");
    assert!(!table.contains("imageUrl"), "{table}");
    // --all-pages collects one table with the same header.
    let pages = run(&[
        "-o",
        "table",
        "--all-pages",
        &flag("getVideoList", "pageSize"),
        "2",
    ]);
    let header: Vec<&str> = pages.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, curated, "{pages}");
    assert_eq!(pages.lines().count(), 4, "{pages}");
    // --columns still chooses.
    let chosen = run(&["-o", "table", "--columns", "videoName,imageUrl"]);
    assert_eq!(
        header_after(&chosen, "videoListInfo:"),
        ["videoName", "imageUrl"],
        "{chosen}"
    );
    // JSON and text keep every field.
    let json: Value = serde_json::from_str(&run(&["-o", "json"])).unwrap();
    let first = json["videoListInfo"][0].as_object().unwrap();
    assert!(first.len() > curated.len(), "{first:?}");

    // Categories declare theirs too; a command without columns keeps every field.
    let output = emulator
        .vod()
        .args(command("createCategory"))
        .args([flag("createCategory", "labelName"), "cats".into()])
        .output()
        .unwrap();
    json_ok(&output);
    let output = emulator
        .vod()
        .args(command("getCategoryList"))
        .env_remove("COLUMNS")
        .args(["-o", "table"])
        .output()
        .unwrap();
    let table = String::from_utf8(output.stdout).unwrap();
    let header = header_after(&table, "categoryList:");
    let declared = spec_columns("getCategoryList");
    // A node without a parent has no parentNodeId: the others keep the spec's order.
    let positions: Vec<Option<usize>> = header
        .iter()
        .map(|h| declared.iter().position(|d| d == h))
        .collect();
    assert!(
        header.len() >= 2
            && positions.iter().all(Option::is_some)
            && positions.windows(2).all(|w| w[0] < w[1]),
        "{table}"
    );
    for operation in ["getAudioList", "getMaterialList"] {
        assert!(!spec_columns(operation).is_empty(), "{operation}");
    }
    let unpaged = COMMANDS.iter().filter(|c| !c.paginated);
    assert!(unpaged.clone().all(|c| c.columns.is_empty()));
}

#[test]
fn all_pages_streams_every_entry() {
    let emulator = Emulator::start();
    let dir = temp_dir("ops-all-pages");
    let names = ["p1.mp4", "p2.mp4", "p3.mp4", "p4.mp4", "p5.mp4"];
    let mut ids = upload(&emulator, &dir, &names);
    let run = |args: &[&str]| {
        let output = emulator
            .vod()
            .args(command("getVideoList"))
            .args([flag("getVideoList", "pageSize"), "2".into()])
            .arg("--all-pages")
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    // JSON Lines: one object per entry, across the three pages of 2.
    let lines = run(&["-o", "json"]);
    let entries: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let mut listed: Vec<String> = entries
        .iter()
        .map(|e| e["videoId"].as_str().expect("videoId").to_string())
        .collect();
    listed.sort();
    ids.sort();
    assert_eq!(listed, ids);
    // --query applies to each entry; text gives one line each.
    let text = run(&["-o", "text", "--query", "videoName"]);
    let mut got: Vec<&str> = text.lines().collect();
    got.sort();
    assert_eq!(got, names);
    // A table waits for the last page: one header, five rows.
    let table = run(&["-o", "table", "--columns", "videoName"]);
    assert_eq!(table.lines().count(), 6, "{table}");
    assert_eq!(table.lines().next(), Some("videoName"));
}

#[test]
fn wait_follows_a_task_to_its_end() {
    let emulator = Emulator::start();
    let dir = temp_dir("ops-wait");
    let ids = upload(&emulator, &dir, &["w.mp4"]);
    let output = emulator
        .vod()
        .args(command("transCode"))
        .args([flag("transCode", "videoIds"), ids[0].clone()])
        .args(["--wait", "--wait-timeout", "60"])
        .output()
        .unwrap();
    let state = json_ok(&output);
    // The final state is the waiter's query answer: the video, now transcoded.
    assert_eq!(
        state[0]["answer"]["videoListInfo"][0]["videoId"],
        ids[0].as_str(),
        "{state}"
    );
    // --wait-timeout needs --wait.
    let output = emulator
        .vod()
        .args(command("transCode"))
        .args([flag("transCode", "videoIds"), ids[0].clone()])
        .args(["--wait-timeout", "5"])
        .output()
        .unwrap();
    fails_with(&output, 2);
}
