//! What a spec edit does to users: two lowered [`Api`](crate::ir::Api)s in, a list of classified
//! [`Change`](crate::diff::Change)s out.
//!
//! The comparison runs on the IR, not on YAML text, so it sees what users meet: resolved types,
//! wire encodings, Rust names, required-ness, limits, enums, auth profiles, error codes,
//! pagination, waiters and callbacks. Everything is matched by name (wire name, type name,
//! error code), never by position, so reordering operations, fields or YAML keys reports
//! nothing, except where order is part of the interface (the order of required arguments, the
//! first auth profile being the default). The rule table and the reason for each rule are in
//! `api-spec/README.md` ("What an edit does to users").
//!
//! Pure functions: no I/O. `cargo xtask api-diff` reads the two specs and prints the result
//! with [`render`](crate::diff::render).

mod fields;
mod model;
mod operations;
pub mod render;
mod service;
#[cfg(test)]
mod tests;
mod version;

pub use version::{suggest_version, VersionError};

use serde::Serialize;

use crate::ir::Api;

/// How much a change matters to someone who already uses the SDK or the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Text only: docs, notes shown in help, documented defaults.
    Docs,
    /// Working code keeps working; something new is possible or something is looser.
    Compatible,
    /// Some caller's working code or request stops compiling or stops working.
    Breaking,
}

impl Level {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Docs => "docs",
            Level::Compatible => "compatible",
            Level::Breaking => "breaking",
        }
    }
}

/// Where a change is felt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Affects {
    /// The HTTP requests sent or the answers accepted.
    Wire,
    /// The generated Rust API (names, types, signatures).
    Rust,
    /// The `vod` command line (command words, default table columns).
    Cli,
}

impl Affects {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Affects::Wire => "wire",
            Affects::Rust => "rust",
            Affects::Cli => "cli",
        }
    }
}

/// Which tool found a change.
pub const SOURCE_API_DIFF: &str = "api-diff";

/// One difference between the base spec and the new one, classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// How much it matters.
    pub level: Level,
    /// Where it is felt (empty for text-only changes).
    pub affects: Vec<Affects>,
    /// The operation's wire name, when the change belongs to one.
    pub operation: Option<String>,
    /// What changed inside it: `request.pageSize`, `VideoInfo.duration`, `enum VideoState`...
    pub field: Option<String>,
    /// One sentence a user understands.
    pub message: String,
    /// Which tool found it (`api-diff` here; `cargo-semver-checks` for merged findings).
    pub source: String,
}

impl Change {
    pub(crate) fn new(level: Level, affects: &[Affects], message: impl Into<String>) -> Change {
        let mut affects = affects.to_vec();
        affects.sort();
        affects.dedup();
        Change {
            level,
            affects,
            operation: None,
            field: None,
            message: message.into(),
            source: SOURCE_API_DIFF.to_string(),
        }
    }

    pub(crate) fn docs(message: impl Into<String>) -> Change {
        Change::new(Level::Docs, &[], message)
    }

    pub(crate) fn at(mut self, operation: Option<&str>, field: Option<&str>) -> Change {
        self.operation = operation.map(str::to_string);
        self.field = field.map(str::to_string);
        self
    }
}

/// Every change from `base` to `new`, breaking first, then by operation and field.
pub fn diff(base: &Api, new: &Api) -> Vec<Change> {
    let mut changes = Vec::new();
    service::compare(base, new, &mut changes);
    model::compare(base, new, &mut changes);
    operations::compare(base, new, &mut changes);
    sort(&mut changes);
    changes
}

/// The order every report uses: most serious first, then by place, so output is stable.
pub fn sort(changes: &mut [Change]) {
    changes.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.operation.cmp(&b.operation))
            .then_with(|| a.field.cmp(&b.field))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// The most serious level among `changes`, `None` when there are none.
pub fn highest_level(changes: &[Change]) -> Option<Level> {
    changes.iter().map(|c| c.level).max()
}

/// Text that differs only in surrounding whitespace is the same text: YAML folding and
/// re-wrapping a doc must not report anything.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// Reports a doc change of `what` as a `docs` change.
pub(crate) fn compare_doc(
    what: &str,
    base: &str,
    new: &str,
    at: (Option<&str>, Option<&str>),
    out: &mut Vec<Change>,
) {
    if !same_text(base, new) {
        out.push(Change::docs(format!("The documentation of {what} changed.")).at(at.0, at.1));
    }
}
