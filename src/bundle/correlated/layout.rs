//! The frame of the correlated index file: the parts one after the other,
//! then a footer that says where each part is and what its SHA-256 is, so
//! the file is written in one pass and read by mapping it, checking each
//! part when it is first used.
//!
//! ```text
//! MAGIC  part bytes...  footer  footer length (u64 LE)  MAGIC
//! footer: version (u32 LE), taskscope version, inputs digest (32 bytes),
//!         part count, then per part: code, offset (u64 LE), length (u64 LE),
//!         SHA-256 (32 bytes); then the SHA-256 of the footer so far
//! ```

use crate::bundle::index::codec::{DecodeError, Decoder, Encoder};
use sha2::{Digest, Sha256};
use std::ops::Range;

/// The first and last bytes of every correlated index.
pub const MAGIC: &[u8; 8] = b"TSCORRL\n";
/// The layout this build writes and reads; any other is rebuilt.
pub const VERSION: u32 = 2;

/// The parts of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The merged task facts, in the incident's order (an index section).
    Tasks = 1,
    /// Each task's [`crate::model::TaskSummary`].
    Summaries = 2,
    /// Per task, its events in time order (u32 LE event numbers).
    Timelines = 3,
    /// The event records, in time order ([`super::record`]).
    Records = 4,
    /// Where each event's record starts (u64 LE), and where the last ends.
    Offsets = 5,
    /// The SHA-256 of each [`CHUNK`] bytes of the records.
    Chunks = 6,
    /// Each event's time: seconds since the epoch (i64 LE) and nanoseconds
    /// (u32 LE), 12 bytes an event.
    Times = 7,
    /// Each event's source (one byte, the index's source code).
    Sources = 8,
    /// The findings in board order ([`crate::model::Event::finding_rank`]),
    /// as u32 LE event numbers.
    Findings = 9,
}

/// The parts, in the order they sit in the file (the offsets follow the
/// records they point into, so that both are written in one pass).
pub const PARTS: [Part; 9] = [
    Part::Tasks,
    Part::Summaries,
    Part::Timelines,
    Part::Records,
    Part::Offsets,
    Part::Chunks,
    Part::Times,
    Part::Sources,
    Part::Findings,
];

/// Bytes of one event's entry in [`Part::Times`].
pub const TIME_BYTES: usize = 12;

/// Records are checked this many bytes at a time, when first read.
pub const CHUNK: usize = 4096;

/// Where one part sits and what it hashes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartEntry {
    /// Which part.
    pub part: Part,
    /// Its bytes in the file.
    pub range: Range<usize>,
    /// Its SHA-256.
    pub sha256: [u8; 32],
}

/// The footer, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    /// The layout version.
    pub version: u32,
    /// The taskscope version that wrote it.
    pub tool_version: String,
    /// What it was derived from ([`crate::bundle::index::inputs_digest`]).
    pub digest: [u8; 32],
    /// Every part, in [`PARTS`] order.
    pub parts: Vec<PartEntry>,
}

impl Footer {
    /// The entry of `part`.
    pub fn entry(&self, part: Part) -> &PartEntry {
        &self.parts[PARTS.iter().position(|&p| p == part).unwrap_or_default()]
    }
}

/// Writes the footer and the file's last bytes for parts written so far.
pub fn encode_footer(digest: &[u8; 32], parts: &[PartEntry]) -> Vec<u8> {
    let mut footer = Encoder::default();
    footer.bytes(&VERSION.to_le_bytes());
    footer.str(env!("CARGO_PKG_VERSION"));
    footer.bytes(digest);
    footer.length(parts.len());
    for entry in parts {
        footer.u8(entry.part as u8);
        footer.bytes(&(entry.range.start as u64).to_le_bytes());
        footer.bytes(&(entry.range.len() as u64).to_le_bytes());
        footer.bytes(&entry.sha256);
    }
    let mut bytes = footer.into_bytes();
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    bytes.extend_from_slice(&hash);
    let length = bytes.len() as u64;
    bytes.extend_from_slice(&length.to_le_bytes());
    bytes.extend_from_slice(MAGIC);
    bytes
}

/// Reads the footer of `file` and checks the frame: both magics, the
/// footer's own hash, and every part inside the file, in order, without
/// overlap. Parts are not hashed here.
pub fn read_footer(file: &[u8]) -> Result<Footer, DecodeError> {
    let fail = |message: &str| DecodeError {
        offset: file.len(),
        message: message.to_string(),
    };
    let tail = MAGIC.len() + 8;
    if file.len() < MAGIC.len() + tail || !file.starts_with(MAGIC) || !file.ends_with(MAGIC) {
        return Err(fail("not a taskscope correlated index"));
    }
    let length_at = file.len() - tail;
    let length = u64::from_le_bytes(le_bytes(&file[length_at..length_at + 8]));
    let start = usize::try_from(length)
        .ok()
        .and_then(|length| length_at.checked_sub(length))
        .filter(|&start| start >= MAGIC.len())
        .ok_or_else(|| fail("footer length out of range"))?;
    let footer = &file[start..length_at];
    if footer.len() < 32 {
        return Err(fail("footer too short"));
    }
    let (body, hash) = footer.split_at(footer.len() - 32);
    if Sha256::digest(body).as_slice() != hash {
        return Err(fail("the footer does not match its hash"));
    }
    let mut input = Decoder::new(body);
    let version = u32::from_le_bytes(le_bytes(input.take(4)?));
    if version != VERSION {
        return Ok(Footer {
            version,
            tool_version: String::new(),
            digest: [0; 32],
            parts: Vec::new(),
        });
    }
    let tool_version = input.str()?.to_string();
    let digest = le_bytes(input.take(32)?);
    let count = input.count(49)?;
    let mut parts = Vec::with_capacity(count);
    let mut end = MAGIC.len();
    for expected in PARTS {
        if parts.len() == count {
            break;
        }
        let code = input.u8()?;
        if code != expected as u8 {
            return Err(input.error(format!("part {code} where part {} belongs", expected as u8)));
        }
        let offset = u64::from_le_bytes(le_bytes(input.take(8)?));
        let size = u64::from_le_bytes(le_bytes(input.take(8)?));
        let range = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(size).ok())
            .and_then(|(offset, size)| Some(offset..offset.checked_add(size)?))
            .filter(|range| range.start == end && range.end <= start)
            .ok_or_else(|| input.error("part out of place"))?;
        end = range.end;
        parts.push(PartEntry {
            part: expected,
            range,
            sha256: le_bytes(input.take(32)?),
        });
    }
    if parts.len() != PARTS.len() || !input.is_empty() || end != start {
        return Err(input.error("the parts do not fill the file"));
    }
    Ok(Footer {
        version,
        tool_version,
        digest,
        parts,
    })
}

/// A fixed-size array from a slice of that size (the callers take exactly it).
fn le_bytes<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut array = [0; N];
    array.copy_from_slice(&bytes[..N]);
    array
}
