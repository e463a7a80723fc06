//! Reading spec files: the only module that knows about a YAML library.
//!
//! `serde_yaml` (archived upstream) turns text into the [`crate::spec`] model; `yaml-rust2`'s
//! event parser records where every node starts, so later stages can point at a line and column
//! without carrying spans through the model. Swapping the YAML library means changing this file
//! alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use yaml_rust2::parser::{Event, Parser};

use crate::diagnostics::{Diagnostics, Location};
use crate::spec::{GroupFile, ServiceFile};

/// The file name that holds service-wide facts.
pub const SERVICE_FILE: &str = "service.yaml";

/// A spec file's name and text, as read from disk by the caller.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path used in messages (relative paths read best).
    pub path: PathBuf,
    /// Full text.
    pub text: String,
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
    match serde_yaml::from_str::<T>(&source.text) {
        Ok(spec) => Some(Loaded {
            spec,
            map: build_source_map(&source.path, &source.text),
        }),
        Err(error) => {
            let (line, column) = error
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            let message = error.to_string();
            let hint = hint_for(&message);
            let location = Location {
                file: source.path.clone(),
                line,
                column,
            };
            problems.push(location, strip_location(&message), hint);
            None
        }
    }
}

/// serde_yaml appends " at line L column C"; the location is printed separately.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message.to_string(),
    }
}

fn hint_for(message: &str) -> String {
    let hint = if message.contains("unknown field") {
        "check the key's spelling; the allowed keys are listed in api-spec/README.md"
    } else if message.contains("missing field") {
        "add the missing key; api-spec/README.md shows every required key"
    } else if message.contains("invalid type") || message.contains("invalid value") {
        "check the value's type against api-spec/README.md (quote text that looks like a number)"
    } else if message.contains("duplicate") {
        "remove or rename the repeated key"
    } else {
        "check indentation and quoting around this line"
    };
    hint.to_string()
}

enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, next: usize },
}

/// Walks the YAML events once and records where each node starts.
fn build_source_map(file: &Path, text: &str) -> SourceMap {
    let mut map = SourceMap {
        file: file.to_path_buf(),
        nodes: HashMap::new(),
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Ok((event, mark)) = parser.next_token() {
        let at = (mark.line(), mark.col() + 1);
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
    map
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
        let map = build_source_map(Path::new("g.yaml"), text);
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
