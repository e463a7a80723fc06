//! Building clap commands from the generated command table, and reading the parsed flags back
//! into the JSON object an operation takes.
//!
//! The table is data (see [`super::table`]), so the commands are built with clap's builder API
//! at run time. Every flag's value parser produces a [`serde_json::Value`] directly, so typing
//! happens once, in clap (which names the flag in its error), and reading the matches back is the
//! same loop for every kind.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

pub use super::input::{check_input, normalize_input};
use super::table::{ArgKind, ArgSpec, CommandSpec};

/// The id of the `--input-json` flag every operation command has.
pub const INPUT_JSON: &str = "input-json";

/// Long flags the top-level command already uses (globals and clap's own). A request field
/// whose kebab name collides with one of them gets the flag `--param-<name>` instead, because
/// clap rejects two arguments with one long name.
const RESERVED_FLAGS: &[&str] = &[
    "output",
    "query",
    "profile",
    "endpoint",
    "access-key",
    "secret-key",
    "debug",
    "columns",
    "typed",
    "time-zone",
    "help",
    "version",
    INPUT_JSON,
    ALL_PAGES,
    WAIT,
    WAIT_TIMEOUT,
];

/// The id of `--all-pages` (paginated operations).
pub const ALL_PAGES: &str = "all-pages";
/// The id of `--wait` (operations that start a task).
pub const WAIT: &str = "wait";
/// The id of `--wait-timeout`.
pub const WAIT_TIMEOUT: &str = "wait-timeout";

/// The long flag used for a field: its table name, unless that is reserved.
pub fn flag_name(arg: &ArgSpec) -> String {
    if RESERVED_FLAGS.contains(&arg.flag) {
        format!("param-{}", arg.flag)
    } else {
        arg.flag.to_string()
    }
}

/// The clap id of a field's flag: its wire name, prefixed so it never equals a global's id.
fn arg_id(arg: &ArgSpec) -> String {
    format!("field:{}", arg.wire)
}

/// One clap command per group of the table, each holding one subcommand per operation, in
/// table order (groups in order of first appearance).
pub fn group_commands(table: &'static [CommandSpec]) -> Vec<Command> {
    let mut groups: Vec<(&'static str, Vec<&'static CommandSpec>)> = Vec::new();
    for spec in table {
        match groups.iter_mut().find(|(g, _)| *g == spec.group) {
            Some((_, specs)) => specs.push(spec),
            None => groups.push((spec.group, vec![spec])),
        }
    }
    groups
        .into_iter()
        .map(|(group, specs)| {
            let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
            let about = group_about(group);
            let long_about = format!("{about}.\n\nCommands: {}.", names.join(", "));
            let examples: Vec<String> = specs
                .iter()
                .take(2)
                .filter_map(|s| examples(s).into_iter().next())
                .collect();
            Command::new(group)
                .about(about)
                .long_about(long_about)
                .after_help(examples_help(&examples))
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommands(specs.iter().copied().map(operation_command))
                .subcommands(
                    specs
                        .iter()
                        .filter(|s| !s.wait_args.is_empty())
                        .map(|s| follow_command(s)),
                )
        })
        .collect()
}

/// What each command group is about, for `vod --help` and `vod <group> --help`. The spec
/// groups operations by API section, not by the resource a person thinks of, so this short
/// list is written by hand; a group missing here still gets a generic line.
const GROUP_ABOUT: &[(&str, &str)] = &[
    ("videos", "Videos in your library: list, edit, block, enable and delete them"),
    ("audio", "Audio files in your library: list, edit and delete them"),
    ("materials", "Materials (uploaded image and other non-video files): list, edit and delete them"),
    ("categories", "Categories that organize videos: list, create and delete them"),
    ("tasks", "Processing tasks on videos (transcoding, clipping, concatenation, ad removal) and their status"),
    ("workflows", "Processing workflows configured in the console, run on one video"),
    ("playback", "Playback: publish codes and play URLs of videos and audio"),
    ("uploads", "Upload tokens and pulls from a URL (`vod upload FILE` does the whole upload)"),
];

fn group_about(group: &str) -> String {
    GROUP_ABOUT
        .iter()
        .find(|(name, _)| *name == group)
        .map(|(_, about)| (*about).to_string())
        .unwrap_or_else(|| format!("Cloud VoD operations on {group}"))
}

/// Adds the operations of `group` as subcommands of an existing (built-in) command with the
/// same name, e.g. the generated `upload` group under `vod upload FILE...`: the first word
/// picks an operation, anything else is the built-in's own arguments.
pub fn merge_group(builtin: Command, group: Command) -> Command {
    let subs: Vec<Command> = group.get_subcommands().cloned().collect();
    builtin
        .args_conflicts_with_subcommands(true)
        .subcommand_negates_reqs(true)
        .subcommands(subs)
}

/// The first word of `vod <group> wait-<name>`.
pub const FOLLOW_PREFIX: &str = "wait-";

/// `vod <group> wait-<name>`: waits for a task of `<name>` started earlier, found by the
/// request fields its state comes from (`vod tasks wait-transcode --video-ids a,b`).
fn follow_command(spec: &'static CommandSpec) -> Command {
    let flags: Vec<String> = spec
        .args
        .iter()
        .filter(|a| spec.wait_args.contains(&a.wire))
        .map(|a| format!("--{}", flag_name(a)))
        .collect();
    let mut cmd = Command::new(format!("{FOLLOW_PREFIX}{}", spec.name))
        .about(format!(
            "Wait for `{} {}` tasks started earlier to finish (starts nothing)",
            spec.group, spec.name
        ))
        .long_about(format!(
            "Wait for `vod {group} {name}` tasks started earlier (without --wait) to finish, \
             found by {flags}; starts nothing. Polls every 2 seconds, backing off to 30, until \
             each succeeded (exit 0) or any failed (exit 1), or until --wait-timeout passes \
             (exit 3). {WAIT_OUTPUT}",
            group = spec.group,
            name = spec.name,
            flags = flags.join(", "),
        ));
    let mut example = format!("vod {} {FOLLOW_PREFIX}{}", spec.group, spec.name);
    for arg in spec
        .args
        .iter()
        .filter(|a| spec.wait_args.contains(&a.wire))
    {
        cmd = cmd.arg(field_arg_with(arg, false).required(true));
        example.push_str(&format!(" --{} {}", flag_name(arg), placeholder(arg)));
    }
    cmd.arg(wait_timeout_arg(false)).after_help(examples_help(&[
        example.clone(),
        format!("{example} --wait-timeout 600 -o json"),
    ]))
}

/// What `--wait` and `wait-<name>` print, for their help.
pub const WAIT_OUTPUT: &str = "Prints one list whatever the number of resources (JSON by \
    default when piped): one entry per resource, in request order, {\"subject\": \"videoId=...\", \"state\": \"succeeded\", \
    \"answer\": <the last answer of the state query>}. On a terminal, stderr shows which \
    resources are done and the time spent.";

fn wait_timeout_arg(requires_wait: bool) -> Arg {
    let arg = Arg::new(WAIT_TIMEOUT)
        .long(WAIT_TIMEOUT)
        .value_name("SECONDS")
        .value_parser(clap::value_parser!(u64).range(1..))
        .help("Give up waiting after this many seconds [default: 1800]");
    if requires_wait {
        arg.requires(WAIT)
    } else {
        arg
    }
}

/// An `Examples:` section for help, one command a line; a long one continues on the next
/// lines after a ` \` (at a flag), so help never wraps it and it pastes into a shell as is.
pub fn examples_help(examples: &[String]) -> String {
    const WIDTH: usize = 76;
    let lines: Vec<String> = examples
        .iter()
        .map(|example| {
            let mut lines = vec![String::new()];
            for (i, part) in example.split(" --").enumerate() {
                let part = if i == 0 {
                    part.to_string()
                } else {
                    format!("--{part}")
                };
                let last = lines.last_mut().expect("one line");
                if last.is_empty() {
                    last.push_str(&part);
                } else if last.len() + 1 + part.len() <= WIDTH {
                    last.push(' ');
                    last.push_str(&part);
                } else {
                    last.push_str(" \\");
                    lines.push(format!("    {part}"));
                }
            }
            lines.join("\n  ")
        })
        .collect();
    format!("Examples:\n  {}", lines.join("\n  "))
}

/// Examples of an operation command, derived from its table entry: its required flags with
/// placeholder values, then the same with what the command adds (every page, waiting).
pub fn examples(spec: &CommandSpec) -> Vec<String> {
    let mut base = format!("vod {} {}", spec.group, spec.name);
    let required = spec.args.iter().filter(|a| a.required);
    if spec
        .args
        .iter()
        .any(|a| a.required && a.kind == ArgKind::Json)
    {
        // A JSON value is best written in a file of the whole request.
        base.push_str(&format!(" --{INPUT_JSON} request.json"));
    } else {
        for arg in required {
            base.push_str(&format!(" --{} {}", flag_name(arg), placeholder(arg)));
        }
    }
    let mut out = vec![base.clone()];
    if spec.paginated {
        out.push(format!("{base} --all-pages -o json"));
    } else if spec.waitable {
        out.push(format!("{base} --wait"));
    } else if let Some(arg) = spec.args.iter().find(|a| !a.required) {
        out.push(format!("{base} --{} {}", flag_name(arg), placeholder(arg)));
    }
    out
}

/// A value to show after a flag in an example: an enum's first name, a time, a number, or the
/// flag's name in capitals (`--video-id VIDEO_ID`).
fn placeholder(arg: &ArgSpec) -> String {
    if let Some(name) = arg.names.first().or(arg.values.first().map(|(w, _)| w)) {
        return (*name).to_string();
    }
    match arg.kind {
        ArgKind::Time(_) => "2026-12-06T10:00:00+08:00".to_string(),
        ArgKind::Integer | ArgKind::Long | ArgKind::Number => {
            arg.default.unwrap_or("1").to_string()
        }
        ArgKind::Boolean => "true".to_string(),
        ArgKind::Json => "'{}'".to_string(),
        ArgKind::String => {
            let name = arg.flag.replace('-', "_").to_uppercase();
            if arg.list {
                let one = name.strip_suffix('S').unwrap_or(&name);
                format!("{one}1,{one}2")
            } else {
                name
            }
        }
    }
}

/// The clap command of one operation.
pub fn operation_command(spec: &'static CommandSpec) -> Command {
    let mut cmd = Command::new(spec.name)
        .about(spec.about)
        .long_about(spec.long_about)
        .after_help(examples_help(&examples(spec)))
        .arg(
            Arg::new(INPUT_JSON)
                .long(INPUT_JSON)
                .value_name("FILE|-")
                .help("Read the whole request as a JSON object (wire names) from FILE, or stdin for -")
                .long_help(
                    "Read the whole request as a JSON object keyed by the service's field names \
                     (e.g. {\"videoName\": \"cat\"}) from FILE, or from stdin when FILE is -. \
                     Flags given as well override the JSON's fields.",
                ),
        );
    for arg in spec.args {
        cmd = cmd.arg(field_arg(arg));
    }
    if spec.paginated {
        cmd = cmd.arg(
            Arg::new(ALL_PAGES)
                .long(ALL_PAGES)
                .action(ArgAction::SetTrue)
                .help(
                    "Fetch every page from the requested one on and print the entries as they come",
                )
                .long_help(
                    "Fetch every page, from --page-index (default 1) on, and print the entries \
                     as they arrive: -o json gives one compact JSON object per line (JSON Lines), \
                     -o text one line per entry, -o yaml one list; -o table waits for the last \
                     page to align the columns. --query and --columns apply to each entry.\n\
                     Without it, one page is fetched, on a terminal too (unlike aws-cli): the \
                     same command gives the same data in a shell and in a script, and a large \
                     library is not walked (each page is a call counted against the service's \
                     rate limit) just to look at the newest entries. On a terminal, stderr says \
                     when more pages may follow and how to get them.",
                ),
        );
    }
    if spec.waitable {
        cmd = cmd
            .arg(
                Arg::new(WAIT)
                    .long(WAIT)
                    .action(ArgAction::SetTrue)
                    .help("Wait until the task finishes and print its final state")
                    .long_help(format!(
                        "Start the task, then poll its state every 2 seconds (backing off to \
                         30) until it succeeds (exit 0) or fails (exit 1), or until \
                         --wait-timeout passes (exit 3). {WAIT_OUTPUT}{}",
                        if spec.wait_args.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " To wait for a task started earlier: vod {} {FOLLOW_PREFIX}{}.",
                                spec.group, spec.name
                            )
                        }
                    )),
            )
            .arg(wait_timeout_arg(true));
    }
    cmd
}

fn field_arg(arg: &'static ArgSpec) -> Arg {
    field_arg_with(arg, true)
}

/// A field's flag; `input_json`: the command also takes `--input-json`, which may stand in
/// for a required flag.
fn field_arg_with(arg: &'static ArgSpec, input_json: bool) -> Arg {
    let mut long_help = arg.help.to_string();
    if let Some(default) = arg.default {
        if !long_help.to_lowercase().contains("default") {
            long_help.push_str(&format!("\n[service default: {default}]"));
        }
    }
    if arg.list && arg.kind != ArgKind::Json {
        long_help.push_str(
            "\nSeveral values: comma-separated (a,b), space-separated after one flag (a b, so \
             $(vod ... -o text) fits), or the flag repeated (--flag a --flag b).",
        );
        if !arg.comma {
            long_help.push_str(
                " Items of this list may contain commas, so a value with a comma is refused: \
                 give such items in --input-json.",
            );
        }
    } else if arg.list {
        long_help
            .push_str("\nRepeat the flag (or give several values after it) for several entries.");
    }
    if let ArgKind::Time(_) = arg.kind {
        long_help.push_str(
            "\nA time: RFC 3339 with any offset (2026-12-06T10:00:00Z, \
             2026-12-06T10:00:00+08:00), the service's yyyy-MM-dd HH:mm:ss (read in UTC+8), \
             or a date alone, yyyy-MM-dd, meaning midnight UTC+8 (the service's day).",
        );
    }
    if arg.kind == ArgKind::Json {
        long_help.push_str("\nThe value is JSON text, e.g. '{\"name\": \"x\"}'.");
    }
    let short_help = arg.help.lines().next().unwrap_or("").to_string();
    let mut a = Arg::new(arg_id(arg))
        .long(flag_name(arg))
        .value_name(arg.kind.value_name())
        .help(short_help)
        .long_help(long_help)
        .action(if arg.list {
            ArgAction::Append
        } else {
            ArgAction::Set
        });
    if arg.list {
        // Operation commands have no positional arguments, so a list flag may take every
        // value up to the next flag: `--video-ids $(vod ... -o text)` works.
        a = a.num_args(1..);
    }
    if arg.required && input_json {
        a = a.required_unless_present(INPUT_JSON);
    }
    if arg.kind == ArgKind::Boolean {
        // `--flag` alone means true; `--flag false` is explicit.
        a = a.num_args(0..=1).default_missing_value("true");
    }
    if arg.list && arg.kind != ArgKind::Json {
        a.value_parser(move |text: &str| list_value(arg, text))
    } else if arg.values.is_empty() {
        a.value_parser(move |text: &str| parse_value(arg.kind, text))
    } else {
        let kind = arg.kind;
        a.value_parser(
            PossibleValuesParser::new(possible_values(arg)).map(move |text| {
                let wire = wire_value(arg, &text);
                parse_value(kind, wire).unwrap_or(Value::String(wire.to_string()))
            }),
        )
    }
}

/// An enum flag's values for clap: the kebab-case name with its meaning and wire value (shown
/// in help as `blocked: The video is blocked. (or 1)`), and the wire value itself, accepted
/// but not listed twice.
fn possible_values(arg: &'static ArgSpec) -> Vec<PossibleValue> {
    let mut values = Vec::new();
    for (i, (wire, meaning)) in arg.values.iter().enumerate() {
        match arg.names.get(i).filter(|name| *name != wire) {
            Some(name) => {
                values.push(PossibleValue::new(*name).help(format!("{meaning} (or {wire})")));
                values.push(PossibleValue::new(*wire).hide(true));
            }
            None => values.push(PossibleValue::new(*wire).help(*meaning)),
        }
    }
    values
}

/// The wire value an enum flag's text stands for (a kebab-case name or the value itself).
fn wire_value<'a>(arg: &'a ArgSpec, text: &'a str) -> &'a str {
    arg.names
        .iter()
        .position(|name| *name == text)
        .and_then(|i| arg.values.get(i))
        .map_or(text, |(wire, _)| wire)
}

/// One value of a list flag, split at commas: a JSON list of its items. A list whose items may
/// hold commas (not sent comma-separated) refuses a comma rather than guess.
fn list_value(arg: &ArgSpec, text: &str) -> Result<Value, String> {
    if !arg.comma && text.contains(',') {
        return Err(format!(
            "items of --{} may contain commas, so `{text}` cannot be split safely: repeat the \
             flag for each item, or give the list in --input-json",
            flag_name(arg)
        ));
    }
    let items: Vec<&str> = if arg.comma {
        text.split(',').map(str::trim).collect()
    } else {
        vec![text]
    };
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if item.is_empty() {
            return Err(format!(
                "item {} of `{text}` is empty (commas separate the items of --{})",
                i + 1,
                flag_name(arg)
            ));
        }
        values.push(item_value(arg, item)?);
    }
    Ok(Value::Array(values))
}

/// One item of a list flag: an enum's name or wire value, or a value of the flag's kind.
fn item_value(arg: &ArgSpec, text: &str) -> Result<Value, String> {
    if arg.values.is_empty() {
        return parse_value(arg.kind, text);
    }
    let wire = wire_value(arg, text);
    if !arg.values.iter().any(|(w, _)| *w == wire) {
        let names: Vec<&str> = if arg.names.is_empty() {
            arg.values.iter().map(|(w, _)| *w).collect()
        } else {
            arg.names.to_vec()
        };
        return Err(format!("`{text}` is not one of: {}", names.join(", ")));
    }
    parse_value(arg.kind, wire).or_else(|_| Ok(Value::String(wire.to_string())))
}

/// Parses one flag value as `kind`. The error text is what clap prints after
/// `invalid value '<text>' for '--<flag> <KIND>'`.
pub fn parse_value(kind: ArgKind, text: &str) -> Result<Value, String> {
    let expected = || format!("expected {}", kind.description());
    match kind {
        ArgKind::String => Ok(Value::String(text.to_string())),
        ArgKind::Integer => text
            .trim()
            .parse::<i32>()
            .map(Value::from)
            .map_err(|e| format!("{} ({e})", expected())),
        ArgKind::Long => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|e| format!("{} ({e})", expected())),
        ArgKind::Number => {
            let n: f64 = text
                .trim()
                .parse()
                .map_err(|e| format!("{} ({e})", expected()))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| format!("{} (finite)", expected()))
        }
        ArgKind::Boolean => match text.trim() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(expected()),
        },
        ArgKind::Json => json_or_wire_text(text),
        ArgKind::Time(wire) => crate::present::time_input(text, wire),
    }
}

/// A JSON flag's value: JSON, or else the field's wire text as it is (base64 of JSON,
/// `{key:value}` pairs), for the typed request's decoder to read; it names the field when it
/// cannot. Text that opens like JSON but is not (`[1,`, `{`) is refused here as malformed,
/// since no wire text looks like that.
fn json_or_wire_text(text: &str) -> Result<Value, String> {
    let malformed = |e: serde_json::Error| format!("malformed JSON: {e}");
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(e) => {
            let t = text.trim();
            let braced_pairs = t.starts_with('{') && t.ends_with('}') && t.contains(':');
            if t.starts_with(['[', '"']) || (t.starts_with('{') && !braced_pairs) {
                Err(malformed(e))
            } else {
                Ok(Value::String(text.to_string()))
            }
        }
    }
}

/// The request object of `spec` from its parsed flags, on top of `base` (the `--input-json`
/// object, or empty): flags override the fields they name.
pub fn request_from_matches(
    spec: &CommandSpec,
    matches: &ArgMatches,
    base: Map<String, Value>,
) -> Value {
    let mut object = base;
    for arg in spec.args {
        let Ok(Some(values)) = matches.try_get_many::<Value>(&arg_id(arg)) else {
            continue;
        };
        let mut values: Vec<Value> = values.cloned().collect();
        let value = if arg.list && arg.kind != ArgKind::Json {
            // Each occurrence is a list of its comma-separated items.
            Value::Array(
                values
                    .into_iter()
                    .flat_map(|v| match v {
                        Value::Array(items) => items,
                        other => vec![other],
                    })
                    .collect(),
            )
        } else if arg.list {
            Value::Array(values)
        } else {
            match values.pop() {
                Some(v) => v,
                None => continue,
            }
        };
        object.insert(arg.wire.to_string(), value);
    }
    Value::Object(object)
}
