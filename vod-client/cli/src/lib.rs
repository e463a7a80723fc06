//! The `vod` command line: the whole API from a shell.
//!
//! One subcommand per operation (`vod videos list --video-name cat --page-size 20`), built at run
//! time from the generated command table (`generated::COMMANDS`, see [`table`]) and dispatched
//! through the generated `generated::invoke`, so the command line and the typed client can never
//! disagree about an operation: both go through the same request types and validation. Around
//! them, a few hand-written commands: `upload`, `configure`, `emulator`, `debug-sign` and
//! `completions`.
//!
//! The binary is a thin `main` calling [`main`]; everything here returns a `Failure`
//! instead of exiting, so the exit codes (documented in `vod --help`) are decided in one place.
//! This library exists for the binary and its tests; it is not a stable API.
#![deny(missing_docs)]

/// The command table and calling operations by name, generated from `api-spec/`.
// Formatted by the generator (prettyplease); `cargo xtask codegen --check` guards it instead.
#[rustfmt::skip]
pub mod generated;

mod api;
mod commands;
mod config;
mod configure;
mod emulator;
mod failure;
#[doc(hidden)]
pub mod fuzzing;
mod glob;
mod input;
mod operation;
mod output;
pub mod paging;
mod present;
mod query;
mod sign;
pub mod table;
mod upload;

#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};
use secrecy::SecretString;

use failure::{Failure, EXIT_CODES_HELP};
use table::CommandSpec;

/// Runs `vod` with the process's arguments and the generated command table.
pub fn main() -> ExitCode {
    run(std::env::args_os(), crate::generated::COMMANDS)
}

/// Runs `vod` with `args` (the first one is the program name) and a command table.
pub fn run<I, T>(args: I, table: &'static [CommandSpec]) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = match command(table).try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(failure::code::USAGE));
        }
    };
    match dispatch(&matches, table) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.code)
        }
    }
}

/// The whole command tree.
pub fn command(table: &'static [CommandSpec]) -> Command {
    let mut root = Command::new("vod")
        .version(env!("CARGO_PKG_VERSION"))
        .about("The Wangsu / CDNetworks Cloud VoD API from a shell")
        .long_about(
            "The Wangsu / CDNetworks Cloud VoD API from a shell: one subcommand per operation, \
             plus uploads, a local emulator and signing diagnostics.\n\n\
             Credentials and endpoint come from the flags, then the environment (VOD_ACCESS_KEY, \
             VOD_SECRET_KEY, VOD_ENDPOINT, VOD_PROFILE), then the profile file written by \
             `vod configure` (~/.config/vod/config.toml, or $VOD_CONFIG_FILE).",
        )
        .after_help(format!(
            "{}\n\n{EXIT_CODES_HELP}",
            commands::examples_help(&[
                "vod configure".into(),
                "vod videos list --video-name cat".into(),
                "vod upload -r ./videos --dry-run".into(),
                "vod tasks transcode --video-ids $(vod videos list --query 'videoListInfo[*].videoId' -o text) --wait".into(),
                "vod api POST /vod/videoManage/getVideoList -F pageSize=5".into(),
            ])
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args())
        .subcommand(upload::command())
        .subcommand(api::command())
        .subcommand(
            Command::new("configure")
                .about("Write credentials and endpoint into a profile of the profile file")
                .long_about(
                    "Write credentials and endpoint into a profile (--profile, default `default`) \
                     of the profile file, created with mode 0600. On a terminal, missing values \
                     are prompted for (the secret without echo); otherwise the first line of \
                     stdin is the secret key.",
                )
                .after_help(commands::examples_help(&[
                    "vod configure".into(),
                    "vod configure --profile test --endpoint http://127.0.0.1:8787 --access-key AK < secret.txt".into(),
                ])),
        )
        .subcommand(emulator::command())
        .subcommand(
            Command::new("debug-sign")
                .about(
                    "Sign a request described as JSON on stdin and print every step of the signature",
                )
                .long_about(DEBUG_SIGN_HELP)
                .after_help(commands::examples_help(&[
                    "vod debug-sign < request.json".into(),
                    "vod debug-sign < request.json > steps.json".into(),
                ])),
        )
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script")
                .after_help(commands::examples_help(&[
                    "vod completions bash > ~/.local/share/bash-completion/completions/vod".into(),
                    "vod completions zsh > \"${fpath[1]}/_vod\"".into(),
                ]))
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell)),
                ),
        );
    for group in commands::group_commands(table) {
        let name = group.get_name().to_string();
        root = if root.find_subcommand(&name).is_some() {
            root.mut_subcommand(&name, |builtin| commands::merge_group(builtin, group))
        } else {
            root.subcommand(group)
        };
    }
    root
}

/// `vod debug-sign --help`: the input is a JSON object, so its members are the documentation.
const DEBUG_SIGN_HELP: &str = "Sign a request described as JSON on stdin with the client's own \
signer and print every intermediate step (canonical request, string to sign, signature, \
Authorization header), to compare with another implementation step by step.

Input (stdin): one JSON object with
  method       HTTP method, e.g. \"POST\"
  uri          path and query, e.g. \"/vod/videoManage/getVideoList?pageSize=10\"
  access_key   the access key
  secret_key   the secret key (never printed)
  timestamp    Unix seconds, e.g. 1700000000
  headers      optional object of header name to value, e.g. {\"content-type\": \"application/json\", \"host\": \"api.example.com\"}
  body         optional request body as UTF-8 text
  algorithm    optional \"WS3-HMAC-SHA256\" (default) or \"CNC-HMAC-SHA256\"
  signed_headers  optional list of header names to sign [default: content-type, host]

Output (stdout): {\"canonical_request\", \"string_to_sign\", \"signature\", \"authorization\"}.";

/// The `--query` examples `vod --help` shows, as (other flags, query) on `vod videos list`;
/// the binary tests run every one of them against the emulator.
pub const QUERY_EXAMPLES: &[(&str, &str)] = &[
    ("-o text", "videoListInfo[0].videoId"),
    ("-o text", "videoListInfo[*].videoId"),
    ("-o json", "length(videoListInfo)"),
    (
        "-o json --typed",
        "videoListInfo[?videoState=='enabled'].{id: videoId, name: videoName}",
    ),
    (
        "-o json --typed",
        "videoListInfo[?videoSize > `1000000`].videoId",
    ),
];

fn global_args() -> Vec<Arg> {
    let global = |arg: Arg| arg.global(true).help_heading("Global options");
    vec![
        global(
            Arg::new("output")
                .long("output")
                .short('o')
                .value_name("FORMAT")
                .value_parser(PossibleValuesParser::new(output::Format::NAMES))
                .help("Output format [default: table on a terminal, json otherwise]")
                .long_help(
                    "Output format [default: table on a terminal, json otherwise].\n\
                     json: always valid JSON (a string selected by --query stays quoted).\n\
                     text: bare values for shell capture, one line per item of a list (so \
                     $(...) and xargs take them as they are), one line per entry for a list \
                     of objects with its values tab-separated: \
                     ID=$(vod videos list --query 'videoListInfo[0].videoId' -o text).\n\
                     table: aligned columns in the answer's field order (paged lists: a curated \
                     set, see --columns), fitted to the terminal.\n\
                     yaml: YAML.",
                ),
        ),
        global(
            Arg::new("query")
                .long("query")
                .value_name("JMESPATH")
                .help("Print only this part of the answer (JMESPath), e.g. videoListInfo[0].videoId")
                .long_help(format!(
                    "Print only the part of the answer a JMESPath expression selects \
                     (https://jmespath.org), as aws --query does. The document is the \
                     operation's data as it is printed: with -o table, -o text or --typed, \
                     enums are names (and with --typed, numbers are numbers and times RFC \
                     3339), so filters can say what they mean; plain -o json and -o yaml query \
                     the wire form. A leading `data.` is accepted. A path that leads nowhere \
                     prints null.\n\nExamples (on `vod videos list`):\n  {}",
                    QUERY_EXAMPLES
                        .iter()
                        .map(|(flags, query)| format!("{flags} --query \"{query}\""))
                        .collect::<Vec<_>>()
                        .join("\n  ")
                )),
        ),
        global(
            Arg::new("typed")
                .long("typed")
                .action(ArgAction::SetTrue)
                .help("Print the answer's meaning, not its wire form: enum names, RFC 3339 times, numbers as numbers")
                .long_help(
                    "Print the answer's meaning, not its wire form, in any output format: \
                     enums by the names their flags accept (videoState: \"enabled\", not 0), \
                     times in RFC 3339 (in UTC, or in --time-zone when given), numbers the \
                     service sends as text as JSON numbers, so --query can compare them \
                     (videoListInfo[?videoSize > `1000000`]). Without it, -o json and -o yaml \
                     keep exactly what the service sent; tables and text always show names \
                     and readable times.",
                ),
        ),
        global(
            Arg::new("time-zone")
                .long("time-zone")
                .value_name("ZONE")
                .value_parser(PossibleValuesParser::new(present::Zone::NAMES))
                .help("Zone of the times tables and text show: local, utc or service (UTC+8) [default: local]")
                .long_help(
                    "Zone of the times tables and text show, always with their offset \
                     (2026-12-06 10:00:00 +08:00): local (the default: the zone you read \
                     clocks in, from $TZ or the system; the offset printed beside each time \
                     keeps it unambiguous), utc, or service (UTC+8, the zone the service \
                     writes its date-times in). With --typed it is also the offset of the RFC \
                     3339 times (UTC when not given). Times you type are read as written: RFC \
                     3339 with its offset, yyyy-MM-dd HH:mm:ss and dates in UTC+8.",
                ),
        ),
        global(
            Arg::new("columns")
                .long("columns")
                .value_name("NAMES")
                .value_delimiter(',')
                .help("Columns of table and text output, in this order, e.g. videoId,videoName")
                .long_help(
                    "Columns of table and text output, in this order, e.g. videoId,videoName. \
                     Tables of paged lists (videos list, audio list, ...) show a curated set of \
                     columns by default; name others here, or use -o json to see every field.",
                ),
        ),
        global(
            Arg::new("profile")
                .long("profile")
                .value_name("NAME")
                .env(config::ENV_PROFILE)
                .help("Profile of the profile file [default: default]"),
        ),
        global(
            Arg::new("endpoint")
                .long("endpoint")
                .value_name("URL")
                .env(config::ENV_ENDPOINT)
                .help("API endpoint, e.g. http://127.0.0.1:8080"),
        ),
        global(
            Arg::new("auth-profile")
                .long("auth-profile")
                .value_name("NAME")
                .env(config::ENV_AUTH_PROFILE)
                .help("Signing scheme: ws3 (Cloud VoD) or cnc (the OpenAPI gateway, whose host becomes the default endpoint)"),
        ),
        global(
            Arg::new("access-key")
                .long("access-key")
                .value_name("AK")
                .env(config::ENV_ACCESS_KEY)
                .help("Access key"),
        ),
        global(
            Arg::new("secret-key")
                .long("secret-key")
                .value_name("SK")
                .env(config::ENV_SECRET_KEY)
                .hide_env_values(true)
                .help("Secret key (prefer the environment or `vod configure`: arguments are visible to other users)"),
        ),
        global(
            Arg::new("debug")
                .long("debug")
                .action(ArgAction::SetTrue)
                .help("Log requests and the resolved settings on stderr (never the secret key)"),
        ),
    ]
}

/// Options every command shares.
#[derive(Debug)]
struct Globals {
    output: Option<output::Format>,
    /// `--typed`.
    typed: bool,
    /// `--time-zone`, when given.
    zone: Option<present::Zone>,
    query: Option<query::Query>,
    columns: Option<Vec<String>>,
    debug: bool,
}

impl Globals {
    fn read(matches: &ArgMatches) -> Result<Globals, Failure> {
        let query = match matches.get_one::<String>("query") {
            Some(text) => Some(
                query::Query::parse(text).map_err(|e| Failure::usage(format!("--query: {e}")))?,
            ),
            None => None,
        };
        Ok(Globals {
            output: matches
                .get_one::<String>("output")
                .and_then(|name| output::Format::from_name(name)),
            query,
            typed: matches.get_flag("typed"),
            zone: matches
                .get_one::<String>("time-zone")
                .and_then(|name| present::Zone::from_name(name)),
            columns: matches
                .get_many::<String>("columns")
                .map(|names| names.map(|n| n.trim().to_string()).collect()),
            debug: matches.get_flag("debug"),
        })
    }

    /// Prints an answer in the chosen format, after `--query`.
    fn print(&self, value: &serde_json::Value) -> Result<(), Failure> {
        self.print_with(value, &[], &[])
    }

    /// Prints a list whose entries hold, under `member`, answers with the fields `fields`
    /// (what `--wait` prints: `[{subject, state, answer}]`).
    fn print_at(
        &self,
        value: &serde_json::Value,
        member: &str,
        fields: &[table::AnswerField],
    ) -> Result<(), Failure> {
        let mut value = value.clone();
        if let serde_json::Value::Array(entries) = &mut value {
            for entry in entries {
                if let Some(answer) = entry.get_mut(member) {
                    *answer = self.present(answer, fields, "");
                }
            }
        }
        self.print_with(&value, &[], &[])
    }

    /// `value` with the members `fields` name re-typed for the chosen output: meanings for
    /// `--typed`, readable names and times for tables and text, the wire form otherwise.
    /// `strip` is the path prefix `value` sits at (see [`present::retype`]).
    fn present(
        &self,
        value: &serde_json::Value,
        fields: &[table::AnswerField],
        strip: &str,
    ) -> serde_json::Value {
        let mut value = value.clone();
        let mode = if self.typed {
            present::Mode::Typed(self.zone.unwrap_or(present::Zone::Utc))
        } else if matches!(self.format(), output::Format::Table | output::Format::Text) {
            present::Mode::Display(self.zone.unwrap_or(present::Zone::Local))
        } else {
            return value;
        };
        present::retype(&mut value, fields, strip, mode);
        value
    }

    /// [`Globals::print`] for a command with curated table columns (`CommandSpec::columns`).
    /// An answer reshaped by `--query` is the user's choice of shape, so it shows in full.
    fn print_with(
        &self,
        value: &serde_json::Value,
        defaults: &'static [&'static str],
        fields: &[table::AnswerField],
    ) -> Result<(), Failure> {
        let terminal = std::io::stdout().is_terminal();
        let format = self
            .output
            .unwrap_or_else(|| output::Format::default_for(terminal));
        let value = self.present(value, fields, "");
        let selected = match &self.query {
            Some(query) => query
                .select(&value)
                .map_err(|e| Failure::usage(format!("--query: {e}")))?,
            None => value,
        };
        let layout = output::Layout {
            width: terminal_width(terminal),
            columns: self.columns.clone(),
            defaults: if self.query.is_some() { &[] } else { defaults },
        };
        let text = output::render(&selected, format, &layout).map_err(Failure::usage)?;
        write_stdout(&text)
    }
}

impl Globals {
    /// No `--query` was given.
    fn query_is_none(&self) -> bool {
        self.query.is_none()
    }

    fn format(&self) -> output::Format {
        self.output
            .unwrap_or_else(|| output::Format::default_for(std::io::stdout().is_terminal()))
    }

    /// True when entries are collected into one table.
    fn is_table(&self) -> bool {
        self.format() == output::Format::Table
    }

    /// One `--all-pages` entry, after `--query`: printed at once (JSON Lines, text lines or a
    /// YAML list entry) or, for tables, kept in `table`. False once stdout is closed.
    fn print_entry(
        &self,
        entry: &serde_json::Value,
        table: &mut Vec<serde_json::Value>,
        fields: &[table::AnswerField],
        strip: &str,
    ) -> Result<bool, Failure> {
        let entry = self.present(entry, fields, strip);
        let selected = match &self.query {
            Some(query) => query
                .select(&entry)
                .map_err(|e| Failure::usage(format!("--query: {e}")))?,
            None => entry,
        };
        let layout = output::Layout {
            width: None,
            columns: self.columns.clone(),
            defaults: &[],
        };
        let text = match self.format() {
            output::Format::Table => {
                table.push(selected);
                return Ok(true);
            }
            output::Format::Json => format!("{selected}\n"),
            output::Format::Yaml => output::render(
                &serde_json::Value::Array(vec![selected]),
                output::Format::Yaml,
                &layout,
            )
            .map_err(Failure::usage)?,
            output::Format::Text => {
                // One line per entry, whatever its shape.
                let wrapped = serde_json::Value::Array(vec![selected]);
                output::render(&wrapped, output::Format::Text, &layout).map_err(Failure::usage)?
            }
        };
        write_stdout_open(&text)
    }
}

/// Writes to stdout; false when the reader went away (`vod ... --all-pages | head`).
fn write_stdout_open(text: &str) -> Result<bool, Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Failure::service(format!("cannot write to stdout: {e}"))),
    }
}

/// The width tables are fitted to: the terminal's, or `$COLUMNS` when set (so a pager or a
/// script can ask for it); unlimited otherwise.
fn terminal_width(stdout_is_terminal: bool) -> Option<usize> {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok());
    if let Some(columns) = from_env.filter(|c: &usize| *c > 0) {
        return Some(columns);
    }
    if !stdout_is_terminal {
        return None;
    }
    terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w))
}

/// Writes to stdout; a closed pipe (`vod ... | head`) is not an error.
fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::service(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// The settings from the flags (or their environment variables) completed by the profile file.
fn settings(matches: &ArgMatches) -> Result<config::Settings, Failure> {
    let text = |id: &str| matches.get_one::<String>(id).cloned();
    let overrides = config::Overrides {
        profile: text("profile"),
        access_key: text("access-key"),
        secret_key: text("secret-key").map(SecretString::from),
        endpoint: text("endpoint"),
        auth_profile: text("auth-profile"),
    };
    let path = config::config_path().map_err(Failure::usage)?;
    config::resolve(overrides, &path)
}

/// A client for the resolved settings.
fn client(matches: &ArgMatches, debug: bool) -> Result<vod_client::Client, Failure> {
    let settings = settings(matches)?;
    if debug {
        eprintln!("debug: settings {settings:?}");
    }
    let mut builder = vod_client::Client::builder()
        .auth_profile(settings.auth_profile)
        .credentials_value(vod_client::credentials::Credentials {
            access_key: settings.access_key,
            secret_key: settings.secret_key,
        });
    if let Some(endpoint) = settings.endpoint {
        builder = builder.endpoint(endpoint);
    }
    builder.build().map_err(Failure::from)
}

/// A runtime for the async commands.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::service(format!("cannot start the async runtime: {e}")))
}

/// Sends the runtime's own logs to stderr (`--debug`). The filter names only this crate, whose
/// logs never carry the secret key.
fn init_debug_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("vod_client=debug"))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

fn dispatch(matches: &ArgMatches, table: &'static [CommandSpec]) -> Result<(), Failure> {
    let globals = Globals::read(matches)?;
    if globals.debug {
        init_debug_logging();
    }
    let Some((name, sub)) = matches.subcommand() else {
        return Err(Failure::usage("no command given; see `vod --help`"));
    };
    match (name, sub.subcommand()) {
        ("upload", None) => upload::run(sub, &globals),
        ("configure", _) => run_configure(sub),
        ("api", _) => api::run(sub, &globals),
        ("emulator", _) => emulator::run(sub),
        ("debug-sign", _) => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
            let signed = sign::debug_sign(&input).map_err(Failure::usage)?;
            write_stdout(&format!("{signed}\n"))
        }
        ("completions", _) => {
            let shell = sub
                .get_one::<clap_complete::Shell>("shell")
                .copied()
                .ok_or_else(|| Failure::usage("which shell?"))?;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command(table), "vod", &mut script);
            write_stdout(&String::from_utf8_lossy(&script))
        }
        (group, Some((op, op_matches))) => {
            if let Some(spec) = table.iter().find(|s| s.group == group && s.name == op) {
                return operation::run(spec, op_matches, &globals);
            }
            let spec = op
                .strip_prefix(commands::FOLLOW_PREFIX)
                .and_then(|name| {
                    table
                        .iter()
                        .find(|s| s.group == group && s.name == name && !s.wait_args.is_empty())
                })
                .ok_or_else(|| Failure::usage(format!("unknown command `{group} {op}`")))?;
            operation::follow(spec, op_matches, &globals)
        }
        (other, None) => Err(Failure::usage(format!(
            "`vod {other}` needs a subcommand; see `vod {other} --help`"
        ))),
    }
}

fn run_configure(matches: &ArgMatches) -> Result<(), Failure> {
    // Only values typed on this command line count: a VOD_SECRET_KEY in the environment must
    // not be written into the file behind the user's back.
    let typed = |id: &str| {
        (matches.value_source(id) == Some(ValueSource::CommandLine))
            .then(|| matches.get_one::<String>(id).cloned())
            .flatten()
    };
    let profile = matches
        .get_one::<String>("profile")
        .cloned()
        .unwrap_or_else(|| config::DEFAULT_PROFILE.to_string());
    let request = configure::Request {
        profile,
        access_key: typed("access-key"),
        secret_key: typed("secret-key"),
        endpoint: typed("endpoint"),
        auth_profile: typed("auth-profile"),
    };
    let path = config::config_path().map_err(Failure::usage)?;
    let message = configure::run(request, &path).map_err(Failure::usage)?;
    eprintln!("{message}");
    Ok(())
}
