//! Checking an `--input-json` object against the command table before anything is sent, so a
//! typo is named by its JSON path. Every wire form the API documents is accepted here, as the
//! typed request's decoder accepts it (comma strings for comma lists, numeric text, times as
//! the service writes them or RFC 3339, enum values by wire value or by name), so the vendor's
//! examples paste as they are.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::table::{ArgKind, ArgSpec, CommandSpec};

/// Rewrites the times of an `--input-json` object into their wire form, so a file may use
/// every form a flag accepts (RFC 3339, service text, a date). The error names the JSON path.
pub fn normalize_input(spec: &CommandSpec, object: &mut Map<String, Value>) -> Result<(), String> {
    for arg in spec.args {
        let ArgKind::Time(wire) = arg.kind else {
            continue;
        };
        let Some(value) = object.get_mut(arg.wire) else {
            continue;
        };
        let text = match &*value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        *value =
            crate::present::time_input(&text, wire).map_err(|e| format!("$.{}: {e}", arg.wire))?;
    }
    Ok(())
}

/// Checks an `--input-json` object against the command's fields: every key must be a field,
/// every value must fit the field's kind (numbers given as numeric text are accepted, as the
/// service does). The error names the offending JSON path, e.g. `$.urls[1]`.
pub fn check_input(spec: &CommandSpec, object: &Map<String, Value>) -> Result<(), String> {
    let fields: BTreeMap<&str, &ArgSpec> = spec.args.iter().map(|a| (a.wire, a)).collect();
    for (key, value) in object {
        let Some(arg) = fields.get(key.as_str()) else {
            let known: Vec<&str> = spec.args.iter().map(|a| a.wire).collect();
            return Err(format!(
                "$.{key}: unknown field of {} (known fields: {})",
                spec.operation,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        };
        if value.is_null() {
            continue;
        }
        let path = format!("$.{key}");
        if arg.list {
            match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        check_kind(arg, item, &format!("{path}[{i}]"))?;
                    }
                }
                // The wire form of a comma list, as the vendor's examples write it.
                Value::String(text) if arg.comma => {
                    for (i, item) in comma_items(text).enumerate() {
                        check_kind(arg, &Value::String(item.into()), &format!("{path}[{i}]"))?;
                    }
                }
                _ => {
                    let form = if arg.comma {
                        "a list or a comma-separated string"
                    } else {
                        "a list"
                    };
                    return Err(format!("{path}: expected {form}"));
                }
            }
        } else {
            check_kind(arg, value, &path)?;
        }
    }
    Ok(())
}

/// The items of a comma list's wire text (none for blank text, as the SDK reads it).
fn comma_items(text: &str) -> impl Iterator<Item = &str> {
    let blank = text.trim().is_empty();
    text.split(',').filter(move |_| !blank)
}

/// Whether `text` names a value of an enum field: its kebab name, or the snake_case form the
/// spec and the SDK use (`source-only`, `source_only`).
fn is_value_name(arg: &ArgSpec, text: &str) -> bool {
    arg.names.iter().any(|name| {
        name.len() == text.len()
            && name
                .bytes()
                .zip(text.bytes())
                .all(|(n, t)| n == t || (n == b'-' && t == b'_'))
    })
}

fn check_kind(arg: &ArgSpec, value: &Value, path: &str) -> Result<(), String> {
    let text = match value {
        Value::String(s) => Some(s.as_str()),
        _ => None,
    };
    // An enum value by name; the typed request reads names as well as wire values.
    if text.is_some_and(|t| is_value_name(arg, t)) {
        return Ok(());
    }
    let fits = match arg.kind {
        ArgKind::String => value.is_string() || value.is_number(),
        ArgKind::Integer => {
            value.as_i64().is_some_and(|n| i32::try_from(n).is_ok())
                || text.is_some_and(|t| t.trim().parse::<i32>().is_ok())
        }
        ArgKind::Long => value.is_i64() || text.is_some_and(|t| t.trim().parse::<i64>().is_ok()),
        ArgKind::Number => {
            value.is_number() || text.is_some_and(|t| t.trim().parse::<f64>().is_ok())
        }
        ArgKind::Boolean => value.is_boolean() || matches!(text, Some("true" | "false")),
        ArgKind::Json => true,
        ArgKind::Time(wire) => crate::present::time_input(
            &text.map_or_else(|| value.to_string(), str::to_string),
            wire,
        )
        .is_ok(),
    };
    if !fits {
        return Err(format!(
            "{path}: expected {}, got {value}",
            arg.kind.description()
        ));
    }
    if !arg.values.is_empty() {
        let wire = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !arg.values.iter().any(|(w, _)| *w == wire) {
            let allowed: Vec<&str> = arg.values.iter().map(|(w, _)| *w).collect();
            let names = if arg.names.is_empty() {
                String::new()
            } else {
                format!("; or by name: {}", arg.names.join(", "))
            };
            return Err(format!(
                "{path}: {value} is not one of the allowed values ({}{names})",
                allowed.join(", ")
            ));
        }
    }
    Ok(())
}
