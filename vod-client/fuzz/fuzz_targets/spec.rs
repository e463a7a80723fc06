//! The spec loader: the real `api-spec/` with one file (picked by the first byte) replaced by
//! the rest of the input, through `codegen` load and validate, and lowering to the IR when it
//! validates.

#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

/// The spec's files, in `read_spec_dir` order (sorted by name).
const FILES: &[(&str, &str)] = &[
    (
        "asset-management.yaml",
        include_str!("../../../api-spec/asset-management.yaml"),
    ),
    (
        "callbacks.yaml",
        include_str!("../../../api-spec/callbacks.yaml"),
    ),
    (
        "playback.yaml",
        include_str!("../../../api-spec/playback.yaml"),
    ),
    (
        "processing.yaml",
        include_str!("../../../api-spec/processing.yaml"),
    ),
    (
        "service.yaml",
        include_str!("../../../api-spec/service.yaml"),
    ),
    ("upload.yaml", include_str!("../../../api-spec/upload.yaml")),
];

fuzz_target!(|input: &[u8]| {
    let Some((&first, yaml)) = input.split_first() else {
        return;
    };
    let replaced = usize::from(first) % FILES.len();
    let mut sources = Vec::with_capacity(FILES.len());
    for (i, (name, text)) in FILES.iter().enumerate() {
        let bytes = if i == replaced {
            yaml.to_vec()
        } else {
            text.as_bytes().to_vec()
        };
        match codegen::SourceFile::from_bytes(PathBuf::from("api-spec").join(name), bytes) {
            Ok(source) => sources.push(source),
            Err(_) => return,
        }
    }
    let Ok(loaded) = codegen::load::load(&sources) else {
        return;
    };
    if codegen::validate::validate(&loaded).is_ok() {
        let _ = codegen::ir::lower(&loaded);
    }
});
