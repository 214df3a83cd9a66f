//! One block of a capture as a raw record, for the raw view: read from the
//! sealed artifact by its byte offset, decoded as far as this reader
//! decodes it, with the block's own bytes in hexadecimal.

use super::block::{BlockReader, SECTION_HEADER};
use super::event::{is_event_block, RawEvent};
use super::timeline::time_of;
use crate::model::time::format_time;
use serde_json::{json, Value};

/// The block at `offset` of the capture in `bytes` (as received, possibly
/// gzip), streamed up to it. An error names what is wrong.
pub fn block_at(bytes: &[u8], offset: u64) -> Result<Value, String> {
    let mut blocks = BlockReader::open(super::content(bytes)).map_err(|e| e.to_string())?;
    if offset == 0 {
        let (major, minor) = blocks.version();
        return Ok(json!({
            "offset": 0,
            "block_type": hex_type(SECTION_HEADER),
            "section_header": {
                "version": format!("{major}.{minor}"),
                "byte_order": format!("{:?}", blocks.order()).to_lowercase(),
            },
        }));
    }
    loop {
        let order = blocks.order();
        let block = blocks
            .next_block()
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("the capture has no block at byte {offset}"))?;
        if block.offset < offset {
            continue;
        }
        if block.offset > offset {
            return Err(format!("no block starts at byte {offset}"));
        }
        let mut record = json!({
            "offset": offset,
            "block_type": hex_type(block.kind),
            "length": block.body.len() + 12,
            "body_hex": hex(block.body),
        });
        if is_event_block(block.kind) {
            let event = RawEvent::parse(block.body, block.kind, order)?;
            record["event"] = json!({
                "time": time_of(event.time_ns).map(|t| format_time(&t)),
                "time_ns": event.time_ns,
                "tid": event.tid,
                "event_type": event.kind,
                "decoded": event.decode().ok().flatten(),
            });
        }
        return Ok(record);
    }
}

fn hex_type(kind: u32) -> String {
    format!("0x{kind:x}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
