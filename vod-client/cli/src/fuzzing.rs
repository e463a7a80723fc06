//! Entry point for the fuzz targets (`vod-client/fuzz/`): `--input-json` read and checked as
//! a command does before it calls the operation, without a network. Not a stable API.

use serde_json::Value;

use super::commands;
use super::operation::{check_required, parse_input_json};
use super::table::CommandSpec;

/// The request object `--input-json` with `text` gives the command of `spec` (no flags), or
/// the usage error the command would print.
pub fn input_json(spec: &CommandSpec, text: &str) -> Result<Value, String> {
    let mut base = parse_input_json("-", text).map_err(|f| f.message)?;
    commands::normalize_input(spec, &mut base).map_err(|e| format!("--input-json: {e}"))?;
    commands::check_input(spec, &base).map_err(|e| format!("--input-json: {e}"))?;
    let input = Value::Object(base);
    check_required(spec, &input).map_err(|f| f.message)?;
    Ok(input)
}
