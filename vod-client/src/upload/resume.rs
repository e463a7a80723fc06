//! Resumable uploads across processes (upload facts §3.8).
//!
//! The storage service keeps finished blocks for about a month but offers no way to list them,
//! so progress lives with the client: after each finished block the upload saves its state —
//! file identity, token, `UploadBatch`, block size, and for every finished block its last ctx
//! and its etag piece digests — to a [`ResumeStore`]. A later run on the same file loads it,
//! checks that the file did not change (size, mtime, SHA-1 of the first block), reuses the token
//! while it is valid (or asks for a new one with the same `fileId`), and sends only the missing
//! blocks. The state is removed once the upload succeeds.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::source::Identity;

/// Where upload states are kept between runs. Keys are short ASCII strings (hex); values are
/// small JSON documents (about 100 bytes per finished block).
pub trait ResumeStore: Send + Sync + 'static {
    /// The state saved under `key`, if any.
    fn load(&self, key: &str) -> io::Result<Option<Vec<u8>>>;
    /// Saves (replaces) the state under `key`. Called after every finished block; a crash during
    /// the call must leave either the old or the new state.
    fn save(&self, key: &str, state: &[u8]) -> io::Result<()>;
    /// Forgets `key` (a missing key is not an error).
    fn remove(&self, key: &str) -> io::Result<()>;
}

/// A [`ResumeStore`] in a directory: one `<key>.json` per unfinished upload, replaced
/// atomically (written to a temporary file, then renamed).
#[derive(Debug, Clone)]
pub struct FsResumeStore {
    dir: PathBuf,
}

impl FsResumeStore {
    /// A store in `dir` (created on the first save).
    pub fn new(dir: impl Into<PathBuf>) -> FsResumeStore {
        FsResumeStore { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, key: &str) -> io::Result<PathBuf> {
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(io::Error::other(format!(
                "resume key {key:?} is not a plain name"
            )));
        }
        Ok(self.dir.join(format!("{key}.json")))
    }
}

impl ResumeStore for FsResumeStore {
    fn load(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.file(key)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn save(&self, key: &str, state: &[u8]) -> io::Result<()> {
        let file = self.file(key)?;
        std::fs::create_dir_all(&self.dir)?;
        let tmp = self.dir.join(format!(".{key}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, state)?;
        std::fs::rename(&tmp, &file)
    }

    fn remove(&self, key: &str) -> io::Result<()> {
        match std::fs::remove_file(self.file(key)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Version of the saved state's format (2: finished blocks are a list, each with its index).
const VERSION: u32 = 2;

/// The saved state of one unfinished upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) version: u32,
    pub(crate) identity: Identity,
    pub(crate) file_id: Option<String>,
    pub(crate) upload_url: String,
    pub(crate) token: String,
    pub(crate) file_key: String,
    pub(crate) asset_id: String,
    pub(crate) url: Option<String>,
    pub(crate) batch: String,
    pub(crate) block_size: u64,
    /// Finished blocks, by index, each index once. A list rather than a map: the state is
    /// only ever appended to and read whole.
    pub(crate) blocks: Vec<DoneBlock>,
}

/// A finished block: its index, last ctx and the hex SHA-1 digests of its 4 MiB pieces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DoneBlock {
    pub(crate) index: u32,
    pub(crate) ctx: String,
    pub(crate) pieces: Vec<String>,
}

impl DoneBlock {
    pub(crate) fn new(index: u32, ctx: String, pieces: &[[u8; 20]]) -> DoneBlock {
        DoneBlock {
            index,
            ctx,
            pieces: pieces.iter().map(hex::encode).collect(),
        }
    }

    pub(crate) fn digests(&self) -> Option<Vec<[u8; 20]>> {
        self.pieces
            .iter()
            .map(|h| hex::decode(h).ok()?.try_into().ok())
            .collect()
    }
}

impl State {
    pub(crate) fn new(identity: Identity, block_size: u64, batch: String) -> State {
        State {
            version: VERSION,
            identity,
            file_id: None,
            upload_url: String::new(),
            token: String::new(),
            file_key: String::new(),
            asset_id: String::new(),
            url: None,
            batch,
            block_size,
            blocks: Vec::new(),
        }
    }

    /// Records a finished block (replacing an earlier record of the same index).
    pub(crate) fn add_block(&mut self, block: DoneBlock) {
        match self.blocks.binary_search_by_key(&block.index, |b| b.index) {
            Ok(at) => self.blocks[at] = block,
            Err(at) => self.blocks.insert(at, block),
        }
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<State> {
        let mut state = serde_json::from_slice::<State>(bytes)
            .ok()
            .filter(|s| s.version == VERSION)?;
        // Saved by this code, the list is in order; a hand-edited one is put back in order.
        state.blocks.sort_by_key(|b| b.index);
        state.blocks.dedup_by_key(|b| b.index);
        Some(state)
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The store key of an upload: a hash of what is uploaded where (kind, absolute path or given
/// key, endpoint of the API), so two uploads of one file to two accounts do not collide.
pub(crate) fn key_for(parts: &[&str]) -> String {
    use sha1::Digest as _;
    let mut h = sha1::Sha1::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fs_store_round_trip() {
        let dir = std::env::temp_dir().join(format!("vod-resume-unit-{}", std::process::id()));
        let store = FsResumeStore::new(&dir);
        assert_eq!(store.load("abc").unwrap(), None);
        store.save("abc", b"{}").unwrap();
        store.save("abc", b"{\"a\":1}").unwrap();
        assert_eq!(
            store.load("abc").unwrap().as_deref(),
            Some(&b"{\"a\":1}"[..])
        );
        store.remove("abc").unwrap();
        store.remove("abc").unwrap();
        assert_eq!(store.load("abc").unwrap(), None);
        assert!(store.save("../x", b"").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn state_round_trip_and_version() {
        let identity = Identity {
            size: 9,
            mtime: Some("1".into()),
            head: "ab".into(),
        };
        let mut state = State::new(identity, 4 << 20, "b".into());
        state.add_block(DoneBlock::new(2, "ctx2".into(), &[[7u8; 20]]));
        state.add_block(DoneBlock::new(0, "ctx0".into(), &[[1u8; 20]]));
        state.add_block(DoneBlock::new(2, "ctx2b".into(), &[[8u8; 20]]));
        let indexes: Vec<u32> = state.blocks.iter().map(|b| b.index).collect();
        assert_eq!(indexes, [0, 2], "in order, each index once");
        let back = State::decode(&state.encode()).unwrap();
        assert_eq!(back, state);
        assert_eq!(back.blocks[1].ctx, "ctx2b");
        assert_eq!(back.blocks[1].digests(), Some(vec![[8u8; 20]]));
        state.version = 99;
        assert_eq!(State::decode(&state.encode()), None);
        assert_eq!(State::decode(b"junk"), None);
    }
}
