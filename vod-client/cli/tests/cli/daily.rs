//! Daily use, as a new user meets it (issue 21): times in every form, lists that feed the next
//! command, enum names and typed numbers, and the help's own examples, against a `vod
//! emulator` child process.

use std::process::Command;

use crate::operations::{command, flag, upload};
use crate::support::{fails_with, json_ok, temp_dir, Emulator, AK, SK};
use serde_json::Value;

fn stdout(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// RFC 3339 text of now plus `hours`, in UTC (`Z`) or at +08:00.
fn rfc3339(hours: i64, east8: bool) -> String {
    let ts = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(hours);
    if east8 {
        let offset = jiff::tz::Offset::constant(8);
        format!(
            "{}+08:00",
            offset.to_datetime(ts).strftime("%Y-%m-%dT%H:%M:%S")
        )
    } else {
        ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

#[test]
fn time_flags_and_input_json_take_rfc3339_service_text_and_dates() {
    let emulator = Emulator::start();
    let dir = temp_dir("daily-times");
    let ids = upload(&emulator, &dir, &["t1.mp4", "t2.mp4"]);
    let start = flag("getVideoList", "startTime");
    let count = |args: &[String]| {
        let output = emulator
            .vod()
            .args(command("getVideoList"))
            .args(args)
            .args(["--query", "length(videoListInfo)", "-o", "json"])
            .output()
            .unwrap();
        json_ok(&output)
    };
    let since = |text: String| count(&[start.clone(), text]);
    // An hour ago, however it is written, includes both; an hour ahead, neither.
    assert_eq!(since(rfc3339(-1, false)), 2);
    assert_eq!(since(rfc3339(-1, true)), 2);
    assert_eq!(since(rfc3339(1, false)), 0);
    let service_text = {
        let offset = jiff::tz::Offset::constant(8);
        let ts = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
        offset
            .to_datetime(ts)
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    assert_eq!(since(service_text), 2);
    // A date alone is midnight UTC+8: yesterday's includes today's uploads, 2099's nothing.
    assert_eq!(since("2099-01-01".into()), 0);
    let yesterday = jiff::tz::Offset::constant(8)
        .to_datetime(jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24))
        .date()
        .to_string();
    assert_eq!(since(yesterday.clone()), 2);
    // --input-json takes the same forms.
    let file = dir.join("since.json");
    std::fs::write(
        &file,
        format!(r#"{{"startTime": "{}"}}"#, rfc3339(-1, false)),
    )
    .unwrap();
    assert_eq!(
        count(&["--input-json".into(), file.display().to_string()]),
        2
    );
    std::fs::write(&file, r#"{"startTime": "soon"}"#).unwrap();
    let output = emulator
        .vod()
        .args(command("getVideoList"))
        .args(["--input-json", file.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = fails_with(&output, 2);
    assert!(
        stderr.contains("$.startTime") && stderr.contains("RFC 3339"),
        "{stderr}"
    );
    // A bad flag value names the flag and the accepted forms.
    let output = emulator
        .vod()
        .args(command("getVideoList"))
        .args([start.as_str(), "soon"])
        .output()
        .unwrap();
    let stderr = fails_with(&output, 2);
    assert!(
        stderr.contains(&start) && stderr.contains("yyyy-MM-dd"),
        "{stderr}"
    );
    let help = stdout(
        &emulator
            .vod()
            .args(command("getVideoList"))
            .arg("--help")
            .output()
            .unwrap(),
    );
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("meaning midnight UTC+8"), "{help}");
    let _ = ids;
}

#[test]
fn tables_and_text_show_times_with_their_zone_and_enum_names() {
    let emulator = Emulator::start();
    let dir = temp_dir("daily-show");
    upload(&emulator, &dir, &["s.mp4"]);
    let run = |args: &[&str]| {
        stdout(
            &emulator
                .vod()
                .args(command("getVideoList"))
                .args(args)
                .output()
                .unwrap(),
        )
    };
    let query = ["--query", "videoListInfo[0].[videoState, createTime]"];
    // Text: one item per line, the enum by its flag name, the time with its offset.
    let text = run(&[&query[..], &["-o", "text", "--time-zone", "service"]].concat());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "enabled", "{text}");
    assert!(
        lines[1].ends_with(" +08:00") && lines[1].len() == 26,
        "{text}"
    );
    let utc = run(&[&query[..], &["-o", "text", "--time-zone", "utc"]].concat());
    assert!(utc.lines().nth(1).unwrap().ends_with(" +00:00"), "{utc}");
    let local = run(&[&query[..], &["-o", "text"]].concat()).replace('\n', " ");
    let local_tz = stdout(
        &emulator
            .vod()
            .env("TZ", "America/Sao_Paulo")
            .args(command("getVideoList"))
            .args(query)
            .args(["-o", "text"])
            .output()
            .unwrap(),
    );
    assert!(
        local_tz.lines().nth(1).unwrap().ends_with(" -03:00"),
        "{local_tz} / {local}"
    );
    // Tables too.
    let table = run(&[
        "-o",
        "table",
        "--time-zone",
        "service",
        "--columns",
        "videoState,createTime",
    ]);
    assert!(
        table.contains("enabled") && table.contains("+08:00"),
        "{table}"
    );
    // JSON keeps the wire form; --typed gives meanings.
    let wire = json_ok(
        &emulator
            .vod()
            .args(command("getVideoList"))
            .args(["-o", "json", "--query", "videoListInfo[0]"])
            .output()
            .unwrap(),
    );
    assert_eq!(wire["videoState"], 0, "{wire}");
    assert!(wire["videoSize"].is_string(), "{wire}");
    assert!(
        !wire["createTime"].as_str().unwrap().contains('T'),
        "{wire}"
    );
    let typed = json_ok(
        &emulator
            .vod()
            .args(command("getVideoList"))
            .args(["-o", "json", "--typed", "--query", "videoListInfo[0]"])
            .output()
            .unwrap(),
    );
    assert_eq!(typed["videoState"], "enabled", "{typed}");
    assert!(typed["videoSize"].is_u64(), "{typed}");
    let created = typed["createTime"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.contains('T'), "{typed}");
    // --all-pages entries are re-typed as well.
    let entries = stdout(
        &emulator
            .vod()
            .args(command("getVideoList"))
            .args(["--all-pages", "-o", "json", "--typed"])
            .output()
            .unwrap(),
    );
    let entry: Value = serde_json::from_str(entries.lines().next().unwrap()).unwrap();
    assert_eq!(entry["videoState"], "enabled", "{entry}");
}

#[test]
fn every_query_example_of_the_help_matches() {
    let emulator = Emulator::start();
    let dir = temp_dir("daily-examples");
    // One video above the 1000000 of the size example, one below.
    std::fs::write(dir.join("big.mp4"), vec![7u8; 1_200_000]).unwrap();
    std::fs::write(dir.join("small.mp4"), b"small").unwrap();
    let output = emulator
        .vod()
        .arg("upload")
        .args([dir.join("big.mp4"), dir.join("small.mp4")])
        .output()
        .unwrap();
    json_ok(&output);
    let help = stdout(&crate::support::vod().arg("--help").output().unwrap());
    assert!(help.contains("Examples (on `vod videos list`)"), "{help}");
    for (flags, query) in vod_cli::QUERY_EXAMPLES {
        let shown = format!("{flags} --query \"{query}\"");
        let long_help = stdout(
            &crate::support::vod()
                .args(["videos", "list", "--help"])
                .output()
                .unwrap(),
        );
        assert!(
            long_help
                .replace(char::is_whitespace, "")
                .contains(&shown.replace(char::is_whitespace, "")),
            "help does not show {shown}"
        );
        let out = stdout(
            &emulator
                .vod()
                .args(command("getVideoList"))
                .args(flags.split_whitespace())
                .args(["--query", query])
                .output()
                .unwrap(),
        );
        let trimmed = out.trim();
        assert!(
            !trimmed.is_empty() && trimmed != "null" && trimmed != "[]" && trimmed != "0",
            "{shown} printed {out:?}"
        );
        if query.contains("1000000") {
            let ids: Value = serde_json::from_str(trimmed).unwrap();
            assert_eq!(ids.as_array().map(Vec::len), Some(1), "{shown}: {ids}");
        }
    }
}

#[test]
fn list_flags_take_commas_and_text_output_feeds_the_next_command() {
    let emulator = Emulator::start();
    let dir = temp_dir("daily-lists");
    let ids = upload(&emulator, &dir, &["l1.mp4", "l2.mp4"]);
    // videoConcat takes a comma list and can run again and again (a fresh transNo each time).
    let [group, name] = command("videoConcat");
    let video_ids = flag("videoConcat", "videoIds");
    let fixed = format!(
        "{} joined {}",
        flag("videoConcat", "filename"),
        flag("videoConcat", "transNo")
    );
    // Comma-separated and repeated alike.
    for (i, args) in [
        vec![video_ids.clone(), format!("{},{}", ids[0], ids[1])],
        vec![
            video_ids.clone(),
            ids[0].clone(),
            video_ids.clone(),
            ids[1].clone(),
        ],
    ]
    .into_iter()
    .enumerate()
    {
        let output = emulator
            .vod()
            .args([group, name])
            .args(&args)
            .args(fixed.split_whitespace())
            .arg(format!("flags{i}"))
            .output()
            .unwrap();
        stdout(&output);
    }
    // A shell pipeline: $(...) and xargs take `-o text` lists as they are (the originals only:
    // the joined videos appear as their tasks end).
    let [list_group, list_name] = command("getVideoList");
    let vod = env!("CARGO_BIN_EXE_vod");
    let script = format!(
        "set -e\n\
         ids=$(\"$VOD\" {list_group} {list_name} --query \
           \"videoListInfo[?starts_with(videoName, 'l')].videoId\" -o text)\n\
         echo \"$ids\" | wc -l\n\
         \"$VOD\" {group} {name} {video_ids} $ids {fixed} subst -o json >/dev/null\n\
         echo \"$ids\" | xargs \"$VOD\" {group} {name} {fixed} xargs -o json {video_ids} >/dev/null\n\
         echo ok\n"
    );
    let output = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env("VOD", vod)
        .env("VOD_ENDPOINT", &emulator.endpoint)
        .env("VOD_ACCESS_KEY", AK)
        .env("VOD_SECRET_KEY", SK)
        .env("VOD_CONFIG_FILE", dir.join("missing.toml"))
        .output()
        .unwrap();
    let printed = stdout(&output);
    let lines: Vec<&str> = printed.split_whitespace().collect();
    assert_eq!(
        lines,
        ["2", "ok"],
        "{script}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn waiting_prints_one_shape_and_follows_a_task_started_earlier() {
    let emulator = Emulator::start();
    let dir = temp_dir("daily-wait");
    let ids = upload(&emulator, &dir, &["w1.mp4", "w2.mp4", "w3.mp4"]);
    let video_ids = flag("transCode", "videoIds");
    let [group, name] = command("transCode");
    // --wait answers a list of {subject, state, answer} for one video and for two alike.
    for chosen in [&ids[..1], &ids[1..]] {
        let output = emulator
            .vod()
            .args([group, name, video_ids.as_str(), &chosen.join(",")])
            .args(["--wait", "-o", "json", "--typed"])
            .output()
            .unwrap();
        // Not a terminal: no progress on stderr.
        assert!(
            output.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let done = json_ok(&output);
        let entries = done.as_array().expect("a list");
        assert_eq!(entries.len(), chosen.len(), "{done}");
        for (entry, id) in entries.iter().zip(chosen) {
            assert_eq!(entry["subject"], format!("videoId={id}"), "{done}");
            assert_eq!(entry["state"], "succeeded", "{done}");
            // --typed reaches the answers: enum names, not wire values.
            assert!(
                entry["answer"]["videoListInfo"][0]["transcodeState"].is_string(),
                "{done}"
            );
        }
    }
    // A transcode started earlier, waited for by its videos: nothing is started again.
    let output = emulator
        .vod()
        .args([group, name, video_ids.as_str(), &ids[0]])
        .output()
        .unwrap();
    stdout(&output);
    let follow = format!("wait-{name}");
    let output = emulator
        .vod()
        .args([group, follow.as_str(), video_ids.as_str(), &ids.join(",")])
        .args(["--wait-timeout", "60", "-o", "json"])
        .output()
        .unwrap();
    let done = json_ok(&output);
    assert_eq!(done.as_array().map(Vec::len), Some(3), "{done}");
    assert!(
        done.as_array()
            .unwrap()
            .iter()
            .all(|e| e["state"] == "succeeded"),
        "{done}"
    );
    // Its help says what it prints; the command's --wait help names it.
    let help = stdout(
        &emulator
            .vod()
            .args([group, name, "--help"])
            .output()
            .unwrap(),
    );
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains(&format!("vod {group} {follow}")), "{help}");
    assert!(
        help.contains("one list whatever the number of resources"),
        "{help}"
    );
    // A missing id is a usage error.
    let output = emulator
        .vod()
        .args([group, follow.as_str()])
        .output()
        .unwrap();
    fails_with(&output, 2);
}

/// Runs `vod ARGS` on a pseudo-terminal (util-linux `script`), stdout and stderr together;
/// `None` where `script` is missing.
fn on_terminal(emulator: &Emulator, args: &str) -> Option<String> {
    if !std::path::Path::new("/usr/bin/script").exists() {
        eprintln!("skipped: no /usr/bin/script to give vod a terminal");
        return None;
    }
    let vod = env!("CARGO_BIN_EXE_vod");
    let output = Command::new("/usr/bin/script")
        .args(["-qec", &format!("{vod} {args}"), "/dev/null"])
        .env("VOD_ENDPOINT", &emulator.endpoint)
        .env("VOD_ACCESS_KEY", AK)
        .env("VOD_SECRET_KEY", SK)
        .env("VOD_CONFIG_FILE", temp_dir("tty").join("missing.toml"))
        .env("COLUMNS", "200")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn on_a_terminal_lists_say_when_more_pages_follow() {
    let emulator = Emulator::start();
    let dir = temp_dir("daily-pages");
    upload(&emulator, &dir, &["p1.mp4", "p2.mp4", "p3.mp4"]);
    let [group, name] = command("getVideoList");
    let size = flag("getVideoList", "pageSize");
    let index = flag("getVideoList", "pageIndex");
    let Some(full) = on_terminal(&emulator, &format!("{group} {name} {size} 2")) else {
        return;
    };
    let full = full.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        full.contains("more pages may follow: page 1 is full (2 entries)"),
        "{full}"
    );
    assert!(
        full.contains(&format!("Next page: {index} 2; every page: --all-pages")),
        "{full}"
    );
    assert!(
        full.contains("videoTotal 2 counts the entries of this page, not all matches"),
        "{full}"
    );
    let last = on_terminal(&emulator, &format!("{group} {name} {size} 2 {index} 2")).unwrap();
    assert!(!last.contains("more pages"), "{last}");
    // Not on a terminal: stderr stays empty.
    let output = emulator
        .vod()
        .args([group, name, size.as_str(), "2"])
        .output()
        .unwrap();
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn on_a_terminal_wait_shows_which_resources_are_done() {
    let emulator = Emulator::start();
    let dir = temp_dir("daily-progress");
    let ids = upload(&emulator, &dir, &["g1.mp4", "g2.mp4"]);
    let [group, name] = command("transCode");
    let video_ids = flag("transCode", "videoIds");
    let Some(screen) = on_terminal(
        &emulator,
        &format!(
            "{group} {name} {video_ids} {} --wait -o text --query '[*].state'",
            ids.join(",")
        ),
    ) else {
        return;
    };
    // The spinner's line: which videos are done (or, before the first round, what it waits for).
    assert!(
        screen.contains("/2 done") || screen.contains(&format!("waiting for {group} {name}")),
        "{screen}"
    );
    assert!(screen.contains("succeeded"), "{screen}");
}

#[test]
fn recursive_uploads_filter_with_globs_and_dry_run_sends_nothing() {
    let emulator = Emulator::start();
    let dir = temp_dir("daily-upload-filter");
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("raw")).unwrap();
    for name in [
        "a.mp4",
        "B.MOV",
        "notes.txt",
        "raw/c.mkv",
        "raw/d.mp4",
        "cover.jpg",
    ] {
        std::fs::write(tree.join(name), name.as_bytes()).unwrap();
    }
    let listed = |extra: &[&str], with_keys: bool| -> Vec<String> {
        let mut cmd = if with_keys {
            emulator.vod()
        } else {
            crate::support::vod()
        };
        let output = cmd
            .args(["upload", "-r", "--dry-run", "-o", "text"])
            .args(extra)
            .arg(&tree)
            .output()
            .unwrap();
        stdout(&output)
            .lines()
            .map(|l| {
                std::path::Path::new(l)
                    .strip_prefix(&tree)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    };
    // Default: video extensions, case ignored; no credentials needed for a dry run.
    assert_eq!(
        listed(&[], false),
        ["B.MOV", "a.mp4", "raw/c.mkv", "raw/d.mp4"]
    );
    assert_eq!(listed(&["--exclude", "raw/**"], false), ["B.MOV", "a.mp4"]);
    assert_eq!(
        listed(&["--include", "*.{txt,jpg}"], false),
        ["cover.jpg", "notes.txt"]
    );
    assert_eq!(
        listed(
            &[
                "--include",
                "raw/*",
                "--include",
                "a.*",
                "--exclude",
                "*.mkv"
            ],
            false
        ),
        ["a.mp4", "raw/d.mp4"]
    );
    // JSON gives the sizes; with credentials at hand, still nothing is sent.
    let output = emulator
        .vod()
        .args(["upload", "-r", "--dry-run", "-o", "json"])
        .arg(&tree)
        .output()
        .unwrap();
    let plan = json_ok(&output);
    assert_eq!(plan[0]["size"], "B.MOV".len(), "{plan}");
    let count = emulator
        .vod()
        .args(command("getVideoList"))
        .args(["--query", "length(videoListInfo)"])
        .output()
        .unwrap();
    assert_eq!(json_ok(&count), 0);
    let _ = listed(&[], true);
    // A malformed pattern is a usage error naming the flag.
    let output = crate::support::vod()
        .args(["upload", "-r", "--dry-run", "--include", "*.{mp4"])
        .arg(&tree)
        .output()
        .unwrap();
    let stderr = fails_with(&output, 2);
    assert!(stderr.contains("--include"), "{stderr}");
}

#[test]
fn vod_api_sends_any_request_signed_with_the_profile() {
    let emulator = Emulator::start();
    let dir = temp_dir("daily-api");
    let ids = upload(&emulator, &dir, &["api1.mp4", "api2.mp4"]);
    let api = |args: &[&str]| emulator.vod().arg("api").args(args).output().unwrap();
    // -F is typed, -f a string; --query and -o apply as everywhere.
    let page = json_ok(&api(&[
        "POST",
        "/vod/videoManage/getVideoList",
        "-F",
        "pageSize=1",
    ]));
    assert_eq!(
        page["videoListInfo"].as_array().map(Vec::len),
        Some(1),
        "{page}"
    );
    let id = stdout(&api(&[
        "post",
        "/vod/videoManage/getVideoList",
        "-f",
        "videoName=api1",
        "--query",
        "videoListInfo[0].videoId",
        "-o",
        "text",
    ]));
    assert_eq!(id.trim(), ids[0]);
    // --input: a JSON object; fields override it.
    let file = dir.join("params.json");
    std::fs::write(&file, r#"{"pageSize": 1, "videoName": "nothing-like-it"}"#).unwrap();
    let page = json_ok(&api(&[
        "POST",
        "/vod/videoManage/getVideoList",
        "--input",
        file.to_str().unwrap(),
        "-f",
        "videoName=api2",
    ]));
    assert_eq!(
        page["videoListInfo"][0]["videoId"],
        ids[1].as_str(),
        "{page}"
    );
    // An answer without `data` (the spec declares none for videoEdit) prints null.
    let edited = json_ok(&api(&[
        "POST",
        "/vod/videoManage/videoEdit",
        "-f",
        &format!("videoId={}", ids[0]),
        "-f",
        "videoName=renamed",
    ]));
    assert_eq!(edited, Value::Null);
    // What the service refuses is reported as for any command, with its request id.
    let stderr = fails_with(&api(&["POST", "/vod/not/described", "-F", "x=1"]), 1);
    assert!(
        stderr.contains("POST /vod/not/described") && stderr.contains("request id"),
        "{stderr}"
    );
    let stderr = fails_with(&api(&["PUT", "/vod/videoManage/getVideoList"]), 2);
    assert!(stderr.contains("GET or POST"), "{stderr}");
    let help = stdout(
        &crate::support::vod()
            .args(["api", "--help"])
            .output()
            .unwrap(),
    );
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("does not describe"), "{help}");

    // The SDK's own way in: Client::raw_request, with the client's signing and errors.
    let client = vod_client::Client::builder()
        .endpoint(emulator.endpoint.clone())
        .credentials(AK, SK)
        .build()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answer = runtime
        .block_on(
            client
                .raw_request("POST", "/vod/videoManage/getVideoList")
                .field("pageSize", 2)
                .send(),
        )
        .unwrap();
    assert_eq!(
        answer.data["videoListInfo"].as_array().map(Vec::len),
        Some(2)
    );
    assert!(answer.request_id.is_some());
    let err = runtime
        .block_on(client.raw_request("POST", "/vod/not/described").send())
        .unwrap_err();
    assert!(err.request_id().is_some(), "{err}");
}

#[test]
fn vod_api_help_names_the_operations_only_it_reaches() {
    let output = crate::support::vod()
        .args(["api", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(!vod_client::model::UNDESCRIBED_OPERATIONS.is_empty());
    for op in vod_client::model::UNDESCRIBED_OPERATIONS {
        assert!(
            help.contains(&format!("{} {}", op.method, op.path)) && help.contains(op.name),
            "{} in {help}",
            op.name
        );
    }
}
