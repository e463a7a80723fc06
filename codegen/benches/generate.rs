//! How long the generator takes for the whole `api-spec/`: load + validate + lower + emit +
//! format, stage by stage. Goal: under 100 ms in release on a 2-core machine.
//! Run: `cargo bench -p codegen --bench generate`.

use std::path::Path;

use codegen::SourceFile;

fn main() {
    divan::main();
}

fn spec() -> Vec<SourceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec");
    codegen::read_spec_dir(&dir).expect("api-spec readable")
}

/// The whole pipeline, as `cargo xtask codegen` runs it (minus writing files).
#[divan::bench]
fn whole_pipeline(bencher: divan::Bencher) {
    let sources = spec();
    bencher.bench(|| codegen::generate(divan::black_box(&sources)).expect("generates"));
}

/// Reading the YAML and building source maps.
#[divan::bench]
fn load(bencher: divan::Bencher) {
    let sources = spec();
    bencher.bench(|| codegen::load::load(divan::black_box(&sources)).expect("loads"));
}

/// All checks.
#[divan::bench]
fn validate(bencher: divan::Bencher) {
    let loaded = codegen::load::load(&spec()).expect("loads");
    bencher.bench(|| codegen::validate::validate(divan::black_box(&loaded)).expect("valid"));
}

/// Emitting tokens and formatting them with prettyplease.
#[divan::bench]
fn emit_and_format(bencher: divan::Bencher) {
    let loaded = codegen::load::load(&spec()).expect("loads");
    let api = codegen::ir::lower(&loaded);
    bencher.bench(|| codegen::emit::emit(divan::black_box(&api)).expect("emits"));
}
