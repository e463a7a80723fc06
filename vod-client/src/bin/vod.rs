//! The `vod` command line; everything lives in [`vod_client::cli`], so it can be tested as a
//! library and this file stays a one-liner.

fn main() -> std::process::ExitCode {
    vod_client::cli::main()
}
