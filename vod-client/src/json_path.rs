//! The field path of a decode error, found from where in the body the error happened.
//!
//! A decode error names the member that broke (`data.videoListInfo[2].videoId`). Tracking
//! that path while decoding (`serde_path_to_error`) wraps every visitor, map and seed of
//! every generated type in a second set of generic code, which roughly doubled the
//! monomorphised decoding code of the crate. `serde_json` already reports the byte position
//! of every error, so the path is instead recovered afterwards by one non-generic scan of the
//! JSON text up to that position: the keys and list indices of the values open there.
//!
//! The result matches `serde_path_to_error`'s rendering (keys joined by `.`, indices as
//! `[i]`, `.` for the root): a key counts once its `:` is read, an index once the list is
//! open or its `,` is read, and a value that was completely read before the error (the
//! object whose `}` revealed a missing field) leaves its key in the path.

/// The path of the value `error` happened in, when `error` came from decoding `body` with a
/// `serde_json` slice deserializer.
pub(crate) fn error_path(body: &[u8], error: &serde_json::Error) -> String {
    let mut offset = error_offset(body, error.line(), error.column());
    // A visitor that refuses a list or an object outright (a lenient scalar given `["x"]`)
    // fails just after its opening bracket: that container is the value, not a parent.
    if error.is_data() && offset > 0 {
        let message = error.to_string();
        let refused = [
            ("invalid type: sequence", b'['),
            ("invalid type: map", b'{'),
        ];
        if refused.iter().any(|(start, open)| {
            message.starts_with(start)
                && body[offset - 1] == *open
                && body.get(offset) != Some(open)
        }) {
            offset -= 1;
        }
    }
    path_at(body, offset)
}

/// The path of the value that ends at serde_json's (1-based line, byte column) position:
/// where a refused scalar left the parser (see [`crate::lenient`]).
pub(crate) fn path_at_position(body: &[u8], line: usize, column: usize) -> String {
    path_at(body, error_offset(body, line, column))
}

/// The byte offset of `serde_json`'s (1-based line, 0-based byte column) position.
fn error_offset(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        body.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(body.len(), |(i, _)| i + 1)
    };
    (line_start + column).min(body.len())
}

/// An open container, outermost first.
enum Frame {
    /// An object; `key` is the member whose `:` was read, `pending` a key read before it.
    Object {
        key: Option<String>,
        pending: Option<String>,
    },
    /// A list and the index of the element being read.
    List(usize),
}

/// The path of the value open at byte `offset` of `json` (tokens starting before `offset`
/// count as read).
fn path_at(json: &[u8], offset: usize) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < offset.min(json.len()) {
        match json[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                pending: None,
            }),
            b'[' => stack.push(Frame::List(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, pending }) => {
                    *key = None;
                    *pending = None;
                }
                Some(Frame::List(index)) => *index += 1,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { key, pending }) = stack.last_mut() {
                    *key = pending.take();
                }
            }
            b'"' => {
                let end = string_end(json, i);
                if let Some(Frame::Object { key: None, pending }) = stack.last_mut() {
                    *pending = Some(key_text(&json[i..end]));
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    render(&stack)
}

/// The index just past the string starting with the quote at `start` (or the end of input).
fn string_end(json: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < json.len() {
        match json[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    json.len()
}

/// A key's text with escapes resolved, as the decoder saw it.
fn key_text(quoted: &[u8]) -> String {
    serde_json::from_slice::<String>(quoted).unwrap_or_else(|_| {
        let inner = quoted
            .get(1..quoted.len().saturating_sub(1))
            .unwrap_or_default();
        String::from_utf8_lossy(inner).into_owned()
    })
}

fn render(stack: &[Frame]) -> String {
    let mut out = String::new();
    for frame in stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            // An object between members: the error is about the object itself.
            Frame::Object { key: None, .. } => break,
            Frame::List(index) => out.push_str(&format!("[{index}]")),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

#[cfg(test)]
#[path = "json_path_tests.rs"]
mod tests;
