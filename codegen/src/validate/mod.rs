//! Every check the spec must pass before code is emitted.
//!
//! All checks run, and every problem is reported with its place and a hint; nothing here stops
//! at the first problem. What this module accepts, [`crate::ir::lower`] can lower without
//! guessing.

use std::collections::{BTreeMap, HashMap};

use heck::{ToKebabCase, ToLowerCamelCase, ToSnakeCase, ToUpperCamelCase};

mod error_codes;
mod hints;
mod operations;
mod outcome;

use crate::diagnostics::{Diagnostics, Location};
use crate::ir::{
    field_ident, resolve_type, Catalog, Encoding, EnumBase, IdBase, Type, FORBIDDEN_IDENTS,
    KEYWORDS,
};
use crate::load::{Loaded, LoadedSpec, SourceMap};
use crate::spec::{EnumSpec, FieldSpec, GroupFile, OperationSpec, Scalar};
use hints::{closest, is_identifier};

/// Names the generated code or the runtime already uses.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Client",
    "Error",
    "Request",
    "Response",
    "RequestBuilder",
    "Result",
    "Option",
    "Vec",
    "String",
    "Box",
    "Value",
    "Self",
];
/// Module names the generator itself emits.
const RESERVED_MODULES: &[&str] = &["service", "dispatch", "cli", "mod"];

/// Checks the loaded spec; the error lists every problem.
pub fn validate(spec: &LoadedSpec) -> Result<(), Diagnostics> {
    let enum_specs = std::iter::once(&spec.service.spec.enums)
        .chain(spec.groups.iter().map(|g| &g.spec.enums))
        .flat_map(|enums| enums.iter())
        .map(|(name, e)| {
            (
                name.clone(),
                e.values.iter().map(|v| v.value.wire_text()).collect(),
            )
        })
        .collect();
    let mut v = Checker {
        out: Diagnostics::default(),
        catalog: Catalog::of(spec),
        enum_specs,
    };
    v.service(spec);
    v.names(spec);
    let ops = all_operations(spec);
    for group in &spec.groups {
        v.group(group, &ops);
    }
    v.operation_uniqueness(&ops);
    v.error_code_references(spec);
    if v.out.is_empty() {
        Ok(())
    } else {
        Err(v.out.sorted())
    }
}

pub(super) type OpRef<'a> = (&'a SourceMap, usize, &'a OperationSpec);

fn all_operations(spec: &LoadedSpec) -> Vec<OpRef<'_>> {
    spec.groups
        .iter()
        .flat_map(|g| {
            g.spec
                .operations
                .iter()
                .enumerate()
                .map(move |(i, op)| (&g.map, i, op))
        })
        .collect()
}

pub(super) struct Checker {
    pub(super) out: Diagnostics,
    pub(super) catalog: Catalog,
    /// Enum name → its wire values, for checking defaults.
    enum_specs: HashMap<String, Vec<String>>,
}

impl Checker {
    pub(super) fn err(
        &mut self,
        at: Location,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.out.push(at, message, hint);
    }

    fn service(&mut self, spec: &LoadedSpec) {
        let (s, map) = (&spec.service.spec, &spec.service.map);
        let endpoint = &s.default_endpoint;
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            self.err(
                map.locate("default_endpoint"),
                format!("default_endpoint `{endpoint}` is not an http(s) URL"),
                "write it as https://host",
            );
        }
        if s.auth_profiles.is_empty() {
            self.err(
                map.locate("auth_profiles"),
                "no auth profile",
                "add the ws3 profile",
            );
        }
        let mut seen = HashMap::new();
        for (i, p) in s.auth_profiles.iter().enumerate() {
            let at = map.locate(&format!("auth_profiles[{i}].name"));
            if let Some(first) = seen.insert(p.name.clone(), at.clone()) {
                self.err(
                    at,
                    format!("auth profile `{}` is defined twice", p.name),
                    format!("first defined at {first}"),
                );
            }
            for needed in ["content-type", "host"] {
                if !p
                    .signed_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(needed))
                {
                    let at = map.locate(&format!("auth_profiles[{i}].signed_headers"));
                    self.err(
                        at,
                        format!("signed_headers lacks `{needed}`"),
                        "the service requires content-type and host to be signed",
                    );
                }
            }
        }
        self.error_codes(spec);
        self.types_and_enums(&s.types, &s.enums, map);
    }

    /// Type, enum and generated names are global: one namespace across files.
    fn names(&mut self, spec: &LoadedSpec) {
        let mut seen: HashMap<String, Location> = HashMap::new();
        let mut claim = |v: &mut Self, name: String, at: Location, what: &str| {
            if let Some(first) = seen.get(&name) {
                let msg = format!("{what} `{name}` collides with a name defined at {first}");
                v.err(
                    at,
                    msg,
                    "rename one of them; type names are global across all spec files",
                );
            } else {
                seen.insert(name, at);
            }
        };
        let files = std::iter::once((
            &spec.service.map,
            &spec.service.spec.types,
            &spec.service.spec.enums,
        ))
        .chain(
            spec.groups
                .iter()
                .map(|g| (&g.map, &g.spec.types, &g.spec.enums)),
        );
        for name in spec.service.spec.ids.keys() {
            let at = spec.service.map.locate(&format!("ids.{name}"));
            claim(self, name.clone(), at, "id type");
        }
        for (name, id) in &spec.service.spec.ids {
            if !matches!(id.base.as_str(), "string" | "long") {
                self.err(
                    spec.service.map.locate(&format!("ids.{name}.type")),
                    format!("id `{name}` holds `{}`", id.base),
                    "ids hold `string` or `long`",
                );
            }
        }
        for (map, types, enums) in files {
            for name in types.keys() {
                claim(
                    self,
                    name.clone(),
                    map.locate(&format!("types.{name}")),
                    "type",
                );
            }
            for name in enums.keys() {
                claim(
                    self,
                    name.clone(),
                    map.locate(&format!("enums.{name}")),
                    "enum",
                );
            }
        }
        for g in &spec.groups {
            for (i, op) in g.spec.operations.iter().enumerate() {
                let at = g.map.locate(&format!("operations[{i}].name"));
                let base = op.name.to_upper_camel_case();
                claim(
                    self,
                    format!("{base}Request"),
                    at.clone(),
                    "generated request type",
                );
                claim(self, format!("{base}Output"), at, "generated output type");
            }
            for (i, c) in g.spec.callbacks.iter().enumerate() {
                let at = g.map.locate(&format!("callbacks[{i}].name"));
                claim(self, c.name.to_upper_camel_case(), at, "callback type");
            }
        }
    }

    fn types_and_enums(
        &mut self,
        types: &BTreeMap<String, crate::spec::ObjectSpec>,
        enums: &BTreeMap<String, EnumSpec>,
        map: &SourceMap,
    ) {
        for (name, object) in types {
            let path = format!("types.{name}");
            self.type_name(name, map.locate(&path));
            self.fields(&object.fields, map, &format!("{path}.fields"));
        }
        for (name, e) in enums {
            let path = format!("enums.{name}");
            self.type_name(name, map.locate(&path));
            self.enumeration(e, map, &path);
        }
    }

    fn type_name(&mut self, name: &str, at: Location) {
        if RESERVED_TYPE_NAMES.contains(&name) {
            self.err(
                at,
                format!("`{name}` is reserved by the client"),
                "choose a more specific name, e.g. prefix it with the resource",
            );
        } else if name.to_upper_camel_case() != name || !is_identifier(name) {
            let fixed = name.to_upper_camel_case();
            self.err(
                at,
                format!("type name `{name}` is not UpperCamelCase"),
                format!("write it as `{fixed}`"),
            );
        }
    }

    fn enumeration(&mut self, e: &EnumSpec, map: &SourceMap, path: &str) {
        let integer = match e.base.as_str() {
            "integer" => true,
            "string" => false,
            other => {
                let at = map.locate(&format!("{path}.type"));
                self.err(
                    at,
                    format!("enum type `{other}` is neither integer nor string"),
                    "use `type: integer` or `type: string`",
                );
                return;
            }
        };
        if e.values.is_empty() {
            self.err(
                map.locate(path),
                "enum has no values",
                "list the documented values under `values:`",
            );
        }
        let mut wires = HashMap::new();
        let mut variants = HashMap::new();
        for (i, value) in e.values.iter().enumerate() {
            let at = map.locate(&format!("{path}.values[{i}].value"));
            let fits = matches!(
                (&value.value, integer),
                (Scalar::Int(_), true) | (Scalar::Str(_), false)
            );
            if !fits {
                let want = if integer {
                    "a whole number"
                } else {
                    "text (quote it)"
                };
                self.err(
                    at.clone(),
                    format!(
                        "value `{}` does not fit the enum's type",
                        value.value.wire_text()
                    ),
                    format!("write {want}"),
                );
            }
            if let Some(first) = wires.insert(value.value.wire_text(), at.clone()) {
                self.err(
                    at,
                    format!(
                        "value `{}` appears twice in the enum",
                        value.value.wire_text()
                    ),
                    format!("first at {first}; remove one"),
                );
            }
            let at = map.locate(&format!("{path}.values[{i}].name"));
            let variant = value.name.to_upper_camel_case();
            if variant == "Unknown"
                || !is_identifier(&variant)
                || FORBIDDEN_IDENTS.contains(&variant.as_str())
            {
                self.err(at.clone(), format!("`{}` cannot name an enum value", value.name), "`unknown` is reserved for values the spec does not list; use letters, digits and underscores");
            }
            if let Some(first) = variants.insert(variant.clone(), at.clone()) {
                self.err(
                    at,
                    format!(
                        "value name `{}` becomes `{variant}`, already used at {first}",
                        value.name
                    ),
                    "give each value a distinct name",
                );
            }
        }
    }

    fn group(&mut self, group: &Loaded<GroupFile>, ops: &[OpRef<'_>]) {
        let (g, map) = (&group.spec, &group.map);
        let module = g.group.to_snake_case();
        if g.group.to_kebab_case() != g.group || module.is_empty() {
            self.err(
                map.locate("group"),
                format!("group `{}` is not kebab-case", g.group),
                format!("write it as `{}`", g.group.to_kebab_case()),
            );
        } else if RESERVED_MODULES.contains(&module.as_str()) || KEYWORDS.contains(&module.as_str())
        {
            self.err(
                map.locate("group"),
                format!("group `{}` is reserved", g.group),
                "choose another group name",
            );
        }
        self.types_and_enums(&g.types, &g.enums, map);
        for (i, op) in g.operations.iter().enumerate() {
            self.operation(op, map, &format!("operations[{i}]"), ops);
        }
        for (i, c) in g.callbacks.iter().enumerate() {
            let path = format!("callbacks[{i}]");
            if !matches!(c.envelope.as_deref(), None | Some("standard" | "bare")) {
                let at = map.locate(&format!("{path}.envelope"));
                self.err(
                    at,
                    "unknown callback envelope",
                    "use `standard` ({code, message, data}) or `bare`",
                );
            }
            self.identifier_name(&c.name, map.locate(&format!("{path}.name")), "callback");
            self.fields(&c.fields, map, &format!("{path}.fields"));
        }
    }

    pub(super) fn identifier_name(&mut self, name: &str, at: Location, what: &str) {
        let snake = name.to_snake_case();
        if name.to_lower_camel_case() != name || !is_identifier(name) {
            self.err(
                at,
                format!("{what} name `{name}` is not lowerCamelCase"),
                format!("write it as `{}`", name.to_lower_camel_case()),
            );
        } else if KEYWORDS.contains(&snake.as_str()) {
            self.err(
                at,
                format!("{what} name `{name}` becomes the Rust keyword `{snake}`"),
                "rename it; generated method names cannot be keywords",
            );
        }
    }

    pub(super) fn fields(&mut self, fields: &[FieldSpec], map: &SourceMap, path: &str) {
        let mut wires = HashMap::new();
        let mut idents = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            let fpath = format!("{path}[{i}]");
            let at = map.locate(&format!("{fpath}.name"));
            if let Some(first) = wires.insert(f.name.clone(), at.clone()) {
                self.err(
                    at.clone(),
                    format!("field `{}` is defined twice", f.name),
                    format!("first defined at {first}; remove one"),
                );
            } else if let Some((first_name, first)) =
                idents.insert(rust_ident(f), (f.name.clone(), at.clone()))
            {
                let msg = format!(
                    "field `{}` and field `{first_name}` (at {first}) both become `{}` in Rust",
                    f.name,
                    rust_ident(f)
                );
                self.err(
                    at.clone(),
                    msg,
                    "rename one of them; names must stay distinct after snake_case conversion",
                );
            }
            for (j, alias) in f.aliases.iter().enumerate() {
                let at = map.locate(&format!("{fpath}.aliases[{j}]"));
                if alias == &f.name || fields.iter().any(|other| &other.name == alias) {
                    let msg = format!("alias `{alias}` of `{}` is already a field name", f.name);
                    self.err(
                        at,
                        msg,
                        "an alias names another spelling of this field only",
                    );
                }
            }
            let snake = f.name.to_snake_case();
            if f.name.is_empty()
                || FORBIDDEN_IDENTS.contains(&snake.as_str())
                || !is_identifier(&snake)
            {
                self.err(at, format!("`{}` cannot name a field", f.name), "use letters, digits and underscores, not starting with a digit; `self`, `super` and `crate` are not allowed");
            }
            self.field(f, map, &fpath);
        }
    }

    fn field(&mut self, f: &FieldSpec, map: &SourceMap, path: &str) {
        let Some(ty) = resolve_type(&f.ty, &self.catalog) else {
            let at = map.locate(&format!("{path}.type"));
            let hint = self.type_hint(&f.ty);
            self.err(
                at,
                format!("unknown type `{}` for field `{}`", f.ty, f.name),
                hint,
            );
            return;
        };
        if f.doc.trim().is_empty() {
            self.err(
                map.locate(&format!("{path}.doc")),
                format!("field `{}` has no doc", f.name),
                "say what the field means; it becomes the field's doc comment",
            );
        }
        if let Some(default) = &f.default {
            self.default_value(
                default,
                &ty,
                map.locate(&format!("{path}.default")),
                &f.name,
            );
        }
        // Bounds also apply to numeric text (page numbers some operations take as strings).
        let numeric = ty.is_integral() || matches!(ty, Type::Number | Type::String);
        let integral = ty.is_integral();
        for (key, value) in [("min", f.min), ("max", f.max)] {
            let Some(value) = value else { continue };
            let at = map.locate(&format!("{path}.{key}"));
            if !numeric {
                self.err(
                    at,
                    format!("`{key}` on `{}`, which is not a number", f.name),
                    "use min_length/max_length for text, max_items for lists",
                );
            } else if integral && value.fract() != 0.0 {
                self.err(
                    at,
                    format!(
                        "`{key}: {value}` is not a whole number but `{}` is an integer",
                        f.name
                    ),
                    "use a whole number",
                );
            }
        }
        if let (Some(lo), Some(hi)) = (f.min, f.max) {
            if lo > hi {
                self.err(
                    map.locate(&format!("{path}.min")),
                    format!("min {lo} is greater than max {hi}"),
                    "swap them",
                );
            }
        }
        let is_text = ty.is_text();
        if let Some(format) = &f.format {
            let at = map.locate(&format!("{path}.format"));
            if !matches!(
                format.as_str(),
                "url" | "datetime" | "file_name" | "dimensions"
            ) {
                self.err(
                    at,
                    format!("unknown format `{format}`"),
                    "use `url`, `datetime` (yyyy-MM-dd HH:mm:ss), `file_name` (with an extension) or `dimensions` (WIDTHxHEIGHT)",
                );
            } else if !is_text {
                self.err(
                    at,
                    format!("`format` on `{}`, which is not a string", f.name),
                    "formats apply to strings only",
                );
            }
        }
        for (key, value) in [("min_length", f.min_length), ("max_length", f.max_length)] {
            if value.is_some() && !is_text {
                let at = map.locate(&format!("{path}.{key}"));
                self.err(
                    at,
                    format!("`{key}` on `{}`, which is not a string", f.name),
                    "lengths apply to strings only",
                );
            }
        }
        if let (Some(lo), Some(hi)) = (f.min_length, f.max_length) {
            if lo > hi {
                self.err(
                    map.locate(&format!("{path}.min_length")),
                    format!("min_length {lo} is greater than max_length {hi}"),
                    "swap them",
                );
            }
        }
        for (key, value) in [("min_items", f.min_items), ("max_items", f.max_items)] {
            if value.is_some() && !matches!(ty, Type::List(_)) {
                self.err(
                    map.locate(&format!("{path}.{key}")),
                    format!("`{key}` on `{}`, which is not a list", f.name),
                    "item counts apply to list<T> only",
                );
            }
        }
        if let Some(name) = &f.rust_name {
            let at = map.locate(&format!("{path}.rust_name"));
            if name.to_snake_case() != *name || name.is_empty() {
                self.err(
                    at,
                    format!("rust_name `{name}` is not snake_case"),
                    format!("write it as `{}`", name.to_snake_case()),
                );
            }
        }
        self.encoding(f, &ty, map, path);
    }

    /// The `wire:` word exists and fits the field's type; timestamps always say how they travel.
    fn encoding(&mut self, f: &FieldSpec, ty: &Type, map: &SourceMap, path: &str) {
        let at = map.locate(&format!("{path}.wire"));
        let Some(word) = &f.wire else {
            if *ty == Type::Timestamp {
                self.err(
                    map.locate(&format!("{path}.type")),
                    format!("timestamp `{}` does not say how it travels", f.name),
                    "add `wire: datetime`, `wire: unix_seconds` or `wire: unix_millis`",
                );
            }
            return;
        };
        let Some(encoding) = Encoding::from_word(word) else {
            let words = Encoding::WORDS.iter().map(|(w, _)| w.to_string());
            let hint = match closest(word, words) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "use one of comma, base64_json, json_text, text, braced_pairs, datetime, unix_seconds, unix_millis".into(),
            };
            self.err(at, format!("unknown wire encoding `{word}`"), hint);
            return;
        };
        let scalar_item = |t: &Type| t.is_text() || t.is_integral() || matches!(t, Type::Enum(..));
        let fits = match encoding {
            Encoding::Plain => true,
            Encoding::Comma => matches!(ty, Type::List(inner) if scalar_item(inner)),
            Encoding::Base64Json | Encoding::JsonText => true,
            Encoding::BracedPairs => matches!(ty, Type::Object(_)),
            Encoding::Text => {
                ty.is_integral() || matches!(ty, Type::Number | Type::Enum(_, EnumBase::Integer))
            }
            Encoding::DateTime | Encoding::UnixSeconds | Encoding::UnixMillis => {
                *ty == Type::Timestamp
            }
        };
        if !fits {
            let want = match encoding {
                Encoding::Comma => "a list<T> of strings, ids, integers or enums",
                Encoding::BracedPairs => "an object type",
                Encoding::Text => "a number or a numeric id",
                _ => "`timestamp`",
            };
            self.err(
                at,
                format!(
                    "`wire: {word}` does not fit `{}` of type `{}`",
                    f.name, f.ty
                ),
                format!("`{word}` needs {want}"),
            );
        }
    }
}

/// The Rust field name: `rust_name` where the spec gives one, else the wire name in snake_case.
fn rust_ident(f: &FieldSpec) -> String {
    f.rust_name
        .as_deref()
        .map_or_else(|| field_ident(&f.name), field_ident)
}

impl Checker {
    fn default_value(&mut self, default: &Scalar, ty: &Type, at: Location, field: &str) {
        let fits = match ty {
            Type::Integer | Type::Long | Type::Id(_, IdBase::Long) => {
                matches!(default, Scalar::Int(_))
            }
            Type::UInt | Type::ULong => matches!(default, Scalar::Int(i) if *i >= 0),
            Type::Id(_, IdBase::String) => true,
            Type::Timestamp => false,
            Type::Number => matches!(default, Scalar::Int(_) | Scalar::Float(_)),
            Type::Boolean => matches!(default, Scalar::Bool(_)),
            Type::String => true,
            Type::Enum(name, _) => self.enum_values(name).contains(&default.wire_text()),
            Type::List(_) | Type::Object(_) => false,
        };
        if !fits {
            let text = default.wire_text();
            self.err(
                at,
                format!("default `{text}` does not fit the type of `{field}`"),
                "give a value of the field's type (for enums, one of its values)",
            );
        }
    }

    fn enum_values(&self, name: &str) -> Vec<String> {
        self.enum_specs.get(name).cloned().unwrap_or_default()
    }

    fn type_hint(&self, ty: &str) -> String {
        let inner = ty.trim_start_matches("list<").trim_end_matches('>');
        let words = ["string", "integer", "long", "number", "boolean"];
        let candidates = words
            .iter()
            .map(|w| w.to_string())
            .chain(self.catalog.enums.keys().cloned())
            .chain(self.catalog.objects.keys().cloned());
        match closest(inner, candidates) {
            Some(best) => format!("did you mean `{best}`? Types are string, integer, long, number, boolean, list<T>, or a name under types:/enums:"),
            None => "types are string, integer, long, number, boolean, list<T>, or a name defined under types:/enums: of any spec file".into(),
        }
    }
}
