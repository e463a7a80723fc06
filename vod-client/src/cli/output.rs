//! Printing answers: `--output json|yaml|table`.
//!
//! JSON is the default when stdout is not a terminal, because that is what scripts parse; on a
//! terminal the default is the table, because that is what people read. The table is
//! deliberately simple and hand-rolled: scalars as `name  value` rows, lists of objects as
//! aligned columns (one per member seen, in order of first appearance), anything nested shown as
//! compact JSON in its cell.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Pretty-printed JSON.
    Json,
    /// YAML.
    Yaml,
    /// Aligned text columns.
    Table,
}

impl Format {
    /// The names `--output` accepts.
    pub const NAMES: &'static [&'static str] = &["json", "table", "yaml"];

    /// The format named `name` (one of [`Format::NAMES`]).
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "yaml" => Some(Format::Yaml),
            "table" => Some(Format::Table),
            _ => None,
        }
    }

    /// The default: a table for people, JSON for programs.
    pub fn default_for(stdout_is_terminal: bool) -> Format {
        if stdout_is_terminal {
            Format::Table
        } else {
            Format::Json
        }
    }
}

/// `value` rendered in `format`, ending with a newline.
pub fn render(value: &Value, format: Format) -> String {
    match format {
        Format::Json => {
            let mut text =
                serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
            text.push('\n');
            text
        }
        Format::Yaml => match serde_saphyr::to_string(value) {
            Ok(text) => text,
            Err(_) => format!("{value}\n"),
        },
        Format::Table => table(value),
    }
}

/// The table rendering of any value.
fn table(value: &Value) -> String {
    match value {
        Value::Array(items) => list(items),
        Value::Object(map) => object(map),
        scalar => format!("{}\n", cell(scalar)),
    }
}

/// An object: its scalar members as aligned `name  value` rows, then each list member under a
/// heading of its own.
fn object(map: &Map<String, Value>) -> String {
    let mut out = String::new();
    let rows: Vec<(&String, &Value)> = map.iter().filter(|(_, v)| !v.is_array()).collect();
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (key, value) in rows {
        let _ = writeln!(out, "{}  {}", pad(key, width), cell(value));
    }
    for (key, value) in map {
        if let Value::Array(items) = value {
            if !out.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(out, "{key}:");
            out.push_str(&list(items));
        }
    }
    out
}

/// A list: aligned columns when its entries are objects, one entry per line otherwise.
fn list(items: &[Value]) -> String {
    if items.is_empty() {
        return "(none)\n".to_string();
    }
    if !items.iter().all(Value::is_object) {
        return items.iter().map(|v| format!("{}\n", cell(v))).collect();
    }
    let mut columns: Vec<&str> = Vec::new();
    for item in items {
        if let Value::Object(map) = item {
            for key in map.keys() {
                if !columns.contains(&key.as_str()) {
                    columns.push(key);
                }
            }
        }
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            columns
                .iter()
                .map(|c| item.get(*c).map(cell).unwrap_or_default())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    out.push_str(&line(columns.clone()));
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// One cell: strings raw (control characters escaped, so a row stays one line), other scalars
/// as JSON, nested values as compact JSON.
fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => s
            .chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Keys are chosen so that sorted and insertion order agree (serde_json may keep either).
    #[test]
    fn lists_of_objects_become_aligned_columns() {
        let value = json!([
            {"id": "a1", "name": "cat", "size": 10},
            {"id": "b", "name": "dog\nday", "tags": {"k": 1}}
        ]);
        let expected = [
            "id  name      size  tags",
            "a1  cat       10",
            "b   dog\\nday        {\"k\":1}",
        ];
        assert_eq!(
            render(&value, Format::Table),
            format!("{}\n", expected.join("\n"))
        );
    }

    #[test]
    fn objects_show_scalars_then_lists() {
        let value = json!({"count": 1, "items": [{"id": "a"}], "ok": true});
        let text = render(&value, Format::Table);
        assert_eq!(text, "count  1\nok     true\n\nitems:\nid\na\n");
        assert_eq!(render(&json!([]), Format::Table), "(none)\n");
        assert_eq!(render(&json!("x"), Format::Table), "x\n");
        assert_eq!(render(&json!([1, "a"]), Format::Table), "1\na\n");
    }

    #[test]
    fn json_and_yaml() {
        let value = json!({"a": [1, 2]});
        assert_eq!(
            render(&value, Format::Json),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n"
        );
        assert_eq!(render(&value, Format::Yaml), "a:\n- 1\n- 2\n");
        assert_eq!(Format::from_name("yaml"), Some(Format::Yaml));
        assert_eq!(Format::from_name("xml"), None);
        assert_eq!(Format::default_for(false), Format::Json);
        assert_eq!(Format::default_for(true), Format::Table);
    }
}
