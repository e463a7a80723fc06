//! Checks of operations: method and body, path, response shape, paging, waiters, and the
//! uniqueness of names, routes and commands across files.

use std::collections::HashMap;

use heck::{ToKebabCase, ToSnakeCase};

use super::hints::closest;
use super::{Checker, OpRef};
use crate::diagnostics::Location;
use crate::ir::{split_each, split_source};
use crate::load::SourceMap;
use crate::spec::OperationSpec;

impl Checker {
    pub(super) fn operation(
        &mut self,
        op: &OperationSpec,
        map: &SourceMap,
        path: &str,
        ops: &[OpRef<'_>],
    ) {
        let at = |key: &str| map.locate(&format!("{path}.{key}"));
        self.identifier_name(&op.name, at("name"), "operation");
        match (op.method.as_str(), op.body.as_str()) {
            ("POST", "json") | ("GET", "query") => {}
            ("POST" | "GET", "json" | "query") => self.err(
                at("body"),
                format!("{} with `body: {}`", op.method, op.body),
                "GET sends parameters as `body: query`, POST as `body: json`",
            ),
            ("POST" | "GET", other) => self.err(
                at("body"),
                format!("unknown body `{other}`"),
                "use `json` or `query`",
            ),
            (other, _) => self.err(
                at("method"),
                format!("unsupported method `{other}`"),
                "use POST or GET (upper case)",
            ),
        }
        if !op.path.starts_with('/') {
            self.err(
                at("path"),
                format!("path `{}` does not start with `/`", op.path),
                format!("write it as `/{}`", op.path),
            );
        } else if op.path.contains(['?', ' ', '#']) {
            self.err(
                at("path"),
                format!("path `{}` contains `?`, `#` or a space", op.path),
                "the path is the part before the query string",
            );
        }
        if op.doc.trim().is_empty() {
            self.err(
                at("doc"),
                format!("operation `{}` has no doc", op.name),
                "one line on what it does",
            );
        }
        if let Some(cli) = &op.cli {
            for (key, word) in [("cli.group", &cli.group), ("cli.name", &cli.name)] {
                if word.to_kebab_case() != *word || word.is_empty() {
                    self.err(
                        at(key),
                        format!("`{word}` is not kebab-case"),
                        format!("write it as `{}`", word.to_kebab_case()),
                    );
                }
            }
        }
        self.fields(&op.request, map, &format!("{path}.request"));
        self.response(op, map, path);
        self.pagination(op, map, path);
        self.columns(op, map, path);
        self.at_least_one(op, map, path);
        if op.form_body && (op.method.as_str(), op.body.as_str()) != ("POST", "json") {
            self.err(
                at("form_body"),
                format!("`form_body` on {} with `body: {}`", op.method, op.body),
                "form bodies replace a POST's JSON body; GET parameters already travel as a query",
            );
        }
        self.waiter(op, map, path, ops);
        self.outcome_check(op, map, path, ops);
    }

    fn response(&mut self, op: &OperationSpec, map: &SourceMap, path: &str) {
        let r = &op.response;
        let at = |key: &str| map.locate(&format!("{path}.response.{key}"));
        if !matches!(r.envelope.as_str(), "standard" | "bare") {
            self.err(
                at("envelope"),
                format!("unknown envelope `{}`", r.envelope),
                "use `standard` ({code, message, data}) or `bare`",
            );
        }
        match r.data.as_str() {
            "object" => {
                if r.fields.is_empty() {
                    self.err(
                        at("fields"),
                        "object data without fields",
                        "list the data object's fields, or use `data: none`",
                    );
                }
            }
            "string" | "none" => {
                if !r.fields.is_empty() {
                    self.err(
                        at("fields"),
                        format!("fields given for `data: {}`", r.data),
                        "fields describe object data only",
                    );
                }
                if r.single_item_list {
                    self.err(
                        at("single_item_list"),
                        "single_item_list without object data",
                        "remove it or use `data: object`",
                    );
                }
            }
            other => self.err(
                at("data"),
                format!("unknown data kind `{other}`"),
                "use `object`, `string` or `none`",
            ),
        }
        self.fields(&r.fields, map, &format!("{path}.response.fields"));
    }

    fn pagination(&mut self, op: &OperationSpec, map: &SourceMap, path: &str) {
        let Some(p) = &op.pagination else { return };
        for (key, name) in [("page_index", &p.page_index), ("page_size", &p.page_size)] {
            let at = map.locate(&format!("{path}.pagination.{key}"));
            match op.request.iter().find(|f| &f.name == name) {
                None => self.err(at, format!("pagination.{key} names `{name}`, which is not a request field"), "name the request field that holds it"),
                Some(f) if !matches!(f.ty.as_str(), "integer" | "long" | "uint" | "ulong" | "string") => {
                    self.err(at, format!("pagination.{key} field `{name}` must be an integer, long, uint, ulong or string"), "the paginator reads and sets page numbers; give it a numeric (or numeric-text) type")
                }
                Some(_) => {}
            }
        }
        let at = map.locate(&format!("{path}.pagination.items"));
        match op.response.fields.iter().find(|f| f.name == p.items) {
            None => self.err(
                at,
                format!(
                    "pagination.items names `{}`, which is not a response field",
                    p.items
                ),
                "name the response list that holds the page's entries",
            ),
            Some(f) if !f.ty.starts_with("list<") => self.err(
                at,
                format!("pagination.items field `{}` is not a list", p.items),
                "point it at a list<T> field",
            ),
            Some(_) => {}
        }
    }

    /// `cli.columns`: distinct fields of the object type the pagination's items list holds.
    fn columns(&mut self, op: &OperationSpec, map: &SourceMap, path: &str) {
        let Some(cli) = op.cli.as_ref().filter(|c| !c.columns.is_empty()) else {
            return;
        };
        let at = map.locate(&format!("{path}.cli.columns"));
        let Some(p) = &op.pagination else {
            self.err(
                at,
                format!("cli.columns on `{}`, which is not paginated", op.name),
                "columns pick the fields of a paged list's items; add pagination or remove them",
            );
            return;
        };
        let item_type = op
            .response
            .fields
            .iter()
            .find(|f| f.name == p.items)
            .and_then(|f| f.ty.trim().strip_prefix("list<")?.strip_suffix('>'))
            .map(str::trim);
        let Some(fields) = item_type.and_then(|t| self.catalog.objects.get(t)) else {
            // A missing or non-list items field is pagination's error; say only what this adds.
            if let Some(t) = item_type {
                self.err(
                    at,
                    format!(
                        "cli.columns: items of `{}` are `{t}`, not an object type",
                        p.items
                    ),
                    "columns name fields of an object; remove them for lists of scalars",
                );
            }
            return;
        };
        let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
        for (i, column) in cli.columns.iter().enumerate() {
            let at = map.locate(&format!("{path}.cli.columns[{i}]"));
            if cli.columns[..i].contains(column) {
                self.err(
                    at,
                    format!("cli.columns lists `{column}` twice"),
                    "name each column once",
                );
            } else if !names.contains(column) {
                let hint = closest(column, names.iter().cloned()).map_or_else(
                    || {
                        format!(
                            "name a field of `{}`: {}",
                            item_type.unwrap_or(""),
                            names.join(", ")
                        )
                    },
                    |b| format!("did you mean `{b}`?"),
                );
                self.err(
                    at,
                    format!(
                        "cli.columns: `{column}` is not a field of `{}`",
                        item_type.unwrap_or("")
                    ),
                    hint,
                );
            }
        }
    }

    fn waiter(&mut self, op: &OperationSpec, map: &SourceMap, path: &str, ops: &[OpRef<'_>]) {
        let Some(w) = &op.waiter else { return };
        let at = |key: &str| map.locate(&format!("{path}.waiter.{key}"));
        let Some((_, _, query)) = ops.iter().find(|(_, _, o)| o.name == w.query) else {
            let names = ops.iter().map(|(_, _, o)| o.name.clone());
            let hint = closest(&w.query, names)
                .map_or("name an operation of the spec".to_string(), |b| {
                    format!("did you mean `{b}`?")
                });
            self.err(
                at("query"),
                format!("waiter query `{}` is not an operation", w.query),
                hint,
            );
            return;
        };
        for (target, source) in &w.input {
            let at = map.locate(&format!("{path}.waiter.input.{target}"));
            let Some(t) = query.request.iter().find(|f| &f.name == target) else {
                self.err(
                    at,
                    format!("`{target}` is not a request field of `{}`", query.name),
                    "name a field of the query's request",
                );
                continue;
            };
            let (each, source) = split_each(source);
            let Some((from_request, name)) = split_source(source) else {
                self.err(
                    at,
                    format!("`{source}` is not `request.<field>` or `response.<field>`"),
                    "say where the value comes from, e.g. request.transNo",
                );
                continue;
            };
            let pool = if from_request {
                &op.request
            } else {
                &op.response.fields
            };
            match pool.iter().find(|f| f.name == name) {
                None => self.err(
                    at,
                    format!("waiter input `{source}` names a missing field"),
                    format!(
                        "`{name}` must be a field of this operation's {}",
                        if from_request { "request" } else { "response" }
                    ),
                ),
                Some(s) if each && s.ty != format!("list<{}>", t.ty) => self.err(
                    at,
                    format!("`each {source}` needs list<{}>, but it is {}", t.ty, s.ty),
                    "`each` maps a list to one query per item of the item's type",
                ),
                Some(s) if !each && s.ty != t.ty => self.err(
                    at,
                    format!("`{source}` is {} but `{target}` is {}", s.ty, t.ty),
                    "map fields of the same type",
                ),
                Some(_) => {}
            }
        }
        if w.input.values().filter(|s| split_each(s).0).count() > 1 {
            self.err(
                at("input"),
                "more than one `each` input",
                "a task covers the items of one list; map the other inputs plainly",
            );
        }
        for f in query.request.iter().filter(|f| f.required) {
            if !w.input.contains_key(&f.name) {
                self.err(
                    at("input"),
                    format!("required query field `{}` has no input", f.name),
                    format!("add `{}: request.<field>` under input", f.name),
                );
            }
        }
        self.waiter_state(&w.state, query, at("state"));
        if w.success.is_empty() || w.failure.iter().any(|f| w.success.contains(f)) {
            self.err(
                at("success"),
                "waiter success values are empty or overlap failure values",
                "list the state values meaning done under success, failed under failure",
            );
        }
    }

    fn waiter_state(&mut self, state: &str, query: &OperationSpec, at: Location) {
        let mut fields = query.response.fields.clone();
        for segment in state.split('.') {
            let (name, first) = segment
                .strip_suffix("[0]")
                .map_or((segment, false), |n| (n, true));
            let Some(f) = fields.iter().find(|f| f.name == name) else {
                self.err(at, format!("waiter state `{state}`: `{name}` is not a field of `{}`'s response", query.name), "point at the field reporting the task state; `list[0].field` picks the first entry");
                return;
            };
            let mut ty = f.ty.clone();
            if first {
                match ty.strip_prefix("list<").and_then(|t| t.strip_suffix('>')) {
                    Some(inner) => ty = inner.to_string(),
                    None => {
                        self.err(
                            at,
                            format!("waiter state `{state}`: `{name}` is not a list"),
                            "use [0] only after a list field",
                        );
                        return;
                    }
                }
            }
            fields = self.catalog.objects.get(&ty).cloned().unwrap_or_default();
        }
    }

    fn at_least_one(&mut self, op: &OperationSpec, map: &SourceMap, path: &str) {
        for (i, group) in op.at_least_one.iter().enumerate() {
            let at = map.locate(&format!("{path}.at_least_one[{i}]"));
            if group.len() < 2 {
                self.err(
                    at.clone(),
                    "an at_least_one group needs two or more fields",
                    "list the fields of which one must be given",
                );
            }
            for name in group {
                match op.request.iter().find(|f| &f.name == name) {
                    None => self.err(
                        at.clone(),
                        format!("at_least_one names `{name}`, which is not a request field"),
                        "name optional request fields",
                    ),
                    Some(f) if f.required => self.err(
                        at.clone(),
                        format!("at_least_one names `{name}`, which is already required"),
                        "a required field needs no at_least_one rule",
                    ),
                    Some(_) => {}
                }
            }
        }
    }

    pub(super) fn operation_uniqueness(&mut self, ops: &[OpRef<'_>]) {
        let mut names = HashMap::new();
        let mut routes = HashMap::new();
        let mut commands = HashMap::new();
        for (map, i, op) in ops {
            let at = map.locate(&format!("operations[{i}].name"));
            if let Some(first) = names.insert(op.name.to_snake_case(), at.clone()) {
                self.err(
                    at.clone(),
                    format!(
                        "operation `{}` is defined twice (or collides after snake_case conversion)",
                        op.name
                    ),
                    format!("first defined at {first}"),
                );
            }
            if let Some(first) = routes.insert((op.method.clone(), op.path.clone()), at.clone()) {
                self.err(
                    at.clone(),
                    format!("{} {} is already used", op.method, op.path),
                    format!("by the operation at {first}"),
                );
            }
            if let Some(cli) = &op.cli {
                if let Some(first) =
                    commands.insert((cli.group.clone(), cli.name.clone()), at.clone())
                {
                    self.err(
                        at,
                        format!("command `vod {} {}` is already used", cli.group, cli.name),
                        format!("by the operation at {first}"),
                    );
                }
            }
        }
    }
}
