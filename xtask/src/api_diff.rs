//! `cargo xtask api-diff`: what the spec edits since a git revision do to users.
//!
//! The base revision's `api-spec/*.yaml` is read with `git ls-tree` and `git show` (no
//! checkout, no temporary files) and goes through the same load, validate and lower steps as
//! the working tree's; `codegen::diff` compares the two IRs. Exit status: 0 when nothing is
//! breaking, 1 when something is, 2 when the comparison cannot run.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use codegen::diff::{self, render, Change, Level};
use codegen::SourceFile;

pub const USAGE: &str = "Tells what the edits to api-spec/ since a git revision do to users.

Usage: cargo xtask api-diff [--base <REV>] [--format <text|markdown|json>] [--semver-checks]

Options:
  --base <REV>       The revision to compare the working tree's api-spec/ with [default: HEAD]
  --format <FORMAT>  text (default), markdown (a CHANGELOG section) or json (one object for CI)
  --semver-checks    Also run `cargo semver-checks check-release -p vod-client --baseline-rev REV`
                     and merge its findings (install: cargo install cargo-semver-checks --locked)
  -h, --help         Print this help

Exit status: 0 when no change is breaking, 1 when one is, 2 when the comparison cannot run.
The rules are in api-spec/README.md, \"What an edit does to users\".";

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone)]
struct Options {
    base: String,
    format: Format,
    semver_checks: bool,
}

/// The command line after the word `api-diff`: the options, or `None` when help was asked.
fn parse_args<'a>(mut words: impl Iterator<Item = &'a str>) -> Result<Option<Options>, String> {
    let mut options = Options {
        base: "HEAD".into(),
        format: Format::Text,
        semver_checks: false,
    };
    while let Some(word) = words.next() {
        let mut value = |flag: &str| {
            words
                .next()
                .map(str::to_owned)
                .ok_or_else(|| format!("`{flag}` needs a value"))
        };
        match word {
            "-h" | "--help" => return Ok(None),
            "--base" => options.base = value(word)?,
            "--format" => {
                options.format = match value(word)?.as_str() {
                    "text" => Format::Text,
                    "markdown" | "md" => Format::Markdown,
                    "json" => Format::Json,
                    other => {
                        return Err(format!("unknown format `{other}` (text, markdown or json)"))
                    }
                }
            }
            "--semver-checks" => options.semver_checks = true,
            other => return Err(format!("unknown flag `{other}` for `api-diff`")),
        }
    }
    Ok(Some(options))
}

/// Runs the command; `words` follow `api-diff` on the command line.
pub fn run<'a>(root: &Path, words: impl Iterator<Item = &'a str>) -> ExitCode {
    let options = match parse_args(words) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match report(root, &options) {
        Ok((text, breaking)) => {
            print!("{text}");
            ExitCode::from(u8::from(breaking))
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// The rendered report and whether anything in it is breaking.
fn report(root: &Path, options: &Options) -> Result<(String, bool), String> {
    let commit = resolve_revision(root, &options.base)?;
    let base = lower(&base_sources(root, &options.base, &commit)?)
        .map_err(|e| format!("error: the spec at `{}` does not load:\n{e}", options.base))?;
    let new = lower(&working_tree_sources(root)?)
        .map_err(|e| format!("error: the working tree's spec does not load:\n{e}"))?;
    let mut changes = diff::diff(&base, &new);
    let mut notes = Vec::new();
    if options.semver_checks {
        let (found, note) = semver_checks(root, &commit);
        changes.extend(found);
        notes.extend(note);
        diff::sort(&mut changes);
    }
    let current = workspace_version(root);
    let suggested = match &current {
        Some(version) => match diff::suggest_version(version, diff::highest_level(&changes)) {
            Ok(next) => Some(next),
            Err(e) => {
                notes.push(format!("no version suggested: {e}"));
                None
            }
        },
        None => {
            notes.push(
                "no `[workspace.package] version` in Cargo.toml, so no version is suggested".into(),
            );
            None
        }
    };
    let report = render::Report {
        base: &options.base,
        changes: &changes,
        current_version: current.as_deref(),
        suggested_version: suggested.as_deref(),
        notes: &notes,
    };
    let text = match options.format {
        Format::Text => render::text(&report),
        Format::Markdown => render::markdown(&report),
        Format::Json => render::json(&report),
    };
    let breaking = diff::highest_level(&changes) == Some(Level::Breaking);
    Ok((text, breaking))
}

fn lower(sources: &[SourceFile]) -> Result<codegen::ir::Api, String> {
    let loaded = codegen::load::load(sources).map_err(|e| e.to_string())?;
    codegen::validate::validate(&loaded).map_err(|e| e.to_string())?;
    Ok(codegen::ir::lower(&loaded))
}

/// Runs git in `root`; its standard output, or its complaint.
fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("error: cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// The commit `rev` names, so every later read sees the same tree.
fn resolve_revision(root: &Path, rev: &str) -> Result<String, String> {
    let spec = format!("{rev}^{{commit}}");
    let out = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .map_err(|e| {
        let why = if e.is_empty() {
            String::new()
        } else {
            format!(" ({e})")
        };
        format!(
            "error: `{rev}` is not a revision of the git repository at {}{why}",
            root.display()
        )
    })?;
    Ok(String::from_utf8_lossy(&out).trim().to_string())
}

/// The base revision's spec files, named `REV:api-spec/x.yaml` so that problems point there.
fn base_sources(root: &Path, rev: &str, commit: &str) -> Result<Vec<SourceFile>, String> {
    let listing = git(root, &["ls-tree", "--name-only", commit, "--", "api-spec/"])
        .map_err(|e| format!("error: cannot list api-spec/ at `{rev}`: {e}"))?;
    let mut sources = Vec::new();
    for path in String::from_utf8_lossy(&listing).lines() {
        if !path.ends_with(".yaml") {
            continue;
        }
        // `REV:./path` is relative to the directory git runs in: the workspace root.
        let bytes = git(root, &["show", &format!("{commit}:./{path}")])
            .map_err(|e| format!("error: cannot read {rev}:{path}: {e}"))?;
        let name = PathBuf::from(format!("{rev}:{path}"));
        sources.push(SourceFile::from_bytes(name, bytes).map_err(|d| d.to_string())?);
    }
    if sources.is_empty() {
        return Err(format!(
            "error: `{rev}` has no api-spec/*.yaml to compare with"
        ));
    }
    Ok(sources)
}

/// The working tree's spec files, named relative to the root like `codegen` names them.
fn working_tree_sources(root: &Path) -> Result<Vec<SourceFile>, String> {
    let relative = |path: &Path| {
        path.strip_prefix(root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let sources = codegen::read_spec_dir(&root.join("api-spec")).map_err(|e| match e {
        codegen::Error::Spec(mut problems) => {
            for p in &mut problems.0 {
                p.location.file = relative(&p.location.file);
            }
            problems.to_string()
        }
        other => format!("error: {other}"),
    })?;
    Ok(sources
        .into_iter()
        .map(|mut s| {
            s.path = relative(&s.path);
            s
        })
        .collect())
}

/// `[workspace.package] version` of the root `Cargo.toml`, read line by line (the file is ours
/// and plain; a TOML parser is not worth a dependency here).
fn workspace_version(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).ok()?;
    let mut in_section = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == "[workspace.package]";
            continue;
        }
        if !in_section {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            if key.trim() == "version" {
                return Some(value.trim().trim_matches('"').to_string());
            }
        }
    }
    None
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The Rust view of `cargo-semver-checks`, when it is installed: each lint it reports becomes
/// a change with `source: cargo-semver-checks`. Otherwise a note, and the report goes on.
fn semver_checks(root: &Path, commit: &str) -> (Vec<Change>, Option<String>) {
    let installed = Command::new(cargo())
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return (
            Vec::new(),
            Some("cargo-semver-checks is not installed, so the Rust view is skipped (cargo install cargo-semver-checks --locked)".into()),
        );
    }
    let output = Command::new(cargo())
        .args([
            "semver-checks",
            "check-release",
            "-p",
            "vod-client",
            "--baseline-rev",
            commit,
        ])
        .env("CARGO_TERM_COLOR", "never")
        .current_dir(root)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => {
            return (
                Vec::new(),
                Some(format!("cargo-semver-checks did not run: {e}")),
            )
        }
    };
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let changes = semver_findings(&text);
    let note = (!output.status.success() && changes.is_empty()).then(|| {
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        format!(
            "cargo-semver-checks failed without naming a lint: {}",
            last.trim()
        )
    });
    (changes, note)
}

/// Its report names each lint on a line `--- failure <lint>: <what> ---` (or `--- warning`),
/// possibly coloured.
fn semver_findings(text: &str) -> Vec<Change> {
    text.lines()
        .filter_map(|line| {
            let line = without_colours(line);
            let line = line.trim().strip_prefix("--- ")?.strip_suffix(" ---")?;
            let (level, rest) = if let Some(rest) = line.strip_prefix("failure ") {
                (Level::Breaking, rest)
            } else {
                (Level::Compatible, line.strip_prefix("warning ")?)
            };
            let (lint, what) = rest.split_once(": ").unwrap_or((rest, ""));
            Some(Change {
                level,
                affects: vec![diff::Affects::Rust],
                operation: None,
                field: Some(lint.to_string()),
                message: format!("{} (lint `{lint}`).", what.trim_end_matches('.')),
                source: "cargo-semver-checks".into(),
            })
        })
        .collect()
}

/// The text without ANSI colour sequences (`ESC [ ... m`).
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_unknown_ones_are_refused() {
        let parsed = parse_args(["--base", "v1", "--format", "json"].into_iter())
            .unwrap()
            .unwrap();
        assert_eq!((parsed.base.as_str(), parsed.format), ("v1", Format::Json));
        assert!(parse_args(["--help"].into_iter()).unwrap().is_none());
        assert!(parse_args(["--bsae"].into_iter()).is_err());
        assert!(parse_args(["--format", "yaml"].into_iter()).is_err());
        assert!(parse_args(["--base"].into_iter()).is_err());
    }

    #[test]
    fn semver_checks_lints_become_changes() {
        let text = "     Parsing vod-client\n\u{1b}[1m--- failure function_missing: pub fn removed or renamed ---\u{1b}[0m\n\nDescription:\n--- warning function_marked_deprecated: function is now #[deprecated] ---\n";
        let found = semver_findings(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].level, Level::Breaking);
        assert_eq!(found[0].field.as_deref(), Some("function_missing"));
        assert_eq!(found[0].source, "cargo-semver-checks");
        assert_eq!(found[1].level, Level::Compatible);
    }
}
