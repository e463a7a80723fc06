//! Lowering of `outcome_check`: resolving its field names against the operation, the list it
//! searches and that list's items.

use super::{split_source, CatalogFields, Field, Operation, OutcomeCheck, Type};
use crate::spec::OutcomeCheckSpec;

/// The check, resolved (`None` when a name does not resolve: the validator reports it).
pub(super) fn lower_outcome_check(
    spec: &OutcomeCheckSpec,
    op: &Operation,
    query: Operation,
    nested: &CatalogFields,
) -> Option<OutcomeCheck> {
    let items = item_fields(&query, nested)?;
    let request_field = |source: &str| {
        let (_, name) = split_source(source).filter(|(request, _)| *request)?;
        op.request.iter().find(|f| f.wire == name).cloned()
    };
    let by_wire = |fields: &[Field], name: &str| fields.iter().find(|f| f.wire == name).cloned();
    let inputs = spec
        .input
        .iter()
        .map(|(t, s)| Some((by_wire(&query.request, t)?, request_field(s)?)))
        .collect::<Option<Vec<_>>>()?;
    let find = spec
        .find
        .iter()
        .map(|(t, s)| Some((by_wire(&items, t)?, request_field(s)?)))
        .collect::<Option<Vec<_>>>()?;
    let output = spec
        .output
        .iter()
        .map(|(t, s)| {
            Some((
                by_wire(&op.response, t)?,
                by_wire(&items, s.strip_prefix("item.")?)?,
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(OutcomeCheck {
        query: Box::new(query),
        inputs,
        find,
        done_when_found: spec.done_when == "found",
        output,
    })
}

/// The fields of one entry of the query's pages.
fn item_fields(query: &Operation, nested: &CatalogFields) -> Option<Vec<Field>> {
    let items = &query.pagination.as_ref()?.items;
    match &items.ty {
        Type::List(inner) => match inner.as_ref() {
            Type::Object(name) => nested.0.get(name).cloned(),
            _ => None,
        },
        _ => None,
    }
}
