//! Maintainer commands for the Cloud VoD SDK workspace.
//!
//! `cargo xtask codegen` regenerates each package's `src/generated/` (the SDK's, the CLI's,
//! the emulator's) from `api-spec/`;
//! `cargo xtask codegen --check` writes nothing and fails, naming each stale file, when the
//! checked-in code differs from what the spec produces; `--timings` prints how long each
//! generator stage took. `cargo xtask openapi --version 3.0 --out FILE` writes the OpenAPI
//! export in another version (progenitor, e.g., reads only 3.0) without touching the tree.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::emit::Package;
use codegen::GeneratedFile;

mod api_diff;

/// The OpenAPI export, relative to the workspace root.
const OPENAPI_FILE: &str = "docs/openapi.json";

/// Where each package's generated module lives, relative to the workspace root.
fn generated_dir(package: Package) -> &'static str {
    match package {
        Package::Sdk => "vod-client/src/generated",
        Package::Cli => "vod-client/cli/src/generated",
        Package::Emulator => "vod-client/emulator/src/generated",
    }
}

const USAGE: &str = "Maintainer commands for the Cloud VoD SDK workspace.

Usage: cargo xtask codegen [--check] [--timings]
       cargo xtask openapi --version <3.0|3.1> --out <FILE>
       cargo xtask api-diff [--base <REV>] [--format <text|markdown|json>] [--semver-checks]

Commands:
  codegen    Regenerate the generated modules of the SDK (vod-client/src/generated/), the CLI
             (vod-client/cli/src/generated/) and the emulator (vod-client/emulator/src/generated/)
             and docs/openapi.json from api-spec/*.yaml, writing only files whose contents
             change, and list what was written or removed
  openapi    Write the OpenAPI export of api-spec/*.yaml in the given version to FILE
             (`-` for standard output); docs/openapi.json is the 3.1 one
  api-diff   Tell what the api-spec/ edits since REV (default HEAD) do to users; exit 1 when
             one is breaking (`cargo xtask api-diff --help` for details)

Options:
  --check    Write nothing; exit 1 naming each stale, missing or left-over file
  --timings  Also print how long load, validate, lower and emit took
  -h, --help Print this help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut words = args.iter().map(String::as_str);
    match words.next() {
        Some("codegen") => {}
        Some("openapi") => {
            if args.iter().any(|a| a == "-h" || a == "--help") {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            return match openapi_args(words)
                .and_then(|(version, out)| openapi_command(&workspace_root(), version, &out))
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}\n\n{USAGE}");
                    ExitCode::from(2)
                }
            };
        }
        Some("api-diff") => return api_diff::run(&workspace_root(), words),
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("error: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let mut check = false;
    let mut timings = false;
    for word in words {
        match word {
            "--check" => check = true,
            "--timings" => timings = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unknown flag `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match codegen_command(&workspace_root(), check, timings) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    // Tests point the command at a scratch tree; normally xtask sits below the root.
    if let Some(root) = std::env::var_os("XTASK_ROOT") {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Which OpenAPI version `cargo xtask openapi` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenApiVersion {
    V3_0,
    V3_1,
}

fn openapi_args<'a>(
    mut words: impl Iterator<Item = &'a str>,
) -> Result<(OpenApiVersion, String), String> {
    let (mut version, mut out) = (None, None);
    while let Some(word) = words.next() {
        let mut value = |flag: &str| {
            words
                .next()
                .map(str::to_owned)
                .ok_or_else(|| format!("`{flag}` needs a value"))
        };
        match word {
            "--version" => {
                version = Some(match value(word)?.as_str() {
                    "3.0" | "3.0.3" => OpenApiVersion::V3_0,
                    "3.1" | "3.1.0" => OpenApiVersion::V3_1,
                    other => return Err(format!("unknown OpenAPI version `{other}` (3.0 or 3.1)")),
                })
            }
            "--out" => out = Some(value(word)?),
            other => return Err(format!("unknown flag `{other}` for `openapi`")),
        }
    }
    match (version, out) {
        (Some(version), Some(out)) => Ok((version, out)),
        (None, _) => Err("`openapi` needs `--version 3.0` or `--version 3.1`".into()),
        (_, None) => Err("`openapi` needs `--out FILE` (or `--out -`)".into()),
    }
}

/// The export from the spec as it is now (not from docs/openapi.json, which may be stale).
fn openapi_command(root: &Path, version: OpenApiVersion, out: &str) -> Result<(), String> {
    let sources = codegen::read_spec_dir(&root.join("api-spec")).map_err(|e| e.to_string())?;
    let loaded = codegen::load::load(&sources).map_err(|e| e.to_string())?;
    codegen::validate::validate(&loaded).map_err(|e| e.to_string())?;
    let api = codegen::ir::lower(&loaded);
    let json = match version {
        OpenApiVersion::V3_0 => codegen::emit::openapi_3_0(&api),
        OpenApiVersion::V3_1 => codegen::emit::openapi(&api),
    };
    if out == "-" {
        print!("{json}");
        return Ok(());
    }
    std::fs::write(out, json).map_err(|e| format!("cannot write {out}: {e}"))
}

fn codegen_command(root: &Path, check: bool, timings: bool) -> Result<ExitCode, String> {
    let spec_dir = root.join("api-spec");
    let start = Instant::now();
    let sources = codegen::read_spec_dir(&spec_dir).map_err(|e| match e {
        // Files refused while reading (too large, not UTF-8) are named like all others.
        codegen::Error::Spec(mut problems) => {
            for p in &mut problems.0 {
                if let Ok(relative) = p.location.file.strip_prefix(root) {
                    p.location.file = relative.to_path_buf();
                }
            }
            problems.to_string()
        }
        other => other.to_string(),
    })?;
    let sources: Vec<_> = sources
        .into_iter()
        .map(|mut s| {
            s.path = s
                .path
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or(s.path);
            s
        })
        .collect();
    let (generated, stages) = codegen::generate_all(&sources).map_err(|e| e.to_string())?;
    let files = generated.rust;
    let openapi_path = root.join(OPENAPI_FILE);
    if timings {
        let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
        eprintln!(
            "load {:?}, validate {:?}, lower {:?}, emit+format {:?}; total with file reads {:?}; {} files, {} lines",
            stages.load, stages.validate, stages.lower, stages.emit, start.elapsed(), files.len(), lines
        );
    }
    if check {
        let mut stale = Vec::new();
        for package in Package::ALL {
            let out_dir = root.join(generated_dir(package));
            stale.extend(stale_files(&out_dir, &of(package, &files)).map_err(|e| e.to_string())?);
        }
        if std::fs::read_to_string(&openapi_path).ok().as_deref()
            != Some(generated.openapi.as_str())
        {
            stale.push(openapi_path);
        }
        if stale.is_empty() {
            println!(
                "codegen --check: {} files up to date (from {} spec files)",
                files.len() + 1,
                sources.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        for path in &stale {
            eprintln!(
                "stale: {}",
                path.strip_prefix(root).unwrap_or(path).display()
            );
        }
        eprintln!("generated code is out of date: run `cargo xtask codegen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    let mut report = Report::default();
    for package in Package::ALL {
        let out_dir = root.join(generated_dir(package));
        write_files(&out_dir, &of(package, &files), &mut report).map_err(|e| e.to_string())?;
    }
    report.record(
        openapi_path.clone(),
        write_if_changed(&openapi_path, &generated.openapi).map_err(|e| e.to_string())?,
    );
    print!("{}", report.render(root, sources.len()));
    Ok(ExitCode::SUCCESS)
}

/// The files of one package.
fn of(package: Package, files: &[GeneratedFile]) -> Vec<&GeneratedFile> {
    files.iter().filter(|f| f.package == package).collect()
}

/// What a regeneration did, file by file.
#[derive(Default)]
struct Report {
    written: Vec<PathBuf>,
    removed: Vec<PathBuf>,
    unchanged: usize,
}

impl Report {
    fn record(&mut self, path: PathBuf, written: bool) {
        if written {
            self.written.push(path);
        } else {
            self.unchanged += 1;
        }
    }

    /// One line per changed file, then a summary, with paths relative to the workspace root.
    fn render(&self, root: &Path, spec_files: usize) -> String {
        let show = |path: &PathBuf| {
            path.strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string()
        };
        let mut out = String::new();
        for path in &self.written {
            out.push_str(&format!("wrote    {}\n", show(path)));
        }
        for path in &self.removed {
            out.push_str(&format!("removed  {}\n", show(path)));
        }
        out.push_str(&format!(
            "codegen: {} written, {} removed, {} unchanged (from {spec_files} spec files)\n",
            plural(self.written.len()),
            plural(self.removed.len()),
            plural(self.unchanged),
        ));
        out
    }
}

fn plural(n: usize) -> String {
    format!("{n} file{}", if n == 1 { "" } else { "s" })
}

/// Files whose contents differ, are missing, or are left over from an older spec.
fn stale_files(out_dir: &Path, files: &[&GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut stale = Vec::new();
    for file in files {
        let path = out_dir.join(&file.path);
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == file.contents => {}
            _ => stale.push(path),
        }
    }
    stale.extend(leftovers(out_dir, files)?);
    Ok(stale)
}

fn leftovers(out_dir: &Path, files: &[&GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    let expected: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut extra = Vec::new();
    if out_dir.is_dir() {
        for entry in std::fs::read_dir(out_dir)? {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name.ends_with(".rs") && !expected.contains(name) {
                extra.push(path);
            }
        }
    }
    extra.sort();
    Ok(extra)
}

fn write_files(
    out_dir: &Path,
    files: &[&GeneratedFile],
    report: &mut Report,
) -> std::io::Result<()> {
    if files.is_empty() && !out_dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(out_dir)?;
    for path in leftovers(out_dir, files)? {
        std::fs::remove_file(&path)?;
        report.removed.push(path);
    }
    for file in files {
        let path = out_dir.join(&file.path);
        let written = write_if_changed(&path, &file.contents)?;
        report.record(path, written);
    }
    Ok(())
}

/// Leaves untouched files alone so build tools see no change; true when it wrote.
fn write_if_changed(path: &Path, contents: &str) -> std::io::Result<bool> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, contents)?;
    Ok(true)
}
