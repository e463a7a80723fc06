//! `vod-emulator`: a local Cloud VoD service for development and tests.
//!
//! ```text
//! vod-emulator [--listen 127.0.0.1:8787] [--access-key AK] [--secret-key-file PATH]
//!              [--task-ms 2000] [--body-limit BYTES] [--seed N] [--clock-skew SECS]
//!              [--idle-timeout-secs 30] [--busy-every N] [--http-error-every N]
//!              [--reset-every N] [--latency-ms N] [--throttle LIMIT/WINDOW_MS]
//!              [--callback-url URL]
//! ```
//!
//! Prints `listening on http://<addr>` on stdout once it accepts connections, logs each
//! request to stderr (`RUST_LOG` filters), and stops cleanly on Ctrl-C or SIGTERM. Without
//! keys it accepts the demo pair (`DEMO_ACCESS_KEY` / `DEMO_SECRET_KEY`).
//!
//! The secret key comes from `--secret-key-file PATH` (the file's first line) or the
//! environment variable `VOD_EMULATOR_SECRET_KEY`, so that it does not show in `ps` or shell
//! history; `--secret-key SK` still works for throwaway keys. The access key comes from
//! `--access-key` or `VOD_EMULATOR_ACCESS_KEY`. Arguments are parsed by hand: the emulator
//! feature carries no argument-parsing dependency.

use std::process::ExitCode;
use std::time::Duration;

use vod_client::emulator::{run_server, FaultAction, FaultRule, ServerOptions};

const USAGE: &str = "usage: vod-emulator [--listen ADDR] [--access-key AK] \
[--secret-key-file PATH | --secret-key SK] [--task-ms N] [--body-limit BYTES] [--seed N] \
[--clock-skew SECS] [--idle-timeout-secs N] [--busy-every N] [--http-error-every N] \
[--reset-every N] [--latency-ms N] [--throttle LIMIT/WINDOW_MS] \
[--callback-url URL]
environment: VOD_EMULATOR_ACCESS_KEY, VOD_EMULATOR_SECRET_KEY (when no key flag is given)";

/// Environment variable of the access key.
const ACCESS_KEY_ENV: &str = "VOD_EMULATOR_ACCESS_KEY";
/// Environment variable of the secret key.
const SECRET_KEY_ENV: &str = "VOD_EMULATOR_SECRET_KEY";

fn parse_num<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: expected a number, got {value:?}"))
}

/// The first line of a secret key file, without its line ending.
fn read_secret_file(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--secret-key-file: cannot read {path}: {e}"))?;
    let secret = text.lines().next().unwrap_or_default().trim().to_string();
    if secret.is_empty() {
        return Err(format!("--secret-key-file: {path} holds no key"));
    }
    Ok(secret)
}

fn parse_args(
    mut args: impl Iterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<ServerOptions>, String> {
    let mut options = ServerOptions::default();
    let (mut ak, mut sk, mut sk_file) = (None, None, None);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let rule = |action| FaultRule::new(action);
        match flag.as_str() {
            "--listen" => {
                options.listen = value
                    .parse()
                    .map_err(|_| format!("--listen: expected host:port, got {value:?}"))?;
            }
            "--access-key" => ak = Some(value),
            "--secret-key" => sk = Some(value),
            "--secret-key-file" => sk_file = Some(value),
            "--idle-timeout-secs" => {
                options.idle_timeout = Duration::from_secs(parse_num(&flag, &value)?);
            }
            "--task-ms" => options.task_duration = Duration::from_millis(parse_num(&flag, &value)?),
            "--body-limit" => options.body_limit = parse_num(&flag, &value)?,
            "--seed" => options.seed = Some(parse_num(&flag, &value)?),
            "--callback-url" => options.callback_url = Some(value),
            "--clock-skew" => options.clock_skew = parse_num(&flag, &value)?,
            "--busy-every" => options
                .faults
                .rules
                .push(rule(FaultAction::ServiceBusy).every_nth(parse_num(&flag, &value)?)),
            "--http-error-every" => options
                .faults
                .rules
                .push(rule(FaultAction::HttpStatus(503)).every_nth(parse_num(&flag, &value)?)),
            "--reset-every" => options
                .faults
                .rules
                .push(rule(FaultAction::ResetConnection).every_nth(parse_num(&flag, &value)?)),
            "--latency-ms" => {
                options
                    .faults
                    .rules
                    .push(rule(FaultAction::Latency(Duration::from_millis(
                        parse_num(&flag, &value)?,
                    ))))
            }
            "--throttle" => {
                let (limit, window) = value.split_once('/').ok_or_else(|| {
                    format!("--throttle: expected LIMIT/WINDOW_MS, got {value:?}")
                })?;
                options.faults.throttle = Some((
                    parse_num(&flag, limit)?,
                    Duration::from_millis(parse_num(&flag, window)?),
                ));
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    let sk = match (sk, sk_file) {
        (Some(_), Some(_)) => {
            return Err("give --secret-key or --secret-key-file, not both".to_string())
        }
        (Some(sk), None) => Some(sk),
        (None, Some(path)) => Some(read_secret_file(&path)?),
        (None, None) => env(SECRET_KEY_ENV).filter(|s| !s.is_empty()),
    };
    let ak = ak.or_else(|| env(ACCESS_KEY_ENV).filter(|s| !s.is_empty()));
    match (ak, sk) {
        (Some(ak), Some(sk)) => {
            options.access_key = ak;
            options.secret_key = sk;
        }
        (None, None) => {}
        (Some(_), None) => {
            return Err(format!(
            "--access-key needs a secret key: --secret-key-file, {SECRET_KEY_ENV} or --secret-key"
        ))
        }
        (None, Some(_)) => {
            return Err(format!(
                "a secret key needs an access key: --access-key or {ACCESS_KEY_ENV}"
            ))
        }
    }
    Ok(Some(options))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("vod-emulator: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    vod_client::emulator::init_logging();
    match run_server(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vod-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Option<ServerOptions>, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_args(args.iter().map(|a| a.to_string()), move |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn secret_from_environment_or_file() {
        let from_env = parse(&["--access-key", "AK"], &[(SECRET_KEY_ENV, "S1")]);
        assert_eq!(
            from_env.ok().flatten().map(|o| o.secret_key),
            Some("S1".into())
        );
        let both_env = parse(&[], &[(ACCESS_KEY_ENV, "AK"), (SECRET_KEY_ENV, "S2")]);
        assert_eq!(
            both_env.ok().flatten().map(|o| o.access_key),
            Some("AK".into())
        );

        let path = std::env::temp_dir().join(format!("vod-emulator-sk-{}", std::process::id()));
        assert!(std::fs::write(&path, "S3\n").is_ok());
        let file = path.to_string_lossy().to_string();
        let from_file = parse(
            &["--access-key", "AK", "--secret-key-file", &file],
            &[(SECRET_KEY_ENV, "ignored")],
        );
        assert_eq!(
            from_file.ok().flatten().map(|o| o.secret_key),
            Some("S3".into())
        );
        assert!(parse(
            &[
                "--access-key",
                "AK",
                "--secret-key",
                "x",
                "--secret-key-file",
                &file
            ],
            &[]
        )
        .is_err());
        let _ = std::fs::remove_file(&path);

        assert!(parse(
            &["--access-key", "AK", "--secret-key-file", "/nonexistent/sk"],
            &[]
        )
        .is_err());
        assert!(parse(&["--access-key", "AK"], &[]).is_err());
        assert!(parse(&[], &[(SECRET_KEY_ENV, "S")]).is_err());
        let demo = parse(&["--idle-timeout-secs", "5"], &[]).ok().flatten();
        assert_eq!(demo.map(|o| o.idle_timeout), Some(Duration::from_secs(5)));
    }
}
