//! The emulator over HTTP: signatures, assets, tasks, uploads, faults, concurrency, the binary, and the load run.
//!
//! One test binary (`tests/<name>/main.rs`) for the whole suite: one link instead of one per
//! file, and shared helpers in `support`.

mod assets;
mod auth;
mod binary;
mod client;
mod clock_skew;
mod concurrency;
mod faults;
mod form_bodies;
mod new_operation;
mod send;
mod support;
mod tasks;
mod upload;
mod wire_forms;
