//! What an upload reads from: a file, bytes in memory, or an `AsyncRead` of known length.
//!
//! Files and bytes are read at any offset, so block workers read (and hash) their own chunks
//! in parallel on the blocking pool, one chunk ahead of the one being sent; a restarted block is
//! read again. A reader can only go forward: its blocks are read whole, in block order, into
//! one buffer per worker (so a restarted block is resent from memory).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use md5::{Digest as _, Md5};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::etag::PieceHasher;
use crate::Error;

/// The bytes to upload.
pub struct UploadSource {
    pub(crate) name: String,
    pub(crate) kind: SourceKind,
}

pub(crate) enum SourceKind {
    Path(PathBuf),
    Bytes(Bytes),
    Reader(Box<dyn AsyncRead + Send + Unpin>, u64),
}

impl std::fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            SourceKind::Path(p) => format!("path {}", p.display()),
            SourceKind::Bytes(b) => format!("{} bytes", b.len()),
            SourceKind::Reader(_, len) => format!("reader of {len} bytes"),
        };
        write!(f, "UploadSource({:?}, {kind})", self.name)
    }
}

impl UploadSource {
    /// A file on disk; its name is the path's file name.
    pub fn path(path: impl AsRef<Path>) -> UploadSource {
        UploadSource::path_buf(path.as_ref().to_path_buf())
    }

    /// [`UploadSource::path`] past the generic conversion, compiled once.
    fn path_buf(path: PathBuf) -> UploadSource {
        UploadSource {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            kind: SourceKind::Path(path),
        }
    }

    /// Bytes in memory, recorded under the file name `name` (with an extension).
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Bytes>) -> UploadSource {
        UploadSource {
            name: name.into(),
            kind: SourceKind::Bytes(bytes.into()),
        }
    }

    /// `len` bytes from a reader (a socket, a pipe, a decompressor...), recorded under the file
    /// name `name`. Blocks are buffered whole (block size × parallel blocks of memory), and a
    /// reader upload cannot be resumed by a later process.
    pub fn reader(
        name: impl Into<String>,
        reader: impl AsyncRead + Send + Unpin + 'static,
        len: u64,
    ) -> UploadSource {
        UploadSource {
            name: name.into(),
            kind: SourceKind::Reader(Box::new(reader), len),
        }
    }

    /// The name errors and the service record.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The path, for file sources.
    pub fn file_path(&self) -> Option<&Path> {
        match &self.kind {
            SourceKind::Path(p) => Some(p),
            _ => None,
        }
    }

    /// How the file is named in errors: its path, or its name.
    pub(crate) fn label(&self) -> String {
        match &self.kind {
            SourceKind::Path(p) => p.display().to_string(),
            _ => self.name.clone(),
        }
    }
}

impl From<&Path> for UploadSource {
    fn from(p: &Path) -> Self {
        UploadSource::path(p)
    }
}
impl From<PathBuf> for UploadSource {
    fn from(p: PathBuf) -> Self {
        UploadSource::path(p)
    }
}
impl From<&PathBuf> for UploadSource {
    fn from(p: &PathBuf) -> Self {
        UploadSource::path(p)
    }
}
impl From<&str> for UploadSource {
    fn from(p: &str) -> Self {
        UploadSource::path(p)
    }
}
impl From<String> for UploadSource {
    fn from(p: String) -> Self {
        UploadSource::path(p)
    }
}

/// What identifies a file's content between runs (a changed file is not resumed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Identity {
    pub(crate) size: u64,
    /// Modification time in nanoseconds since the epoch (files only), as text.
    pub(crate) mtime: Option<String>,
    /// SHA-1 (hex) of the first block.
    pub(crate) head: String,
}

/// The checksums a chunk answer must repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sums {
    pub(crate) crc32: u32,
    /// `None` when MD5 checks are off.
    pub(crate) md5: Option<String>,
}

/// A chunk being sent: its bytes, and its checksums (and the block's etag hasher), computed on
/// the blocking pool while the bytes are on the wire.
pub(crate) struct Chunk {
    pub(crate) bytes: Bytes,
    task: Option<tokio::task::JoinHandle<(Sums, PieceHasher)>>,
    sums: Option<Sums>,
    hasher: Option<PieceHasher>,
}

impl Chunk {
    /// Starts checksumming `bytes` (MD5 too when `md5`), continuing the block's `hasher`.
    pub(crate) fn start(bytes: Bytes, mut hasher: PieceHasher, md5: bool) -> Chunk {
        let shared = bytes.clone();
        let task = tokio::task::spawn_blocking(move || {
            hasher.update(&shared);
            let sums = Sums {
                crc32: crc32fast::hash(&shared),
                md5: md5.then(|| hex::encode(Md5::digest(&shared))),
            };
            (sums, hasher)
        });
        Chunk {
            bytes,
            task: Some(task),
            sums: None,
            hasher: None,
        }
    }

    async fn settle(&mut self) -> std::io::Result<()> {
        if let Some(task) = self.task.take() {
            let (sums, hasher) = task.await.map_err(std::io::Error::other)?;
            self.sums = Some(sums);
            self.hasher = Some(hasher);
        }
        Ok(())
    }

    /// The chunk's checksums (waits for them).
    pub(crate) async fn sums(&mut self) -> std::io::Result<Sums> {
        self.settle().await?;
        self.sums
            .clone()
            .ok_or_else(|| std::io::Error::other("chunk checksums missing"))
    }

    /// The block's etag hasher after this chunk.
    pub(crate) async fn into_hasher(mut self) -> std::io::Result<PieceHasher> {
        self.settle().await?;
        self.hasher
            .take()
            .ok_or_else(|| std::io::Error::other("chunk hasher missing"))
    }
}

/// Chunk buffers, reused so that a large upload does not map and fault in fresh memory for
/// every chunk (and the allocator's arenas do not grow with the number of reader threads).
#[derive(Debug, Default)]
pub(crate) struct BufPool {
    free: std::sync::Mutex<Vec<Vec<u8>>>,
}

/// Most buffers a pool keeps (more are freed): two per parallel block is what an upload uses.
const POOL_KEEP: usize = 32;

struct Pooled {
    buf: Vec<u8>,
    pool: Arc<BufPool>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        if let Ok(mut free) = self.pool.free.lock() {
            if free.len() < POOL_KEEP {
                free.push(buf);
            }
        }
    }
}

impl BufPool {
    fn take(&self, len: usize) -> Vec<u8> {
        let reused = self.free.lock().ok().and_then(|mut f| {
            let at = f.iter().position(|b| b.capacity() >= len)?;
            Some(f.swap_remove(at))
        });
        let mut buf = reused.unwrap_or_default();
        // Same length as last time (the usual case): no zeroing.
        buf.resize(len, 0);
        buf
    }
}

/// A checked source, ready to be read.
pub(crate) enum Opened {
    File(Arc<std::fs::File>, Arc<BufPool>),
    Bytes(Bytes),
    Reader(tokio::sync::Mutex<ReaderState>),
}

pub(crate) struct ReaderState {
    reader: Box<dyn AsyncRead + Send + Unpin>,
    pos: u64,
}

fn local(path: &str, message: impl std::fmt::Display) -> Error {
    Error::LocalFile {
        path: PathBuf::from(path),
        message: message.to_string(),
    }
}

/// Opens a source and returns its size (files: checked to be regular files).
pub(crate) fn open(kind: SourceKind, label: &str) -> Result<(Opened, u64, Option<String>), Error> {
    match kind {
        SourceKind::Path(path) => {
            let meta = std::fs::metadata(&path).map_err(|e| local(label, e))?;
            if !meta.is_file() {
                return Err(local(label, "not a regular file"));
            }
            let file = std::fs::File::open(&path).map_err(|e| local(label, e))?;
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos().to_string());
            let pool = Arc::new(BufPool::default());
            Ok((Opened::File(Arc::new(file), pool), meta.len(), mtime))
        }
        SourceKind::Bytes(b) => {
            let len = b.len() as u64;
            Ok((Opened::Bytes(b), len, None))
        }
        SourceKind::Reader(reader, len) => Ok((
            Opened::Reader(tokio::sync::Mutex::new(ReaderState { reader, pos: 0 })),
            len,
            None,
        )),
    }
}

impl Opened {
    /// Whether chunks can be read at any offset (and so a later process can resume).
    pub(crate) fn seekable(&self) -> bool {
        !matches!(self, Opened::Reader(_))
    }

    /// `len` bytes at `offset` (files and bytes only).
    pub(crate) async fn read_at(&self, offset: u64, len: usize) -> std::io::Result<Bytes> {
        match self {
            Opened::Bytes(b) => {
                let start = usize::try_from(offset).map_err(std::io::Error::other)?;
                b.get(start..start + len)
                    .map(|_| b.slice(start..start + len))
                    .ok_or_else(|| std::io::Error::other("read past the end of the bytes"))
            }
            Opened::File(file, pool) => {
                let (file, pool) = (file.clone(), pool.clone());
                tokio::task::spawn_blocking(move || {
                    let mut buf = pool.take(len);
                    read_exact_at(&file, &mut buf, offset)?;
                    Ok(Bytes::from_owner(Pooled { buf, pool }))
                })
                .await
                .map_err(std::io::Error::other)?
            }
            Opened::Reader(_) => Err(std::io::Error::other("a reader cannot seek")),
        }
    }

    /// The next `len` bytes of a reader at `offset` (skipping what lies before; blocks are asked
    /// for in file order).
    pub(crate) async fn read_forward(&self, offset: u64, len: usize) -> std::io::Result<Bytes> {
        let Opened::Reader(state) = self else {
            return self.read_at(offset, len).await;
        };
        let mut state = state.lock().await;
        if state.pos > offset {
            return Err(std::io::Error::other(
                "a reader cannot go back (a block was asked for twice)",
            ));
        }
        let skip = offset - state.pos;
        let copied =
            tokio::io::copy(&mut (&mut state.reader).take(skip), &mut tokio::io::sink()).await?;
        if copied != skip {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let mut buf = vec![0u8; len];
        state.reader.read_exact(&mut buf).await?;
        state.pos = offset + len as u64;
        Ok(Bytes::from(buf))
    }

    /// The file's identity: size, mtime and the SHA-1 of its first block.
    pub(crate) async fn identity(
        &self,
        size: u64,
        mtime: Option<String>,
        block: u64,
    ) -> std::io::Result<Identity> {
        let len = usize::try_from(size.min(block)).map_err(std::io::Error::other)?;
        let head = self.read_at(0, len).await?;
        let digest = tokio::task::spawn_blocking(move || hex::encode(sha1::Sha1::digest(&head)))
            .await
            .map_err(std::io::Error::other)?;
        Ok(Identity {
            size,
            mtime,
            head: digest,
        })
    }
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file.try_clone()?;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}
