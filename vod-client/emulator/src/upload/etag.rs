//! The WCS etag, the `hash` every upload answer carries.
//!
//! The file is cut into 4 MiB pieces (independently of the upload's block size). A file of at
//! most one piece hashes to `0x16 || SHA1(file)`; a longer one to
//! `0x96 || SHA1(SHA1(piece0) || SHA1(piece1) || ...)`; the 21 bytes are written in URL-safe
//! base64 (28 characters). The hasher keeps only the running SHA-1 of the current piece
//! and the 20-byte digests of the finished ones, so hashing never holds file data; because
//! every block but the last is a multiple of 4 MiB, a block's pieces are the file's pieces and
//! a chunked upload's etag is the concatenation of its blocks' piece digests.

// One implementation serves the client and the emulator; the documented vectors below (from
// the storage service's docs, not from this code) keep it honest for both.
pub(crate) use vod_client::upload::etag::{etag_from_pieces, PieceHasher};

/// Size of one etag piece (and the unit of block sizes): 4 MiB.
pub const PIECE_SIZE: u64 = vod_client::upload::PIECE;

/// The etag of bytes in memory.
pub fn wcs_etag(data: &[u8]) -> String {
    let mut hasher = PieceHasher::default();
    hasher.update(data);
    etag_from_pieces(&hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_vectors() {
        assert_eq!(wcs_etag(b"UMUTech@qq.com"), "FpAEzHGOWdh-QAYhattxl1vqHLMw");
        assert_eq!(wcs_etag(b""), "Fto5o-5ea0sNMlW_75VgGJCv2AcJ");
        assert_eq!(wcs_etag(b"hello world"), "FiqubDXJT8-0FdvpX0CLnOke6Ebt");
        let zeros = vec![0u8; 4 * 1024 * 1024];
        assert_eq!(wcs_etag(&zeros), "FivMvS848VwT631aif2dhfWV4jvD");
        let mut mixed = vec![0x55u8; 2 * 1024 * 1024];
        mixed.extend(std::iter::repeat_n(0x4Du8, 2 * 1024 * 1024));
        mixed.push(b'0');
        assert_eq!(wcs_etag(&mixed), "ljQoZqmvLKtOnK_5OHnMRw1djggC");
    }
}
