//! Running one API operation: flags (and `--input-json`) to a JSON request, through the
//! generated dispatcher, to printed output.
//!
//! The request is checked twice on purpose: here against the command table (so a typo in an
//! `--input-json` file is named by its JSON path before anything else happens), and by the
//! typed request's own validation inside `model::invoke` (ranges, lengths), which is the same
//! code the library's users get.

use std::io::Read;

use clap::ArgMatches;
use serde_json::{Map, Value};

use super::commands::{self, INPUT_JSON};
use super::failure::Failure;
use super::table::CommandSpec;
use super::Globals;

/// Runs the operation of `spec` with the parsed flags of its command.
pub fn run(spec: &CommandSpec, matches: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    let base = match matches.get_one::<String>(INPUT_JSON) {
        Some(source) => read_input_json(source)?,
        None => Map::new(),
    };
    commands::check_input(spec, &base).map_err(|e| Failure::usage(format!("--input-json: {e}")))?;
    let input = commands::request_from_matches(spec, matches, base);
    check_required(spec, &input)?;
    if globals.debug {
        eprintln!("debug: {} request {input}", spec.operation);
    }
    // Global flags (credentials, endpoint) are visible in every subcommand's matches.
    let client = super::client(matches, globals.debug)?;
    let answer = super::runtime()?.block_on(async {
        match crate::model::invoke(&client, spec.operation, input) {
            Some(call) => call.await.map_err(Failure::from),
            None => Err(Failure::service(format!(
                "the client has no operation `{}` (command table and client out of step)",
                spec.operation
            ))),
        }
    })?;
    globals.print(&answer)
}

/// Required fields must be present once flags and `--input-json` are merged (clap only knows
/// about the flags, and lets `--input-json` stand in for all of them).
fn check_required(spec: &CommandSpec, input: &Value) -> Result<(), Failure> {
    let missing: Vec<String> = spec
        .args
        .iter()
        .filter(|a| a.required && matches!(input.get(a.wire), None | Some(Value::Null)))
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
    match serde_json::from_str::<Value>(&text) {
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
