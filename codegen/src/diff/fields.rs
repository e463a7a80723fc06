//! Rules for the members of a request, an answer, an object type or a callback payload.
//!
//! What a field edit does depends on which way the field's values travel: a field the caller
//! sends is checked before sending and must be given when required; a field the service sends
//! must decode, and is an `Option` unless always present. A field of an object type used both
//! ways gets both readings, merged into one change.

use std::collections::BTreeMap;

use super::{same_text, Affects, Change, Level};
use crate::ir::{Encoding, Field, IdBase, Limits, Type};

/// Which way a field's values travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Direction {
    /// The caller sends it (a request, or an object reachable from one).
    pub sent: bool,
    /// The service sends it (an answer, a callback, or an object reachable from one).
    pub received: bool,
}

/// Where a list of fields lives, for messages and for the rules that depend on it.
pub(crate) struct Site<'a> {
    /// The operation, when the fields are its request or answer.
    pub operation: Option<&'a str>,
    /// Prefix of the `field` path: `request`, `response`, a type or callback name.
    pub prefix: &'a str,
    /// How a field is named in a sentence, `{}` standing for its wire name.
    pub noun: &'a str,
    /// What takes the required fields as arguments, in order.
    pub constructor: &'a str,
    /// Which way values travel.
    pub direction: Direction,
}

impl Site<'_> {
    fn name(&self, wire: &str) -> String {
        self.noun.replace("{}", &format!("`{wire}`"))
    }

    fn change(&self, wire: &str, parts: Vec<Part>) -> Option<Change> {
        let field = format!("{}.{wire}", self.prefix);
        merge(parts).map(|c| c.at(self.operation, Some(&field)))
    }
}

/// Sentences built around a field's noun start with it, in lower case.
fn capitalized(sentence: String) -> String {
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => sentence,
    }
}

/// One reading of a change (as sent, or as received), merged with the other into one change.
struct Part {
    level: Level,
    affects: &'static [Affects],
    sentence: String,
}

fn part(level: Level, affects: &'static [Affects], sentence: impl Into<String>) -> Part {
    Part {
        level,
        affects,
        sentence: sentence.into(),
    }
}

/// The most serious level, every place affected, the sentences in order (each said once).
fn merge(parts: Vec<Part>) -> Option<Change> {
    let level = parts.iter().map(|p| p.level).max()?;
    let affects: Vec<Affects> = parts
        .iter()
        .flat_map(|p| p.affects.iter().copied())
        .collect();
    let mut sentences: Vec<String> = Vec::new();
    for p in parts {
        if !sentences.contains(&p.sentence) {
            sentences.push(p.sentence);
        }
    }
    Some(Change::new(
        level,
        &affects,
        capitalized(sentences.join(" ")),
    ))
}

const WIRE: &[Affects] = &[Affects::Wire];
const RUST: &[Affects] = &[Affects::Rust];
const BOTH: &[Affects] = &[Affects::Wire, Affects::Rust];
const NONE: &[Affects] = &[];

/// Compares two versions of one list of fields, matched by wire name.
pub(crate) fn compare_fields(site: &Site, base: &[Field], new: &[Field], out: &mut Vec<Change>) {
    let base_by_wire: BTreeMap<&str, &Field> = base.iter().map(|f| (f.wire.as_str(), f)).collect();
    let new_by_wire: BTreeMap<&str, &Field> = new.iter().map(|f| (f.wire.as_str(), f)).collect();
    for (wire, old) in &base_by_wire {
        match new_by_wire.get(wire) {
            None => out.extend(site.change(wire, removed(site, old))),
            Some(now) => compare_field(site, old, now, out),
        }
    }
    for (wire, now) in &new_by_wire {
        if !base_by_wire.contains_key(wire) {
            out.extend(site.change(wire, added(site, now)));
        }
    }
    compare_required_order(site, base, new, out);
}

fn added(site: &Site, f: &Field) -> Vec<Part> {
    let name = site.name(&f.wire);
    let mut parts = Vec::new();
    if site.direction.sent {
        parts.push(if f.required {
            part(
                Level::Breaking,
                BOTH,
                format!("{name} is new and required: requests must carry it, and {} take it as an argument.", site.constructor),
            )
        } else {
            part(
                Level::Compatible,
                BOTH,
                format!("{name} is new and optional (`with_{}`).", bare_ident(&f.ident)),
            )
        });
    }
    if site.direction.received {
        parts.push(if f.required {
            part(
                Level::Breaking,
                RUST,
                format!(
                    "{name} is new and always present; {} gains an argument for it.",
                    site.constructor
                ),
            )
        } else {
            part(
                Level::Compatible,
                BOTH,
                format!("{name} is new in what the service sends, as an `Option`."),
            )
        });
    }
    parts
}

fn removed(site: &Site, f: &Field) -> Vec<Part> {
    let name = site.name(&f.wire);
    let mut parts = Vec::new();
    if site.direction.sent {
        parts.push(part(
            Level::Breaking,
            BOTH,
            format!("{name} is removed: requests no longer carry it and code setting it no longer compiles."),
        ));
    }
    if site.direction.received {
        parts.push(part(
            Level::Breaking,
            BOTH,
            format!("{name} is removed: the service no longer sends it and code reading it no longer compiles."),
        ));
    }
    parts
}

fn compare_field(site: &Site, old: &Field, new: &Field, out: &mut Vec<Change>) {
    let name = site.name(&new.wire);
    let mut push = |parts: Vec<Part>| out.extend(site.change(&new.wire, parts));
    // Compared by Rust name: an id's or enum's own base change is reported once, on the id
    // or enum, not again on every field that holds it.
    if rust_type_name(&old.ty) != rust_type_name(&new.ty) {
        let affects = if wire_shape(&old.ty) == wire_shape(&new.ty) {
            RUST
        } else {
            BOTH
        };
        push(vec![part(
            Level::Breaking,
            affects,
            format!(
                "{name} changes type from `{}` to `{}`.",
                rust_type_name(&old.ty),
                rust_type_name(&new.ty)
            ),
        )]);
    }
    if old.encoding != new.encoding {
        push(vec![part(
            Level::Breaking,
            WIRE,
            format!(
                "{name} now travels as {} instead of {}.",
                encoding_words(new.encoding),
                encoding_words(old.encoding)
            ),
        )]);
    }
    if old.ident != new.ident {
        push(vec![part(
            Level::Breaking,
            RUST,
            format!(
                "{name} is renamed in Rust from `{}` to `{}`.",
                old.ident, new.ident
            ),
        )]);
    }
    if old.required != new.required {
        push(required_changed(site, &name, new));
    }
    for parts in limit_changes(site, &name, &old.limits, &new.limits) {
        push(parts);
    }
    if old.format != new.format {
        push(format_changed(site, &name, old, new));
    }
    if old.default != new.default {
        push(vec![part(
            Level::Docs,
            NONE,
            format!(
                "{name}: the documented service default changes from {} to {}.",
                shown(old.default.as_deref()),
                shown(new.default.as_deref())
            ),
        )]);
    }
    if let Some(parts) = aliases_changed(site, &name, old, new) {
        push(parts);
    }
    if old.error_code != new.error_code || old.error_codes != new.error_codes {
        push(vec![part(
            Level::Breaking,
            WIRE,
            format!(
                "{name}: the error code a request failing its checks is answered with changes \
                 ({} to {}); callers matching the old code miss it.",
                error_code_words(old),
                error_code_words(new)
            ),
        )]);
    }
    if !same_text(user_doc(old), user_doc(new)) {
        push(vec![part(
            Level::Docs,
            NONE,
            format!("The documentation of {name} changed."),
        )]);
    }
}

fn required_changed(site: &Site, name: &str, new: &Field) -> Vec<Part> {
    let ty = rust_type_name(&new.ty);
    let mut parts = Vec::new();
    if site.direction.sent {
        parts.push(if new.required {
            part(
                Level::Breaking,
                BOTH,
                format!("{name} is now required: requests without it are refused, and {} take it as an argument.", site.constructor),
            )
        } else {
            part(
                Level::Breaking,
                RUST,
                format!("{name} is now optional: requests may omit it, but in Rust it becomes `Option<{ty}>` and leaves the arguments of {}.", site.constructor),
            )
        });
    }
    if site.direction.received {
        parts.push(if new.required {
            part(
                Level::Breaking,
                RUST,
                format!("{name} is now always present: in Rust it is `{ty}` instead of `Option<{ty}>`."),
            )
        } else {
            part(
                Level::Breaking,
                BOTH,
                format!("{name} may now be missing: in Rust it becomes `Option<{ty}>`, and code that relied on it being there breaks."),
            )
        });
    }
    parts
}

/// A limit and the direction in which it gets stricter.
struct LimitRule {
    key: &'static str,
    /// True for lower bounds (raising them is stricter), false for upper bounds.
    lower: bool,
    get: fn(&Limits) -> Option<f64>,
}

const LIMITS: &[LimitRule] = &[
    LimitRule {
        key: "min",
        lower: true,
        get: |l| l.min,
    },
    LimitRule {
        key: "max",
        lower: false,
        get: |l| l.max,
    },
    LimitRule {
        key: "min_length",
        lower: true,
        get: |l| l.min_length.map(|n| n as f64),
    },
    LimitRule {
        key: "max_length",
        lower: false,
        get: |l| l.max_length.map(|n| n as f64),
    },
    LimitRule {
        key: "min_items",
        lower: true,
        get: |l| l.min_items.map(|n| n as f64),
    },
    LimitRule {
        key: "max_items",
        lower: false,
        get: |l| l.max_items.map(|n| n as f64),
    },
];

fn limit_changes(site: &Site, name: &str, old: &Limits, new: &Limits) -> Vec<Vec<Part>> {
    let mut changes = Vec::new();
    for rule in LIMITS {
        let (before, after) = ((rule.get)(old), (rule.get)(new));
        if before == after {
            continue;
        }
        let tighter = match (before, after) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(b), Some(a)) => (a > b) == rule.lower,
        };
        let what = format!(
            "{name}: `{}` {} from {} to {}",
            rule.key,
            if tighter { "tightens" } else { "loosens" },
            shown_number(before),
            shown_number(after)
        );
        let mut parts = Vec::new();
        if site.direction.sent {
            parts.push(if tighter {
                part(
                    Level::Breaking,
                    WIRE,
                    format!("{what}; values accepted before may now be refused before sending."),
                )
            } else {
                part(
                    Level::Compatible,
                    WIRE,
                    format!("{what}; more values are accepted."),
                )
            });
        } else {
            parts.push(part(
                Level::Docs,
                NONE,
                format!("{what}; answers are not checked against limits, so only the documentation changes."),
            ));
        }
        changes.push(parts);
    }
    changes
}

fn format_changed(site: &Site, name: &str, old: &Field, new: &Field) -> Vec<Part> {
    let what = format!(
        "{name}: the text format changes from {} to {}",
        shown(old.format.as_deref()),
        shown(new.format.as_deref())
    );
    if !site.direction.sent {
        return vec![part(
            Level::Docs,
            NONE,
            format!(
                "{what}; answers are not checked against it, so only the documentation changes."
            ),
        )];
    }
    if new.format.is_none() {
        vec![part(
            Level::Compatible,
            WIRE,
            format!("{what}; any text is accepted now."),
        )]
    } else {
        vec![part(
            Level::Breaking,
            WIRE,
            format!("{what}; values accepted before may now be refused before sending."),
        )]
    }
}

fn aliases_changed(site: &Site, name: &str, old: &Field, new: &Field) -> Option<Vec<Part>> {
    let gone: Vec<&String> = old
        .aliases
        .iter()
        .filter(|a| !new.aliases.contains(a))
        .collect();
    let came: Vec<&String> = new
        .aliases
        .iter()
        .filter(|a| !old.aliases.contains(a))
        .collect();
    if gone.is_empty() && came.is_empty() {
        return None;
    }
    let list = |names: &[&String]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Aliases only matter when decoding, so a field that is only sent is unaffected.
    if !site.direction.received {
        return Some(vec![part(
            Level::Docs,
            NONE,
            format!("{name}: its accepted spellings change, which only matters when decoding."),
        )]);
    }
    let mut parts = Vec::new();
    if !gone.is_empty() {
        parts.push(part(
            Level::Breaking,
            WIRE,
            format!(
                "{name} is no longer read from {}: answers spelling it so leave it unset.",
                list(&gone)
            ),
        ));
    }
    if !came.is_empty() {
        parts.push(part(
            Level::Compatible,
            WIRE,
            format!("{name} is now also read from {}.", list(&came)),
        ));
    }
    Some(parts)
}

/// Required arguments are positional (`new(a, b)`, `client.op(a, b)`), so their order is part
/// of the Rust interface even though the wire does not care.
fn compare_required_order(site: &Site, base: &[Field], new: &[Field], out: &mut Vec<Change>) {
    let required = |fields: &[Field]| -> Vec<String> {
        fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.wire.clone())
            .collect()
    };
    let (before, after) = (required(base), required(new));
    let mut sorted_before = before.clone();
    let mut sorted_after = after.clone();
    sorted_before.sort();
    sorted_after.sort();
    // A field added or removed is reported on its own; only a pure reordering is reported here.
    if before == after || sorted_before != sorted_after {
        return;
    }
    let message = format!(
        "The required arguments of {} change order from ({}) to ({}).",
        site.constructor,
        before.join(", "),
        after.join(", ")
    );
    out.push(Change::new(Level::Breaking, RUST, message).at(site.operation, Some(site.prefix)));
}

/// What travels on the wire for a type, ignoring Rust-only distinctions (an id newtype or an
/// enum over integers is the same JSON as the plain value; `i32` and `i64` are both numbers).
fn wire_shape(ty: &Type) -> String {
    match ty {
        Type::String | Type::Id(_, IdBase::String) => "string".into(),
        Type::Integer | Type::Long | Type::UInt | Type::ULong | Type::Id(_, IdBase::Long) => {
            "integer".into()
        }
        Type::Number => "number".into(),
        Type::Boolean => "boolean".into(),
        Type::Timestamp => "timestamp".into(),
        Type::List(inner) => format!("list of {}", wire_shape(inner)),
        Type::Object(name) => format!("object {name}"),
        Type::Enum(_, base) => match base {
            crate::ir::EnumBase::Integer => "integer".into(),
            crate::ir::EnumBase::String => "string".into(),
        },
    }
}

/// The Rust type a field has (inside its `Option`, when optional).
pub(crate) fn rust_type_name(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Integer => "i32".into(),
        Type::Long => "i64".into(),
        Type::UInt => "u32".into(),
        Type::ULong => "u64".into(),
        Type::Number => "f64".into(),
        Type::Boolean => "bool".into(),
        Type::Timestamp => "Time".into(),
        Type::List(inner) => format!("Vec<{}>", rust_type_name(inner)),
        Type::Id(name, _) | Type::Object(name) | Type::Enum(name, _) => name.clone(),
    }
}

fn encoding_words(encoding: Encoding) -> String {
    Encoding::WORDS
        .iter()
        .find(|(_, e)| *e == encoding)
        .map_or_else(|| "plain JSON".to_string(), |(w, _)| format!("`{w}`"))
}

/// `videoNameTooLong`, `videoIdEmpty, too_large: x`, or `the operation's`.
fn error_code_words(f: &Field) -> String {
    let mut words: Vec<String> = f.error_code.iter().map(|c| format!("`{c}`")).collect();
    words.extend(
        f.error_codes
            .iter()
            .map(|(rule, c)| format!("{rule}: `{c}`")),
    );
    if words.is_empty() {
        "the operation's".to_string()
    } else {
        words.join(", ")
    }
}

fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "none".to_string(), |v| format!("`{v}`"))
}

fn shown_number(value: Option<f64>) -> String {
    value.map_or_else(|| "none".to_string(), |v| v.to_string())
}

fn bare_ident(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// The doc as written in the spec. Lowering appends one paragraph of notes (limits, default,
/// format, encoding) when there are any; those are compared as facts, not as text.
fn user_doc(f: &Field) -> &str {
    let has_notes = f.limits != Limits::default()
        || f.default.is_some()
        || matches!(
            f.format.as_deref(),
            Some("url" | "datetime" | "file_name" | "dimensions")
        )
        || f.encoding != Encoding::Plain;
    if has_notes {
        f.doc
            .rsplit_once("\n\n")
            .map_or(f.doc.as_str(), |(doc, _)| doc)
    } else {
        &f.doc
    }
}
