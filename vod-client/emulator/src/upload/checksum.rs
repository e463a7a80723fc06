//! MD5 and CRC-32 of chunk bodies, computed while the bytes stream past.
//!
//! `mkblk`/`bput` answers carry `checksum` (lowercase hex MD5 of the chunk) and `crc32`
//! (IEEE CRC-32 of the chunk) so clients can verify each chunk. Both come from well-kept crates
//! (`crc32fast` uses the CPU's carry-less multiply, `md-5` the RustCrypto implementation); the
//! unit tests pin them to the standard vectors.

use md5::Digest as _;

/// Streaming IEEE CRC-32 (zlib, Java `CRC32`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Crc32(crc32fast::Hasher);

impl Crc32 {
    pub(crate) fn new() -> Self {
        Crc32(crc32fast::Hasher::new())
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub(crate) fn finish(&self) -> u32 {
        self.0.clone().finalize()
    }
}

/// Streaming MD5 (RFC 1321).
#[derive(Debug, Clone, Default)]
pub(crate) struct Md5(md5::Md5);

impl Md5 {
    pub(crate) fn new() -> Self {
        Md5(md5::Md5::new())
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub(crate) fn finish_hex(self) -> String {
        hex::encode(self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md5(data: &[u8]) -> String {
        let mut m = Md5::new();
        m.update(data);
        m.finish_hex()
    }

    #[test]
    fn md5_vectors() {
        assert_eq!(md5(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5(b"hello world"), "5eb63bbbe01eeed093cb22bb8f5acdc3");
        assert_eq!(
            md5(b"The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6"
        );
        let long = vec![b'a'; 1000];
        let mut split = Md5::new();
        split.update(&long[..3]);
        split.update(&long[3..70]);
        split.update(&long[70..]);
        assert_eq!(split.finish_hex(), md5(&long));
        assert_eq!(md5(&long), "cabe45dcc9ae5b66ba86600cca6b8ba8");
    }

    #[test]
    fn crc_vectors() {
        let mut c = Crc32::new();
        c.update(b"hello world");
        assert_eq!(c.finish(), 222_957_957);
        let mut c = Crc32::new();
        c.update(b"123456789");
        assert_eq!(c.finish(), 0xCBF4_3926);
    }
}
