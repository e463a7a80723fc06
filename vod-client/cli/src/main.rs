//! The `vod` command line; everything lives in the `vod_cli` library, so it can be tested as a
//! library and this file stays a one-liner.

fn main() -> std::process::ExitCode {
    vod_cli::main()
}
