//! The `vod` binary and its library: commands, configuration, signing diagnostics, operations, uploads and resumed uploads.
//!
//! One test binary (`tests/<name>/main.rs`) for the whole suite: one link instead of one per
//! file, and shared helpers in `support`.

mod config;
mod daily;
mod debug_sign;
mod operations;
mod support;
mod upload;
mod upload_resume;
