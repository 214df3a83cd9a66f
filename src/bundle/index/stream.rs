//! Reads an index file one section at a time, from any reader, so that a
//! pass over a large index holds one section in memory, never the file.

use super::codec::{DecodeError, Decoder};
use super::{END_TAG, INDEX_VERSION, MAGIC, SECTION_TAG};
use std::io::{self, Read};

/// Why a streamed index could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The bytes are not an index of this layout and version.
    #[error("{0}")]
    Decode(#[from] DecodeError),
}

/// Yields an index's sections in order, checking the header first and,
/// after the last section, that nothing follows the inputs digest.
pub struct SectionStream<R: Read> {
    input: R,
    /// Bytes read so far, for error offsets.
    offset: usize,
    /// The inputs digest, once the end entry was read.
    digest: Option<[u8; 32]>,
}

impl<R: Read> SectionStream<R> {
    /// Reads and checks the header: magic, this layout version, this
    /// taskscope version.
    pub fn new(input: R) -> Result<SectionStream<R>, StreamError> {
        let mut stream = SectionStream {
            input,
            offset: 0,
            digest: None,
        };
        if stream.bytes(MAGIC.len())? != MAGIC {
            return Err(stream.error("not a taskscope index"));
        }
        let version = u32::from_le_bytes(
            stream
                .bytes(4)?
                .try_into()
                .map_err(|_| stream.error("truncated version"))?,
        );
        if version != INDEX_VERSION {
            return Err(stream.error(format!("index version {version}")));
        }
        let length = stream.varint()?;
        let tool = stream.bytes(length)?;
        if tool != env!("CARGO_PKG_VERSION").as_bytes() {
            return Err(stream.error("written by another taskscope version"));
        }
        Ok(stream)
    }

    /// The next section: the artifact's position and the section's bytes,
    /// or `None` after the last one.
    pub fn next_section(&mut self) -> Result<Option<(usize, Vec<u8>)>, StreamError> {
        if self.digest.is_some() {
            return Ok(None);
        }
        match self.bytes(1)?[0] {
            SECTION_TAG => {
                let artifact = self.varint()?;
                let length = self.varint()?;
                Ok(Some((artifact, self.bytes(length)?)))
            }
            END_TAG => {
                let digest = self
                    .bytes(32)?
                    .try_into()
                    .map_err(|_| self.error("truncated digest"))?;
                let mut rest = [0u8; 1];
                if self.input.read(&mut rest)? != 0 {
                    return Err(self.error("bytes after the end of the index"));
                }
                self.digest = Some(digest);
                Ok(None)
            }
            other => Err(self.error(format!("unknown entry tag {other}"))),
        }
    }

    /// The inputs digest, once every section was read.
    pub fn digest(&self) -> Option<[u8; 32]> {
        self.digest
    }

    /// Exactly `count` bytes; a truncated file is an error, and nothing is
    /// allocated beyond what the file holds.
    fn bytes(&mut self, count: usize) -> Result<Vec<u8>, StreamError> {
        let mut bytes = Vec::new();
        (&mut self.input)
            .take(count as u64)
            .read_to_end(&mut bytes)?;
        if bytes.len() != count {
            return Err(self.error("truncated"));
        }
        self.offset += count;
        Ok(bytes)
    }

    /// A LEB128 integer, as the codec writes it.
    fn varint(&mut self) -> Result<usize, StreamError> {
        let mut encoded = Vec::with_capacity(10);
        loop {
            let byte = self.bytes(1)?[0];
            encoded.push(byte);
            if byte & 0x80 == 0 || encoded.len() == 10 {
                break;
            }
        }
        let value = Decoder::new(&encoded).varint()?;
        usize::try_from(value).map_err(|_| self.error("integer out of range"))
    }

    fn error(&self, message: impl Into<String>) -> StreamError {
        StreamError::Decode(DecodeError {
            offset: self.offset,
            message: message.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{section, IndexWriter};
    use super::*;

    #[test]
    fn sections_stream_in_order_and_every_truncation_fails() {
        let mut writer = IndexWriter::new(Vec::new()).expect("memory");
        let empty = section::encode(&[], &[]);
        writer.section(3, &empty).expect("memory");
        writer.section(700, &empty).expect("memory");
        let bytes = writer.finish(&[9; 32]).expect("memory");
        let mut stream = SectionStream::new(&bytes[..]).expect("header");
        assert_eq!(stream.next_section().unwrap(), Some((3, empty.clone())));
        assert_eq!(stream.next_section().unwrap(), Some((700, empty.clone())));
        assert_eq!(stream.next_section().unwrap(), None);
        assert_eq!(stream.digest(), Some([9; 32]));
        for end in 0..bytes.len() {
            let read_all = || -> Result<(), StreamError> {
                let mut stream = SectionStream::new(&bytes[..end])?;
                while stream.next_section()?.is_some() {}
                Ok(())
            };
            assert!(read_all().is_err(), "cut at {end}");
        }
    }
}
