//! Checks of `error_codes`: unique codes and names, names that make distinct Rust variants,
//! known classes, no entry for the success code, HTTP statuses that are statuses; and of every
//! `parameter_error` and `error_code` that names one.

use std::collections::HashMap;

use heck::ToUpperCamelCase;

use super::hints::{closest, is_identifier};
use super::Checker;
use crate::load::LoadedSpec;
use crate::spec::{ERROR_CLASSES, FIELD_RULES};

/// The variant every undocumented code falls into; no documented code may take its name.
const UNKNOWN_VARIANT: &str = "Unknown";

impl Checker {
    /// `parameter_error` (service, operations) and `error_code` (request fields) name an entry
    /// of `error_codes`.
    pub(super) fn error_code_references(&mut self, spec: &LoadedSpec) {
        let names: Vec<String> = spec
            .service
            .spec
            .error_codes
            .iter()
            .map(|e| e.name.clone())
            .collect();
        let check = |v: &mut Self, name: &Option<String>, at: crate::diagnostics::Location| {
            let Some(name) = name else { return };
            if names.contains(name) {
                return;
            }
            let hint = match closest(name, names.iter().cloned()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "name an entry of `error_codes` in service.yaml".to_string(),
            };
            v.err(at, format!("unknown error code `{name}`"), hint);
        };
        let service = &spec.service;
        check(
            self,
            &service.spec.parameter_error,
            service.map.locate("parameter_error"),
        );
        for group in &spec.groups {
            for (i, op) in group.spec.operations.iter().enumerate() {
                let path = format!("operations[{i}]");
                let at = group.map.locate(&format!("{path}.parameter_error"));
                check(self, &op.parameter_error, at);
                for (j, field) in op.request.iter().enumerate() {
                    let at = group.map.locate(&format!("{path}.request[{j}].error_code"));
                    check(self, &field.error_code, at);
                    for (rule, name) in &field.error_codes {
                        let at = group
                            .map
                            .locate(&format!("{path}.request[{j}].error_codes.{rule}"));
                        if !FIELD_RULES.iter().any(|(r, _)| r == rule) {
                            let rules: Vec<&str> = FIELD_RULES.iter().map(|(r, _)| *r).collect();
                            self.err(
                                at.clone(),
                                format!("unknown rule `{rule}` in error_codes"),
                                format!("use one of: {}", rules.join(", ")),
                            );
                        }
                        check(self, &Some(name.clone()), at);
                    }
                }
            }
        }
    }

    pub(super) fn error_codes(&mut self, spec: &LoadedSpec) {
        let (s, map) = (&spec.service.spec, &spec.service.map);
        let mut codes = HashMap::new();
        let mut variants = HashMap::new();
        for (i, e) in s.error_codes.iter().enumerate() {
            let at = map.locate(&format!("error_codes[{i}].code"));
            if let Some(first) = codes.insert(e.code, at.clone()) {
                self.err(
                    at,
                    format!("error code {} is listed twice", e.code),
                    format!("merge it with the entry at {first}"),
                );
            }
            if e.code == s.envelope.success {
                self.err(
                    map.locate(&format!("error_codes[{i}].code")),
                    format!("error code {} is the envelope's success code", e.code),
                    "success is `envelope.success`, not an error; remove the entry",
                );
            }
            let at = map.locate(&format!("error_codes[{i}].name"));
            let variant = e.name.to_upper_camel_case();
            if !is_identifier(&e.name) || variant.is_empty() {
                self.err(
                    at.clone(),
                    format!("error code name `{}` is not an identifier", e.name),
                    "use lowerCamelCase letters and digits, e.g. `videoNotFound`",
                );
            } else if variant == UNKNOWN_VARIANT {
                self.err(
                    at.clone(),
                    format!("error code name `{}` is reserved", e.name),
                    "`Unknown` holds every undocumented code; pick another name",
                );
            } else if let Some(first) = variants.insert(variant.clone(), at.clone()) {
                self.err(
                    at,
                    format!(
                        "error code name `{}` gives the variant `{variant}`, already used",
                        e.name
                    ),
                    format!("first used at {first}; rename one of them"),
                );
            }
            if let Some(status) = e.http_status {
                if !(100..=599).contains(&status) {
                    self.err(
                        map.locate(&format!("error_codes[{i}].http_status")),
                        format!("`http_status: {status}` is not an HTTP status"),
                        "use 100..=599, or leave it out for 200",
                    );
                }
            }
            if let Some(class) = &e.class {
                if !ERROR_CLASSES.iter().any(|(name, _)| name == class) {
                    let known = ERROR_CLASSES.iter().map(|(n, _)| (*n).to_string());
                    let hint = match closest(class, known) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => format!(
                            "one of: {}",
                            ERROR_CLASSES
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    self.err(
                        map.locate(&format!("error_codes[{i}].class")),
                        format!("unknown error class `{class}`"),
                        hint,
                    );
                }
            }
        }
    }
}
