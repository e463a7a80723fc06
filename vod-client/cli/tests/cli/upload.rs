//! `vod upload` against a `vod emulator` child process.

use crate::support::{fails_with, json_ok, temp_dir, vod, Emulator};
use vod_client::upload::file_etag;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 253) as u8).collect()
}

#[test]
fn uploads_form_and_block_files_without_a_progress_bar() {
    let emulator = Emulator::start();
    let dir = temp_dir("upload-two");
    let small = dir.join("small.mp4");
    let large = dir.join("large.mp4");
    std::fs::write(&small, pattern(1000)).unwrap();
    std::fs::write(&large, pattern((5 << 20) + 17)).unwrap();
    let output = emulator
        .vod()
        .args(["upload", "--no-progress", "--chunk-size", "1M"])
        .arg(&small)
        .arg(&large)
        .output()
        .unwrap();
    let value = json_ok(&output);
    let items = value.as_array().expect("a list, one entry per file");
    assert_eq!(items.len(), 2);
    for (item, (path, size)) in items.iter().zip([(&small, 1000), (&large, (5 << 20) + 17)]) {
        assert_eq!(item["file"], path.display().to_string());
        assert_eq!(item["size"], size);
        assert_eq!(item["hash"], file_etag(path).unwrap());
        assert!(!item["videoId"].as_str().unwrap_or("").is_empty(), "{item}");
        assert!(
            item["fileKey"].as_str().unwrap_or("").ends_with(".mp4"),
            "{item}"
        );
    }
    // No terminal, no bar: stderr stays empty.
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_input_is_checked_before_any_byte_moves() {
    let emulator = Emulator::start();
    let dir = temp_dir("upload-missing");
    let good = dir.join("good.mp4");
    std::fs::write(&good, b"tiny video").unwrap();
    let missing = dir.join("missing.mp4");
    let output = emulator
        .vod()
        .arg("upload")
        .arg(&good)
        .arg(&missing)
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = fails_with(&output, 2);
    assert!(stderr.contains("nothing was uploaded"), "{stderr}");
    assert!(stderr.contains("missing.mp4"), "{stderr}");
    assert!(stderr.contains("--recursive"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn an_unreachable_endpoint_is_a_network_error() {
    let dir = temp_dir("upload-network");
    let file = dir.join("a.mp4");
    std::fs::write(&file, b"x").unwrap();
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let output = vod()
        .args([
            "--endpoint",
            "http://127.0.0.1:1",
            "--access-key",
            "a",
            "--secret-key",
            "b",
        ])
        .arg("upload")
        .arg(&file)
        .output()
        .unwrap();
    let stderr = fails_with(&output, 3);
    assert!(stderr.contains("getUploadToken"), "{stderr}");
}

#[test]
fn query_and_table_output() {
    let emulator = Emulator::start();
    let dir = temp_dir("upload-query");
    let file = dir.join("q.mp4");
    std::fs::write(&file, b"query me").unwrap();
    let output = emulator
        .vod()
        .args(["upload", "--query", "[0].hash"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(json_ok(&output), file_etag(&file).unwrap());
    let output = emulator
        .vod()
        .args(["upload", "--output", "table"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    for column in ["file", "fileKey", "hash", "size", "videoId"] {
        assert!(header.contains(column), "{text}");
    }
    assert!(lines.next().unwrap_or_default().contains("q.mp4"), "{text}");
}

#[test]
fn recursive_uploads_skip_finished_files_on_a_rerun() {
    let emulator = Emulator::start();
    let dir = temp_dir("upload-recursive");
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("nested")).unwrap();
    std::fs::write(tree.join("one.mp4"), pattern(3000)).unwrap();
    std::fs::write(tree.join("nested/two.mp4"), pattern((4 << 20) + 5)).unwrap();
    std::fs::write(tree.join(".hidden.mp4"), b"skip me").unwrap();
    let resume = dir.join("resume");
    let run = || {
        emulator
            .vod()
            .args(["upload", "--recursive", "--parallel", "2", "--resume-dir"])
            .arg(&resume)
            .arg(&tree)
            .output()
            .unwrap()
    };
    let first = json_ok(&run());
    let items = first.as_array().expect("a list");
    assert_eq!(items.len(), 2, "{first}");
    assert_eq!(
        items[0]["file"],
        tree.join("nested/two.mp4").display().to_string()
    );
    assert_eq!(items[1]["file"], tree.join("one.mp4").display().to_string());
    assert!(items.iter().all(|i| i["skipped"] == false), "{first}");
    let second = json_ok(&run());
    let items = second.as_array().expect("a list");
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["skipped"] == true), "{second}");
    assert_eq!(items[1]["hash"], file_etag(&tree.join("one.mp4")).unwrap());
}
