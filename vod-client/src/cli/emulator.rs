//! `vod emulator`: the local Cloud VoD service, with the same flags and behaviour as the
//! `vod-emulator` binary (one stdout line `listening on http://ADDR`, request logs on stderr,
//! clean shutdown on Ctrl-C / SIGTERM), so users who have `vod` need nothing else.
//!
//! Both front ends fill the emulator module's [`ServerOptions`] and call its
//! [`run_server`](crate::emulator::run_server); only the argument parsing differs (clap here).

use std::time::Duration;

use clap::{value_parser, Arg, ArgMatches, Command};

use super::failure::Failure;
use crate::emulator::{FaultAction, FaultRule, ServerOptions};

/// The `emulator` command. `--access-key` / `--secret-key` are the global flags.
pub fn command() -> Command {
    let number = |name: &'static str, value: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name(value)
            .value_parser(value_parser!(u64))
            .help(help)
    };
    Command::new("emulator")
        .about("Run a local Cloud VoD emulator (prints `listening on http://ADDR`)")
        .long_about(
            "Run a local Cloud VoD emulator until Ctrl-C: signature checks, in-memory state, \
             uploads and tasks. Prints one line `listening on http://ADDR` on stdout, then \
             request logs on stderr (RUST_LOG filters). With an access key and a secret key \
             (--access-key, and --secret-key-file, $VOD_SECRET_KEY or --secret-key) it accepts \
             that key pair, otherwise the demo keys DEMO_ACCESS_KEY / DEMO_SECRET_KEY.",
        )
        .arg(
            Arg::new("secret-key-file")
                .long("secret-key-file")
                .value_name("PATH")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("Read the secret key from the first line of this file"),
        )
        .arg(number(
            "idle-timeout-secs",
            "SECS",
            "Close connections silent for this long [default: 30]",
        ))
        .arg(
            Arg::new("listen")
                .long("listen")
                .value_name("ADDR")
                .value_parser(value_parser!(std::net::SocketAddr))
                .help("Address to listen on; port 0 picks a free port [default: 127.0.0.1:8787]"),
        )
        .arg(number(
            "task-ms",
            "MS",
            "How long emulated tasks run [default: 2000]",
        ))
        .arg(number(
            "body-limit",
            "BYTES",
            "Largest API request body [default: 1 MiB]",
        ))
        .arg(number(
            "seed",
            "N",
            "Seed of generated ids (same seed, same ids)",
        ))
        .arg(
            Arg::new("clock-skew")
                .long("clock-skew")
                .value_name("SECS")
                .allow_negative_numbers(true)
                .value_parser(value_parser!(i64))
                .help("Offset of the emulator's clock, to test timestamp checks"),
        )
        .arg(number(
            "busy-every",
            "N",
            "Answer every Nth call with \"service busy\"",
        ))
        .arg(number(
            "http-error-every",
            "N",
            "Answer every Nth call with HTTP 503",
        ))
        .arg(number(
            "reset-every",
            "N",
            "Drop the connection of every Nth call",
        ))
        .arg(number("latency-ms", "MS", "Delay every answer"))
        .arg(
            Arg::new("callback-url")
                .long("callback-url")
                .value_name("URL")
                .help("POST the upload callbacks (video, audio, material) to URL, like the console setting"),
        )
        .arg(
            Arg::new("throttle")
                .long("throttle")
                .value_name("LIMIT/WINDOW_MS")
                .value_parser(parse_throttle)
                .help("Allow at most LIMIT calls per window, then HTTP 429"),
        )
}

fn parse_throttle(text: &str) -> Result<(u64, Duration), String> {
    let (limit, window) = text
        .split_once('/')
        .ok_or("expected LIMIT/WINDOW_MS, e.g. 10/1000")?;
    let limit = limit
        .trim()
        .parse()
        .map_err(|_| "LIMIT: expected a number")?;
    let window: u64 = window
        .trim()
        .parse()
        .map_err(|_| "WINDOW_MS: expected a number")?;
    Ok((limit, Duration::from_millis(window)))
}

/// The secret key: from `--secret-key-file`, else the global `--secret-key` (which clap also
/// fills from `$VOD_SECRET_KEY`). A file and a command-line `--secret-key` conflict; a file
/// wins over the environment.
fn secret_key(matches: &ArgMatches) -> Result<Option<String>, Failure> {
    let flag = matches.get_one::<String>("secret-key").cloned();
    let Some(path) = matches.get_one::<std::path::PathBuf>("secret-key-file") else {
        return Ok(flag);
    };
    if flag.is_some()
        && matches.value_source("secret-key") == Some(clap::parser::ValueSource::CommandLine)
    {
        return Err(Failure::usage(
            "give the emulator --secret-key or --secret-key-file, not both",
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "--secret-key-file: cannot read {}: {e}",
            path.display()
        ))
    })?;
    let secret = text.lines().next().unwrap_or_default().trim().to_string();
    if secret.is_empty() {
        return Err(Failure::usage(format!(
            "--secret-key-file: {} holds no key",
            path.display()
        )));
    }
    Ok(Some(secret))
}

/// The server options `matches` describe.
fn options(matches: &ArgMatches) -> Result<ServerOptions, Failure> {
    let mut options = ServerOptions::default();
    let number = |id: &str| matches.get_one::<u64>(id).copied();
    if let Some(listen) = matches.get_one::<std::net::SocketAddr>("listen") {
        options.listen = *listen;
    }
    match (
        matches.get_one::<String>("access-key"),
        secret_key(matches)?,
    ) {
        (Some(ak), Some(sk)) => {
            options.access_key = ak.clone();
            options.secret_key = sk;
        }
        (None, None) => {}
        _ => {
            return Err(Failure::usage(
                "give the emulator both --access-key and --secret-key, or neither (demo keys)",
            ))
        }
    }
    if let Some(secs) = number("idle-timeout-secs") {
        options.idle_timeout = Duration::from_secs(secs);
    }
    if let Some(ms) = number("task-ms") {
        options.task_duration = Duration::from_millis(ms);
    }
    if let Some(bytes) = number("body-limit") {
        options.body_limit = usize::try_from(bytes)
            .map_err(|_| Failure::usage("--body-limit: too large for this machine"))?;
    }
    options.seed = number("seed");
    if let Some(skew) = matches.get_one::<i64>("clock-skew") {
        options.clock_skew = *skew;
    }
    let every = [
        ("busy-every", FaultAction::ServiceBusy),
        ("http-error-every", FaultAction::HttpStatus(503)),
        ("reset-every", FaultAction::ResetConnection),
    ];
    for (id, action) in every {
        if let Some(n) = number(id) {
            options
                .faults
                .rules
                .push(FaultRule::new(action).every_nth(n));
        }
    }
    if let Some(ms) = number("latency-ms") {
        options
            .faults
            .rules
            .push(FaultRule::new(FaultAction::Latency(Duration::from_millis(
                ms,
            ))));
    }
    if let Some(throttle) = matches.get_one::<(u64, Duration)>("throttle") {
        options.faults.throttle = Some(*throttle);
    }
    options.callback_url = matches.get_one::<String>("callback-url").cloned();
    Ok(options)
}

/// Runs the emulator until Ctrl-C or SIGTERM.
pub fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let options = options(matches)?;
    crate::emulator::init_logging();
    super::runtime()?
        .block_on(crate::emulator::run_server(options))
        .map_err(|e| Failure::service(format!("emulator: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_fill_the_server_options() {
        let cmd = Command::new("t")
            .arg(Arg::new("access-key").long("access-key").global(true))
            .arg(Arg::new("secret-key").long("secret-key").global(true))
            .subcommand(command());
        let matches = cmd
            .try_get_matches_from([
                "t",
                "emulator",
                "--listen",
                "127.0.0.1:0",
                "--task-ms",
                "50",
                "--seed",
                "7",
                "--clock-skew",
                "-30",
                "--busy-every",
                "3",
                "--throttle",
                "10/1000",
            ])
            .unwrap();
        let (_, sub) = matches.subcommand().unwrap();
        let options = options(sub).unwrap();
        assert_eq!(options.listen.port(), 0);
        assert_eq!(options.task_duration, Duration::from_millis(50));
        assert_eq!(options.seed, Some(7));
        assert_eq!(options.clock_skew, -30);
        assert_eq!(options.faults.rules.len(), 1);
        assert_eq!(options.faults.throttle, Some((10, Duration::from_secs(1))));
        assert!(parse_throttle("10").is_err());
    }

    #[test]
    fn secret_key_file_and_idle_timeout() {
        let cmd = || {
            Command::new("t")
                .arg(Arg::new("access-key").long("access-key").global(true))
                .arg(Arg::new("secret-key").long("secret-key").global(true))
                .subcommand(command())
        };
        let path = std::env::temp_dir().join(format!("vod-cli-emulator-sk-{}", std::process::id()));
        std::fs::write(&path, "file-secret\n").unwrap();
        let file = path.to_string_lossy().to_string();
        let matches = cmd()
            .try_get_matches_from([
                "t",
                "emulator",
                "--access-key",
                "AK",
                "--secret-key-file",
                &file,
                "--idle-timeout-secs",
                "3",
            ])
            .unwrap();
        let (_, sub) = matches.subcommand().unwrap();
        let parsed = options(sub).unwrap();
        assert_eq!(parsed.secret_key, "file-secret");
        assert_eq!(parsed.idle_timeout, Duration::from_secs(3));
        let both = cmd()
            .try_get_matches_from([
                "t",
                "emulator",
                "--access-key",
                "AK",
                "--secret-key",
                "x",
                "--secret-key-file",
                &file,
            ])
            .unwrap();
        let (_, sub) = both.subcommand().unwrap();
        assert!(options(sub).is_err());
        let _ = std::fs::remove_file(&path);
    }
}
