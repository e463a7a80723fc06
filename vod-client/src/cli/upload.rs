//! `vod upload FILE...`: a token and an upload per file, through [`crate::Client::upload_video`].
//!
//! A progress bar (indicatif, on stderr) is drawn only when stderr is a terminal and
//! `--no-progress` is not given, so logs and CI output stay clean. Files are uploaded one after
//! the other; a failed file does not stop the others, the command prints what succeeded (a list
//! of `{videoId, fileKey, hash, size, file}`) and exits with the first failure's code.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use super::failure::Failure;
use super::Globals;

/// The `upload` command.
pub fn command() -> Command {
    let bytes = |text: &str| -> Result<u64, String> { parse_bytes(text) };
    Command::new("upload")
        .about("Upload video files (a token and an upload per file)")
        .long_about(
            "Upload video files: for each FILE, ask for an upload token (getUploadToken) and \
             upload the file to the storage service, in one form upload up to --form-threshold \
             and in 4 MiB blocks above it. The storage service's hash is checked against the \
             one computed locally. Prints one {videoId, fileKey, hash, size, file} per file.",
        )
        .arg(
            Arg::new("files")
                .value_name("FILE")
                .required(true)
                .num_args(1..)
                .value_parser(clap::value_parser!(PathBuf))
                .help("Files to upload"),
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
                .help("Bytes per request of a block upload, e.g. 512K, 1M [default: 1M]"),
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

/// `1048576`, `512K`, `4M`, `1G` (binary units).
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

/// Uploads every file named on the command line.
pub fn run(matches: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    let files: Vec<PathBuf> = matches
        .get_many::<PathBuf>("files")
        .map(|f| f.cloned().collect())
        .unwrap_or_default();
    let show_bar = !matches.get_flag("no-progress") && std::io::stderr().is_terminal();
    let client = super::client(matches, globals.debug)?;
    let runtime = super::runtime()?;
    let mut results = Vec::new();
    let mut first_failure: Option<Failure> = None;
    let mut failed = 0usize;
    for file in &files {
        let bar = show_bar.then(|| new_bar(file));
        let mut upload = client.upload_video(file);
        if let Some(size) = matches.get_one::<u64>("chunk-size") {
            upload = upload.chunk_size(*size);
        }
        if let Some(size) = matches.get_one::<u64>("form-threshold") {
            upload = upload.form_threshold(*size);
        }
        if let Some(id) = matches.get_one::<String>("workflow-id") {
            upload = upload.workflow_id(id.clone());
        }
        if let Some(json) = matches.get_one::<String>("category-names") {
            let names: Vec<crate::model::CategoryName> =
                serde_json::from_str(json).map_err(|e| {
                    Failure::usage(format!(
                        "--category-names: not a JSON array of {{parentName, childName}}: {e}"
                    ))
                })?;
            upload = upload.category_names(names);
        }
        if let Some(domain) = matches.get_one::<String>("domain") {
            upload = upload.domain(domain.clone());
        }
        if let Some(bar) = &bar {
            let bar = bar.clone();
            upload = upload.progress(move |sent, total| {
                bar.set_length(total);
                bar.set_position(sent);
            });
        }
        let outcome = runtime.block_on(upload.send());
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        match outcome {
            Ok(video) => {
                let mut value = serde_json::to_value(&video).unwrap_or(Value::Null);
                if let Value::Object(map) = &mut value {
                    map.insert("file".into(), Value::String(file.display().to_string()));
                }
                results.push(value);
            }
            Err(e) => {
                let failure = Failure::from(e);
                eprintln!("error: {}: {failure}", file.display());
                failed += 1;
                first_failure.get_or_insert(failure);
            }
        }
    }
    if !results.is_empty() || first_failure.is_none() {
        globals.print(&Value::Array(results))?;
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

fn new_bar(file: &std::path::Path) -> ProgressBar {
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    bar
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

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
}
