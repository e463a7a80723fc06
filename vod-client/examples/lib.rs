//! Nothing to use here: this package exists for its examples (`cargo run -p vod-examples
//! --example quickstart`), which live beside this file. Cargo needs one library or binary
//! target in a package; this is it.
