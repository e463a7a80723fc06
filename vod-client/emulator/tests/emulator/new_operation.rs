//! `api-spec/README.md`, "Adding or changing an operation", end to end: the worked example's
//! YAML edit and `cargo xtask codegen` alone make the emulator serve the new route.
//!
//! On a copy of the workspace (its tracked files as they are in the working tree), the test
//! adds `getVideoInfo` to `api-spec/asset-management.yaml`, runs `cargo xtask codegen`,
//! builds the copy's emulator server, starts it, and calls the new path through this
//! workspace's SDK (`Client::raw_request`, which signs any path): without `videoId` the
//! answer is code 1503 (`videoIdEmpty`), with one it is code 200 and the spec's example.
//!
//! It builds the copy's SDK and emulator, so it is ignored by default; `.ci/run` runs it with
//! `cargo test --workspace --all-features --test emulator new_operation -- --ignored`.
//! Codegen is this workspace's `cargo xtask codegen` pointed at the copy (`XTASK_ROOT`): the
//! generator is the same code, only the YAML differs. The copy builds into this workspace's
//! target dir, so the dependencies already built are reused and only the copy's own crates
//! compile. Its server is an example (`new_operation_server`, the `vod-emulator` binary's
//! source under a name of its own), because a binary or library built there would replace
//! this workspace's own in the target dir.

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// The README's worked example, verbatim (the test checks that the README still shows it).
const GET_VIDEO_INFO_YAML: &str = "  - name: getVideoInfo
    method: POST
    path: /vod/videoManage/getVideoInfo
    body: json
    doc: Returns one video.
    retry_safe: true
    form_body: true
    cli: { group: videos, name: info }
    request:
      - { name: videoId, type: VideoId, required: true, min_length: 1, error_code: videoIdEmpty, doc: The video. }
    response:
      envelope: standard
      data: object
      fields:
        - { name: videoId, type: VideoId, required: true, doc: Its id. }
        - { name: videoName, type: string, required: true, doc: Its name. }
";

const PATH: &str = "/vod/videoManage/getVideoInfo";
const ACCESS_KEY: &str = "NEW_OPERATION_AK";
const SECRET_KEY: &str = "NEW_OPERATION_SK";

#[test]
#[ignore = "builds a copy of the workspace (minutes); .ci/run runs it"]
fn a_spec_edit_and_codegen_alone_make_the_emulator_serve_the_new_operation() {
    let started = Instant::now();
    let root = workspace_root();
    let readme =
        fs::read_to_string(root.join("api-spec/README.md")).expect("read api-spec/README.md");
    assert!(
        readme.contains(GET_VIDEO_INFO_YAML),
        "api-spec/README.md no longer shows this test's getVideoInfo YAML verbatim; \
         keep the worked example and GET_VIDEO_INFO_YAML in new_operation.rs the same:\n{GET_VIDEO_INFO_YAML}"
    );

    // 1. The copy.
    let copy = TempTree::new();
    let copied = copy_tracked_files(&root, &copy.path);
    eprintln!(
        "new_operation: copied {copied} files to {}",
        copy.path.display()
    );

    // 2. The YAML edit.
    let spec = copy.path.join("api-spec/asset-management.yaml");
    let text = fs::read_to_string(&spec).expect("read the copy's asset-management.yaml");
    assert!(
        !text.contains("name: getVideoInfo"),
        "asset-management.yaml already has getVideoInfo: this test proves adding it, so it \
         needs another example operation now"
    );
    fs::write(&spec, insert_operation(&text)).expect("write the copy's asset-management.yaml");

    // 3. Codegen, and what it wrote.
    let target_dir = target_dir();
    let codegen = run(
        cargo_in(&root)
            .args(["xtask", "codegen"])
            .env("XTASK_ROOT", &copy.path),
        "cargo xtask codegen (XTASK_ROOT = the copy)",
    );
    eprintln!(
        "new_operation: codegen done after {:?}: {}",
        started.elapsed(),
        String::from_utf8_lossy(&codegen.stdout)
            .lines()
            .last()
            .unwrap_or_default()
    );
    let sdk = read_dir_text(&copy.path.join("vod-client/src/generated"));
    assert!(
        sdk.contains("fn get_video_info"),
        "the copy's SDK has no `fn get_video_info` after codegen; codegen said:\n{}",
        String::from_utf8_lossy(&codegen.stdout)
    );
    let routes = fs::read_to_string(
        copy.path
            .join("vod-client/emulator/src/generated/routes.rs"),
    )
    .expect("read the copy's vod-client/emulator/src/generated/routes.rs");
    assert!(
        routes.contains(PATH),
        "the copy's emulator routes do not mention {PATH} after codegen"
    );

    // 4. The copy's emulator, called with this workspace's SDK.
    let binary = build_emulator(&copy.path, &target_dir);
    eprintln!(
        "new_operation: emulator built after {:?}",
        started.elapsed()
    );
    let log = copy.path.join("vod-emulator.log");
    let server = Server::start(&binary, &log);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build a tokio runtime");
    runtime.block_on(call_the_new_operation(&server));
    drop(server);
    let log_text = fs::read_to_string(&log).unwrap_or_default();
    assert!(
        log_text.contains("getVideoInfo") && log_text.contains("no behaviour written"),
        "the emulator logs that it answered getVideoInfo with the spec's example; its log:\n{log_text}"
    );
    eprintln!("new_operation: passed after {:?}", started.elapsed());
}

async fn call_the_new_operation(server: &Server) {
    let client = vod_client::Client::builder()
        .endpoint(server.base_url.clone())
        .credentials(ACCESS_KEY, SECRET_KEY)
        .build()
        .expect("build a client for the copy's emulator");

    let missing = client.raw_request("POST", PATH).send().await;
    match &missing {
        Err(e) => assert_eq!(
            e.service_code(),
            Some(1503),
            "without videoId: code 1503 (videoIdEmpty), got {e}{}",
            server.log_excerpt()
        ),
        Ok(answer) => panic!(
            "without videoId: expected code 1503, got success {answer:?}{}",
            server.log_excerpt()
        ),
    }

    for form in [false, true] {
        let answer = client
            .raw_request("POST", PATH)
            .field("videoId", "v1")
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "with videoId (form body: {form}): expected code 200, got {e}{}",
                    server.log_excerpt()
                )
            });
        assert_eq!(answer.code, Some(200), "form body: {form}: {answer:?}");
        assert_eq!(
            answer.data,
            json!({"videoId": "", "videoName": ""}),
            "form body: {form}: the spec's example as the typed output"
        );
    }
}

/// The root of this workspace (the one being tested, not the copy).
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(
        Command::new("git")
            .args(["rev-parse", "--show-toplevel"])
            .current_dir(manifest),
        "git rev-parse --show-toplevel (the test copies the files git tracks)",
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Copies the files git tracks, as they are in the working tree (uncommitted edits
/// included; tracked files deleted from the working tree skipped), keeping symbolic links and
/// modification times.
fn copy_tracked_files(root: &Path, to: &Path) -> usize {
    let out = run(
        Command::new("git")
            .args(["ls-files", "-z"])
            .current_dir(root),
        "git ls-files",
    );
    let mut copied = 0;
    for name in out.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name).expect("a tracked file name that is UTF-8");
        let from = root.join(name);
        let dest = to.join(name);
        let Ok(meta) = fs::symlink_metadata(&from) else {
            continue; // deleted in the working tree, not committed yet
        };
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
        }
        #[cfg(unix)]
        if meta.file_type().is_symlink() {
            let link = fs::read_link(&from)
                .unwrap_or_else(|e| panic!("read the link {}: {e}", from.display()));
            std::os::unix::fs::symlink(&link, &dest)
                .unwrap_or_else(|e| panic!("link {} -> {}: {e}", dest.display(), link.display()));
            copied += 1;
            continue;
        }
        if meta.is_dir() {
            continue; // a submodule: the workspace has none
        }
        fs::copy(&from, &dest)
            .unwrap_or_else(|e| panic!("copy {} to {}: {e}", from.display(), dest.display()));
        // Cargo decides freshness by modification time: a copy as old as its source lets the
        // crates no run changes (xtask, codegen) stay built in the kept target dir.
        if let Ok(modified) = meta.modified() {
            let _ = fs::File::options()
                .write(true)
                .open(&dest)
                .and_then(|file| file.set_modified(modified));
        }
        copied += 1;
    }
    assert!(
        copied > 0,
        "git ls-files listed nothing in {}",
        root.display()
    );
    copied
}

/// `text` (asset-management.yaml) with the new operation first in its `operations:` list.
fn insert_operation(text: &str) -> String {
    let marker = "\noperations:\n";
    let at = text
        .find(marker)
        .expect("asset-management.yaml has a top-level `operations:` line")
        + marker.len();
    let next = &text[at..];
    assert!(
        next.starts_with("  - name: "),
        "asset-management.yaml's operations are no longer listed at two spaces, as the \
         README's snippet is; it reads:\n{}",
        &next[..next.len().min(200)]
    );
    format!("{}{GET_VIDEO_INFO_YAML}{next}", &text[..at])
}

/// This workspace's target dir: cargo marks its root with CACHEDIR.TAG (the test binary is
/// `<target>/debug/deps/<test>`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map_or_else(
            || PathBuf::from(env!("CARGO_TARGET_TMPDIR")),
            Path::to_path_buf,
        )
}

/// A cargo command run in `dir`.
fn cargo_in(dir: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(dir).stdin(Stdio::null());
    command
}

/// The example the copy's server is built as.
const SERVER_EXAMPLE: &str = "new_operation_server";

/// Builds the copy's emulator server into `target_dir`; its path as cargo reports it.
fn build_emulator(copy: &Path, target_dir: &Path) -> PathBuf {
    let emulator = copy.join("vod-client/emulator");
    let source = fs::read_to_string(emulator.join("src/bin/vod-emulator.rs"))
        .expect("read the copy's vod-emulator binary source");
    fs::create_dir_all(emulator.join("examples")).expect("create the copy's examples dir");
    fs::write(
        emulator.join(format!("examples/{SERVER_EXAMPLE}.rs")),
        source,
    )
    .expect("write the copy's server example");
    let out = run(
        cargo_in(copy)
            .args([
                "build",
                "-p",
                "vod-emulator",
                "--example",
                SERVER_EXAMPLE,
                "--message-format=json-render-diagnostics",
            ])
            .env("CARGO_TARGET_DIR", target_dir),
        "cargo build of the copy's emulator",
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == SERVER_EXAMPLE)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| {
            panic!(
                "cargo build reported no {SERVER_EXAMPLE} executable; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// Runs `command` to completion; panics with its stderr unless it succeeds.
fn run(command: &mut Command, what: &str) -> Output {
    let out = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not start: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}\nstderr:\n{}\nstdout:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

/// All text under `dir`, concatenated.
fn read_dir_text(dir: &Path) -> String {
    let mut text = String::new();
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            text.push_str(&read_dir_text(&path));
        } else if let Ok(file) = fs::read_to_string(&path) {
            text.push_str(&file);
        }
    }
    text
}

/// A unique temporary directory, removed on drop.
struct TempTree {
    path: PathBuf,
}

impl TempTree {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path =
            std::env::temp_dir().join(format!("vod-new-operation-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        TempTree { path }
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// The copy's emulator, killed on drop (also when an assertion fails).
struct Server {
    child: Child,
    base_url: String,
    log: PathBuf,
}

impl Server {
    fn start(binary: &Path, log: &Path) -> Self {
        let log_file = fs::File::create(log)
            .unwrap_or_else(|e| panic!("create the emulator's log {}: {e}", log.display()));
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0", "--access-key", ACCESS_KEY])
            .env("VOD_EMULATOR_SECRET_KEY", SECRET_KEY)
            .env("RUST_LOG", "vod_emulator=info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
        let stdout = child.stdout.take().expect("the emulator's stdout");
        // Guard first, so the child dies even if it never prints its address.
        let mut server = Server {
            child,
            base_url: String::new(),
            log: log.to_path_buf(),
        };
        // It prints `listening on http://ADDR` once it accepts connections.
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = send.send(first);
        });
        let first = receive
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                panic!(
                    "the emulator printed no address in 30 s{}",
                    server.log_excerpt()
                )
            });
        let base_url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "the emulator's first line is not `listening on URL`: {first:?}{}",
                    server.log_excerpt()
                )
            })
            .to_string();
        let addr: SocketAddr = base_url
            .trim_start_matches("http://")
            .parse()
            .unwrap_or_else(|e| panic!("the emulator's address {base_url:?}: {e}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the emulator accepts no connection on {addr}{}",
                server.log_excerpt()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server.base_url = base_url;
        server
    }

    /// The end of the emulator's log, for failure messages.
    fn log_excerpt(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(4000);
        let start = (start..text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        format!("\nthe emulator's log (end):\n{}", &text[start..])
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
