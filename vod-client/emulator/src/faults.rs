//! Fault injection: make the emulator misbehave the way a real service sometimes does.
//!
//! Everything is off by default. Faults are decided per call, before the operation runs
//! (after authentication, so a rejected signature never consumes a fault). Every trigger is
//! deterministic — every n-th call, the first n calls, or a seeded pseudo-random rate — so a
//! test that enables a fault sees the same sequence on every run.
//!
//! | action | what the client sees |
//! |---|---|
//! | [`FaultAction::ServiceBusy`] | HTTP 200, `{"code":2101,"message":"service busy, please retry later"}` (the spec's `serviceBusy`, flagged `retryable`) |
//! | [`FaultAction::ServiceCode`] | HTTP 200, `{"code":<code>,"message":"injected fault: ..."}` |
//! | [`FaultAction::HttpStatus`] | that HTTP status with `{"code":<status>,...}` (e.g. 503) |
//! | [`FaultAction::ResetConnection`] | the answer's headers and half its body, then the connection drops |
//! | [`FaultAction::Latency`] | the normal answer, that much later |
//! | throttle ([`Faults::set_throttle`]) | past `limit` calls per window: HTTP 429, code 2102, `Retry-After` |
//!
//! Clock skew is set with [`StateHandle::set_clock_skew`](super::StateHandle::set_clock_skew).

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use super::errors::ApiError;
use vod_client::model::ErrorCode;

/// The code of the busy fault: the spec's documented, retryable "busy" code, so that a
/// client's default retry policy treats the fault as the real service's busy answer.
const BUSY: ErrorCode = ErrorCode::ServiceBusy;

/// When a rule fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// On every matching call.
    Always,
    /// On the n-th, 2n-th, ... matching call.
    EveryNth(u64),
    /// On the first n matching calls, then never.
    FirstN(u64),
    /// With this probability (0.0..=1.0), drawn from a generator seeded with `seed`.
    Rate {
        /// Probability per call.
        probability: f64,
        /// Seed of the pseudo-random sequence.
        seed: u64,
    },
}

/// What a rule does when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// A business error: HTTP 200 with the spec's retryable `serviceBusy` code (2101).
    ServiceBusy,
    /// A business error with any code: HTTP 200, `{"code": <code>, "message": "injected ..."}`
    /// (e.g. a documented code, or one a client's retry policy treats as busy).
    ServiceCode(i64),
    /// An HTTP error status with an envelope whose code is the status.
    HttpStatus(u16),
    /// Send the headers and part of the body, then drop the connection.
    ResetConnection,
    /// Answer normally after this delay.
    Latency(Duration),
}

/// The storage upload protocol's calls, which faults can name beside the API's operations.
pub const UPLOAD_STEPS: [&str; 4] = ["formUpload", "mkblk", "bput", "mkfile"];

/// One fault rule: which operation, when, and what.
///
/// A rule that names an operation neither the spec nor the upload protocol has, or that is
/// given two triggers, is refused where it is added ([`Faults::add`], [`EmulatorBuilder::start`
/// ](crate::EmulatorBuilder::start)): a test whose fault never fires would pass without testing
/// anything.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// Operation name (`getVideoList`, or one of [`UPLOAD_STEPS`] for the upload calls);
    /// `None` matches every call.
    pub operation: Option<String>,
    /// When it fires.
    pub trigger: Trigger,
    /// What it does.
    pub action: FaultAction,
    /// What is wrong with the rule as built, if anything.
    problem: Option<String>,
}

/// Why a fault rule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fault rule refused: {0}")]
pub struct FaultRuleError(pub String);

impl FaultRule {
    /// A rule that fires on every call of every operation.
    pub fn new(action: FaultAction) -> Self {
        FaultRule {
            operation: None,
            trigger: Trigger::Always,
            action,
            problem: None,
        }
    }

    /// Limits the rule to one operation: a wire name of the spec (`getVideoList`) or one of
    /// [`UPLOAD_STEPS`]. Any other name makes the rule refused when it is added.
    pub fn on(mut self, operation: &str) -> Self {
        if !is_known_operation(operation) {
            self.note(unknown_operation(operation));
        }
        self.operation = Some(operation.to_string());
        self
    }

    /// Fires on every n-th matching call.
    pub fn every_nth(self, n: u64) -> Self {
        self.with_trigger(Trigger::EveryNth(n.max(1)))
    }

    /// Fires on the first n matching calls only.
    pub fn first(self, n: u64) -> Self {
        self.with_trigger(Trigger::FirstN(n))
    }

    /// Fires with a seeded probability.
    pub fn rate(self, probability: f64, seed: u64) -> Self {
        self.with_trigger(Trigger::Rate { probability, seed })
    }

    /// Whether the rule can be added: `Err` names what is wrong with it.
    pub fn check(&self) -> Result<(), FaultRuleError> {
        match &self.problem {
            None => Ok(()),
            Some(problem) => Err(FaultRuleError(problem.clone())),
        }
    }

    /// A rule has one trigger: a second one would silently replace the first.
    fn with_trigger(mut self, trigger: Trigger) -> Self {
        if self.trigger != Trigger::Always {
            let message = format!(
                "two triggers on one rule ({:?}, then {trigger:?}); use one rule per trigger",
                self.trigger
            );
            self.note(message);
        }
        self.trigger = trigger;
        self
    }

    fn note(&mut self, problem: String) {
        self.problem.get_or_insert(problem);
    }
}

fn is_known_operation(name: &str) -> bool {
    UPLOAD_STEPS.contains(&name)
        || vod_client::model::OPERATIONS
            .iter()
            .any(|op| op.name == name)
}

/// `unknown operation `getVideoLists`; did you mean `getVideoList`?`
fn unknown_operation(name: &str) -> String {
    let known = vod_client::model::OPERATIONS
        .iter()
        .map(|op| op.name)
        .chain(UPLOAD_STEPS);
    let lower = name.to_ascii_lowercase();
    let near = known.clone().find(|k| {
        let k = k.to_ascii_lowercase();
        k.starts_with(&lower) || lower.starts_with(&k)
    });
    match near {
        Some(near) => format!("unknown operation `{name}`; did you mean `{near}`?"),
        None => format!(
            "unknown operation `{name}`; the spec's operations are `vod_client::model::OPERATIONS`, the upload calls {}",
            UPLOAD_STEPS.join(", ")
        ),
    }
}

/// A set of rules and an optional throttle, as given to the builder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    /// The rules, checked in order.
    pub rules: Vec<FaultRule>,
    /// `(limit, window)`: at most `limit` calls per `window`.
    pub throttle: Option<(u64, Duration)>,
}

#[derive(Debug)]
struct RuleState {
    rule: FaultRule,
    calls: u64,
    rng: u64,
}

#[derive(Debug)]
struct ThrottleState {
    limit: u64,
    window: Duration,
    started: Instant,
    count: u64,
}

/// What fault injection decided for one call.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub(crate) latency: Duration,
    pub(crate) outcome: Option<Injected>,
    /// The faults applied, for the call journal.
    pub(crate) applied: Vec<String>,
}

/// A fault that replaces the normal answer.
#[derive(Debug)]
pub(crate) enum Injected {
    Error(ApiError),
    Reset,
}

/// The live fault switches of one emulator.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<RuleState>>,
    throttle: Mutex<Option<ThrottleState>>,
}

impl Faults {
    pub(crate) fn from_plan(plan: &FaultPlan) -> Self {
        let faults = Faults::default();
        for rule in &plan.rules {
            faults.push(rule.clone());
        }
        if let Some((limit, window)) = plan.throttle {
            faults.set_throttle(limit, window);
        }
        faults
    }

    /// Adds a rule (checked after the ones already there), or refuses it when it names an
    /// operation that does not exist or has two triggers ([`FaultRule::check`]).
    pub fn add(&self, rule: FaultRule) -> Result<(), FaultRuleError> {
        rule.check()?;
        self.push(rule);
        Ok(())
    }

    fn push(&self, rule: FaultRule) {
        let rng = match rule.trigger {
            Trigger::Rate { seed, .. } => seed,
            _ => 0,
        };
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(RuleState {
                rule,
                calls: 0,
                rng,
            });
    }

    /// Removes every rule and the throttle.
    pub fn clear(&self) {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        *self.throttle.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Allows at most `limit` calls per `window` (all operations together); the window
    /// starts now.
    pub fn set_throttle(&self, limit: u64, window: Duration) {
        *self.throttle.lock().unwrap_or_else(PoisonError::into_inner) = Some(ThrottleState {
            limit,
            window,
            started: Instant::now(),
            count: 0,
        });
    }

    /// Decides the faults of one call of `operation`: what happens, and which action (for the
    /// call journal).
    pub(crate) fn decide(&self, operation: &str) -> Decision {
        let mut decision = Decision::default();
        if let Some(error) = self.throttled() {
            decision.outcome = Some(Injected::Error(error));
            decision.applied.push("Throttled".into());
            return decision;
        }
        let mut rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        for state in rules.iter_mut() {
            if state
                .rule
                .operation
                .as_deref()
                .is_some_and(|op| op != operation)
            {
                continue;
            }
            if !state.fires() {
                continue;
            }
            let replaces_answer = !matches!(state.rule.action, FaultAction::Latency(_));
            if !replaces_answer || decision.outcome.is_none() {
                decision.applied.push(format!("{:?}", state.rule.action));
            }
            match &state.rule.action {
                FaultAction::Latency(d) => {
                    decision.latency = decision.latency.saturating_add(*d);
                }
                FaultAction::ServiceBusy if decision.outcome.is_none() => {
                    decision.outcome = Some(Injected::Error(ApiError::business(
                        BUSY.code(),
                        "service busy, please retry later",
                    )));
                }
                FaultAction::ServiceCode(code) if decision.outcome.is_none() => {
                    decision.outcome = Some(Injected::Error(ApiError::business(
                        *code,
                        format!("injected fault: service code {code}"),
                    )));
                }
                FaultAction::HttpStatus(status) if decision.outcome.is_none() => {
                    let code =
                        StatusCode::from_u16(*status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                    decision.outcome = Some(Injected::Error(ApiError::new(
                        code,
                        i64::from(code.as_u16()),
                        format!("injected fault: HTTP {}", code.as_u16()),
                    )));
                }
                FaultAction::ResetConnection if decision.outcome.is_none() => {
                    decision.outcome = Some(Injected::Reset);
                }
                _ => {}
            }
        }
        decision
    }

    fn throttled(&self) -> Option<ApiError> {
        let mut guard = self.throttle.lock().unwrap_or_else(PoisonError::into_inner);
        let state = guard.as_mut()?;
        let now = Instant::now();
        if now.saturating_duration_since(state.started) >= state.window {
            state.started = now;
            state.count = 0;
        }
        state.count = state.count.saturating_add(1);
        if state.count <= state.limit {
            return None;
        }
        let remaining = state
            .window
            .saturating_sub(now.saturating_duration_since(state.started));
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Throttled.code(),
            format!(
                "request rate limit exceeded: at most {} calls per {} ms",
                state.limit,
                state.window.as_millis()
            ),
        );
        // Whole seconds, rounded up, so a client that honours it lands in the next window.
        error.retry_after = Some(remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0));
        Some(error)
    }
}

impl RuleState {
    fn fires(&mut self) -> bool {
        self.calls = self.calls.saturating_add(1);
        match self.rule.trigger {
            Trigger::Always => true,
            Trigger::EveryNth(n) => self.calls.is_multiple_of(n.max(1)),
            Trigger::FirstN(n) => self.calls <= n,
            Trigger::Rate { probability, .. } => {
                let draw = splitmix64(&mut self.rng);
                // Top 53 bits as a fraction in [0, 1).
                let fraction = (draw >> 11) as f64 / (1u64 << 53) as f64;
                fraction < probability
            }
        }
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A response whose body stops halfway with an error, so the server aborts the connection
/// (no terminating chunk): the client sees a truncated answer.
pub(crate) fn reset_response(status: StatusCode, body: Vec<u8>) -> axum::response::Response {
    use futures_util::stream;
    let half = body.len() / 2;
    let first = bytes::Bytes::copy_from_slice(body.get(..half).unwrap_or_default());
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = vec![
        Ok(first),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        )),
    ];
    let body = axum::body::Body::from_stream(stream::iter(chunks));
    let mut response = axum::response::Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_and_first() {
        let faults = Faults::default();
        faults
            .add(
                FaultRule::new(FaultAction::ServiceBusy)
                    .on("getVideoList")
                    .every_nth(3),
            )
            .expect("a valid fault rule");
        let hits: Vec<bool> = (0..6)
            .map(|_| faults.decide("getVideoList").outcome.is_some())
            .collect();
        assert_eq!(hits, [false, false, true, false, false, true]);
        assert!(faults.decide("videoEdit").outcome.is_none());
        faults.clear();
        faults
            .add(FaultRule::new(FaultAction::ResetConnection).first(1))
            .expect("a valid fault rule");
        assert!(faults.decide("b").outcome.is_some());
        assert!(faults.decide("b").outcome.is_none());
    }

    #[test]
    fn rules_naming_no_operation_or_two_triggers_are_refused() {
        let faults = Faults::default();
        let typo = FaultRule::new(FaultAction::ServiceBusy).on("getVideoLists");
        let err = faults.add(typo).unwrap_err().to_string();
        assert!(err.contains("unknown operation `getVideoLists`"), "{err}");
        assert!(err.contains("did you mean `getVideoList`?"), "{err}");
        let both = FaultRule::new(FaultAction::ServiceBusy)
            .every_nth(2)
            .first(1);
        let err = faults.add(both).unwrap_err().to_string();
        assert!(err.contains("two triggers"), "{err}");
        assert!(
            faults.decide("getVideoList").outcome.is_none(),
            "nothing was added"
        );
        for step in UPLOAD_STEPS {
            assert!(faults
                .add(FaultRule::new(FaultAction::ServiceBusy).on(step))
                .is_ok());
        }
    }

    #[test]
    fn rate_is_deterministic() {
        let run = || {
            let faults = Faults::default();
            faults
                .add(FaultRule::new(FaultAction::HttpStatus(503)).rate(0.3, 42))
                .expect("a valid fault rule");
            (0..100)
                .map(|_| faults.decide("x").outcome.is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let count = a.iter().filter(|&&hit| hit).count();
        assert!((15..=45).contains(&count), "{count}");
    }

    #[test]
    fn busy_and_throttle_codes_are_the_specs_retryable_ones() {
        assert!(BUSY.is_retryable());
        assert_eq!(BUSY.code(), ErrorCode::ServiceBusy.code());
        assert!(ErrorCode::from_code(ErrorCode::Throttled.code()).is_retryable());
        let faults = Faults::default();
        faults
            .add(FaultRule::new(FaultAction::ServiceBusy))
            .expect("a valid fault rule");
        match faults.decide("x").outcome {
            Some(Injected::Error(e)) => assert_eq!(e.code, BUSY.code()),
            other => panic!("expected the busy error, got {other:?}"),
        }
    }

    #[test]
    fn throttle_window() {
        let faults = Faults::default();
        faults.set_throttle(2, Duration::from_secs(60));
        assert!(faults.decide("x").outcome.is_none());
        assert!(faults.decide("x").outcome.is_none());
        assert!(faults.decide("x").outcome.is_some());
    }
}
