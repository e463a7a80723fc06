//! Entry points for the fuzz targets (`vod-client/fuzz/`): the parsers that meet outside bytes
//! but are internal to the runtime, reachable without a network. Not a stable API.

use serde::de::DeserializeOwned;

use crate::operation::OperationSpec;
use crate::response::{interpret_keeping, Keep, RawResponse};
use crate::{Error, Response};

/// Reads an answer of `op` exactly as a call does (classify, then decode the data).
pub fn decode_answer<T: DeserializeOwned>(
    op: &'static OperationSpec,
    status: u16,
    body: &[u8],
) -> Result<Response<T>, Error> {
    let raw = RawResponse {
        status,
        request_id: None,
        body: bytes::Bytes::copy_from_slice(body),
    };
    interpret_keeping(op, raw, Keep::Metadata)
}

/// Reads a saved upload state as a resumed upload does; `Some` with the state written back
/// (what the next save would store) when it is usable.
pub fn resume_state(bytes: &[u8]) -> Option<Vec<u8>> {
    crate::upload::resume_state_round_trip(bytes)
}
