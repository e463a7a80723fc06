//! Checks of `outcome_check`: the list operation it searches, and every field it maps.

use super::hints::closest;
use super::{Checker, OpRef};
use crate::ir::split_source;
use crate::load::SourceMap;
use crate::spec::{FieldSpec, OperationSpec};

impl Checker {
    pub(super) fn outcome_check(
        &mut self,
        op: &OperationSpec,
        map: &SourceMap,
        path: &str,
        ops: &[OpRef<'_>],
    ) {
        let Some(check) = &op.outcome_check else {
            return;
        };
        let at = |key: &str| map.locate(&format!("{path}.outcome_check.{key}"));
        let Some((_, _, query)) = ops.iter().find(|(_, _, o)| o.name == check.query) else {
            let names = ops.iter().map(|(_, _, o)| o.name.clone());
            let hint = closest(&check.query, names).map_or_else(
                || "name a paged list operation of the spec".to_string(),
                |b| format!("did you mean `{b}`?"),
            );
            self.err(
                at("query"),
                format!("outcome_check query `{}` is not an operation", check.query),
                hint,
            );
            return;
        };
        let Some(items) = self.paged_items(query) else {
            self.err(
                at("query"),
                format!("outcome_check query `{}` does not page", check.query),
                "the check pages through a list: give the query a `pagination:` block",
            );
            return;
        };
        let from_request = |source: &str| {
            split_source(source)
                .filter(|(request, _)| *request)
                .and_then(|(_, name)| op.request.iter().find(|f| f.name == name))
        };
        for (target, source) in &check.input {
            let at = map.locate(&format!("{path}.outcome_check.input.{target}"));
            let target_field = query.request.iter().find(|f| &f.name == target);
            match (target_field, from_request(source)) {
                (None, _) => self.err(
                    at,
                    format!("`{target}` is not a request field of `{}`", query.name),
                    "name a field of the query's request",
                ),
                (_, None) => self.err(
                    at,
                    format!("`{source}` is not `request.<field>` of this operation"),
                    "the list is narrowed with this request's own values, e.g. request.videoId",
                ),
                (Some(t), Some(s)) => self.same_type(t, s, at),
            }
        }
        if check.find.is_empty() {
            self.err(
                at("find"),
                "outcome_check finds nothing",
                "name the item field that identifies the result, e.g. `labelName: request.labelName`",
            );
        }
        for (target, source) in &check.find {
            let at = map.locate(&format!("{path}.outcome_check.find.{target}"));
            match (
                items.iter().find(|f| &f.name == target),
                from_request(source),
            ) {
                (None, _) => self.err(
                    at,
                    format!("`{target}` is not a field of `{}`'s items", query.name),
                    "name a field of one entry of the query's pages",
                ),
                (_, None) => self.err(
                    at,
                    format!("`{source}` is not `request.<field>` of this operation"),
                    "compare with one of this request's fields",
                ),
                (Some(_), Some(s)) if !s.required => self.err(
                    at,
                    format!("`{source}` is optional, so it cannot identify the result"),
                    "find by required request fields",
                ),
                (Some(t), Some(s)) => self.same_type(t, s, at),
            }
        }
        match check.done_when.as_str() {
            "found" => self.outcome_output(op, check, &items, map, path),
            "absent" if op.response.data == "object" => self.err(
                at("done_when"),
                "`done_when: absent` on an operation that answers an object",
                "a removal answers nothing worth rebuilding; `absent` needs `data: none` or `string`",
            ),
            "absent" => {}
            other => self.err(
                at("done_when"),
                format!("unknown done_when `{other}`"),
                "use `found` (a create) or `absent` (a delete)",
            ),
        }
    }

    /// Every required output field is rebuilt from an item field of the same type.
    fn outcome_output(
        &mut self,
        op: &OperationSpec,
        check: &crate::spec::OutcomeCheckSpec,
        items: &[FieldSpec],
        map: &SourceMap,
        path: &str,
    ) {
        for (target, source) in &check.output {
            let at = map.locate(&format!("{path}.outcome_check.output.{target}"));
            let item = source
                .strip_prefix("item.")
                .and_then(|name| items.iter().find(|f| f.name == name));
            match (op.response.fields.iter().find(|f| &f.name == target), item) {
                (None, _) => self.err(
                    at,
                    format!("`{target}` is not a field of `{}`'s answer", op.name),
                    "name a field of this operation's response",
                ),
                (_, None) => self.err(
                    at,
                    format!("`{source}` is not `item.<field>` of the query's items"),
                    "rebuild the answer from the found item, e.g. item.nodeId",
                ),
                (Some(t), Some(s)) => self.same_type(t, s, at),
            }
        }
        for f in op.response.fields.iter().filter(|f| f.required) {
            if !check.output.contains_key(&f.name) {
                self.err(
                    map.locate(&format!("{path}.outcome_check.output")),
                    format!("required answer field `{}` is not rebuilt", f.name),
                    format!("add `{}: item.<field>` under output", f.name),
                );
            }
        }
    }

    fn same_type(&mut self, a: &FieldSpec, b: &FieldSpec, at: crate::diagnostics::Location) {
        if a.ty != b.ty {
            self.err(
                at,
                format!("`{}` is {} but `{}` is {}", a.name, a.ty, b.name, b.ty),
                "map fields of the same type",
            );
        }
    }

    /// The fields of one entry of a paged operation's items list.
    fn paged_items(&self, query: &OperationSpec) -> Option<Vec<FieldSpec>> {
        let items = &query.pagination.as_ref()?.items;
        let field = query.response.fields.iter().find(|f| &f.name == items)?;
        let inner = field.ty.strip_prefix("list<")?.strip_suffix('>')?;
        self.catalog.objects.get(inner).cloned()
    }
}
