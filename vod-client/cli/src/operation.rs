//! Running one API operation: flags (and `--input-json`) to a JSON request, through the
//! generated dispatcher, to printed output.
//!
//! The request is checked twice on purpose: here against the command table (so a typo in an
//! `--input-json` file is named by its JSON path before anything else happens), and by the
//! typed request's own validation inside `generated::invoke` (ranges, lengths), which is the same
//! code the library's users get.

use std::io::{IsTerminal, Read};

use clap::ArgMatches;
use serde_json::{Map, Value};
use vod_client::operation::TaskState;

use super::commands::{self, INPUT_JSON};
use super::failure::Failure;
use super::table::CommandSpec;
use super::Globals;

/// Runs the operation of `spec` with the parsed flags of its command.
pub fn run(spec: &CommandSpec, matches: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    let mut base = match matches.get_one::<String>(INPUT_JSON) {
        Some(source) => read_input_json(source)?,
        None => Map::new(),
    };
    commands::normalize_input(spec, &mut base)
        .map_err(|e| Failure::usage(format!("--input-json: {e}")))?;
    commands::check_input(spec, &base).map_err(|e| Failure::usage(format!("--input-json: {e}")))?;
    let input = commands::request_from_matches(spec, matches, base);
    check_required(spec, &input)?;
    if globals.debug {
        eprintln!("debug: {} request {input}", spec.operation);
    }
    // Global flags (credentials, endpoint) are visible in every subcommand's matches.
    let client = super::client(matches, globals.debug)?;
    let runtime = super::runtime()?;
    if spec.paginated && matches.get_flag(commands::ALL_PAGES) {
        return runtime.block_on(print_all_pages(spec, &client, input, globals));
    }
    let wait = spec.waitable && matches.get_flag(commands::WAIT);
    let input_copy = input.clone();
    let answer = if wait {
        let line = ProgressLine::new(spec);
        let report = |states: &[(String, TaskState)], _elapsed| line.report(states);
        let call = crate::generated::invoke_and_wait(
            &client,
            spec.operation,
            input,
            wait_options(matches),
            &report,
        );
        let result = runtime.block_on(finish(spec, call));
        line.finish();
        result?
    } else {
        runtime.block_on(async {
            match crate::generated::invoke(&client, spec.operation, input) {
                Some(call) => call.await.map_err(|e| failure(spec, e)),
                None => Err(out_of_step(spec)),
            }
        })?
    };
    if wait {
        globals.print_at(&answer, "answer", wait_fields(spec))?;
        return Ok(());
    }
    let stdout_is_terminal = std::io::stdout().is_terminal();
    // A change with nothing to show would leave a person looking at an empty line.
    if !(spec.mutation && stdout_is_terminal && is_empty(&answer)) {
        globals.print_with(&answer, spec.columns, spec.answer)?;
    }
    // After the page, where a person reading it looks next.
    if std::io::stderr().is_terminal() {
        if let Some(hint) = paging_hint(spec, &input_copy, &answer) {
            eprintln!("{hint}");
        }
    }
    if spec.mutation && stdout_is_terminal {
        eprintln!("{}", confirmation(spec));
    }
    Ok(())
}

/// On a terminal, after one page of a paged list: whether more pages may exist and how to get
/// them. A page is known to be the last when it is not full (the SDK's paginator decides the
/// same way) or when a count in the answer larger than the page says all were seen. Counts
/// that equal the page's entries are labelled for what they are (the service's `videoTotal`
/// counts this page only).
fn paging_hint(spec: &CommandSpec, input: &Value, answer: &Value) -> Option<String> {
    let items = answer.get(spec.items?)?.as_array()?.len();
    let number = |wire: Option<&str>| {
        let value = input.get(wire?)?;
        value
            .as_u64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
    };
    let size_arg = spec.args.iter().find(|a| Some(a.wire) == spec.page_size)?;
    let size = number(spec.page_size)
        .or_else(|| size_arg.default.and_then(|d| d.parse().ok()))
        .unwrap_or(10);
    let index = number(spec.page_index).unwrap_or(1);
    let counts: Vec<(&String, u64)> = answer
        .as_object()?
        .iter()
        .filter(|(key, _)| Some(key.as_str()) != spec.items)
        .filter_map(|(key, v)| Some((key, v.as_u64().or_else(|| v.as_str()?.trim().parse().ok())?)))
        .collect();
    let grand = counts.iter().map(|(_, n)| *n).find(|n| *n > items as u64);
    let seen = index.saturating_sub(1) * size + items as u64;
    if items < size as usize || grand.is_some_and(|total| seen >= total) {
        return None;
    }
    let index_flag = spec
        .args
        .iter()
        .find(|a| Some(a.wire) == spec.page_index)
        .map_or_else(
            || "--page-index".to_string(),
            |a| format!("--{}", commands::flag_name(a)),
        );
    let mut hint = format!(
        "more pages may follow: page {index} is full ({items} entries). Next page: \
         {index_flag} {}; every page: --all-pages.",
        index + 1
    );
    for (key, n) in counts {
        if n == items as u64 {
            hint.push_str(&format!(
                " ({key} {n} counts the entries of this page, not all matches.)"
            ));
        } else if Some(n) == grand {
            hint.push_str(&format!(" ({key}: {n} in all.)"));
        }
    }
    Some(hint)
}

/// `vod <group> wait-<name>`: follows a task started earlier (by this command, without
/// `--wait`), from the fields its state is found by, and prints what `--wait` prints.
pub fn follow(spec: &CommandSpec, matches: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    let input = commands::request_from_matches(spec, matches, Map::new());
    check_required_of(spec, &input, spec.wait_args)?;
    if globals.debug {
        eprintln!("debug: follow {} {input}", spec.operation);
    }
    let client = super::client(matches, globals.debug)?;
    let runtime = super::runtime()?;
    let line = ProgressLine::new(spec);
    let report = |states: &[(String, TaskState)], _elapsed| line.report(states);
    let call = crate::generated::invoke_follow(
        &client,
        spec.operation,
        input,
        wait_options(matches),
        &report,
    );
    let result = runtime.block_on(finish(spec, call));
    line.finish();
    globals.print_at(&result?, "answer", wait_fields(spec))
}

/// `--wait-timeout` into the waiter's options.
fn wait_options(matches: &ArgMatches) -> vod_client::WaitOptions {
    let mut options = vod_client::WaitOptions::default();
    if let Some(seconds) = matches.get_one::<u64>(commands::WAIT_TIMEOUT) {
        options.timeout = std::time::Duration::from_secs(*seconds);
    }
    options
}

/// A call to come, to its answer.
async fn finish(
    spec: &CommandSpec,
    call: Option<crate::paging::JsonFuture<'_>>,
) -> Result<Value, Failure> {
    match call {
        Some(call) => call.await.map_err(|e| failure(spec, e)),
        None => Err(out_of_step(spec)),
    }
}

/// The progress line of a wait, on stderr when stderr is a terminal (which resources are
/// done, how long it has been); scripts see nothing but the answer.
struct ProgressLine {
    bar: Option<indicatif::ProgressBar>,
}

impl ProgressLine {
    fn new(spec: &CommandSpec) -> ProgressLine {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            {
                bar.set_style(style);
            }
            bar.set_message(format!("waiting for {} {}", spec.group, spec.name));
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        ProgressLine { bar }
    }

    fn report(&self, states: &[(String, TaskState)]) {
        if let Some(bar) = &self.bar {
            bar.set_message(crate::paging::progress_line(states));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The answer fields of what `--wait` prints: the polled operation's.
fn wait_fields(spec: &CommandSpec) -> &'static [crate::table::AnswerField] {
    spec.wait_query
        .and_then(|query| {
            crate::generated::COMMANDS
                .iter()
                .find(|c| c.operation == query)
        })
        .map_or(&[], |c| c.answer)
}

fn out_of_step(spec: &CommandSpec) -> Failure {
    Failure::service(format!(
        "the client has no such call for `{}` (command table and client out of step)",
        spec.operation
    ))
}

/// `--all-pages`: entries are printed as their page arrives (tables wait for the last page,
/// to align). An error after some pages leaves what was printed and fails the command.
async fn print_all_pages(
    spec: &CommandSpec,
    client: &vod_client::Client,
    input: Value,
    globals: &Globals,
) -> Result<(), Failure> {
    use futures_util::StreamExt as _;
    let mut items = crate::generated::invoke_items(client, spec.operation, input)
        .ok_or_else(|| out_of_step(spec))?;
    let mut table = Vec::new();
    let strip = spec
        .items
        .map(|items| format!("{items}."))
        .unwrap_or_default();
    while let Some(item) = items.next().await {
        let item = item.map_err(|e| failure(spec, e))?;
        if !globals.print_entry(&item, &mut table, spec.answer, &strip)? {
            break;
        }
    }
    if globals.is_table() {
        // Entries were re-typed one by one already.
        globals.print_with(&Value::Array(table), spec.columns, &[])?;
    }
    Ok(())
}

/// The one line a person sees after a change (`vod videos delete`: `done: videos delete
/// (deleteVideo)`), printed on stderr so it never mixes with the answer.
fn confirmation(spec: &CommandSpec) -> String {
    format!("done: {} {} ({})", spec.group, spec.name, spec.operation)
}

fn is_empty(answer: &Value) -> bool {
    match answer {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// A library error as the command line shows it: an invalid request names the flags
/// (`--page-size`), not the wire fields (`pageSize`), because flags are what the user typed.
fn failure(spec: &CommandSpec, error: vod_client::Error) -> Failure {
    let vod_client::Error::InvalidRequest { problems, .. } = &error else {
        return Failure::from(error);
    };
    let lines: Vec<String> = problems
        .iter()
        .map(|p| {
            let field = p
                .field
                .split('/')
                .map(|path| flag_path(spec, path))
                .collect::<Vec<_>>()
                .join(", ");
            format!("\n  {field}: {}", flags_in_message(spec, &p.message))
        })
        .collect();
    Failure::usage(format!(
        "vod {} {}: invalid request ({}):{}",
        spec.group,
        spec.name,
        spec.operation,
        lines.concat()
    ))
}

/// `urls[1].url` → `--urls[1].url`: the first segment is the request field, the rest is the
/// path inside its JSON value.
fn flag_path(spec: &CommandSpec, path: &str) -> String {
    let cut = path.find(['.', '[']).unwrap_or(path.len());
    let (wire, rest) = path.split_at(cut);
    match spec.args.iter().find(|a| a.wire == wire) {
        Some(arg) => format!("--{}{rest}", commands::flag_name(arg)),
        None => path.to_string(),
    }
}

/// Wire names quoted in a message ("at least one of taskId, transNo must be given") become
/// flags too.
fn flags_in_message(spec: &CommandSpec, message: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match spec.args.iter().find(|a| a.wire == word.as_str()) {
            Some(arg) if !word.is_empty() => {
                out.push_str(&format!("--{}", commands::flag_name(arg)));
            }
            _ => out.push_str(word),
        }
        word.clear();
    };
    for c in message.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Required fields must be present once flags and `--input-json` are merged (clap only knows
/// about the flags, and lets `--input-json` stand in for all of them).
pub(crate) fn check_required(spec: &CommandSpec, input: &Value) -> Result<(), Failure> {
    let required: Vec<&str> = spec
        .args
        .iter()
        .filter(|a| a.required)
        .map(|a| a.wire)
        .collect();
    check_required_of(spec, input, &required)
}

/// The fields `wires` must be present in `input`.
fn check_required_of(spec: &CommandSpec, input: &Value, wires: &[&str]) -> Result<(), Failure> {
    let missing: Vec<String> = spec
        .args
        .iter()
        .filter(|a| {
            wires.contains(&a.wire) && matches!(input.get(a.wire), None | Some(Value::Null))
        })
        .map(|a| format!("--{} (`{}`)", commands::flag_name(a), a.wire))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "missing required {}: {}",
            if missing.len() == 1 {
                "field"
            } else {
                "fields"
            },
            missing.join(", ")
        )))
    }
}

/// Reads `--input-json FILE|-`: a JSON object keyed by wire names.
fn read_input_json(source: &str) -> Result<Map<String, Value>, Failure> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("--input-json -: cannot read stdin: {e}")))?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| Failure::usage(format!("--input-json {source}: cannot read: {e}")))?
    };
    parse_input_json(source, &text)
}

/// The text of `--input-json` (read from `source`) as the object of request fields.
pub(crate) fn parse_input_json(source: &str, text: &str) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Failure::usage(format!(
            "--input-json {source}: expected a JSON object of request fields, got {}",
            match other {
                Value::Array(_) => "a list",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
        Err(e) => Err(Failure::usage(format!(
            "--input-json {source}: malformed JSON: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{ArgKind, ArgSpec};
    use vod_client::FieldProblem;

    const fn arg(flag: &'static str, wire: &'static str) -> ArgSpec {
        ArgSpec {
            flag,
            wire,
            kind: ArgKind::Integer,
            list: false,
            comma: false,
            required: false,
            help: "",
            default: None,
            values: &[],
            names: &[],
        }
    }

    static SPEC: CommandSpec = CommandSpec {
        group: "tasks",
        name: "status",
        operation: "getStatus",
        about: "",
        long_about: "",
        mutation: false,
        paginated: false,
        waitable: false,
        columns: &[],
        items: None,
        page_index: None,
        page_size: None,
        wait_query: None,
        wait_args: &[],
        answer: &[],
        args: &[
            arg("page-size", "pageSize"),
            arg("task-id", "taskId"),
            arg("trans-no", "transNo"),
            arg("urls", "urls"),
            arg("output", "output"),
        ],
    };

    fn problem(field: &str, message: &str) -> FieldProblem {
        FieldProblem::new(field, vod_client::Violation::Other, message)
    }

    #[test]
    fn invalid_requests_name_the_flags() {
        let error = vod_client::Error::InvalidRequest {
            operation: "getStatus",
            problems: vec![
                problem("pageSize", "must be at most 50, got 80"),
                problem("urls[1].url", "must not be empty"),
                problem(
                    "taskId/transNo",
                    "at least one of taskId, transNo must be given",
                ),
                problem("output", "too long"),
            ],
        };
        let failure = failure(&SPEC, error);
        assert_eq!(failure.code, crate::failure::code::USAGE);
        assert_eq!(
            failure.message,
            "vod tasks status: invalid request (getStatus):\n  \
             --page-size: must be at most 50, got 80\n  \
             --urls[1].url: must not be empty\n  \
             --task-id, --trans-no: at least one of --task-id, --trans-no must be given\n  \
             --param-output: too long"
        );
    }

    #[test]
    fn other_errors_are_unchanged() {
        let failure = failure(&SPEC, vod_client::Error::Config("no key".into()));
        assert_eq!(failure.message, "configuration error: no key");
    }

    #[test]
    fn paging_hints_say_how_to_get_more_and_label_page_counts() {
        static LIST: CommandSpec = CommandSpec {
            items: Some("videoListInfo"),
            page_index: Some("pageIndex"),
            page_size: Some("pageSize"),
            args: &[
                arg("page-index", "pageIndex"),
                ArgSpec {
                    default: Some("10"),
                    ..arg("page-size", "pageSize")
                },
            ],
            ..SPEC
        };
        let page = |n: usize| serde_json::json!({"videoTotal": n, "videoListInfo": vec![1; n]});
        assert_eq!(
            paging_hint(&LIST, &serde_json::json!({}), &page(10)).unwrap(),
            "more pages may follow: page 1 is full (10 entries). Next page: --page-index 2; \
             every page: --all-pages. (videoTotal 10 counts the entries of this page, not all \
             matches.)"
        );
        assert_eq!(paging_hint(&LIST, &serde_json::json!({}), &page(9)), None);
        let input = serde_json::json!({"pageIndex": 3, "pageSize": "5"});
        assert!(paging_hint(&LIST, &input, &page(5))
            .unwrap()
            .contains("page 3 is full (5 entries). Next page: --page-index 4"));
        // A count larger than the page is a grand total, and tells when the last page was
        // reached.
        let total = |t: u64| serde_json::json!({"total": t, "videoListInfo": vec![1; 10]});
        let input = serde_json::json!({"pageIndex": 4});
        assert_eq!(paging_hint(&LIST, &input, &total(40)), None);
        let hint = paging_hint(&LIST, &serde_json::json!({}), &total(37)).unwrap();
        assert!(hint.ends_with("(total: 37 in all.)"), "{hint}");
        assert_eq!(paging_hint(&SPEC, &serde_json::json!({}), &page(10)), None);
    }

    #[test]
    fn confirmations_name_the_command() {
        assert_eq!(confirmation(&SPEC), "done: tasks status (getStatus)");
        assert!(is_empty(&Value::Null));
        assert!(is_empty(&serde_json::json!({})));
        assert!(!is_empty(&serde_json::json!({"a": 1})));
    }
}
