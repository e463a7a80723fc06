//! In-process entry for the fuzz targets (`vod-client/fuzz/`): the emulator's whole router,
//! to be called without a socket. Not a stable API.

/// The router of a started emulator (same state, same checks, same answers as its socket).
pub fn router(emulator: &crate::Emulator) -> axum::Router {
    crate::server::router(emulator.state.shared.clone())
}
