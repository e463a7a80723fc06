//! The storage service's file hash ("etag"), computed while the bytes go out, plus the CRC-32
//! the chunk answers carry.
//!
//! The storage service answers a finished upload with the etag of what it stored. Computing
//! the same value on the client and comparing the two is the only end-to-end check the
//! protocol offers, so [`Etag`] is fed the exact bytes as they are sent, in file order.
//!
//! The algorithm (identical in every official SDK): cut the file into 4 MiB pieces; with at most
//! one piece, `0x16 || SHA1(file)`; otherwise `0x96 || SHA1(SHA1(piece0) || SHA1(piece1) || ...)`;
//! the result in URL-safe base64 (28 characters).

use base64::Engine as _;
use sha1::{Digest, Sha1};

/// Size of the pieces the etag is computed on (and the unit of block sizes).
pub const PIECE: u64 = 4 * 1024 * 1024;

/// An etag being computed, fed in file order.
#[derive(Clone, Default)]
pub struct Etag {
    /// Hash of the current (unfinished) piece.
    piece: Sha1,
    /// Bytes of the current piece so far.
    piece_len: u64,
    /// Digests of the finished pieces.
    digests: Vec<[u8; 20]>,
}

impl Etag {
    /// An empty computation.
    pub fn new() -> Etag {
        Etag::default()
    }

    /// Feeds the next bytes of the file.
    pub fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = usize::try_from(PIECE - self.piece_len).unwrap_or(usize::MAX);
            let take = room.min(bytes.len());
            self.piece.update(&bytes[..take]);
            self.piece_len += take as u64;
            bytes = &bytes[take..];
            if self.piece_len == PIECE {
                let digest = std::mem::take(&mut self.piece).finalize();
                self.digests.push(digest.into());
                self.piece_len = 0;
            }
        }
    }

    /// The etag of everything fed.
    pub fn finish(mut self) -> String {
        if self.piece_len > 0 || self.digests.is_empty() {
            let digest = std::mem::take(&mut self.piece).finalize();
            self.digests.push(digest.into());
        }
        let mut raw = Vec::with_capacity(21);
        if self.digests.len() == 1 {
            raw.push(0x16);
            raw.extend_from_slice(&self.digests[0]);
        } else {
            raw.push(0x96);
            let mut outer = Sha1::new();
            for d in &self.digests {
                outer.update(d);
            }
            raw.extend_from_slice(&outer.finalize());
        }
        base64::engine::general_purpose::URL_SAFE.encode(raw)
    }
}

/// IEEE CRC-32 (as zlib and Java's `CRC32`), to check a chunk answer's `crc32`.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// SHA-1 digests of the 4 MiB pieces of one block, fed in order. Blocks start on piece
/// boundaries (their sizes are multiples of 4 MiB), so each block hashes on its own, in
/// parallel with the others, and the file's etag is the blocks' digests in block order.
#[derive(Debug, Clone, Default)]
pub struct PieceHasher {
    current: Sha1,
    current_len: u64,
    pieces: Vec<[u8; 20]>,
}

impl PieceHasher {
    /// Feeds the next bytes of the block.
    pub fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = usize::try_from(PIECE - self.current_len).unwrap_or(usize::MAX);
            let take = room.min(bytes.len());
            self.current.update(&bytes[..take]);
            self.current_len += take as u64;
            bytes = &bytes[take..];
            if self.current_len == PIECE {
                let digest = std::mem::take(&mut self.current).finalize();
                self.pieces.push(digest.into());
                self.current_len = 0;
            }
        }
    }

    /// The digests of every piece fed, a short last one included.
    pub fn finish(mut self) -> Vec<[u8; 20]> {
        if self.current_len > 0 {
            self.pieces.push(self.current.finalize().into());
        }
        self.pieces
    }
}

/// The etag of a file from its piece digests (none for an empty file).
pub fn etag_from_pieces(pieces: &[[u8; 20]]) -> String {
    let mut raw = Vec::with_capacity(21);
    match pieces {
        [] => {
            raw.push(0x16);
            raw.extend_from_slice(&Sha1::digest(b""));
        }
        [only] => {
            raw.push(0x16);
            raw.extend_from_slice(only);
        }
        many => {
            let mut outer = Sha1::new();
            for piece in many {
                outer.update(piece);
            }
            raw.push(0x96);
            raw.extend_from_slice(&outer.finalize());
        }
    }
    base64::engine::general_purpose::URL_SAFE.encode(raw)
}

/// A fresh `UploadBatch` id: 32 hex characters, unique per upload (not secret), derived from
/// the clock, the process id, a counter and the file key.
pub fn batch_id(file_key: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut h = Sha1::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    h.update(file_key.as_bytes());
    let mut id = hex::encode(h.finalize());
    id.truncate(32);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn etag_of(bytes: &[u8]) -> String {
        let mut e = Etag::new();
        e.update(bytes);
        e.finish()
    }

    /// Vectors from the upload fact sheet (the first two are the Go SDK's unit tests).
    #[test]
    fn fact_sheet_vectors() {
        assert_eq!(etag_of(b"UMUTech@qq.com"), "FpAEzHGOWdh-QAYhattxl1vqHLMw");
        assert_eq!(etag_of(b""), "Fto5o-5ea0sNMlW_75VgGJCv2AcJ");
        assert_eq!(etag_of(b"hello world"), "FiqubDXJT8-0FdvpX0CLnOke6Ebt");
        assert_eq!(etag_of(&vec![0u8; 4 << 20]), "FivMvS848VwT631aif2dhfWV4jvD");
        let mut big = vec![0x55u8; 2 << 20];
        big.extend(vec![0x4Du8; 2 << 20]);
        big.push(b'0');
        assert_eq!(etag_of(&big), "ljQoZqmvLKtOnK_5OHnMRw1djggC");
    }

    #[test]
    fn feeding_in_odd_pieces_gives_the_same_etag() {
        // 9 MiB + 5 zero bytes; expected value computed with Python's hashlib.
        let data = vec![0u8; (9 << 20) + 5];
        let mut e = Etag::new();
        for chunk in data.chunks(1_000_003) {
            e.update(chunk);
        }
        assert_eq!(e.finish(), "lsGIf5Zuc426zIDeuEkVwARe8yoW");
        assert_eq!(etag_of(&data), "lsGIf5Zuc426zIDeuEkVwARe8yoW");
    }

    #[test]
    fn block_pieces_give_the_file_etag() {
        let data: Vec<u8> = (0..(9 << 20) + 5).map(|i| (i % 253) as u8).collect();
        let mut pieces = Vec::new();
        for block in data.chunks(8 << 20) {
            let mut h = PieceHasher::default();
            for chunk in block.chunks(1 << 20) {
                h.update(chunk);
            }
            pieces.extend(h.finish());
        }
        assert_eq!(etag_from_pieces(&pieces), etag_of(&data));
        assert_eq!(etag_from_pieces(&[]), etag_of(b""));
    }

    #[test]
    fn crc32_and_batch_ids() {
        assert_eq!(crc32(b"hello world"), 222_957_957);
        assert_eq!(crc32(b""), 0);
        let (a, b) = (batch_id("k"), batch_id("k"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
