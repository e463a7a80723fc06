//! `--query`: a JMESPath expression applied to the answer, as in `aws --query`, so scripts need
//! no `jq`: `videoListInfo[0].videoId`, `videoListInfo[*].videoId`,
//! `videoListInfo[?videoState=='1'].{id: videoId, name: videoName}`, `length(videoListInfo)`.
//!
//! The document is the operation's `data`. Because people copy paths from the service's
//! envelope, an expression starting with `data.` (or `data[`) is also tried without that prefix
//! when the document has no `data` member. A path that leads nowhere yields `null`, as JMESPath
//! specifies; an expression that does not parse, or fails at run time (a function given the
//! wrong type), is a usage error naming the column.
//!
//! JMESPath objects are sorted maps, so the result's keys are put back in the order the answer
//! had them (and keys the expression invents, in the order the expression names them).

use std::collections::HashMap;

use serde_json::{Map, Value};

/// A compiled `--query` expression.
pub struct Query {
    text: String,
    expression: jmespath::Expression<'static>,
    /// The same expression without a leading `data.`, when it has one.
    without_data: Option<jmespath::Expression<'static>>,
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Query").field(&self.text).finish()
    }
}

impl Query {
    /// Compiles a JMESPath expression; an empty one selects the whole document.
    pub fn parse(text: &str) -> Result<Query, String> {
        let text = text.trim();
        let source = if text.is_empty() { "@" } else { text };
        let expression = jmespath::compile(source).map_err(|e| describe(&e))?;
        let without_data = ["data.", "data["]
            .iter()
            .find_map(|prefix| text.strip_prefix(prefix).map(|rest| (prefix, rest)))
            .and_then(|(prefix, rest)| {
                let rest = if prefix.ends_with('[') {
                    format!("[{rest}")
                } else {
                    rest.to_string()
                };
                jmespath::compile(&rest).ok()
            });
        Ok(Query {
            text: text.to_string(),
            expression,
            without_data,
        })
    }

    /// The part of `document` the expression selects (`null` when it leads nowhere).
    pub fn select(&self, document: &Value) -> Result<Value, String> {
        let expression = match &self.without_data {
            Some(inner) if document.get("data").is_none() => inner,
            _ => &self.expression,
        };
        let found = expression.search(document).map_err(|e| describe(&e))?;
        let mut value = serde_json::to_value(&*found).map_err(|e| e.to_string())?;
        let ranks = key_ranks(document, &self.text);
        restore_order(&mut value, &ranks);
        Ok(value)
    }
}

/// JMESPath's message, which already points at the offending column.
fn describe(error: &jmespath::JmespathError) -> String {
    error.to_string().trim_end().replace('\n', " ")
}

/// Each key's place: first appearance in the document (depth first), then in the expression.
fn key_ranks(document: &Value, expression: &str) -> HashMap<String, usize> {
    fn walk(value: &Value, ranks: &mut HashMap<String, usize>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let next = ranks.len();
                    ranks.entry(key.clone()).or_insert(next);
                    walk(child, ranks);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, ranks)),
            _ => {}
        }
    }
    let mut ranks = HashMap::new();
    walk(document, &mut ranks);
    let words = expression.split(|c: char| !(c.is_alphanumeric() || c == '_'));
    for word in words.filter(|w| !w.is_empty()) {
        let next = ranks.len();
        ranks.entry(word.to_string()).or_insert(next);
    }
    ranks
}

fn restore_order(value: &mut Value, ranks: &HashMap<String, usize>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.sort_by_key(|(k, _)| (ranks.get(k).copied().unwrap_or(usize::MAX), k.clone()));
            let mut sorted = Map::new();
            for (key, mut child) in entries {
                restore_order(&mut child, ranks);
                sorted.insert(key, child);
            }
            *map = sorted;
        }
        Value::Array(items) => items.iter_mut().for_each(|item| restore_order(item, ranks)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"videoTotal": 2, "videoListInfo": [
            {"videoId": "a", "videoName": "cat", "tags": ["x", "y"]},
            {"videoId": "b", "videoName": "dog", "tags": []}
        ]})
    }

    fn q(path: &str) -> Value {
        Query::parse(path).expect(path).select(&doc()).expect(path)
    }

    #[test]
    fn selects_members_indexes_and_projections() {
        assert_eq!(q("videoTotal"), json!(2));
        assert_eq!(q("videoListInfo[0].videoId"), json!("a"));
        assert_eq!(q("videoListInfo[-1].videoId"), json!("b"));
        assert_eq!(q("videoListInfo[0].tags[1]"), json!("y"));
        assert_eq!(q("videoListInfo[*].videoId"), json!(["a", "b"]));
        assert_eq!(q(""), doc());
    }

    #[test]
    fn jmespath_filters_functions_and_multiselect() {
        assert_eq!(q("videoListInfo[?videoName=='dog'].videoId"), json!(["b"]));
        assert_eq!(q("length(videoListInfo)"), json!(2));
        assert_eq!(
            q("videoListInfo[].{name: videoName, id: videoId}"),
            json!([{"name": "cat", "id": "a"}, {"name": "dog", "id": "b"}])
        );
    }

    #[test]
    fn objects_keep_the_answers_key_order() {
        let first = q("videoListInfo[0]");
        let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["videoId", "videoName", "tags"]);
        // Invented keys follow the expression.
        let picked = q("videoListInfo[0].{zeta: videoId, alpha: videoName}");
        let keys: Vec<&String> = picked.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["zeta", "alpha"]);
    }

    #[test]
    fn leading_data_is_the_document_itself() {
        assert_eq!(q("data.videoListInfo[0].videoId"), json!("a"));
        assert_eq!(q("data.videoTotal"), json!(2));
        let with_data = json!({"data": 1});
        let query = Query::parse("data").unwrap();
        assert_eq!(query.select(&with_data).unwrap(), json!(1));
    }

    #[test]
    fn missing_paths_are_null() {
        assert_eq!(q("nope"), Value::Null);
        assert_eq!(q("videoListInfo[5].videoId"), Value::Null);
        assert_eq!(q("videoListInfo[-9]"), Value::Null);
        assert_eq!(q("videoTotal.x"), Value::Null);
    }

    #[test]
    fn malformed_expressions_and_runtime_errors_are_reported() {
        for bad in ["a..b", "a[", "a[x", "a.", "a]"] {
            assert!(Query::parse(bad).is_err(), "{bad}");
        }
        let err = Query::parse("a[").unwrap_err();
        assert!(err.contains("column"), "{err}");
        let query = Query::parse("length(videoTotal)").unwrap();
        assert!(query.select(&doc()).is_err());
    }
}
