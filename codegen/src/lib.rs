//! The Cloud VoD code generator: `api-spec/*.yaml` in, formatted Rust out.
//!
//! Data flows one way — [`load`] (YAML → [`spec`] model with source locations) →
//! [`validate`] (every problem at once, with file:line:column and a hint) → [`ir`] (resolved
//! names and types) → [`emit`] (tokens → prettyplease-formatted files). The library does no I/O
//! beyond [`read_spec_dir`]; callers (the xtask) decide where output goes. The same input always
//! gives the same bytes.

pub mod diagnostics;
/// What a spec edit does to users (breaking, compatible, docs): `cargo xtask api-diff`.
pub mod diff;
pub mod emit;
pub mod ir;
pub mod load;
pub mod spec;
pub mod validate;

use std::path::Path;
use std::time::{Duration, Instant};

pub use diagnostics::{Diagnostic, Diagnostics, Location};
pub use emit::GeneratedFile;
pub use load::SourceFile;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec has problems; each names its place.
    #[error("{0}")]
    Spec(Diagnostics),
    /// The emitter produced tokens that do not parse: a generator bug, not a spec problem.
    #[error("internal error: emitted code does not parse: {0}")]
    Emit(#[from] syn::Error),
    /// The spec directory holds no `*.yaml` file.
    #[error("{0}: no *.yaml spec files found (expected service.yaml and group files)")]
    EmptySpecDir(String),
    /// A spec file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// How long each stage took, for `cargo xtask codegen --timings` and the benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// YAML parsing and source maps.
    pub load: Duration,
    /// Checks.
    pub validate: Duration,
    /// Lowering to the IR.
    pub lower: Duration,
    /// Token emission and formatting.
    pub emit: Duration,
}

/// Everything generated from the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The Rust module (`vod-client/src/generated/`).
    pub rust: Vec<GeneratedFile>,
    /// The OpenAPI 3.1 export (`docs/openapi.json`); [`emit::openapi_3_0`] gives 3.0.3.
    pub openapi: String,
}

/// Generates the Rust files from the spec sources.
pub fn generate(sources: &[SourceFile]) -> Result<Vec<GeneratedFile>, Error> {
    generate_all(sources).map(|(out, _)| out.rust)
}

/// Generates every output, reporting how long each stage took.
pub fn generate_all(sources: &[SourceFile]) -> Result<(Generated, Timings), Error> {
    let mut timings = Timings::default();
    let start = Instant::now();
    let loaded = load::load(sources).map_err(Error::Spec)?;
    timings.load = start.elapsed();
    let start = Instant::now();
    validate::validate(&loaded).map_err(Error::Spec)?;
    timings.validate = start.elapsed();
    let start = Instant::now();
    let api = ir::lower(&loaded);
    timings.lower = start.elapsed();
    let start = Instant::now();
    let rust = emit::emit(&api)?;
    let openapi = emit::openapi(&api);
    timings.emit = start.elapsed();
    Ok((Generated { rust, openapi }, timings))
}

/// Reads every `*.yaml` file of a directory (not recursive), sorted by name; files that are too
/// large or not UTF-8 are reported with their location.
pub fn read_spec_dir(dir: &Path) -> Result<Vec<SourceFile>, Error> {
    let io = |path: &Path, source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let mut sources = Vec::new();
    let mut problems = Diagnostics::default();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        if path.extension().and_then(|e| e.to_str()) == Some("yaml") {
            match SourceFile::read(&path) {
                Ok(source) => sources.push(source),
                Err(load::ReadError::Spec(d)) => problems.0.push(d),
                Err(load::ReadError::Io { path, source }) => return Err(io(&path, source)),
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Spec(problems.sorted()));
    }
    if sources.is_empty() {
        return Err(Error::EmptySpecDir(dir.display().to_string()));
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(sources)
}
