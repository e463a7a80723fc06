//! The SDK end to end against the emulator: owned builders, uploads (protocol, resume), waiters, outcome checks of lost answers, the blocking client.
//!
//! One test binary (`tests/<name>/main.rs`) for the whole suite: one link instead of one per
//! file.

mod blocking;
mod guide;
mod outcome_checks;
mod owned_builders;
mod upload_emulator;
mod upload_protocol;
mod waiters;
