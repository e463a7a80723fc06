//! Printing answers: `--output json|yaml|table|text`.
//!
//! JSON is the default when stdout is not a terminal, because that is what scripts parse; on a
//! terminal the default is the table, because that is what people read.
//!
//! - `json` is always valid JSON: a string selected by `--query` stays quoted (`"abc"`), as
//!   `aws --output json` does, so `jq` can read any answer.
//! - `text` is for shell capture, like `aws --output text`: scalars bare (`ID=$(vod ... -o
//!   text)` gets `abc`, `null` gets an empty line), a list of scalars one item per line (so
//!   `$(...)` and `xargs` feed them to the next command), a list of objects one line per entry
//!   with its values separated by tabs, nested values as compact JSON.
//! - `table` aligns columns by display width (CJK characters count two columns), in the
//!   answer's field order, and fits the terminal by shortening the widest cells with `…`
//!   (laid out by `comfy-table`; which columns fit at all is decided here).
//!   `--columns a,b` picks and orders the columns of lists (and the text output's values).
//!   A paged list command may declare curated default columns in the spec (`cli.columns`):
//!   tables of its items show those, in that order, unless `--columns` is given.

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use unicode_width::UnicodeWidthStr;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Pretty-printed JSON.
    Json,
    /// YAML.
    Yaml,
    /// Aligned text columns.
    Table,
    /// Bare, tab-separated values for shell scripts.
    Text,
}

impl Format {
    /// The names `--output` accepts.
    pub const NAMES: &'static [&'static str] = &["json", "table", "text", "yaml"];

    /// The format named `name` (one of [`Format::NAMES`]).
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "yaml" => Some(Format::Yaml),
            "table" => Some(Format::Table),
            "text" => Some(Format::Text),
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

/// How tables and text are laid out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// Terminal width in columns; `None` never shortens a cell.
    pub width: Option<usize>,
    /// `--columns`: the members to show, in this order; `None` shows all.
    pub columns: Option<Vec<String>>,
    /// The command's curated table columns, used by tables (only) when `columns` is `None`: a
    /// list of objects shows those of them it has, in this order (all its members when it has
    /// none of them). Empty: all members.
    pub defaults: &'static [&'static str],
}

/// Narrowest a column is shortened to when fitting the terminal (unless its header is wider).
const MIN_COLUMN: usize = 6;
const GAP: usize = 2;

/// `value` rendered in `format`, ending with a newline. Fails only when `--columns` names a
/// column that no list of the answer has.
pub fn render(value: &Value, format: Format, layout: &Layout) -> Result<String, String> {
    let mut renderer = Renderer {
        layout,
        defaults: if format == Format::Table {
            layout.defaults
        } else {
            &[]
        },
        seen: Vec::new(),
        matched: BTreeSet::new(),
    };
    let text = match format {
        Format::Json => {
            let mut text =
                serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
            text.push('\n');
            return Ok(text);
        }
        Format::Yaml => {
            return Ok(serde_saphyr::to_string(value).unwrap_or_else(|_| format!("{value}\n")));
        }
        Format::Table => renderer.table(value),
        Format::Text => renderer.text(value),
    };
    renderer.check_columns()?;
    Ok(text)
}

struct Renderer<'a> {
    layout: &'a Layout,
    /// The curated columns in effect for this format.
    defaults: &'static [&'static str],
    /// Columns of every list rendered, for the error message.
    seen: Vec<String>,
    /// `--columns` names found in some list.
    matched: BTreeSet<String>,
}

impl Renderer<'_> {
    fn check_columns(&self) -> Result<(), String> {
        let Some(wanted) = &self.layout.columns else {
            return Ok(());
        };
        let unknown: Vec<&str> = wanted
            .iter()
            .filter(|c| !self.matched.contains(*c))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() || self.seen.is_empty() {
            return Ok(());
        }
        Err(format!(
            "--columns: no column {} in this answer (columns: {})",
            unknown.join(", "),
            self.seen.join(", ")
        ))
    }

    /// The columns of a list of objects: members in order of first appearance, or the chosen
    /// ones that exist.
    fn columns<'v>(&mut self, items: &'v [Value]) -> Vec<&'v str> {
        let mut all: Vec<&str> = Vec::new();
        for map in items.iter().filter_map(Value::as_object) {
            for key in map.keys() {
                if !all.contains(&key.as_str()) {
                    all.push(key);
                }
            }
        }
        for c in &all {
            if !self.seen.iter().any(|s| s == c) {
                self.seen.push((*c).to_string());
            }
        }
        match &self.layout.columns {
            None => {
                let curated: Vec<&str> = self
                    .defaults
                    .iter()
                    .filter_map(|d| all.iter().find(|c| *c == d).copied())
                    .collect();
                if curated.is_empty() {
                    all
                } else {
                    curated
                }
            }
            Some(wanted) => wanted
                .iter()
                .filter_map(|w| all.iter().find(|c| **c == w.as_str()).copied())
                .inspect(|c| {
                    self.matched.insert((*c).to_string());
                })
                .collect(),
        }
    }

    fn table(&mut self, value: &Value) -> String {
        match value {
            Value::Array(items) => self.list(items),
            Value::Object(map) => self.object(map),
            scalar => format!("{}\n", cell(scalar)),
        }
    }

    /// An object: its non-list members as aligned `name  value` rows, then each list member
    /// under a heading of its own.
    fn object(&mut self, map: &Map<String, Value>) -> String {
        let rows: Vec<Vec<String>> = map
            .iter()
            .filter(|(_, v)| !v.is_array())
            .map(|(k, v)| vec![k.clone(), cell(v)])
            .collect();
        let keys = rows.iter().map(|r| r[0].width()).max().unwrap_or(0);
        let mut out = grid(None, &rows, &[keys, MIN_COLUMN], self.layout.width);
        for (key, value) in map {
            if let Value::Array(items) = value {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("{key}:\n"));
                out.push_str(&self.list(items));
            }
        }
        out
    }

    /// A list: aligned columns under a header when its entries are objects, one entry per line
    /// otherwise.
    fn list(&mut self, items: &[Value]) -> String {
        if items.is_empty() {
            return "(none)\n".to_string();
        }
        if !items.iter().all(Value::is_object) {
            return items.iter().map(|v| format!("{}\n", cell(v))).collect();
        }
        let columns = self.columns(items);
        let mins: Vec<usize> = columns.iter().map(|c| c.width()).collect();
        let header: Vec<String> = columns.iter().map(|c| (*c).to_string()).collect();
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|item| {
                columns
                    .iter()
                    .map(|c| item.get(*c).map(cell).unwrap_or_default())
                    .collect()
            })
            .collect();
        grid(Some(&header), &rows, &mins, self.layout.width)
    }

    fn text(&mut self, value: &Value) -> String {
        match value {
            Value::Array(items) if items.iter().all(|v| v.is_object() || v.is_array()) => {
                let columns = self.columns(items);
                items
                    .iter()
                    .map(|item| match item {
                        Value::Object(map) => text_line(columns.iter().map(|c| map.get(*c))),
                        Value::Array(inner) => text_line(inner.iter().map(Some)),
                        _ => String::new(),
                    })
                    .collect()
            }
            // One item per line, so `$(...)` and `xargs` take them as they are.
            Value::Array(items) => items.iter().map(|v| format!("{}\n", cell(v))).collect(),
            Value::Object(map) => {
                let scalars: Vec<&Value> = map.values().filter(|v| !is_nested(v)).collect();
                let mut out = if scalars.is_empty() {
                    String::new()
                } else {
                    text_line(scalars.into_iter().map(Some))
                };
                for nested in map.values().filter(|v| is_nested(v)) {
                    out.push_str(&self.text(nested));
                }
                out
            }
            scalar => format!("{}\n", cell(scalar)),
        }
    }
}

fn is_nested(value: &Value) -> bool {
    value.is_array() || value.is_object()
}

/// One line of tab-separated values (absent members are empty).
fn text_line<'v>(values: impl Iterator<Item = Option<&'v Value>>) -> String {
    let cells: Vec<String> = values.map(|v| v.map(cell).unwrap_or_default()).collect();
    format!("{}\n", cells.join("\t"))
}

/// Rows aligned in columns by `comfy-table`, under `header` when there is one. To fit `width`,
/// columns are first left out from the right while even their narrowest forms (`mins`, never
/// below [`MIN_COLUMN`], never above the content) cannot fit, with a last line saying how
/// many; the table crate then shortens the widest cells to one line ending in `…`.
fn grid(
    header: Option<&[String]>,
    rows: &[Vec<String>],
    mins: &[usize],
    width: Option<usize>,
) -> String {
    let Some(first) = header.or(rows.first().map(Vec::as_slice)) else {
        return String::new();
    };
    let natural: Vec<usize> = (0..first.len())
        .map(|i| {
            header
                .into_iter()
                .chain(rows.iter().map(Vec::as_slice))
                .map(|r| r.get(i).map_or(0, |c| c.width()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let floors: Vec<usize> = natural
        .iter()
        .enumerate()
        .map(|(i, n)| (*n).min(mins.get(i).copied().unwrap_or(0).max(MIN_COLUMN)))
        .collect();
    let shown = width.map_or(natural.len(), |limit| columns_that_fit(&floors, limit));
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::NOTHING);
    table.set_truncation_indicator("…");
    // No word boundaries: a long cell is cut at the column's width, not at its last space
    // (control characters, this one included, are escaped by `cell`).
    table.set_delimiter('\0');
    if let Some(limit) = width {
        table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        table.set_width(u16::try_from(limit).unwrap_or(u16::MAX));
    }
    let row = |cells: &[String]| {
        let mut row = comfy_table::Row::from(cells.iter().take(shown));
        row.max_height(1);
        row
    };
    if let Some(header) = header {
        table.set_header(row(header));
    }
    for cells in rows {
        table.add_row(row(cells));
    }
    for (i, column) in table.column_iter_mut().enumerate() {
        // The gap goes after each column but the last, so the last can reach the edge.
        column.set_padding((0, if i + 1 < shown { GAP as u16 } else { 0 }));
        let floor = u16::try_from(floors[i]).unwrap_or(u16::MAX);
        column.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(
            comfy_table::Width::Fixed(floor),
        ));
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let hidden = natural.len() - shown;
    if hidden > 0 {
        out.push_str(&format!(
            "({hidden} more column{} not shown: choose with --columns, or use -o json)\n",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    out
}

/// How many columns, from the left, fit in `limit` at their narrowest (at least one).
fn columns_that_fit(floors: &[usize], limit: usize) -> usize {
    let mut used = 0;
    for (i, floor) in floors.iter().enumerate() {
        used += floor + if i == 0 { 0 } else { GAP };
        if used > limit {
            return i.max(1);
        }
    }
    floors.len()
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn show(value: &Value, format: Format) -> String {
        render(value, format, &Layout::default()).unwrap()
    }

    #[test]
    fn lists_of_objects_become_aligned_columns_in_field_order() {
        let value = json!([
            {"name": "cat", "id": "a1", "size": 10},
            {"id": "b", "name": "dog\nday", "tags": {"k": 1}}
        ]);
        let expected = [
            "name      id  size  tags",
            "cat       a1  10",
            "dog\\nday  b         {\"k\":1}",
        ];
        assert_eq!(
            show(&value, Format::Table),
            format!("{}\n", expected.join("\n"))
        );
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let value = json!([{"videoName": "猫の動画", "id": "a"}, {"videoName": "cat", "id": "b"}]);
        let text = show(&value, Format::Table);
        let lines: Vec<&str> = text.lines().collect();
        // 4 CJK characters are 8 columns wide: `id` starts at column 10 on every line.
        assert_eq!(lines[0], "videoName  id");
        assert_eq!(lines[1], "猫の動画   a");
        assert_eq!(lines[2], "cat        b");
    }

    #[test]
    fn tables_fit_the_terminal_by_shortening_the_widest_cells() {
        let long = "x".repeat(60);
        let value = json!([{"id": "a", "url": long, "name": "cat"}]);
        let layout = Layout {
            width: Some(30),
            columns: None,
            ..Layout::default()
        };
        let text = render(&value, Format::Table, &layout).unwrap();
        for line in text.lines() {
            assert!(line.width() <= 30, "{line:?}");
        }
        assert!(text.contains("xxxxxxxx…"), "{text}");
        assert!(text.lines().nth(1).unwrap().ends_with("cat"), "{text}");
    }

    #[test]
    fn columns_that_cannot_fit_are_left_out_from_the_right() {
        let row: Map<String, Value> = (0..10)
            .map(|i| (format!("column{i}"), json!("value")))
            .collect();
        let layout = Layout {
            width: Some(40),
            columns: None,
            ..Layout::default()
        };
        let text = render(
            &Value::Array(vec![Value::Object(row)]),
            Format::Table,
            &layout,
        )
        .unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Headers are never shortened: four 7-wide columns and their gaps fit in 40.
        assert_eq!(lines[0], "column0  column1  column2  column3");
        assert_eq!(
            lines[2],
            "(6 more columns not shown: choose with --columns, or use -o json)"
        );
    }

    #[test]
    fn columns_picks_and_orders_members() {
        let value = json!({"total": 2, "items": [{"id": "a", "name": "cat", "size": 1}]});
        let layout = Layout {
            width: None,
            columns: Some(vec!["name".into(), "id".into()]),
            ..Layout::default()
        };
        let text = render(&value, Format::Table, &layout).unwrap();
        assert_eq!(text, "total  2\n\nitems:\nname  id\ncat   a\n");
        let text = render(&value, Format::Text, &layout).unwrap();
        assert_eq!(text, "2\ncat\ta\n");
        let layout = Layout {
            width: None,
            columns: Some(vec!["nmae".into()]),
            ..Layout::default()
        };
        let err = render(&value, Format::Table, &layout).unwrap_err();
        assert_eq!(
            err,
            "--columns: no column nmae in this answer (columns: id, name, size)"
        );
    }

    #[test]
    fn curated_columns_order_tables_only_and_yield_to_columns() {
        let value = json!({"total": 2, "items": [
            {"id": "a", "name": "x", "size": 1, "url": "u"},
            {"id": "b", "name": "y", "size": 2, "url": "v"},
        ]});
        let curated = Layout {
            defaults: &["name", "missing", "id"],
            ..Layout::default()
        };
        let table = render(&value, Format::Table, &curated).unwrap();
        assert_eq!(table, "total  2\n\nitems:\nname  id\nx     a\ny     b\n");
        // Other formats show every member; text keeps the answer's order.
        let text = render(&value, Format::Text, &curated).unwrap();
        assert_eq!(text, "2\na\tx\t1\tu\nb\ty\t2\tv\n");
        // --columns wins over the curated set.
        let chosen = Layout {
            columns: Some(vec!["url".into()]),
            ..curated.clone()
        };
        let table = render(&value, Format::Table, &chosen).unwrap();
        assert_eq!(table, "total  2\n\nitems:\nurl\nu\nv\n");
        // A list with none of the curated members shows all of them.
        let other = json!([{"k": 1, "v": 2}]);
        assert_eq!(
            render(&other, Format::Table, &curated).unwrap(),
            "k  v\n1  2\n"
        );
    }

    #[test]
    fn text_is_bare_and_tab_separated() {
        assert_eq!(show(&json!("v-1"), Format::Text), "v-1\n");
        assert_eq!(show(&json!(null), Format::Text), "\n");
        assert_eq!(show(&json!(3), Format::Text), "3\n");
        assert_eq!(show(&json!(["a", "b", 1]), Format::Text), "a\nb\n1\n");
        assert_eq!(
            show(&json!([["a", 1], ["b", 2]]), Format::Text),
            "a\t1\nb\t2\n"
        );
        assert_eq!(
            show(
                &json!([{"id": "a", "n": 1}, {"id": "b", "tags": ["x"]}]),
                Format::Text
            ),
            "a\t1\t\nb\t\t[\"x\"]\n"
        );
        assert_eq!(
            show(
                &json!({"total": 2, "ok": true, "items": [{"id": "a"}, {"id": "b"}]}),
                Format::Text
            ),
            "2\ttrue\na\nb\n"
        );
    }

    #[test]
    fn objects_show_scalars_then_lists() {
        let value = json!({"count": 1, "ok": true, "items": [{"id": "a"}]});
        let text = show(&value, Format::Table);
        assert_eq!(text, "count  1\nok     true\n\nitems:\nid\na\n");
        assert_eq!(show(&json!([]), Format::Table), "(none)\n");
        assert_eq!(show(&json!("x"), Format::Table), "x\n");
        assert_eq!(show(&json!([1, "a"]), Format::Table), "1\na\n");
    }

    #[test]
    fn json_keeps_strings_quoted_and_yaml() {
        let value = json!({"a": [1, 2]});
        assert_eq!(
            show(&value, Format::Json),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n"
        );
        assert_eq!(show(&json!("v-1"), Format::Json), "\"v-1\"\n");
        assert_eq!(show(&value, Format::Yaml), "a:\n- 1\n- 2\n");
        assert_eq!(Format::from_name("yaml"), Some(Format::Yaml));
        assert_eq!(Format::from_name("text"), Some(Format::Text));
        assert_eq!(Format::from_name("xml"), None);
        assert_eq!(Format::default_for(false), Format::Json);
        assert_eq!(Format::default_for(true), Format::Table);
    }

    #[test]
    fn wide_cells_are_cut_by_display_width_and_every_line_fits() {
        let value = json!([
            {"videoId": "8a3d9f", "videoName": "一个很长很长的中文视频名字还有更多的字", "state": "done"},
            {"videoId": "b", "videoName": "cat talk with spaces in it", "state": "x"}
        ]);
        let layout = Layout {
            width: Some(36),
            ..Layout::default()
        };
        let text = render(&value, Format::Table, &layout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.iter().all(|l| l.width() <= 36), "{text}");
        // Cut inside a word, not at its last space, and never through a wide character.
        assert!(
            lines[1].contains("一个很长") && lines[1].contains('…'),
            "{text}"
        );
        assert!(lines[2].contains("cat talk w"), "{text}");
        assert!(
            lines
                .iter()
                .all(|l| l.ends_with("done") || l.ends_with('x') || l.ends_with("state")),
            "{text}"
        );
    }
}
