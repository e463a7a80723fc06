//! Runtime tests of the SDK against small HTTP servers on 127.0.0.1 that record what they receive (no emulator): sending, paging, retries and failures, form bodies.
//!
//! One test binary (`tests/<name>/main.rs`) for the whole suite: one link instead of one per
//! file, and shared helpers in `support`.

mod form_bodies;
mod lenient;
mod paging;
mod resilience;
mod send;
mod support;
