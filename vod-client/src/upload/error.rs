//! The error of an upload: the crate's [`Error`] plus where the upload stopped.
//!
//! A line such as `upload of talk.mp4 failed at bput (block 3, offset 12582912): ...` is enough
//! to tell whether rerunning will help and what a resumed run will send again.

use std::fmt;

use crate::Error;

/// The step of an upload a failure happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// Looking at the local file (or source) before anything is sent.
    Check,
    /// Asking the VoD API for an upload token.
    Token,
    /// Reading the local file.
    Read,
    /// The one-request form upload (`file/upload`).
    Form,
    /// Creating a block with its first chunk (`mkblk`).
    Mkblk,
    /// Appending a chunk to a block (`bput`).
    Bput,
    /// Joining the blocks (`mkfile`).
    Mkfile,
    /// Comparing the stored file's hash with the local one.
    Verify,
    /// Reading or writing the resume state.
    Resume,
}

impl Step {
    /// The protocol name of the step, e.g. `mkblk`.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Check => "check",
            Step::Token => "getUploadToken",
            Step::Read => "read file",
            Step::Form => "file/upload",
            Step::Mkblk => "mkblk",
            Step::Bput => "bput",
            Step::Mkfile => "mkfile",
            Step::Verify => "verify hash",
            Step::Resume => "resume state",
        }
    }

    /// The operation name errors of this step carry, e.g. `upload (mkblk)`.
    pub(crate) fn operation(self) -> &'static str {
        match self {
            Step::Check => "upload (check)",
            Step::Token => "upload (getUploadToken)",
            Step::Read => "upload (read file)",
            Step::Form => "upload (file/upload)",
            Step::Mkblk => "upload (mkblk)",
            Step::Bput => "upload (bput)",
            Step::Mkfile => "upload (mkfile)",
            Step::Verify => "upload (verify hash)",
            Step::Resume => "upload (resume state)",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an upload stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum Cause {
    /// A request failed, the file could not be read, or an answer did not check out.
    Error(Error),
    /// The upload was cancelled (its cancellation token fired). Finished blocks are kept in the
    /// resume store, if any.
    Cancelled,
}

/// A failed upload: which file, which step, which block and byte offset, and why.
#[derive(Debug)]
pub struct UploadError {
    /// The file (its path, or the name given to a byte or reader source).
    pub file: String,
    /// The step that failed.
    pub step: Step,
    /// The block, for `mkblk` / `bput` failures.
    pub block: Option<u32>,
    /// Offset in the file of the chunk (or block) being sent.
    pub offset: Option<u64>,
    /// What went wrong.
    pub cause: Cause,
}

impl UploadError {
    pub(crate) fn new(file: &str, step: Step, error: Error) -> UploadError {
        UploadError {
            file: file.to_string(),
            step,
            block: None,
            offset: None,
            cause: Cause::Error(error),
        }
    }

    pub(crate) fn at(mut self, block: u32, offset: u64) -> UploadError {
        self.block = Some(block);
        self.offset = Some(offset);
        self
    }

    pub(crate) fn cancelled(file: &str) -> UploadError {
        UploadError {
            file: file.to_string(),
            step: Step::Check,
            block: None,
            offset: None,
            cause: Cause::Cancelled,
        }
    }

    /// The underlying error (`None` when cancelled).
    pub fn error(&self) -> Option<&Error> {
        match &self.cause {
            Cause::Error(e) => Some(e),
            Cause::Cancelled => None,
        }
    }

    /// The underlying error, for callers that only deal in [`Error`] (the position is lost;
    /// `None` when cancelled).
    pub fn into_error(self) -> Option<Error> {
        match self.cause {
            Cause::Error(e) => Some(e),
            Cause::Cancelled => None,
        }
    }

    /// Whether the upload was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.cause, Cause::Cancelled)
    }

    /// The HTTP status (= storage error code) the failing answer came with, if any.
    pub fn status(&self) -> Option<u16> {
        self.error().and_then(super::http::status_of)
    }

    /// The request id of the failing answer (`X-Reqid`), if any.
    pub fn request_id(&self) -> Option<&str> {
        self.error().and_then(Error::request_id)
    }
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_cancelled() {
            return write!(f, "upload of {} cancelled", self.file);
        }
        write!(f, "upload of {} failed at {}", self.file, self.step)?;
        match (self.block, self.offset) {
            (Some(b), Some(o)) => write!(f, " (block {b}, offset {o})")?,
            (None, Some(o)) => write!(f, " (offset {o})")?,
            _ => {}
        }
        if let Cause::Error(e) = &self.cause {
            write!(f, ": {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UploadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Cause::Error(e) => Some(e),
            Cause::Cancelled => None,
        }
    }
}
