//! `--query`: picking a part of the answer by a field path, so scripts need no `jq`.
//!
//! The syntax is the one users already write in their heads when reading the service's JSON:
//! `data.videoListInfo[0].videoId`. Segments are member names separated by `.`, and `[n]`
//! (negative counts from the end) or `[*]` (every entry) after a name. The printed document is
//! the operation's `data`; because people copy paths from the service's envelope, a leading
//! `data` segment is accepted when the document has no member of that name.
//!
//! A path that leads nowhere yields `null` (as JMESPath does), so a script can test for it; a
//! path that cannot be parsed is a usage error.

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// An object member.
    Member(String),
    /// A list entry; negative counts from the end.
    Index(i64),
    /// Every list entry (the rest of the path applies to each).
    All,
}

/// A parsed `--query` path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    steps: Vec<Step>,
}

impl Query {
    /// Parses a path such as `data.videoListInfo[0].videoId` or `items[*].id`.
    pub fn parse(text: &str) -> Result<Query, String> {
        let mut steps = Vec::new();
        let mut chars = text.trim().char_indices().peekable();
        let mut name = String::new();
        let mut expect_name = true;
        while let Some((pos, c)) = chars.next() {
            match c {
                '.' => {
                    if name.is_empty() && expect_name {
                        return Err(format!("empty member name at column {}", pos + 1));
                    }
                    if !name.is_empty() {
                        steps.push(Step::Member(std::mem::take(&mut name)));
                    }
                    expect_name = true;
                }
                '[' => {
                    if !name.is_empty() {
                        steps.push(Step::Member(std::mem::take(&mut name)));
                    }
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some((_, ']')) => break,
                            Some((_, c)) => inner.push(c),
                            None => return Err(format!("unclosed `[` at column {}", pos + 1)),
                        }
                    }
                    let inner = inner.trim();
                    if inner == "*" {
                        steps.push(Step::All);
                    } else {
                        let index = inner.parse::<i64>().map_err(|_| {
                            format!("`[{inner}]` at column {}: expected a number or *", pos + 1)
                        })?;
                        steps.push(Step::Index(index));
                    }
                    expect_name = false;
                    if let Some((next, c)) = chars.peek() {
                        if *c != '.' && *c != '[' {
                            return Err(format!("expected `.` or `[` at column {}", next + 1));
                        }
                    }
                }
                ']' => return Err(format!("unexpected `]` at column {}", pos + 1)),
                c => {
                    name.push(c);
                    expect_name = false;
                }
            }
        }
        if !name.is_empty() {
            steps.push(Step::Member(name));
        } else if expect_name && !steps.is_empty() {
            return Err("path ends with `.`".to_string());
        }
        Ok(Query { steps })
    }

    /// The part of `document` the path selects (`null` when it leads nowhere).
    pub fn select(&self, document: &Value) -> Value {
        let steps = match self.steps.first() {
            Some(Step::Member(m)) if m == "data" && document.get("data").is_none() => {
                &self.steps[1..]
            }
            _ => &self.steps[..],
        };
        select_steps(document, steps)
    }
}

fn select_steps(value: &Value, steps: &[Step]) -> Value {
    let Some((step, rest)) = steps.split_first() else {
        return value.clone();
    };
    match (step, value) {
        (Step::Member(name), Value::Object(map)) => match map.get(name) {
            Some(v) => select_steps(v, rest),
            None => Value::Null,
        },
        (Step::Index(i), Value::Array(items)) => {
            let index = if *i < 0 {
                i64::try_from(items.len()).ok().map(|len| len + i)
            } else {
                Some(*i)
            };
            match index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| items.get(i))
            {
                Some(v) => select_steps(v, rest),
                None => Value::Null,
            }
        }
        (Step::All, Value::Array(items)) => {
            Value::Array(items.iter().map(|v| select_steps(v, rest)).collect())
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"videoTotal": 2, "videoListInfo": [
            {"videoId": "a", "tags": ["x", "y"]},
            {"videoId": "b", "tags": []}
        ]})
    }

    fn q(path: &str) -> Value {
        Query::parse(path).expect(path).select(&doc())
    }

    #[test]
    fn selects_members_and_indexes() {
        assert_eq!(q("videoTotal"), json!(2));
        assert_eq!(q("videoListInfo[0].videoId"), json!("a"));
        assert_eq!(q("videoListInfo[-1].videoId"), json!("b"));
        assert_eq!(q("videoListInfo[0].tags[1]"), json!("y"));
        assert_eq!(q("videoListInfo[*].videoId"), json!(["a", "b"]));
        assert_eq!(q(""), doc());
    }

    #[test]
    fn leading_data_is_the_document_itself() {
        assert_eq!(q("data.videoListInfo[0].videoId"), json!("a"));
        let with_data = json!({"data": 1});
        assert_eq!(Query::parse("data").unwrap().select(&with_data), json!(1));
    }

    #[test]
    fn missing_paths_are_null() {
        assert_eq!(q("nope"), Value::Null);
        assert_eq!(q("videoListInfo[5].videoId"), Value::Null);
        assert_eq!(q("videoListInfo[-9]"), Value::Null);
        assert_eq!(q("videoTotal.x"), Value::Null);
        assert_eq!(q("videoTotal[0]"), Value::Null);
    }

    #[test]
    fn malformed_paths_are_errors() {
        for bad in ["a..b", "a[", "a[x]", "a[0]b", "a.", ".a", "a]"] {
            assert!(Query::parse(bad).is_err(), "{bad}");
        }
    }
}
