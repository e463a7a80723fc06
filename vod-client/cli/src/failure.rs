//! How the command line fails: a message for stderr and an exit code scripts can branch on.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the service (or the storage service) refused the request, or answered something unreadable |
//! | 2 | usage: a bad flag or input, a malformed `--input-json`, an unknown profile |
//! | 3 | network: no connection, a timeout, a broken transfer |
//! | 4 | credentials: no access key or secret key in the flags, the environment or the profile |
//!
//! Clap's own usage errors already exit with 2, so every "fix your command" failure shares it.

use std::fmt;

/// The exit codes, as documented in `vod --help`.
pub mod code {
    /// The service refused the request or answered something unreadable.
    pub const SERVICE: u8 = 1;
    /// Bad usage or input.
    pub const USAGE: u8 = 2;
    /// Network failure or timeout.
    pub const NETWORK: u8 = 3;
    /// No credentials anywhere (flags, environment, profile file), or the service refused
    /// the ones given (unknown access key, wrong secret, signature refused).
    pub const CREDENTIALS: u8 = 4;
}

/// The text of `vod --help` describing the exit codes.
pub const EXIT_CODES_HELP: &str = "Exit codes:\n  \
    0  success\n  \
    1  the service refused the request (code, message and request id are printed on stderr)\n  \
    2  usage error: unknown flag or value, malformed --input-json, unknown profile\n  \
    3  network error or timeout\n  \
    4  credentials: none in the flags, VOD_ACCESS_KEY / VOD_SECRET_KEY or the profile file \
    (run `vod configure`), or the service refused them (check the key pair and --profile)";

/// A failed command: what to print and how to exit.
#[derive(Debug)]
pub struct Failure {
    /// Exit code (see [`code`]).
    pub code: u8,
    /// Message for stderr (without the `error: ` prefix).
    pub message: String,
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: code::USAGE,
            message: message.into(),
        }
    }

    /// No credentials anywhere (exit 4).
    pub fn credentials(message: impl Into<String>) -> Failure {
        Failure {
            code: code::CREDENTIALS,
            message: message.into(),
        }
    }

    /// A failure reported by the service, or anything else that is not the user's fault nor
    /// the network's (exit 1).
    pub fn service(message: impl Into<String>) -> Failure {
        Failure {
            code: code::SERVICE,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<vod_client::Error> for Failure {
    fn from(error: vod_client::Error) -> Failure {
        use vod_client::Error;
        match &error {
            Error::Service {
                operation,
                code,
                message,
                request_id,
                ..
            } if error.is_auth() => Failure::credentials(format!(
                "{operation}: the service refused the credentials\n  code: {}\n  message: {message}\n  request id: {}\n  hint: check the access key and secret key (`vod configure`, VOD_ACCESS_KEY / VOD_SECRET_KEY, --profile) and the endpoint (--endpoint, VOD_ENDPOINT)",
                vod_client::model::ErrorCode::from_code(*code),
                request_id.as_deref().unwrap_or("(none)")
            )),
            Error::Service {
                operation,
                code,
                message,
                request_id,
                http_status,
            } => Failure::service(format!(
                "{operation}: the service refused the request\n  code: {}\n  message: {message}\n  request id: {}\n  http status: {http_status}",
                vod_client::model::ErrorCode::from_code(*code),
                request_id.as_deref().unwrap_or("(none)")
            )),
            Error::Http {
                operation,
                status,
                request_id,
                body_excerpt,
            } => Failure::service(format!(
                "{operation}: HTTP {status}\n  request id: {}\n  body: {body_excerpt}",
                request_id.as_deref().unwrap_or("(none)")
            )),
            Error::Transport { .. }
            | Error::Timeout { .. }
            | Error::Ambiguous { .. }
            | Error::WaitTimeout { .. } => Failure {
                code: code::NETWORK,
                message: error_chain(&error),
            },
            Error::InvalidRequest { .. } | Error::Config(_) | Error::LocalFile { .. } => {
                Failure::usage(error.to_string())
            }
            _ => Failure::service(error.to_string()),
        }
    }
}

/// An error and its sources on one line (`a: b: c`), so a transport error shows its cause.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_show_code_message_and_request_id() {
        let failure = Failure::from(vod_client::Error::Service {
            operation: "deleteVideo",
            code: 1502,
            message: "video does not exist".into(),
            request_id: Some("req-7".into()),
            http_status: 200,
        });
        assert_eq!(failure.code, code::SERVICE);
        for part in [
            "deleteVideo",
            "code: 1502",
            "message: video does not exist",
            "request id: req-7",
        ] {
            assert!(failure.message.contains(part), "{}", failure.message);
        }
    }

    #[test]
    fn refused_credentials_exit_with_their_own_code_and_a_hint() {
        let failure = Failure::from(vod_client::Error::Service {
            operation: "getVideoList",
            code: vod_client::model::ErrorCode::AuthSignatureMismatch.code(),
            message: "signature mismatch".into(),
            request_id: None,
            http_status: 403,
        });
        assert_eq!(failure.code, code::CREDENTIALS);
        assert!(
            failure.message.contains("hint: check the access key"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn classes_map_to_exit_codes() {
        let usage = Failure::from(vod_client::Error::Config("no key".into()));
        assert_eq!(usage.code, code::USAGE);
        let timeout = Failure::from(vod_client::Error::Timeout {
            operation: "x",
            after: std::time::Duration::from_secs(1),
        });
        assert_eq!(timeout.code, code::NETWORK);
        let invalid = Failure::from(vod_client::Error::InvalidRequest {
            operation: "x",
            problems: vec![],
        });
        assert_eq!(invalid.code, code::USAGE);
    }
}
