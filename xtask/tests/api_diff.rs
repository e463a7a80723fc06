//! `cargo xtask api-diff` end to end: a scratch git repository holding the fixture spec as
//! `api-spec/`, an edit in the working tree, and the command's exit status and output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh repository with the fixture spec committed and a workspace version of 0.3.0.
struct Repo(PathBuf);

impl Repo {
    fn new(name: &str) -> Repo {
        let dir =
            std::env::temp_dir().join(format!("xtask-api-diff-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("api-spec")).expect("mkdir");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/fixtures/mini");
        for name in ["service.yaml", "widgets.yaml"] {
            std::fs::copy(fixture.join(name), dir.join("api-spec").join(name)).expect("copy");
        }
        std::fs::write(
            dir.join("Cargo.toml"),
            "[workspace]\nmembers = []\n\n[workspace.package]\nedition = \"2021\"\nversion = \"0.3.0\"\n",
        )
        .expect("write");
        let repo = Repo(dir);
        repo.git(&["init", "-q"]);
        repo.commit("fixture");
        repo
    }

    fn git(&self, args: &[&str]) {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.test",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&self.0)
            .output()
            .expect("git runs");
        assert!(status.status.success(), "git {args:?}: {status:?}");
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn spec(&self, file: &str) -> PathBuf {
        self.0.join("api-spec").join(file)
    }

    /// Replaces `from` (present exactly once) with `to` in a spec file of the working tree.
    fn edit(&self, file: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.spec(file)).expect("read");
        assert_eq!(text.matches(from).count(), 1, "`{from}` once in {file}");
        std::fs::write(self.spec(file), text.replacen(from, to, 1)).expect("write");
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("api-diff")
            .args(args)
            .env("XTASK_ROOT", &self.0)
            // Never the real cargo-semver-checks: tests must not depend on it being installed.
            .env("CARGO", "/nonexistent/cargo")
            .output()
            .expect("xtask runs")
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn no_edit_exits_0_and_says_so() {
    let repo = Repo::new("same");
    let out = repo.run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("api-diff: api-spec/ at HEAD -> working tree\n"),
        "{text}"
    );
    assert!(text.contains("No changes to the API."), "{text}");
    assert!(
        text.contains("Suggested version: 0.3.0 -> 0.3.0."),
        "{text}"
    );
}

#[test]
fn a_compatible_edit_exits_0_with_the_json_shape() {
    let repo = Repo::new("compatible");
    let name = "{ name: name, type: string, required: true, max_length: 40, doc: Widget name. }";
    repo.edit(
        "widgets.yaml",
        name,
        &format!("{name}\n      - {{ name: owner, type: string, doc: Owner. }}"),
    );
    let out = repo.run(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(json["base"], "HEAD");
    assert_eq!(json["suggested_version"], "0.3.1");
    let changes = json["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{json}");
    let change = &changes[0];
    assert_eq!(change["level"], "compatible");
    assert_eq!(change["affects"], serde_json::json!(["wire", "rust"]));
    assert_eq!(change["operation"], "fixtureCreateWidget");
    assert_eq!(change["field"], "request.owner");
    assert_eq!(change["source"], "api-diff");
    assert!(change["message"]
        .as_str()
        .expect("message")
        .contains("is new and optional"));
}

#[test]
fn a_breaking_edit_exits_1_and_markdown_groups_by_level() {
    let repo = Repo::new("breaking");
    repo.edit("widgets.yaml", "max_length: 40", "max_length: 20");
    repo.edit(
        "widgets.yaml",
        "doc: Deletes a widget.",
        "doc: Removes a widget.",
    );
    let out = repo.run(&["--format", "markdown"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("## 0.4.0\n"), "{text}");
    let breaking = text.find("### Breaking").expect("breaking section");
    let docs = text.find("### Docs").expect("docs section");
    assert!(breaking < docs, "{text}");
    assert!(!text.contains("### Added"), "{text}");
    assert!(
        text.contains("`fixtureCreateWidget request.name`: "),
        "{text}"
    );
}

#[test]
fn reordering_operations_reports_no_change() {
    let repo = Repo::new("reorder");
    let text = std::fs::read_to_string(repo.spec("widgets.yaml")).expect("read");
    let start = text.find("  - name: fixtureStartRun").expect("op");
    let end = text.find("callbacks:").expect("callbacks");
    let block = text[start..end].to_string();
    repo.edit("widgets.yaml", &block, "");
    repo.edit(
        "widgets.yaml",
        "operations:\n",
        &format!("operations:\n{block}"),
    );
    let out = repo.run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("No changes to the API."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_unknown_revision_exits_2() {
    let repo = Repo::new("badrev");
    let out = repo.run(&["--base", "no-such-tag"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`no-such-tag` is not a revision"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_base_spec_that_does_not_load_is_named_with_its_revision() {
    let repo = Repo::new("badbase");
    let good = std::fs::read_to_string(repo.spec("widgets.yaml")).expect("read");
    repo.edit(
        "widgets.yaml",
        "group: widgets\n",
        "group: widgets\nopertions: []\n",
    );
    repo.commit("broken");
    std::fs::write(repo.spec("widgets.yaml"), good).expect("write");
    let out = repo.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("HEAD:api-spec/widgets.yaml:"), "{err}");
    assert!(err.contains("unknown field `opertions`"), "{err}");
}

#[test]
fn a_working_tree_spec_that_does_not_load_exits_2_with_its_location() {
    let repo = Repo::new("badtree");
    repo.edit(
        "widgets.yaml",
        "type: integer, required: true, min: 1",
        "type: integr, required: true, min: 1",
    );
    let out = repo.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("api-spec/widgets.yaml:"), "{err}");
    assert!(!err.contains("HEAD:"), "{err}");
}

#[test]
fn help_and_unknown_flags() {
    let repo = Repo::new("help");
    let out = repo.run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("Usage: cargo xtask api-diff [--base <REV>]"),
        "{}",
        stdout(&out)
    );
    let out = repo.run(&["--frmat", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown flag `--frmat`"), "{err}");
    assert!(err.contains("Usage: cargo xtask api-diff"), "{err}");
    let out = repo.run(&["--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn semver_checks_missing_is_one_note_and_the_report_goes_on() {
    let repo = Repo::new("semver");
    repo.edit("widgets.yaml", "max_length: 40", "max_length: 20");
    let out = repo.run(&["--semver-checks"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("note: cargo-semver-checks is not installed, so the Rust view is skipped (cargo install cargo-semver-checks --locked)"),
        "{text}"
    );
    assert!(
        text.contains("`max_length` tightens from 40 to 20"),
        "{text}"
    );
}
