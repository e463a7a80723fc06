//! `vod-emulator`: a local Cloud VoD service for development and tests.
//!
//! Prints `listening on http://<addr>` on stdout once it accepts connections, logs each
//! request to stderr (`RUST_LOG` filters), and stops cleanly on Ctrl-C or SIGTERM. Without
//! keys it accepts the demo pair (`DEMO_ACCESS_KEY` / `DEMO_SECRET_KEY`).
//!
//! The options are [`vod_emulator::args`], the same ones `vod emulator` takes. The secret key
//! comes from `--secret-key-file PATH` (the file's first line) or the environment variable
//! `VOD_EMULATOR_SECRET_KEY`, so that it does not show in `ps` or shell history;
//! `--secret-key SK` still works for throwaway keys.

use std::process::ExitCode;

use clap::Command;
use vod_emulator::args::{self, KeyFlags};

fn command() -> Command {
    Command::new("vod-emulator")
        .version(env!("CARGO_PKG_VERSION"))
        .about("A local Cloud VoD service: signature checks, in-memory state, uploads, tasks, callbacks and injected faults")
        .long_about(
            "A local Cloud VoD service until Ctrl-C: signature checks, in-memory state, uploads, \
             tasks, callbacks and injected faults. Prints one line `listening on http://ADDR` on \
             stdout, then request logs on stderr (RUST_LOG filters). With an access key and a \
             secret key it accepts that key pair, otherwise the demo keys DEMO_ACCESS_KEY / \
             DEMO_SECRET_KEY.",
        )
        .args(args::args(KeyFlags::Own))
}

#[tokio::main]
async fn main() -> ExitCode {
    let matches = match command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let builder = match args::builder(&matches) {
        Ok(builder) => builder,
        Err(message) => {
            eprintln!("vod-emulator: {message}");
            return ExitCode::from(2);
        }
    };
    vod_emulator::init_logging();
    match vod_emulator::run_server(builder).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vod-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_is_well_formed() {
        super::command().debug_assert();
    }
}
