//! Reading spec files: the only module that knows about a YAML library.
//!
//! `serde-saphyr` turns text into the [`crate::spec`] model under a resource budget (depth,
//! size), and the parser it is built on (`granit-parser`, re-exported by it) records where every
//! node starts, so later stages can point at a line and column without carrying spans through
//! the model. One YAML grammar serves both, so locations always agree with what was parsed.
//! Swapping the YAML library means changing this file alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_saphyr::granit_parser::{ErrorKind, Event, Options as ParserOptions, Parser};

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::spec::{GroupFile, ServiceFile};

/// The file name that holds service-wide facts.
pub const SERVICE_FILE: &str = "service.yaml";

/// The largest spec file accepted (the whole spec is about 200 KB today).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// The deepest nesting of mappings and sequences accepted (real files nest about 8 deep).
pub const MAX_DEPTH: usize = 64;

const SIZE_HINT: &str =
    "spec files are small; split the group or check that the right file was passed";

fn too_large(len: usize) -> String {
    format!("the file is {len} bytes; spec files may be at most {MAX_FILE_BYTES} bytes (8 MiB)")
}

/// A spec file's name and text, as read from disk by the caller.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path used in messages (relative paths read best).
    pub path: PathBuf,
    /// Full text.
    pub text: String,
}

impl SourceFile {
    /// Checks raw file contents: refuses oversized files and reports the first byte that is
    /// not UTF-8 at its line and column.
    pub fn from_bytes(path: PathBuf, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
        let at = |line, column| Location {
            file: path.clone(),
            line,
            column,
        };
        if bytes.len() > MAX_FILE_BYTES {
            return Err(diagnostic(at(1, 1), too_large(bytes.len()), SIZE_HINT));
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile { path, text }),
            Err(error) => {
                let bytes = error.as_bytes();
                let bad = error.utf8_error().valid_up_to();
                let (line, column) = line_column(bytes, bad);
                Err(diagnostic(
                    at(line, column),
                    format!("invalid UTF-8 (byte 0x{:02x})", bytes[bad]),
                    "spec files are UTF-8; re-save the file as UTF-8 (iconv -t UTF-8)",
                ))
            }
        }
    }

    /// Reads one spec file, refusing a file over [`MAX_FILE_BYTES`] before reading it.
    pub fn read(path: &Path) -> Result<SourceFile, ReadError> {
        let io = |source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > MAX_FILE_BYTES as u64 {
            let location = Location {
                file: path.to_path_buf(),
                line: 1,
                column: 1,
            };
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            return Err(ReadError::Spec(diagnostic(
                location,
                too_large(len),
                SIZE_HINT,
            )));
        }
        let bytes = std::fs::read(path).map_err(io)?;
        SourceFile::from_bytes(path.to_path_buf(), bytes).map_err(ReadError::Spec)
    }
}

/// Why [`SourceFile::read`] failed.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file was read but is not an acceptable spec file (too large, not UTF-8).
    Spec(Diagnostic),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            ReadError::Spec(d) => d.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

fn diagnostic(location: Location, message: impl Into<String>, hint: &str) -> Diagnostic {
    Diagnostic {
        location,
        message: message.into(),
        hint: hint.to_string(),
    }
}

/// 1-based line and column (in characters) of byte `offset`, which must follow valid UTF-8.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let column = 1 + String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count();
    (line, column)
}

/// Where each node of one file starts, keyed by a path such as `operations[2].request[0].type`.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    file: PathBuf,
    nodes: HashMap<String, (usize, usize)>,
}

impl SourceMap {
    /// The location of `path`, or of its nearest recorded ancestor.
    pub fn locate(&self, path: &str) -> Location {
        let mut key = path;
        loop {
            if let Some(&(line, column)) = self.nodes.get(key) {
                return self.at(line, column);
            }
            match parent_path(key) {
                Some(parent) => key = parent,
                None => return self.at(1, 1),
            }
        }
    }

    /// The file this map belongs to.
    pub fn file(&self) -> &Path {
        &self.file
    }

    fn at(&self, line: usize, column: usize) -> Location {
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }
}

fn parent_path(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '['])?;
    Some(&path[..cut])
}

/// One parsed file with its source map.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The parsed model.
    pub spec: T,
    /// Node locations.
    pub map: SourceMap,
}

/// Every spec file of a directory, parsed.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// `service.yaml`.
    pub service: Loaded<ServiceFile>,
    /// The group files, in file-name order.
    pub groups: Vec<Loaded<GroupFile>>,
}

/// Parses every file; reports every file that fails, not only the first.
pub fn load(sources: &[SourceFile]) -> Result<LoadedSpec, Diagnostics> {
    let mut problems = Diagnostics::default();
    let mut service = None;
    let mut groups = Vec::new();
    let mut sorted: Vec<&SourceFile> = sources.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for source in sorted {
        if is_service_file(&source.path) {
            service = parse::<ServiceFile>(source, &mut problems);
        } else if let Some(group) = parse::<GroupFile>(source, &mut problems) {
            groups.push(group);
        }
    }
    if service.is_none() && problems.is_empty() {
        let file = sources
            .first()
            .and_then(|s| s.path.parent())
            .map(|dir| dir.join(SERVICE_FILE))
            .unwrap_or_else(|| PathBuf::from(SERVICE_FILE));
        let location = Location {
            file,
            line: 1,
            column: 1,
        };
        problems.push(
            location,
            "the spec has no service.yaml",
            "add service.yaml with the hosts, auth profiles and envelope (see api-spec/README.md)",
        );
    }
    match service {
        Some(service) if problems.is_empty() => Ok(LoadedSpec { service, groups }),
        _ => Err(problems.sorted()),
    }
}

fn is_service_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()) == Some(SERVICE_FILE)
}

fn parse<T: DeserializeOwned>(
    source: &SourceFile,
    problems: &mut Diagnostics,
) -> Option<Loaded<T>> {
    let at = |line, column| Location {
        file: source.path.clone(),
        line,
        column,
    };
    if source.text.len() > MAX_FILE_BYTES {
        problems.push(at(1, 1), too_large(source.text.len()), SIZE_HINT);
        return None;
    }
    // The walk refuses deep nesting whatever the schema would have said about it, so the
    // message is the same for every file.
    let map = match build_source_map(&source.path, &source.text) {
        Ok(map) => map,
        Err(too_deep) => {
            problems.0.push(too_deep);
            return None;
        }
    };
    match serde_saphyr::from_str_with_options::<T>(&source.text, yaml_options()) {
        Ok(spec) => Some(Loaded { spec, map }),
        Err(error) => {
            let error = error.without_snippet();
            let (line, column) = error
                .location()
                .map(|l| (to_usize(l.line()), to_usize(l.column())))
                .unwrap_or((1, 1));
            let message = plain_message(error);
            let hint = hint_for(&message);
            problems.push(at(line.max(1), column.max(1)), message, hint);
            None
        }
    }
}

/// Spec files are small hand-written documents; anything past these limits is a mistake or an
/// attack, and is refused before it can cost seconds of parsing or a deep stack.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The library's message without its own "at line L, column C" suffix (the location is
/// printed separately) and with control characters escaped, since it quotes spec text.
fn plain_message(error: &serde_saphyr::Error) -> String {
    use serde_saphyr::MessageFormatter as _;
    let message = serde_saphyr::DefaultMessageFormatter.format_message(error);
    message.chars().fold(String::new(), |mut out, c| {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
        out
    })
}

fn hint_for(message: &str) -> String {
    let hint = if message.contains("unknown field") {
        "check the key's spelling; the allowed keys are listed in api-spec/README.md"
    } else if message.contains("missing field") {
        "add the missing key; api-spec/README.md shows every required key"
    } else if message.contains("invalid type")
        || message.contains("invalid value")
        || message.starts_with("expected ")
    {
        "check the value's type against api-spec/README.md (quote text that looks like a number)"
    } else if message.contains("duplicate") {
        "remove or rename the repeated key"
    } else if message.contains("budget") {
        "no spec file needs this much nesting, size or aliasing; simplify the file"
    } else {
        "check indentation and quoting around this line"
    };
    hint.to_string()
}

enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, next: usize },
}

/// Walks the YAML events once and records where each node starts; refuses nesting deeper than
/// [`MAX_DEPTH`] at the node that goes too deep. A syntax error ends the walk early: the
/// deserializer reports it.
fn build_source_map(file: &Path, text: &str) -> Result<SourceMap, Diagnostic> {
    let mut map = SourceMap {
        file: file.to_path_buf(),
        nodes: HashMap::new(),
    };
    let mut stack: Vec<Frame> = Vec::new();
    let too_deep = |line, column| {
        diagnostic(
            Location {
                file: file.to_path_buf(),
                line,
                column,
            },
            format!("nesting deeper than {MAX_DEPTH} levels of mappings and sequences"),
            "flatten the structure: no spec file needs this much nesting",
        )
    };
    // The scanner looks ahead through flow collections, so it must stop at the limit itself.
    let mut options = ParserOptions::default();
    options.flow_nesting_limit = MAX_DEPTH;
    options.block_nesting_limit = MAX_DEPTH;
    let mut parser = Parser::new_from_str_with_options(text, options);
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(next) => next,
            Err(error) if matches!(error.kind(), ErrorKind::RecursionLimitExceeded) => {
                let mark = error.marker();
                return Err(too_deep(mark.line(), mark.col() + 1));
            }
            Err(_) => break,
        };
        let at = (span.start.line(), span.start.col() + 1);
        // Flow and block nesting together.
        if stack.len() >= MAX_DEPTH
            && matches!(event, Event::MappingStart(..) | Event::SequenceStart(..))
        {
            return Err(too_deep(at.0, at.1));
        }
        match event {
            Event::StreamEnd => break,
            Event::Scalar(value, ..) => {
                if let Some(path) = node_path(&mut stack, Some(&value), &mut map, at) {
                    map.nodes.insert(path, at);
                }
            }
            Event::Alias(..) => {
                if let Some(path) = node_path(&mut stack, None, &mut map, at) {
                    map.nodes.insert(path, at);
                }
            }
            Event::MappingStart(..) => {
                let path = node_path(&mut stack, None, &mut map, at).unwrap_or_default();
                map.nodes.entry(path.clone()).or_insert(at);
                stack.push(Frame::Mapping { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = node_path(&mut stack, None, &mut map, at).unwrap_or_default();
                map.nodes.entry(path.clone()).or_insert(at);
                stack.push(Frame::Sequence { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    Ok(map)
}

/// The path of the node that starts now, or `None` when the node is a mapping key (whose
/// text is remembered as the key of the value that follows).
fn node_path(
    stack: &mut [Frame],
    scalar: Option<&str>,
    map: &mut SourceMap,
    at: (usize, usize),
) -> Option<String> {
    match stack.last_mut() {
        None => Some(String::new()),
        Some(Frame::Sequence { path, next }) => {
            let child = format!("{path}[{next}]");
            *next += 1;
            Some(child)
        }
        Some(Frame::Mapping { path, key }) => match key.take() {
            Some(k) => Some(join(path, &k)),
            None => {
                let k = scalar.unwrap_or("?").to_string();
                // A key's own place is kept until its value is seen.
                map.nodes.insert(join(path, &k), at);
                *key = Some(k);
                None
            }
        },
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from(name),
            text: text.to_string(),
        }
    }

    #[test]
    fn source_map_points_at_values_and_falls_back_to_parents() {
        let text = "group: g\noperations:\n  - name: a\n    request:\n      - name: x\n        type: strin\n";
        let map = build_source_map(Path::new("g.yaml"), text).unwrap();
        let loc = map.locate("operations[0].request[0].type");
        assert_eq!((loc.line, loc.column), (6, 15));
        let loc = map.locate("operations[0].name");
        assert_eq!((loc.line, loc.column), (3, 11));
        // No such node: its nearest ancestor.
        let loc = map.locate("operations[0].request[0].doc");
        assert_eq!(loc.line, 5);
    }

    #[test]
    fn unknown_key_is_reported_with_location_and_hint() {
        let text = "group: g\ndoc: d\noperatons: []\n";
        let service = source("service.yaml", "name: x\n");
        let err = load(&[source("g.yaml", text), service]).unwrap_err();
        let rendered = err.to_string();
        assert!(
            rendered.contains("g.yaml:3:1: error: unknown field `operatons`"),
            "{rendered}"
        );
        assert!(
            rendered.contains("hint: check the key's spelling"),
            "{rendered}"
        );
        assert!(
            rendered.contains("service.yaml:"),
            "both files are reported: {rendered}"
        );
    }

    #[test]
    fn broken_yaml_syntax_does_not_panic() {
        let err = load(&[source("service.yaml", "name: [unclosed\n  doc: {")]).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert!(err.0[0].location.line >= 1);
    }

    #[test]
    fn missing_service_file_is_reported() {
        let err = load(&[source("api/g.yaml", "group: g\ndoc: d\n")]).unwrap_err();
        assert!(err.to_string().contains("no service.yaml"));
    }
}
