//! Prints the generated files for a spec directory (a debugging aid for maintainers):
//! `cargo run -p codegen --example dump -- codegen/tests/fixtures/mini`.
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "api-spec".into());
    let result =
        codegen::read_spec_dir(std::path::Path::new(&dir)).and_then(|s| codegen::generate(&s));
    match result {
        Ok(files) => {
            for f in files {
                println!("==> {} <==\n{}", f.path, f.contents);
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
