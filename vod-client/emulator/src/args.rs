//! The stand-alone server's command-line options, defined once for both front ends: the
//! `vod-emulator` binary and `vod emulator` (the `vod` command line flattens the same
//! [`args`]). Each option fills one setting of an [`EmulatorBuilder`]; there is no second
//! options type to keep in step with it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{value_parser, Arg, ArgMatches};

use crate::{Emulator, EmulatorBuilder, FaultAction, FaultRule, DEFAULT_BODY_LIMIT};

/// Environment variable of the access key (`vod-emulator`).
pub const ACCESS_KEY_ENV: &str = "VOD_EMULATOR_ACCESS_KEY";
/// Environment variable of the secret key (`vod-emulator`).
pub const SECRET_KEY_ENV: &str = "VOD_EMULATOR_SECRET_KEY";

/// Address a stand-alone server listens on unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
/// How long a stand-alone server's tasks run unless told otherwise, in milliseconds: long
/// enough to watch a task run from a shell (in-process emulators default to 200 ms).
pub const DEFAULT_TASK_MS: u64 = 2000;

/// Where the key pair's flags come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFlags {
    /// This command defines `--access-key` and `--secret-key` itself (read from
    /// [`ACCESS_KEY_ENV`] and [`SECRET_KEY_ENV`] when absent): `vod-emulator`.
    Own,
    /// A parent command defines global `--access-key` and `--secret-key` with these ids:
    /// `vod emulator`, which shares them with every other `vod` command.
    Inherited,
}

/// Every option of the stand-alone server, for a clap command.
pub fn args(keys: KeyFlags) -> Vec<Arg> {
    let number = |name: &'static str, value: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name(value)
            .value_parser(value_parser!(u64))
            .help(help)
    };
    let mut args = vec![
        Arg::new("listen")
            .long("listen")
            .value_name("ADDR")
            .value_parser(value_parser!(SocketAddr))
            .default_value(DEFAULT_LISTEN)
            .help("Address to listen on; port 0 picks a free port"),
        Arg::new("secret-key-file")
            .long("secret-key-file")
            .value_name("PATH")
            .value_parser(value_parser!(PathBuf))
            .help("Read the secret key from the first line of this file"),
        number("task-ms", "MS", "How long emulated tasks run")
            .default_value(const_str(DEFAULT_TASK_MS)),
        number("body-limit", "BYTES", "Largest API request body")
            .default_value(const_str(DEFAULT_BODY_LIMIT as u64)),
        number("seed", "N", "Seed of generated ids (same seed, same ids)"),
        Arg::new("clock-skew")
            .long("clock-skew")
            .value_name("SECS")
            .allow_negative_numbers(true)
            .value_parser(value_parser!(i64))
            .help("Offset of the emulator's clock, to test timestamp checks"),
        number(
            "idle-timeout-secs",
            "SECS",
            "Close connections silent for this long",
        )
        .default_value(const_str(crate::DEFAULT_IDLE_TIMEOUT.as_secs())),
        number(
            "busy-every",
            "N",
            "Answer every Nth call with \"service busy\"",
        ),
        number("http-error-every", "N", "Answer every Nth call with HTTP 503"),
        number("reset-every", "N", "Drop the connection of every Nth call"),
        number("latency-ms", "MS", "Delay every answer"),
        number(
            "fail-tasks",
            "N",
            "The next N tasks (transcode, clip, concat, ...) fail, to try failure handling",
        ),
        Arg::new("examples-only")
            .long("examples-only")
            .action(clap::ArgAction::SetTrue)
            .help("Answer every operation with the spec's example once its checks pass (no state, no business rules)"),
        Arg::new("throttle")
            .long("throttle")
            .value_name("LIMIT/WINDOW_MS")
            .value_parser(parse_throttle)
            .help("Allow at most LIMIT calls per window, then HTTP 429"),
        Arg::new("callback-url")
            .long("callback-url")
            .value_name("URL")
            .help("POST the upload callbacks (video, audio, material) to URL, like the console setting"),
    ];
    if keys == KeyFlags::Own {
        args.push(
            Arg::new("access-key")
                .long("access-key")
                .value_name("AK")
                .env(ACCESS_KEY_ENV)
                .help("Accept this access key (default: the demo key pair)"),
        );
        args.push(
            Arg::new("secret-key")
                .long("secret-key")
                .value_name("SK")
                .env(SECRET_KEY_ENV)
                .hide_env_values(true)
                .help("Its secret key; prefer --secret-key-file or the environment, which stay out of `ps`"),
        );
    }
    args
}

/// Text of a number known when compiling, for `default_value` (which takes `&'static str`).
fn const_str(n: u64) -> clap::builder::OsStr {
    clap::builder::OsStr::from(n.to_string())
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

/// The emulator the parsed options describe. Fails with a message for the user when the key
/// options do not fit together or the secret key file cannot be read.
pub fn builder(matches: &ArgMatches) -> Result<EmulatorBuilder, String> {
    let number = |id: &str| matches.get_one::<u64>(id).copied();
    let mut builder = Emulator::builder();
    if let Some(listen) = matches.get_one::<SocketAddr>("listen") {
        builder = builder.listen(*listen);
    }
    match (matches.get_one::<String>("access-key"), secret_key(matches)?) {
        (Some(ak), Some(sk)) => builder = builder.credentials(ak, &sk),
        (None, None) => {}
        (Some(_), None) => {
            return Err(
                "an access key needs its secret key: --secret-key-file, the environment or --secret-key"
                    .into(),
            )
        }
        (None, Some(_)) => return Err("a secret key needs its access key: --access-key".into()),
    }
    if let Some(ms) = number("task-ms") {
        builder = builder.task_duration(Duration::from_millis(ms));
    }
    if let Some(bytes) = number("body-limit") {
        let bytes =
            usize::try_from(bytes).map_err(|_| "--body-limit: too large for this machine")?;
        builder = builder.body_limit(bytes);
    }
    if let Some(seed) = number("seed") {
        builder = builder.seed(seed);
    }
    if let Some(skew) = matches.get_one::<i64>("clock-skew") {
        builder = builder.clock_skew(*skew);
    }
    if let Some(secs) = number("idle-timeout-secs") {
        builder = builder.idle_timeout(Duration::from_secs(secs));
    }
    let every = [
        ("busy-every", FaultAction::ServiceBusy),
        ("http-error-every", FaultAction::HttpStatus(503)),
        ("reset-every", FaultAction::ResetConnection),
    ];
    for (id, action) in every {
        if let Some(n) = number(id) {
            builder = builder.fault(FaultRule::new(action).every_nth(n));
        }
    }
    if let Some(ms) = number("latency-ms") {
        builder = builder.fault(FaultRule::new(FaultAction::Latency(Duration::from_millis(
            ms,
        ))));
    }
    if let Some(n) = number("fail-tasks") {
        let n = u32::try_from(n).map_err(|_| "--fail-tasks: too large")?;
        builder = builder.fail_tasks(n);
    }
    if matches.get_flag("examples-only") {
        builder = builder.examples_only(true);
    }
    if let Some((limit, window)) = matches.get_one::<(u64, Duration)>("throttle") {
        builder = builder.throttle(*limit, *window);
    }
    if let Some(url) = matches.get_one::<String>("callback-url") {
        builder = builder.callback_url(url.clone());
    }
    Ok(builder)
}

/// The secret key: from `--secret-key-file`, else `--secret-key` (or its environment
/// variable). A file and a `--secret-key` typed on the command line conflict; a file wins
/// over the environment.
fn secret_key(matches: &ArgMatches) -> Result<Option<String>, String> {
    let flag = matches.get_one::<String>("secret-key").cloned();
    let Some(path) = matches.get_one::<PathBuf>("secret-key-file") else {
        return Ok(flag.filter(|s| !s.is_empty()));
    };
    if flag.is_some() && matches.value_source("secret-key") == Some(ValueSource::CommandLine) {
        return Err("give --secret-key or --secret-key-file, not both".into());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--secret-key-file: cannot read {}: {e}", path.display()))?;
    let secret = text.lines().next().unwrap_or_default().trim().to_string();
    if secret.is_empty() {
        return Err(format!(
            "--secret-key-file: {} holds no key",
            path.display()
        ));
    }
    Ok(Some(secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Command;

    fn own(args: &[&str]) -> Result<EmulatorBuilder, String> {
        let matches = Command::new("vod-emulator")
            .args(super::args(KeyFlags::Own))
            .try_get_matches_from(std::iter::once("vod-emulator").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        builder(&matches)
    }

    fn inherited(args: &[&str]) -> Result<EmulatorBuilder, String> {
        let matches = Command::new("vod")
            .arg(Arg::new("access-key").long("access-key").global(true))
            .arg(Arg::new("secret-key").long("secret-key").global(true))
            .subcommand(Command::new("emulator").args(super::args(KeyFlags::Inherited)))
            .try_get_matches_from(std::iter::once("vod").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        let (_, sub) = matches.subcommand().ok_or("no subcommand")?;
        builder(sub)
    }

    #[test]
    fn flags_fill_the_builder_with_the_stand_alone_defaults() {
        let plain = format!("{:?}", own(&[]).unwrap());
        assert!(plain.contains("listen: 127.0.0.1:8787"), "{plain}");
        assert!(plain.contains("task_duration: 2s"), "{plain}");
        let set = format!(
            "{:?}",
            own(&[
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
                "--idle-timeout-secs",
                "3",
                "--fail-tasks",
                "2",
            ])
            .unwrap()
        );
        for expected in [
            "listen: 127.0.0.1:0",
            "task_duration: 50ms",
            "seed: Some(7)",
            "clock_skew: -30",
            "idle_timeout: 3s",
            "throttle: Some((10, 1s))",
            "trigger: EveryNth(3), action: ServiceBusy",
            "fail_tasks: 2",
        ] {
            assert!(set.contains(expected), "{expected} in {set}");
        }
        assert!(own(&["--throttle", "10"]).is_err());
    }

    #[test]
    fn both_front_ends_read_the_same_options() {
        let a = format!(
            "{:?}",
            own(&["--task-ms", "5", "--access-key", "AK", "--secret-key", "SK"]).unwrap()
        );
        let b = format!(
            "{:?}",
            inherited(&[
                "--access-key",
                "AK",
                "--secret-key",
                "SK",
                "emulator",
                "--task-ms",
                "5"
            ])
            .unwrap()
        );
        assert_eq!(a, b);
        assert!(!a.contains("SK\""), "the secret key is never printed: {a}");
    }

    #[test]
    fn secret_key_file_and_key_pairs() {
        let path = std::env::temp_dir().join(format!("vod-emulator-sk-{}", std::process::id()));
        std::fs::write(&path, "file-secret\n").unwrap();
        let file = path.to_string_lossy().to_string();
        let from_file = own(&["--access-key", "AK", "--secret-key-file", &file]).unwrap();
        let shown = format!("{from_file:?}");
        assert!(
            shown.contains("AK") && !shown.contains("file-secret"),
            "{shown}"
        );
        let both = own(&[
            "--access-key",
            "AK",
            "--secret-key",
            "x",
            "--secret-key-file",
            &file,
        ]);
        assert!(both.unwrap_err().contains("not both"));
        let _ = std::fs::remove_file(&path);
        assert!(
            own(&["--access-key", "AK", "--secret-key-file", "/nonexistent/sk"])
                .unwrap_err()
                .contains("cannot read")
        );
        assert!(own(&["--access-key", "AK"])
            .unwrap_err()
            .contains("needs its secret key"));
        assert!(own(&["--secret-key", "S"])
            .unwrap_err()
            .contains("needs its access key"));
    }
}
