//! The index's primitive encoding: LEB128 variable-length integers, zigzag
//! for signed ones, and strings as references into a per-section string
//! table. Decoding reads from a byte slice and never trusts a length: every
//! count and size is checked against the bytes that remain before anything
//! is allocated, so hostile bytes cost at most their own size.

use std::cell::Cell;
use std::collections::HashMap;

/// Why index bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("byte {offset}: {message}")]
pub struct DecodeError {
    /// Offset in the buffer being decoded where the problem was found.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Appends values to a byte buffer.
#[derive(Default)]
pub struct Encoder {
    bytes: Vec<u8>,
}

impl Encoder {
    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Writes raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// Writes one byte.
    pub fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    /// Writes an unsigned integer as LEB128.
    pub fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    /// Writes a signed integer, zigzag-encoded, as LEB128.
    pub fn signed(&mut self, value: i64) {
        self.varint(((value << 1) ^ (value >> 63)) as u64);
    }

    /// Writes a length or count.
    pub fn length(&mut self, value: usize) {
        self.varint(value as u64);
    }

    /// Writes a length-prefixed string.
    pub fn str(&mut self, text: &str) {
        self.length(text.len());
        self.bytes(text.as_bytes());
    }
}

/// Strings a table looks up by comparing them one by one; a larger table
/// hashes them. One event's record has a few dozen strings at most.
const SEARCHED_STRINGS: usize = 32;

/// Gives each distinct string a number, in order of first use.
#[derive(Default)]
pub struct StringTable<'a> {
    /// The numbers by string, once there are more than [`SEARCHED_STRINGS`].
    numbers: HashMap<&'a str, u64>,
    order: Vec<&'a str>,
}

impl<'a> StringTable<'a> {
    /// The number of `text`, assigned now if it is new.
    pub fn number(&mut self, text: &'a str) -> u64 {
        let number = self.order.len() as u64;
        if self.order.len() <= SEARCHED_STRINGS {
            if let Some(known) = self.order.iter().position(|&s| s == text) {
                return known as u64;
            }
            self.order.push(text);
            if self.order.len() > SEARCHED_STRINGS {
                self.numbers = (0..).zip(&self.order).map(|(n, &s)| (s, n)).collect();
            }
            return number;
        }
        if let Some(&number) = self.numbers.get(text) {
            return number;
        }
        self.numbers.insert(text, number);
        self.order.push(text);
        number
    }

    /// Writes the table: the count, then each string length-prefixed.
    pub fn write(&self, out: &mut Encoder) {
        out.length(self.order.len());
        for text in &self.order {
            out.str(text);
        }
    }
}

/// Reads values from a byte slice, failing (never panicking) on truncated
/// or malformed input.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Decoder<'a> {
    /// Starts reading at the beginning of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { bytes, position: 0 }
    }

    /// A decode error at the current position.
    pub fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.position,
            message: message.into(),
        }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The next `count` bytes.
    pub fn take(&mut self, count: usize) -> Result<&'a [u8], DecodeError> {
        if count > self.remaining() {
            return Err(self.error(format!(
                "truncated: {count} bytes needed, {} left",
                self.remaining()
            )));
        }
        let slice = &self.bytes[self.position..self.position + count];
        self.position += count;
        Ok(slice)
    }

    /// The next byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    /// A LEB128 unsigned integer of at most 64 bits.
    pub fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(self.error("integer overflows 64 bits"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.error("integer overflows 64 bits"))
    }

    /// A zigzag-encoded signed integer.
    pub fn signed(&mut self) -> Result<i64, DecodeError> {
        let raw = self.varint()?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    /// A count of items that each take at least `min_item_bytes` bytes: it
    /// cannot exceed what remains, which bounds any allocation made for it.
    pub fn count(&mut self, min_item_bytes: usize) -> Result<usize, DecodeError> {
        let count = self.varint()?;
        let most = self.remaining() / min_item_bytes.max(1);
        match usize::try_from(count) {
            Ok(count) if count <= most => Ok(count),
            _ => Err(self.error(format!(
                "count {count} exceeds what the remaining bytes can hold"
            ))),
        }
    }

    /// A length-prefixed UTF-8 string, borrowed from the buffer.
    pub fn str(&mut self) -> Result<&'a str, DecodeError> {
        let length = self.count(1)?;
        let start = self.position;
        let bytes = self.take(length)?;
        std::str::from_utf8(bytes).map_err(|e| DecodeError {
            offset: start,
            message: format!("invalid UTF-8: {e}"),
        })
    }

    /// A string table as written by [`StringTable::write`].
    pub fn string_table(&mut self) -> Result<Vec<&'a str>, DecodeError> {
        let count = self.count(1)?;
        (0..count).map(|_| self.str()).collect()
    }
}

/// Looks up strings by number in a decoded table, and hands out owned
/// copies within a byte budget.
pub struct Strings<'t, 'a> {
    table: &'t [&'a str],
    budget: Cell<usize>,
}

impl<'t, 'a> Strings<'t, 'a> {
    /// Wraps a decoded table; at most `budget` bytes of owned copies in all.
    pub fn new(table: &'t [&'a str], budget: usize) -> Strings<'t, 'a> {
        Strings {
            table,
            budget: Cell::new(budget),
        }
    }

    /// The string numbered `number`.
    fn lookup(&self, input: &Decoder<'_>, number: u64) -> Result<&'a str, DecodeError> {
        usize::try_from(number)
            .ok()
            .and_then(|n| self.table.get(n).copied())
            .ok_or_else(|| input.error(format!("string {number} is not in the table")))
    }

    /// An owned copy of `text`, charged to the budget.
    fn copy(&self, input: &Decoder<'_>, text: &str) -> Result<String, DecodeError> {
        let left = self.budget.get();
        if text.len() > left {
            return Err(input.error("decoded strings exceed the section's budget"));
        }
        self.budget.set(left - text.len());
        Ok(text.to_owned())
    }

    /// The string whose number comes next in `input`, owned.
    pub fn owned(&self, input: &mut Decoder<'_>) -> Result<String, DecodeError> {
        let number = input.varint()?;
        let text = self.lookup(input, number)?;
        self.copy(input, text)
    }

    /// An optional string: 0 for none, else its number plus one.
    pub fn optional(&self, input: &mut Decoder<'_>) -> Result<Option<String>, DecodeError> {
        match input.varint()? {
            0 => Ok(None),
            number => {
                let text = self.lookup(input, number - 1)?;
                self.copy(input, text).map(Some)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_numbers_strings_by_first_use_below_and_above_the_searched_size() {
        let texts: Vec<String> = (0..3 * SEARCHED_STRINGS).map(|n| format!("s{n}")).collect();
        let mut table = StringTable::default();
        for round in 0..2 {
            for (expected, text) in texts.iter().enumerate() {
                assert_eq!(table.number(text), expected as u64, "round {round}");
            }
        }
        let mut out = Encoder::default();
        table.write(&mut out);
        let bytes = out.into_bytes();
        let read = Decoder::new(&bytes).string_table().unwrap();
        assert_eq!(read, texts.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn integers_round_trip_at_the_edges() {
        let mut out = Encoder::default();
        for value in [0, 1, 127, 128, 300, u64::MAX] {
            out.varint(value);
        }
        for value in [0, -1, 1, i64::MIN, i64::MAX] {
            out.signed(value);
        }
        let bytes = out.into_bytes();
        let mut input = Decoder::new(&bytes);
        for value in [0, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(input.varint(), Ok(value));
        }
        for value in [0, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(input.signed(), Ok(value));
        }
        assert!(input.is_empty());
    }

    #[test]
    fn overlong_integers_and_truncation_are_errors() {
        assert!(Decoder::new(&[0xff; 11]).varint().is_err());
        assert!(
            Decoder::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
                .varint()
                .is_err()
        );
        assert!(Decoder::new(&[0x80]).varint().is_err());
        assert!(Decoder::new(&[5, b'a']).str().is_err());
    }

    #[test]
    fn a_huge_count_is_refused_before_allocating() {
        let mut out = Encoder::default();
        out.varint(u64::MAX / 2);
        let bytes = out.into_bytes();
        let error = Decoder::new(&bytes).string_table().unwrap_err();
        assert!(error.message.contains("exceeds"), "{error}");
    }

    #[test]
    fn string_numbers_outside_the_table_are_errors() {
        let table = ["a"];
        let strings = Strings::new(&table, 100);
        assert_eq!(strings.owned(&mut Decoder::new(&[0])), Ok("a".to_string()));
        assert!(strings.owned(&mut Decoder::new(&[1])).is_err());
        assert_eq!(strings.optional(&mut Decoder::new(&[0])), Ok(None));
        assert!(strings.optional(&mut Decoder::new(&[2])).is_err());
    }

    #[test]
    fn copies_beyond_the_budget_are_errors() {
        let table = ["abcd"];
        let strings = Strings::new(&table, 10);
        assert!(strings.owned(&mut Decoder::new(&[0])).is_ok());
        assert!(strings.owned(&mut Decoder::new(&[0])).is_ok());
        assert!(
            strings.owned(&mut Decoder::new(&[0])).is_err(),
            "12 bytes > 10"
        );
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert!(Decoder::new(&[2, 0xc3, 0x28]).str().is_err());
    }
}
