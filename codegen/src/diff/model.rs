//! Rules for the named data shapes: ids, object types, callback payloads and enums.

use std::collections::BTreeMap;

use super::fields::{compare_fields, Direction, Site};
use super::{compare_doc, Affects, Change, Level};
use crate::ir::{Api, Enum, EnumBase, Field, Group, IdBase, IdType, Object, Type};

pub(crate) fn compare(base: &Api, new: &Api, out: &mut Vec<Change>) {
    compare_ids(base, new, out);
    compare_objects(base, new, out);
    compare_callbacks(base, new, out);
    compare_enums(base, new, out);
}

fn groups(api: &Api) -> impl Iterator<Item = &Group> {
    std::iter::once(&api.shared).chain(api.groups.iter())
}

fn compare_ids(base: &Api, new: &Api, out: &mut Vec<Change>) {
    let by_name = |api: &Api| -> BTreeMap<String, IdType> {
        api.shared
            .ids
            .iter()
            .map(|i| (i.name.clone(), i.clone()))
            .collect()
    };
    let (before, after) = (by_name(base), by_name(new));
    for (name, old) in &before {
        let field = format!("id {name}");
        let at = |c: Change| c.at(None, Some(&field));
        let Some(now) = after.get(name) else {
            out.push(removed("id type", name, &field));
            continue;
        };
        if old.base != now.base {
            out.push(at(Change::new(
                Level::Breaking,
                &[Affects::Wire, Affects::Rust],
                format!(
                    "The id type `{name}` now holds {} instead of {}.",
                    id_base(now.base),
                    id_base(old.base)
                ),
            )));
        }
        compare_doc(
            &format!("`{name}`"),
            &old.doc,
            &now.doc,
            (None, Some(&field)),
            out,
        );
    }
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        out.push(
            Change::new(
                Level::Compatible,
                &[Affects::Rust],
                format!("The id type `{name}` is new."),
            )
            .at(None, Some(&format!("id {name}"))),
        );
    }
}

fn id_base(base: IdBase) -> &'static str {
    match base {
        IdBase::String => "text (`String`)",
        IdBase::Long => "a number (`i64`)",
    }
}

/// Every object type (callbacks excluded) by name, with its module.
fn objects(api: &Api) -> BTreeMap<&str, (&Object, &str)> {
    groups(api)
        .flat_map(|g| {
            g.objects
                .iter()
                .map(move |o| (o.name.as_str(), (o, g.module.as_str())))
        })
        .collect()
}

/// A generated type (`kind`: type, enum, id type) gone from the spec.
fn removed(kind: &str, name: &str, field: &str) -> Change {
    Change::new(
        Level::Breaking,
        &[Affects::Rust],
        format!("The {kind} `{name}` is removed; code naming it no longer compiles."),
    )
    .at(None, Some(field))
}

fn compare_objects(base: &Api, new: &Api, out: &mut Vec<Change>) {
    let (before, after) = (objects(base), objects(new));
    for (name, (old, old_module)) in &before {
        let field = format!("type {name}");
        let Some((now, module)) = after.get(name) else {
            out.push(removed("type", name, &field));
            continue;
        };
        moved(name, old_module, module, &field, out);
        compare_doc(
            &format!("type `{name}`"),
            &old.doc,
            &now.doc,
            (None, Some(&field)),
            out,
        );
        let direction = object_direction(old, now);
        let noun = format!("field {{}} of type `{name}`");
        let constructor = format!("`{name}::new`");
        let site = Site {
            operation: None,
            prefix: name,
            noun: &noun,
            constructor: &constructor,
            direction,
        };
        compare_fields(&site, &old.fields, &now.fields, out);
    }
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        out.push(
            Change::new(
                Level::Compatible,
                &[Affects::Rust],
                format!("The type `{name}` is new."),
            )
            .at(None, Some(&format!("type {name}"))),
        );
    }
}

/// Types are re-exported at the root of the generated module, so `model::X` keeps working;
/// only a path through the group module (`model::videos::X`) breaks.
fn moved(name: &str, old_module: &str, module: &str, field: &str, out: &mut Vec<Change>) {
    if old_module != module {
        out.push(
            Change::new(
                Level::Breaking,
                &[Affects::Rust],
                format!("`{name}` moves from module `{old_module}` to `{module}`: paths through the module break, the re-export at the root keeps working."),
            )
            .at(None, Some(field)),
        );
    }
}

/// The directions of both versions: a field that was sent and now is not still changed for
/// the callers that sent it. A type used nowhere is generated for both directions.
fn object_direction(old: &Object, new: &Object) -> Direction {
    let sent = old.in_request || new.in_request;
    let received = old.in_answer || new.in_answer;
    if !sent && !received {
        return Direction {
            sent: true,
            received: true,
        };
    }
    Direction { sent, received }
}

fn callbacks(api: &Api) -> BTreeMap<&str, &Object> {
    groups(api)
        .flat_map(|g| g.callbacks.iter().map(|c| (c.name.as_str(), c)))
        .collect()
}

fn compare_callbacks(base: &Api, new: &Api, out: &mut Vec<Change>) {
    let (before, after) = (callbacks(base), callbacks(new));
    for (name, old) in &before {
        let field = format!("callback {name}");
        let Some(now) = after.get(name) else {
            out.push(
                Change::new(
                    Level::Breaking,
                    &[Affects::Rust],
                    format!("The callback payload `{name}` is removed; code decoding it with `{name}::from_body` no longer compiles."),
                )
                .at(None, Some(&field)),
            );
            continue;
        };
        let enveloped = |o: &Object| o.callback.as_ref().is_some_and(|(_, e)| *e);
        if enveloped(old) != enveloped(now) {
            let now_says = if enveloped(now) {
                "inside `{code, message, data}`"
            } else {
                "as the bare body"
            };
            out.push(
                Change::new(
                    Level::Breaking,
                    &[Affects::Wire],
                    format!("The callback payload `{name}` is now expected {now_says}."),
                )
                .at(None, Some(&field)),
            );
        }
        compare_doc(
            &format!("callback `{name}`"),
            &old.doc,
            &now.doc,
            (None, Some(&field)),
            out,
        );
        let noun = format!("field {{}} of callback `{name}`");
        let constructor = format!("`{name}::new`");
        let site = Site {
            operation: None,
            prefix: name,
            noun: &noun,
            constructor: &constructor,
            direction: Direction {
                sent: false,
                received: true,
            },
        };
        compare_fields(&site, &old.fields, &now.fields, out);
    }
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        out.push(
            Change::new(
                Level::Compatible,
                &[Affects::Rust],
                format!("The callback payload `{name}` is new."),
            )
            .at(None, Some(&format!("callback {name}"))),
        );
    }
}

/// Which way each enum's values travel, from every field that holds it (through lists).
fn enum_directions(api: &Api) -> BTreeMap<String, Direction> {
    let mut found: BTreeMap<String, Direction> = BTreeMap::new();
    let mut mark = |fields: &[Field], sent: bool| {
        for f in fields {
            if let Type::Enum(name, _) = innermost(&f.ty) {
                let d = found.entry(name.clone()).or_insert(Direction {
                    sent: false,
                    received: false,
                });
                d.sent |= sent;
                d.received |= !sent;
            }
        }
    };
    for group in groups(api) {
        for op in &group.operations {
            mark(&op.request, true);
            mark(&op.response, false);
        }
        for o in &group.objects {
            if o.in_request {
                mark(&o.fields, true);
            }
            if o.in_answer {
                mark(&o.fields, false);
            }
        }
        for c in &group.callbacks {
            mark(&c.fields, false);
        }
    }
    found
}

fn innermost(ty: &Type) -> &Type {
    match ty {
        Type::List(inner) => innermost(inner),
        other => other,
    }
}

fn enums(api: &Api) -> BTreeMap<&str, (&Enum, &str)> {
    groups(api)
        .flat_map(|g| {
            g.enums
                .iter()
                .map(move |e| (e.name.as_str(), (e, g.module.as_str())))
        })
        .collect()
}

fn compare_enums(base: &Api, new: &Api, out: &mut Vec<Change>) {
    let (before, after) = (enums(base), enums(new));
    let (old_use, new_use) = (enum_directions(base), enum_directions(new));
    let unused = Direction {
        sent: false,
        received: false,
    };
    for (name, (old, old_module)) in &before {
        let field = format!("enum {name}");
        let Some((now, module)) = after.get(name) else {
            out.push(removed("enum", name, &field));
            continue;
        };
        moved(name, old_module, module, &field, out);
        let a = old_use.get(*name).copied().unwrap_or(unused);
        let b = new_use.get(*name).copied().unwrap_or(unused);
        let direction = Direction {
            sent: a.sent || b.sent,
            received: a.received || b.received,
        };
        compare_enum(name, old, now, direction, &field, out);
    }
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        out.push(
            Change::new(
                Level::Compatible,
                &[Affects::Rust],
                format!("The enum `{name}` is new."),
            )
            .at(None, Some(&format!("enum {name}"))),
        );
    }
}

fn compare_enum(
    name: &str,
    old: &Enum,
    new: &Enum,
    direction: Direction,
    field: &str,
    out: &mut Vec<Change>,
) {
    let at = |c: Change| c.at(None, Some(field));
    if old.base != new.base {
        out.push(at(Change::new(
            Level::Breaking,
            &[Affects::Wire, Affects::Rust],
            format!(
                "The enum `{name}` now travels as {} instead of {}.",
                enum_base(new.base),
                enum_base(old.base)
            ),
        )));
    }
    compare_doc(
        &format!("enum `{name}`"),
        &old.doc,
        &new.doc,
        (None, Some(field)),
        out,
    );
    for value in &old.values {
        let label = format!("`{name}::{}` (wire `{}`)", value.variant, value.wire);
        match new.values.iter().find(|v| v.wire == value.wire) {
            None => out.push(at(value_removed(&label, direction))),
            Some(now) => {
                if now.variant != value.variant || now.name != value.name {
                    out.push(at(Change::new(
                        Level::Breaking,
                        &[Affects::Rust],
                        format!(
                            "{label} is renamed to `{name}::{}`; code naming the old variant no longer compiles.",
                            now.variant
                        ),
                    )));
                }
                compare_doc(&label, &value.doc, &now.doc, (None, Some(field)), out);
            }
        }
    }
    for value in &new.values {
        if !old.values.iter().any(|v| v.wire == value.wire) {
            let label = format!("`{name}::{}` (wire `{}`)", value.variant, value.wire);
            out.push(at(value_added(&label, direction)));
        }
    }
}

/// Generated enums are `#[non_exhaustive]` with an `Unknown(..)` variant: every `match` on
/// them already has a wildcard arm and an unknown value already decodes, so a new value
/// breaks no compiling code and no decoding, in either direction.
fn value_added(label: &str, direction: Direction) -> Change {
    let mut message = format!("{label} is new");
    if direction.sent {
        message.push_str("; requests may send it");
    }
    if direction.received {
        message.push_str(
            "; answers carrying it decoded as `Unknown(..)` before and now decode as the new variant",
        );
    }
    message.push('.');
    Change::new(Level::Compatible, &[Affects::Wire, Affects::Rust], message)
}

fn value_removed(label: &str, direction: Direction) -> Change {
    let mut message = format!("{label} is removed: code naming the variant no longer compiles");
    if direction.sent {
        message.push_str(", and requests can no longer send it");
    }
    if direction.received {
        message.push_str(", and answers carrying it decode as `Unknown(..)`");
    }
    message.push('.');
    Change::new(Level::Breaking, &[Affects::Wire, Affects::Rust], message)
}

fn enum_base(base: EnumBase) -> &'static str {
    match base {
        EnumBase::Integer => "JSON numbers",
        EnumBase::String => "JSON strings",
    }
}
