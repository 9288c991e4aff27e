//! The byte-level building blocks of PROTOCOL.md §2 and §4: big-endian integers and
//! `str` (u16 byte length, then UTF-8 bytes). Shared by the message encoding and the
//! checkpoint and attester-set digests so that every length prefix is checked once.

use sha2::{Digest, Sha256};

use crate::error::CodecError;

/// A 32-byte SHA-256 output: message ids, tree nodes, roots and digests.
pub type Hash = [u8; 32];

pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// The u16 big-endian length prefix of `str`, or an error naming the field that is too long.
fn str_len(field: &'static str, value: &str) -> Result<[u8; 2], CodecError> {
    u16::try_from(value.len())
        .map(u16::to_be_bytes)
        .map_err(|_| CodecError::TooLong {
            field,
            len: value.len(),
            max: u16::MAX as usize,
        })
}

/// Appends `str`: a u16 big-endian byte length, then the bytes.
pub(crate) fn put_str(
    out: &mut Vec<u8>,
    field: &'static str,
    value: &str,
) -> Result<(), CodecError> {
    out.extend_from_slice(&str_len(field, value)?);
    out.extend_from_slice(value.as_bytes());
    Ok(())
}

/// Feeds `str` into a running hash without building the whole preimage first.
pub(crate) fn hash_str(
    hasher: &mut Sha256,
    field: &'static str,
    value: &str,
) -> Result<(), CodecError> {
    hasher.update(str_len(field, value)?);
    hasher.update(value.as_bytes());
    Ok(())
}

/// A strict reader over an encoding: every read names the field it is for, so a short
/// input says which field ran out, and nothing here can panic on any input.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, offset: 0 }
    }

    pub fn take(&mut self, field: &'static str, len: usize) -> Result<&'a [u8], CodecError> {
        let remaining = self.bytes.len().saturating_sub(self.offset);
        if len > remaining {
            return Err(CodecError::UnexpectedEnd {
                field,
                needed: len,
                remaining,
            });
        }
        let end = self.offset + len;
        let slice = self
            .bytes
            .get(self.offset..end)
            .ok_or(CodecError::UnexpectedEnd {
                field,
                needed: len,
                remaining,
            })?;
        self.offset = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], CodecError> {
        let slice = self.take(field, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    pub fn u8(&mut self, field: &'static str) -> Result<u8, CodecError> {
        Ok(u8::from_be_bytes(self.array(field)?))
    }

    pub fn u16(&mut self, field: &'static str) -> Result<u16, CodecError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    pub fn u32(&mut self, field: &'static str) -> Result<u32, CodecError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    pub fn u64(&mut self, field: &'static str) -> Result<u64, CodecError> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }

    pub fn str(&mut self, field: &'static str) -> Result<String, CodecError> {
        let len = self.u16(field)? as usize;
        let bytes = self.take(field, len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::InvalidUtf8 { field })
    }

    /// Rejects trailing bytes: two different byte strings must never decode to the same
    /// message, or one message could be given two ids.
    pub fn finish(self) -> Result<(), CodecError> {
        let trailing = self.bytes.len().saturating_sub(self.offset);
        if trailing != 0 {
            return Err(CodecError::TrailingBytes { count: trailing });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_is_length_prefixed_big_endian() {
        let mut out = Vec::new();
        put_str(&mut out, "f", "ab").unwrap();
        assert_eq!(out, vec![0, 2, b'a', b'b']);
    }

    #[test]
    fn str_longer_than_u16_is_rejected() {
        let long = "x".repeat(65_536);
        let err = put_str(&mut Vec::new(), "sender", &long).unwrap_err();
        assert_eq!(
            err,
            CodecError::TooLong {
                field: "sender",
                len: 65_536,
                max: 65_535
            }
        );
        let mut out = Vec::new();
        put_str(&mut out, "sender", &long[..65_535]).unwrap();
        assert_eq!(out.len(), 65_537);
    }

    #[test]
    fn reader_reports_the_field_that_ran_out() {
        let mut reader = Reader::new(&[0, 5, b'a']);
        assert_eq!(
            reader.str("recipient").unwrap_err(),
            CodecError::UnexpectedEnd {
                field: "recipient",
                needed: 5,
                remaining: 1
            }
        );
    }

    #[test]
    fn reader_rejects_trailing_bytes() {
        let mut reader = Reader::new(&[1, 2, 3]);
        assert_eq!(reader.u8("version").unwrap(), 1);
        assert_eq!(
            reader.finish().unwrap_err(),
            CodecError::TrailingBytes { count: 2 }
        );
    }
}
