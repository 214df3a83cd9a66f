//! The block framing of a capture, read from a stream one block at a time.
//!
//! A capture is a sequence of pcapng-style blocks: a 32-bit type, a 32-bit
//! total length (header and trailer included), the body, then the total
//! length again. The first block is the section header, whose magic gives
//! the byte order of everything after it. Only one block body is held in
//! memory at a time, in a buffer that is reused.

use super::fields::ByteOrder;
use std::io::{self, Read};

/// Block type of a section header (`\n\r\r\n`, the same in both orders).
pub const SECTION_HEADER: u32 = 0x0A0D_0D0A;
/// The section header magic, as written by a little-endian host.
const MAGIC: u32 = 0x1A2B_3C4D;
/// Header (type, length) and trailer (length) around every block body.
const FRAMING: u32 = 12;
/// Largest block body accepted. Event blocks are at most 64 KiB (large
/// ones a few MiB); a process list of a busy host is tens of MiB.
pub const MAX_BODY_BYTES: u32 = 256 << 20;
/// Bodies up to this size (every event block but the "large" ones) are
/// read into a buffer sized up front.
const SMALL_BODY_BYTES: u32 = 64 << 10;

/// Why a capture could not be read further.
#[derive(Debug, thiserror::Error)]
pub enum ScapError {
    /// The input does not start with a section header.
    #[error("not a syscall capture: {0}")]
    NotCapture(String),
    /// The input ends inside a block.
    #[error(
        "the capture is truncated: it ends inside the block at byte {offset}; \
         everything before that block was read"
    )]
    Truncated {
        /// Offset of the block the input ends in (decompressed bytes).
        offset: u64,
    },
    /// A block's framing makes no sense; nothing after it can be trusted.
    #[error("the block at byte {offset} is damaged ({reason}); reading stopped there")]
    Damaged {
        /// Offset of the damaged block (decompressed bytes).
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The input could not be read (damaged gzip, say).
    #[error("cannot read the capture at byte {offset}: {source}")]
    Read {
        /// Bytes read before the failure (decompressed).
        offset: u64,
        /// The I/O error.
        source: io::Error,
    },
}

/// One block: where it starts, its type and its body.
#[derive(Debug)]
pub struct Block<'a> {
    /// Byte offset of the block in the (decompressed) capture.
    pub offset: u64,
    /// The block type.
    pub kind: u32,
    /// The body, between the header and the trailer.
    pub body: &'a [u8],
}

/// Reads blocks from a stream.
pub struct BlockReader<R> {
    input: R,
    order: ByteOrder,
    /// Offset of the next block.
    offset: u64,
    body: Vec<u8>,
    /// The section header's format version (major, minor).
    version: (u16, u16),
}

impl<R: Read> BlockReader<R> {
    /// Reads the section header and returns a reader positioned after it.
    pub fn open(mut input: R) -> Result<BlockReader<R>, ScapError> {
        let mut head = [0u8; 12];
        let read = read_full(&mut input, &mut head)
            .map_err(|source| ScapError::Read { offset: 0, source })?;
        if read < head.len() || ByteOrder::Little.u32(word(&head[..4])) != SECTION_HEADER {
            return Err(ScapError::NotCapture(
                "it does not start with a section header block".into(),
            ));
        }
        let magic = word(&head[8..12]);
        let order = if ByteOrder::Little.u32(magic) == MAGIC {
            ByteOrder::Little
        } else if ByteOrder::Big.u32(magic) == MAGIC {
            ByteOrder::Big
        } else {
            return Err(ScapError::NotCapture(
                "the section header's byte-order magic is wrong".into(),
            ));
        };
        let mut reader = BlockReader {
            input,
            order,
            offset: 0,
            body: Vec::new(),
            version: (0, 0),
        };
        let total = order.u32(word(&head[4..8]));
        // The magic is the first 4 bytes of the body, already read.
        reader.read_rest(total, &head[8..12])?;
        let body = &reader.body;
        if body.len() < 8 {
            return Err(reader.damaged(0, "the section header is too short"));
        }
        reader.version = (order.u16([body[4], body[5]]), order.u16([body[6], body[7]]));
        reader.offset = u64::from(total);
        Ok(reader)
    }

    /// The capture's byte order.
    pub fn order(&self) -> ByteOrder {
        self.order
    }

    /// The section header's format version (major, minor).
    pub fn version(&self) -> (u16, u16) {
        self.version
    }

    /// The next block, or `None` at the end of the input (between blocks).
    pub fn next_block(&mut self) -> Result<Option<Block<'_>>, ScapError> {
        let offset = self.offset;
        let mut head = [0u8; 8];
        let read = read_full(&mut self.input, &mut head)
            .map_err(|source| ScapError::Read { offset, source })?;
        match read {
            0 => return Ok(None),
            8 => {}
            _ => return Err(ScapError::Truncated { offset }),
        }
        let kind = self.order.u32([head[0], head[1], head[2], head[3]]);
        let total = self.order.u32([head[4], head[5], head[6], head[7]]);
        self.read_rest(total, &[])?;
        if kind == SECTION_HEADER {
            // A second section (captures concatenated): its own byte order.
            if let Some(magic) = self.body.get(..4).map(word) {
                if ByteOrder::Big.u32(magic) == MAGIC {
                    self.order = ByteOrder::Big;
                } else if ByteOrder::Little.u32(magic) == MAGIC {
                    self.order = ByteOrder::Little;
                }
            }
        }
        self.offset = offset + u64::from(total);
        Ok(Some(Block {
            offset,
            kind,
            body: &self.body,
        }))
    }

    /// Reads the body (after `already`, its first bytes read with the
    /// header) and checks the trailer, for a block of `total` bytes.
    fn read_rest(&mut self, total: u32, already: &[u8]) -> Result<(), ScapError> {
        let offset = self.offset;
        if total < FRAMING + already.len() as u32 {
            return Err(self.damaged(offset, &format!("impossible block length {total}")));
        }
        let body_len = total - FRAMING;
        if body_len > MAX_BODY_BYTES {
            return Err(self.damaged(
                offset,
                &format!("block length {total} is over the {MAX_BODY_BYTES}-byte limit"),
            ));
        }
        self.body.clear();
        self.body.extend_from_slice(already);
        let wanted = u64::from(body_len) - already.len() as u64;
        let got = if body_len <= SMALL_BODY_BYTES {
            // Most blocks (every non-large event): read in place.
            let start = self.body.len();
            self.body.resize(body_len as usize, 0);
            read_full(&mut self.input, &mut self.body[start..])
        } else {
            // Grows with the data actually present: a lying length costs nothing.
            (&mut self.input).take(wanted).read_to_end(&mut self.body)
        }
        .map_err(|source| ScapError::Read { offset, source })?;
        if (got as u64) < wanted {
            return Err(ScapError::Truncated { offset });
        }
        let mut trailer = [0u8; 4];
        let read = read_full(&mut self.input, &mut trailer)
            .map_err(|source| ScapError::Read { offset, source })?;
        if read < 4 {
            return Err(ScapError::Truncated { offset });
        }
        let repeated = self.order.u32(trailer);
        if repeated != total {
            return Err(self.damaged(
                offset,
                &format!("its length is {total} at the start but {repeated} at the end"),
            ));
        }
        Ok(())
    }

    fn damaged(&self, offset: u64, reason: &str) -> ScapError {
        ScapError::Damaged {
            offset,
            reason: reason.to_string(),
        }
    }
}

/// Four bytes of a slice known to hold them (zeros otherwise).
fn word(bytes: &[u8]) -> [u8; 4] {
    bytes.try_into().unwrap_or_default()
}

/// Reads until `buffer` is full or the input ends; returns how much was read.
fn read_full(input: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block of `kind` with `body` (padded to 4 bytes), little-endian.
    fn block(kind: u32, body: &[u8]) -> Vec<u8> {
        let padded = body.len().div_ceil(4) * 4;
        let total = (padded + 12) as u32;
        let mut out = Vec::new();
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&total.to_le_bytes());
        out.extend_from_slice(body);
        out.resize(8 + padded, 0);
        out.extend_from_slice(&total.to_le_bytes());
        out
    }

    fn section_header() -> Vec<u8> {
        let mut body = MAGIC.to_le_bytes().to_vec();
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&2u16.to_le_bytes());
        body.extend_from_slice(&u64::MAX.to_le_bytes());
        block(SECTION_HEADER, &body)
    }

    #[test]
    fn blocks_come_back_with_their_offsets_then_none() {
        let mut capture = section_header();
        capture.extend(block(0x201, b"abcd"));
        capture.extend(block(0x999, b"x"));
        let mut reader = BlockReader::open(capture.as_slice()).expect("header");
        assert_eq!(reader.version(), (1, 2));
        let first = reader.next_block().expect("read").expect("block");
        assert_eq!(
            (first.offset, first.kind, first.body),
            (28, 0x201, &b"abcd"[..])
        );
        let second = reader.next_block().expect("read").expect("block");
        assert_eq!((second.offset, second.kind), (44, 0x999));
        assert!(reader.next_block().expect("read").is_none());
    }

    #[test]
    fn big_endian_captures_are_read_in_their_order() {
        let mut capture = Vec::new();
        capture.extend_from_slice(&SECTION_HEADER.to_be_bytes());
        capture.extend_from_slice(&28u32.to_be_bytes());
        capture.extend_from_slice(&MAGIC.to_be_bytes());
        capture.extend_from_slice(&[0, 1, 0, 2]);
        capture.extend_from_slice(&[0xff; 8]);
        capture.extend_from_slice(&28u32.to_be_bytes());
        capture.extend_from_slice(&0x201u32.to_be_bytes());
        capture.extend_from_slice(&16u32.to_be_bytes());
        capture.extend_from_slice(&[1, 2, 3, 4]);
        capture.extend_from_slice(&16u32.to_be_bytes());
        let mut reader = BlockReader::open(capture.as_slice()).expect("header");
        assert_eq!(reader.order(), ByteOrder::Big);
        let block = reader.next_block().expect("read").expect("block");
        assert_eq!((block.kind, block.body), (0x201, &[1u8, 2, 3, 4][..]));
    }

    #[test]
    fn truncation_and_lying_lengths_are_errors_not_panics() {
        let mut capture = section_header();
        capture.extend(block(0x201, b"abcdefgh"));
        let cut = &capture[..capture.len() - 3];
        let mut reader = BlockReader::open(cut).expect("header");
        assert!(matches!(
            reader.next_block(),
            Err(ScapError::Truncated { offset: 28 })
        ));

        let mut huge = section_header();
        huge.extend_from_slice(&0x201u32.to_le_bytes());
        huge.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        let mut reader = BlockReader::open(huge.as_slice()).expect("header");
        assert!(matches!(
            reader.next_block(),
            Err(ScapError::Damaged { .. })
        ));

        let mut short = section_header();
        short.extend_from_slice(&0x201u32.to_le_bytes());
        short.extend_from_slice(&4u32.to_le_bytes());
        let mut reader = BlockReader::open(short.as_slice()).expect("header");
        assert!(matches!(
            reader.next_block(),
            Err(ScapError::Damaged { .. })
        ));

        assert!(matches!(
            BlockReader::open(&b"{\"json\": true}"[..]),
            Err(ScapError::NotCapture(_))
        ));
    }
}
