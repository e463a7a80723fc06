//! Tests that read `api-spec/` itself and check the command line against it: every operation
//! through the generated client and `invoke`, and one command per operation with exactly its
//! fields. Workspace only (see `exclude` in Cargo.toml): the published package has no spec.

// The SDK runtime tests' recording server.
#[path = "../../../tests/runtime/support.rs"]
mod runtime_support;

mod boundaries;
mod commands;
mod every_operation;
mod wire_forms;
