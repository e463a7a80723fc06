//! `vod emulator`: the local Cloud VoD service, with the same options and behaviour as the
//! `vod-emulator` binary (one stdout line `listening on http://ADDR`, request logs on stderr,
//! clean shutdown on Ctrl-C / SIGTERM), so users who have `vod` need nothing else.
//!
//! The options are defined once, in [`vod_emulator::args`]; the key pair comes from `vod`'s
//! global `--access-key` / `--secret-key` (and their environment variables).

use clap::{ArgMatches, Command};
use vod_emulator::args::{self, KeyFlags};

use super::failure::Failure;

/// The `emulator` command.
pub fn command() -> Command {
    Command::new("emulator")
        .about("Run a local Cloud VoD emulator (prints `listening on http://ADDR`)")
        .long_about(
            "Run a local Cloud VoD emulator until Ctrl-C: signature checks, in-memory state, \
             uploads and tasks. Prints one line `listening on http://ADDR` on stdout, then \
             request logs on stderr (RUST_LOG filters). With an access key and a secret key \
             (--access-key, and --secret-key-file, $VOD_SECRET_KEY or --secret-key) it accepts \
             that key pair, otherwise the demo keys DEMO_ACCESS_KEY / DEMO_SECRET_KEY.",
        )
        .args(args::args(KeyFlags::Inherited))
        .after_help(super::commands::examples_help(&[
            "vod emulator".into(),
            "vod emulator --listen 127.0.0.1:0 --task-ms 50 --access-key AK --secret-key SK".into(),
        ]))
}

/// Runs the emulator until Ctrl-C or SIGTERM.
pub fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let builder = args::builder(matches).map_err(Failure::usage)?;
    vod_emulator::init_logging();
    super::runtime()?
        .block_on(vod_emulator::run_server(builder))
        .map_err(|e| Failure::service(format!("emulator: {e}")))
}
