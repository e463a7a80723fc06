//! `vod-emulator`: a local Cloud VoD service for development and tests.
//!
//! ```text
//! vod-emulator [--listen 127.0.0.1:8787] [--access-key AK --secret-key SK]
//!              [--task-ms 2000] [--body-limit BYTES] [--seed N] [--clock-skew SECS]
//!              [--busy-every N] [--http-error-every N] [--reset-every N]
//!              [--latency-ms N] [--throttle LIMIT/WINDOW_MS] [--callback-url URL]
//! ```
//!
//! Prints `listening on http://<addr>` on stdout once it accepts connections, logs each
//! request to stderr (`RUST_LOG` filters), and stops cleanly on Ctrl-C or SIGTERM. Without
//! key flags it accepts the demo pair (`DEMO_ACCESS_KEY` / `DEMO_SECRET_KEY`). Arguments are
//! parsed by hand: the emulator feature carries no argument-parsing dependency.

use std::process::ExitCode;
use std::time::Duration;

use vod_client::emulator::{run_server, FaultAction, FaultRule, ServerOptions};

const USAGE: &str = "usage: vod-emulator [--listen ADDR] [--access-key AK --secret-key SK] \
[--task-ms N] [--body-limit BYTES] [--seed N] [--clock-skew SECS] [--busy-every N] \
[--http-error-every N] [--reset-every N] [--latency-ms N] [--throttle LIMIT/WINDOW_MS] \
[--callback-url URL]";

fn parse_num<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: expected a number, got {value:?}"))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<ServerOptions>, String> {
    let mut options = ServerOptions::default();
    let (mut ak, mut sk) = (None, None);
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
    match (ak, sk) {
        (Some(ak), Some(sk)) => {
            options.access_key = ak;
            options.secret_key = sk;
        }
        (None, None) => {}
        _ => return Err("--access-key and --secret-key go together".to_string()),
    }
    Ok(Some(options))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
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
