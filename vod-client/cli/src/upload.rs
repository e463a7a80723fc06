//! `vod upload PATH...`: a token and an upload per file, through [`vod_client::Client::upload_video`].
//!
//! Every input is checked before the first byte moves (missing files, directories without
//! `--recursive`, unreadable files are all reported at once, exit 2). Files then go one after
//! the other, each with `--parallel` blocks in flight; a failed file does not stop the others.
//! With `--resume-dir`, finished blocks and finished files are recorded there, so rerunning the
//! same command after a crash, a kill or Ctrl-C continues where it stopped and skips files that
//! are done. On a terminal (stderr) each file gets a progress bar, plus one for the total, and a
//! summary table follows; stdout carries the result list (`{file, videoId, fileKey, hash,
//! size, resumed, skipped}`) for scripts. The exit code is the first failure's.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Arg, ArgAction, ArgMatches, Command};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::failure::Failure;
use super::Globals;

/// The `upload` command.
pub fn command() -> Command {
    let bytes = |text: &str| -> Result<u64, String> { parse_bytes(text) };
    Command::new("upload")
        .about("Upload video files (a token and an upload per file)")
        .long_about(
            "Upload video files: for each file, ask for an upload token (getUploadToken) and \
             upload the file to the storage service, in one form upload up to --form-threshold \
             and in blocks above it, --parallel blocks at once. Every input is checked first. \
             The storage service's hash is checked against the one computed locally. With \
             --resume-dir, rerunning the same command after an interruption continues it. \
             Prints one {file, videoId, fileKey, hash, size, resumed, skipped} per file.",
        )
        .after_help(super::commands::examples_help(&[
            "vod upload talk.mp4".into(),
            "vod upload -r ./videos --exclude 'drafts/**' --dry-run -o text".into(),
            "vod upload -r ./videos --include '*.{mp4,mov}' --resume-dir .vod-resume --parallel 8".into(),
        ]))
        .arg(
            Arg::new("files")
                .value_name("PATH")
                .required(true)
                .num_args(1..)
                .value_parser(clap::value_parser!(PathBuf))
                .help("Files (or, with --recursive, directories) to upload"),
        )
        .arg(
            Arg::new("recursive")
                .long("recursive")
                .short('r')
                .action(ArgAction::SetTrue)
                .help("Upload every file under each directory PATH (hidden entries skipped)"),
        )
        .arg(
            Arg::new("include")
                .long("include")
                .value_name("GLOB")
                .action(ArgAction::Append)
                .help("With --recursive, upload only files matching GLOB (repeatable) [default: video extensions]")
                .long_help(format!(
                    "With --recursive, upload only the files found under a directory that match \
                     one of these patterns (repeat the flag for several). Without it, files \
                     with a video extension are taken, case ignored: {}. The Cloud VoD spec \
                     names no list of accepted upload formats; this is the set of video \
                     containers VoD services commonly accept for upload, so --include '*' \
                     takes everything. {GLOB_HELP}",
                    VIDEO_EXTENSIONS.join(", ")
                )),
        )
        .arg(
            Arg::new("exclude")
                .long("exclude")
                .value_name("GLOB")
                .action(ArgAction::Append)
                .help("With --recursive, leave out files matching GLOB (repeatable; wins over --include)")
                .long_help(format!(
                    "With --recursive, leave out the files found under a directory that match \
                     one of these patterns (repeat the flag for several); an excluded file is \
                     left out even when --include takes it. {GLOB_HELP}"
                )),
        )
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("List the files that would be uploaded ({file, size}), upload nothing")
                .long_help(
                    "Check the inputs, apply --include/--exclude and print the files that \
                     would be uploaded, one {file, size} each (-o text: one path per line); \
                     nothing is sent, and no credentials are needed.",
                ),
        )
        .arg(
            Arg::new("parallel")
                .long("parallel")
                .value_name("N")
                .value_parser(clap::value_parser!(u16).range(1..=64))
                .help("Blocks of a file in flight at once [default: 4]"),
        )
        .arg(
            Arg::new("resume-dir")
                .long("resume-dir")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help(
                    "Record progress in DIR: rerunning the same command continues interrupted \
                     uploads and skips finished files",
                ),
        )
        .arg(
            Arg::new("block-size")
                .long("block-size")
                .value_name("BYTES")
                .value_parser(bytes)
                .help("Block size, a multiple of 4M [default: 4M]"),
        )
        .arg(
            Arg::new("no-progress")
                .long("no-progress")
                .action(ArgAction::SetTrue)
                .help("Never draw a progress bar (none is drawn when stderr is not a terminal)"),
        )
        .arg(
            Arg::new("chunk-size")
                .long("chunk-size")
                .value_name("BYTES")
                .value_parser(bytes)
                .help("Bytes per request of a block upload, e.g. 512K, 1M [default: 4M]"),
        )
        .arg(
            Arg::new("form-threshold")
                .long("form-threshold")
                .value_name("BYTES")
                .value_parser(bytes)
                .help("Largest file sent in one form upload [default: 4M]"),
        )
        .arg(
            Arg::new("workflow-id")
                .long("workflow-id")
                .value_name("ID")
                .help("Workflow to run after the upload"),
        )
        .arg(
            Arg::new("category-names")
                .long("category-names")
                .value_name("JSON")
                .value_parser(parse_category_names)
                .help(
                    "Categories, as JSON text: [{\"parentName\": \"..\", \"childName\": \"..\"}]",
                ),
        )
        .arg(
            Arg::new("domain")
                .long("domain")
                .value_name("DOMAIN")
                .help("Publishing domain of the videos"),
        )
}

/// File extensions `vod upload -r` takes by default (case ignored). The spec names no accepted
/// upload formats, so this is the common set of video containers VoD services accept.
pub const VIDEO_EXTENSIONS: &[&str] = &[
    "3gp", "asf", "avi", "f4v", "flv", "m2ts", "m4v", "mkv", "mov", "mp4", "mpeg", "mpg", "mts",
    "mxf", "rm", "rmvb", "ts", "vob", "webm", "wmv",
];

/// How --include/--exclude patterns read, for their help.
const GLOB_HELP: &str = "Patterns: `*` any run of characters but `/`, `**` any run with `/`, \
    `?` one character, `[a-z]` a set, `{mp4,mov}` alternatives; a pattern with no `/` is \
    matched against the file name alone (`*.mp4` at any depth), one with a `/` against the path \
    under the directory given (`raw/**`). Files named on the command line are uploaded as \
    named; the patterns only sort what a directory holds. Hidden entries are always skipped.";

/// Which files found under a directory are uploaded.
#[derive(Debug, Default)]
struct Filter {
    /// `--include`; `None`: [`VIDEO_EXTENSIONS`].
    include: Option<Vec<crate::glob::Glob>>,
    /// `--exclude`.
    exclude: Vec<crate::glob::Glob>,
}

impl Filter {
    fn from_matches(matches: &ArgMatches) -> Result<Filter, Failure> {
        let globs = |id: &str| -> Result<Option<Vec<crate::glob::Glob>>, Failure> {
            matches
                .get_many::<String>(id)
                .map(|patterns| {
                    patterns
                        .map(|p| {
                            crate::glob::Glob::new(p)
                                .map_err(|e| Failure::usage(format!("--{id}: {e}")))
                        })
                        .collect()
                })
                .transpose()
        };
        Ok(Filter {
            include: globs("include")?,
            exclude: globs("exclude")?.unwrap_or_default(),
        })
    }

    /// Whether a file at `relative` (below the directory given) is taken.
    fn takes(&self, relative: &str) -> bool {
        let included = match &self.include {
            Some(globs) => globs.iter().any(|g| g.matches(relative)),
            None => relative
                .rsplit_once('.')
                .map(|(_, ext)| ext.to_ascii_lowercase())
                .is_some_and(|ext| VIDEO_EXTENSIONS.contains(&ext.as_str())),
        };
        included && !self.exclude.iter().any(|g| g.matches(relative))
    }
}

/// `1048576`, `512K`, `4M`, `1G` (binary units).
/// `--category-names`: the JSON array the API documents, read when the flags are parsed, so a
/// bad value stops the command before any byte moves.
fn parse_category_names(text: &str) -> Result<Vec<vod_client::model::CategoryName>, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("not a JSON array of {{parentName, childName}}: {e}"))
}

fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| "expected a size in bytes, e.g. 1048576, 512K or 4M".to_string())?;
    let factor: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        other => return Err(format!("unknown unit `{other}` (use K, M or G)")),
    };
    let value = n.checked_mul(factor).ok_or("size too large")?;
    if value == 0 {
        return Err("must be at least 1 byte".into());
    }
    Ok(value)
}

/// The files to upload, in order, or every problem with the inputs.
fn expand_inputs(
    inputs: &[PathBuf],
    recursive: bool,
    filter: &Filter,
) -> Result<Vec<PathBuf>, Vec<String>> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Err(e) => problems.push(format!("{}: {e}", input.display())),
            Ok(meta) if meta.is_dir() && recursive => {
                let mut found = Vec::new();
                walk(input, &mut found, &mut problems);
                files.extend(found.into_iter().filter(|file| {
                    let relative = file.strip_prefix(input).unwrap_or(file);
                    let relative: Vec<String> = relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    filter.takes(&relative.join("/"))
                }));
            }
            Ok(meta) if meta.is_dir() => problems.push(format!(
                "{}: is a directory (add --recursive to upload what it holds)",
                input.display()
            )),
            Ok(meta) if !meta.is_file() => {
                problems.push(format!("{}: not a regular file", input.display()))
            }
            Ok(_) => match std::fs::File::open(input) {
                Ok(_) => files.push(input.clone()),
                Err(e) => problems.push(format!("{}: {e}", input.display())),
            },
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::path::absolute(f).unwrap_or_else(|_| f.clone())));
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return problems.push(format!("{}: {e}", dir.display())),
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        // symlink_metadata: a link to a directory is not followed (no loops).
        match std::fs::symlink_metadata(&path) {
            _ if hidden => {}
            Ok(meta) if meta.is_dir() => walk(&path, files, problems),
            Ok(meta) if meta.is_file() => files.push(path),
            Ok(_) => {}
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
}

/// Files a `--resume-dir` run finished: path → (size, mtime, result).
struct Ledger {
    file: PathBuf,
    done: BTreeMap<String, Value>,
}

impl Ledger {
    fn open(dir: &Path) -> Ledger {
        let file = dir.join("finished-files.json");
        let done = std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Ledger { file, done }
    }

    fn stamp(path: &Path) -> Option<(String, Value)> {
        let meta = std::fs::metadata(path).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos()
            .to_string();
        let key = std::path::absolute(path).ok()?.display().to_string();
        Some((key, json!({ "size": meta.len(), "mtime": mtime })))
    }

    /// The recorded result of an unchanged, finished file.
    fn finished(&self, path: &Path) -> Option<Value> {
        let (key, stamp) = Self::stamp(path)?;
        let entry = self.done.get(&key)?;
        (entry.get("stamp") == Some(&stamp)).then(|| entry["result"].clone())
    }

    fn record(&mut self, path: &Path, result: &Value) {
        let Some((key, stamp)) = Self::stamp(path) else {
            return;
        };
        self.done
            .insert(key, json!({ "stamp": stamp, "result": result }));
        let tmp = self.file.with_extension("json.tmp");
        let written = serde_json::to_vec_pretty(&self.done)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                if let Some(parent) = self.file.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(&tmp, &self.file)
            });
        if let Err(e) = written {
            eprintln!("warning: cannot record {} as finished: {e}", path.display());
        }
    }
}

/// One line of the summary table.
struct Outcome {
    file: PathBuf,
    size: u64,
    status: String,
    id: String,
    elapsed: Duration,
}

/// Uploads every file named on the command line.
pub fn run(matches: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    let inputs: Vec<PathBuf> = matches
        .get_many::<PathBuf>("files")
        .map(|f| f.cloned().collect())
        .unwrap_or_default();
    let filter = Filter::from_matches(matches)?;
    let files =
        expand_inputs(&inputs, matches.get_flag("recursive"), &filter).map_err(|problems| {
            Failure::usage(format!(
                "nothing was uploaded; fix these inputs first:\n  {}",
                problems.join("\n  ")
            ))
        })?;
    if matches.get_flag("dry-run") {
        let list: Vec<Value> = files
            .iter()
            .map(|f| {
                let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
                json!({"file": f.display().to_string(), "size": size})
            })
            .collect();
        if std::io::stderr().is_terminal() {
            eprintln!(
                "dry run: {} file(s) would be uploaded; nothing was sent",
                list.len()
            );
        }
        return if globals.format() == crate::output::Format::Text && globals.query_is_none() {
            let paths: Vec<Value> = list.iter().map(|v| v["file"].clone()).collect();
            globals.print(&Value::Array(paths))
        } else {
            globals.print(&Value::Array(list))
        };
    }
    let terminal = std::io::stderr().is_terminal();
    let show_bars = !matches.get_flag("no-progress") && terminal;
    let resume_dir = matches.get_one::<PathBuf>("resume-dir").cloned();
    let mut ledger = resume_dir.as_deref().map(Ledger::open);
    let client = super::client(matches, globals.debug)?;
    let runtime = super::runtime()?;
    let cancel = CancellationToken::new();
    let ctrl_c = cancel.clone();
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            ctrl_c.cancel();
        }
    });

    let sizes: Vec<u64> = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .collect();
    let bars = show_bars.then(|| Bars::new(&files, &sizes));
    let mut results = Vec::new();
    let mut outcomes = Vec::new();
    let mut first_failure: Option<Failure> = None;
    let mut failed = 0usize;
    for (index, file) in files.iter().enumerate() {
        let started = Instant::now();
        let mut outcome = Outcome {
            file: file.clone(),
            size: sizes[index],
            status: String::new(),
            id: String::new(),
            elapsed: Duration::ZERO,
        };
        if let Some(done) = ledger.as_ref().and_then(|l| l.finished(file)) {
            let mut done = done;
            if let Value::Object(map) = &mut done {
                map.insert("skipped".into(), Value::Bool(true));
            }
            outcome.status = "skipped (done)".into();
            outcome.id = done["videoId"].as_str().unwrap_or_default().to_string();
            if let Some(bars) = &bars {
                bars.finish(index, "done earlier");
            }
            results.push(done);
            outcomes.push(outcome);
            continue;
        }
        if cancel.is_cancelled() {
            outcome.status = "not started".into();
            outcomes.push(outcome);
            continue;
        }
        let upload =
            configure(&client, matches, file, resume_dir.as_deref()).cancel_on(cancel.clone());
        let upload = match &bars {
            Some(bars) => bars.attach(index, upload),
            None => upload,
        };
        let result = runtime.block_on(upload.send());
        outcome.elapsed = started.elapsed();
        match result {
            Ok(video) => {
                let value = json!({
                    "file": file.display().to_string(),
                    "videoId": video.id,
                    "fileKey": video.file_key,
                    "hash": video.hash,
                    "size": video.size,
                    "resumed": video.resumed,
                    "skipped": false,
                });
                if let Some(ledger) = &mut ledger {
                    ledger.record(file, &value);
                }
                outcome.status = if video.resumed > 0 {
                    format!("uploaded (resumed at {})", human(video.resumed))
                } else {
                    "uploaded".into()
                };
                outcome.id = video.id.clone();
                if let Some(bars) = &bars {
                    bars.finish(index, "uploaded");
                }
                results.push(value);
            }
            Err(e) => {
                let cancelled = e.is_cancelled();
                let failure = upload_failure(e);
                if let Some(bars) = &bars {
                    bars.finish(index, if cancelled { "interrupted" } else { "failed" });
                }
                if cancelled {
                    outcome.status = "interrupted".into();
                } else {
                    match &bars {
                        // Above the bars, so they are not torn.
                        Some(bars) => bars.println(&format!("error: {failure}")),
                        None => eprintln!("error: {failure}"),
                    }
                    outcome.status = "failed".into();
                }
                failed += 1;
                first_failure.get_or_insert(failure);
            }
        }
        outcomes.push(outcome);
    }
    if let Some(bars) = bars {
        bars.clear();
        drop(bars);
        // The bars leave the cursor at the end of the total line.
        eprintln!();
    }
    if terminal {
        eprint!("{}", summary(&outcomes));
    }
    if !results.is_empty() || first_failure.is_none() {
        globals.print(&Value::Array(results))?;
    }
    if cancel.is_cancelled() {
        let hint = match &resume_dir {
            Some(_) => "rerun the same command to continue",
            None => "add --resume-dir DIR to be able to continue an interrupted upload",
        };
        return Err(Failure {
            code: 130,
            message: format!("interrupted; {hint}"),
        });
    }
    match first_failure {
        // Already printed per file; keep the code, shorten the summary.
        Some(failure) => Err(Failure {
            code: failure.code,
            message: format!("{failed} of {} uploads failed", files.len()),
        }),
        None => Ok(()),
    }
}

/// The upload of one file, configured from the flags.
fn configure(
    client: &vod_client::Client,
    matches: &ArgMatches,
    file: &Path,
    resume_dir: Option<&Path>,
) -> vod_client::upload::Upload {
    let mut upload = client.upload_video(file);
    if let Some(n) = matches.get_one::<u16>("parallel") {
        upload = upload.parallel(usize::from(*n));
    }
    if let Some(dir) = resume_dir {
        upload = upload.resume_dir(dir);
    }
    if let Some(size) = matches.get_one::<u64>("block-size") {
        upload = upload.block_size(*size);
    }
    if let Some(size) = matches.get_one::<u64>("chunk-size") {
        upload = upload.chunk_size(*size);
    }
    if let Some(size) = matches.get_one::<u64>("form-threshold") {
        upload = upload.form_threshold(*size);
    }
    if let Some(id) = matches.get_one::<String>("workflow-id") {
        upload = upload.workflow_id(id.clone());
    }
    if let Some(names) = matches.get_one::<Vec<vod_client::model::CategoryName>>("category-names") {
        upload = upload.category_names(names.clone());
    }
    if let Some(domain) = matches.get_one::<String>("domain") {
        upload = upload.domain(domain.clone());
    }
    upload
}

/// A progress bar per file and one for the total, on stderr.
struct Bars {
    multi: MultiProgress,
    files: Vec<ProgressBar>,
    total: ProgressBar,
    /// Bytes of the files before each one (the total bar's offset for it).
    before: Vec<u64>,
}

impl Bars {
    fn new(files: &[PathBuf], sizes: &[u64]) -> Bars {
        let multi = MultiProgress::new();
        let style = |template: &str| {
            ProgressStyle::with_template(template)
                .map(|s| s.progress_chars("=> "))
                .unwrap_or_else(|_| ProgressStyle::default_bar())
        };
        let width = files
            .iter()
            .map(|f| name_of(f).chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 32);
        let file_style = style(&format!(
            "{{msg:{width}}} [{{bar:30}}] {{bytes:>10}}/{{total_bytes:<10}} {{bytes_per_sec:>12}} eta {{eta}}"
        ));
        let bars = files
            .iter()
            .zip(sizes)
            .map(|(f, size)| {
                let bar = multi.add(ProgressBar::new(*size));
                bar.set_style(file_style.clone());
                bar.set_message(name_of(f));
                bar
            })
            .collect();
        let total = multi.add(ProgressBar::new(sizes.iter().sum()));
        total.set_style(style(&format!(
            "{{msg:{width}}} [{{bar:30}}] {{bytes:>10}}/{{total_bytes:<10}} {{bytes_per_sec:>12}} eta {{eta}}"
        )));
        total.set_message("total");
        let mut before = Vec::with_capacity(sizes.len());
        let mut sum = 0;
        for size in sizes {
            before.push(sum);
            sum += size;
        }
        Bars {
            multi,
            files: bars,
            total,
            before,
        }
    }

    fn attach(
        &self,
        index: usize,
        upload: vod_client::upload::Upload,
    ) -> vod_client::upload::Upload {
        let (bar, total, before) = (
            self.files[index].clone(),
            self.total.clone(),
            self.before[index],
        );
        upload.progress(move |done, size| {
            bar.set_length(size);
            bar.set_position(done);
            total.set_position(before + done);
        })
    }

    fn finish(&self, index: usize, status: &str) {
        let bar = &self.files[index];
        if status == "uploaded" || status == "done earlier" {
            bar.set_position(bar.length().unwrap_or(0));
            self.total
                .set_position(self.before[index] + bar.length().unwrap_or(0));
        }
        bar.abandon_with_message(format!("{} ({status})", bar.message()));
    }

    fn println(&self, line: &str) {
        if self.multi.println(line).is_err() {
            eprintln!("{line}");
        }
    }

    fn clear(&self) {
        self.total.abandon();
    }
}

fn name_of(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string())
}

/// `1.5 MiB`-style sizes for the summary.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The table printed on a terminal once every file was tried.
fn summary(outcomes: &[Outcome]) -> String {
    let rows: Vec<[String; 5]> = outcomes
        .iter()
        .map(|o| {
            [
                o.file.display().to_string(),
                human(o.size),
                o.status.clone(),
                o.id.clone(),
                format!("{:.1}s", o.elapsed.as_secs_f64()),
            ]
        })
        .collect();
    let header = ["file", "size", "status", "videoId", "time"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&header.map(String::from));
    for row in &rows {
        out.push_str(&line(row));
    }
    let uploaded = outcomes
        .iter()
        .filter(|o| o.status.starts_with("uploaded"))
        .count();
    let skipped = outcomes
        .iter()
        .filter(|o| o.status.starts_with("skipped"))
        .count();
    out.push_str(&format!(
        "{uploaded} uploaded, {skipped} skipped, {} not uploaded\n",
        outcomes.len() - uploaded - skipped
    ));
    out
}

/// A failed upload as a CLI failure: where it stopped, then the cause as every command
/// prints it (code, message, request id), with its exit code.
fn upload_failure(e: vod_client::upload::UploadError) -> Failure {
    if e.is_cancelled() {
        return Failure {
            code: 130,
            message: e.to_string(),
        };
    }
    let mut place = format!("upload of {} failed at {}", e.file, e.step);
    match (e.block, e.offset) {
        (Some(b), Some(o)) => place.push_str(&format!(" (block {b}, offset {o})")),
        (None, Some(o)) => place.push_str(&format!(" (offset {o})")),
        _ => {}
    }
    match e.into_error() {
        Some(error) => {
            let cause = Failure::from(error);
            Failure {
                code: cause.code,
                message: format!("{place}: {}", cause.message),
            }
        }
        None => Failure::service(place),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("1048576"), Ok(1 << 20));
        assert_eq!(parse_bytes("512K"), Ok(512 << 10));
        assert_eq!(parse_bytes("4m"), Ok(4 << 20));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("x").is_err());
        assert!(parse_bytes("3T").is_err());
        assert!(parse_bytes("99999999999999999999G").is_err());
    }

    #[test]
    fn inputs_are_all_checked_first() {
        let dir = std::env::temp_dir().join(format!("vod-cli-inputs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub/.hidden")).unwrap();
        std::fs::write(dir.join("b.mp4"), b"b").unwrap();
        std::fs::write(dir.join("sub/a.mp4"), b"a").unwrap();
        std::fs::write(dir.join("sub/.hidden/x.mp4"), b"x").unwrap();
        let missing = dir.join("missing.mp4");
        let all = Filter::default();
        let problems = expand_inputs(&[dir.clone(), missing.clone()], false, &all).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("--recursive"), "{problems:?}");
        assert!(problems[1].contains("missing.mp4"), "{problems:?}");
        let files = expand_inputs(&[dir.clone(), dir.join("b.mp4")], true, &all).unwrap();
        assert_eq!(files, [dir.join("b.mp4"), dir.join("sub/a.mp4")]);
        // Default: video extensions only, case ignored; files named are taken as named.
        std::fs::write(dir.join("notes.txt"), b"n").unwrap();
        std::fs::write(dir.join("sub/C.MOV"), b"c").unwrap();
        let files = expand_inputs(&[dir.clone(), dir.join("notes.txt")], true, &all).unwrap();
        assert_eq!(
            files,
            [
                dir.join("b.mp4"),
                dir.join("sub/C.MOV"),
                dir.join("sub/a.mp4"),
                dir.join("notes.txt")
            ]
        );
        let glob = |p: &str| crate::glob::Glob::new(p).unwrap();
        let picky = Filter {
            include: Some(vec![glob("sub/**"), glob("*.txt")]),
            exclude: vec![glob("*.MOV")],
        };
        let files = expand_inputs(std::slice::from_ref(&dir), true, &picky).unwrap();
        assert_eq!(files, [dir.join("notes.txt"), dir.join("sub/a.mp4")]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_summary_table() {
        let outcomes = [Outcome {
            file: "a.mp4".into(),
            size: 3 << 20,
            status: "uploaded".into(),
            id: "v1".into(),
            elapsed: Duration::from_millis(1500),
        }];
        let text = summary(&outcomes);
        assert!(
            text.starts_with("file   size     status    videoId  time\n"),
            "{text}"
        );
        assert!(
            text.contains("a.mp4  3.0 MiB  uploaded  v1       1.5s"),
            "{text}"
        );
        assert!(
            text.ends_with("1 uploaded, 0 skipped, 0 not uploaded\n"),
            "{text}"
        );
    }
}
