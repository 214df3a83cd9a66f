//! Fixed-width fields read from a byte slice in the capture's byte order.

/// The byte order a capture was written in, from its section header magic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// Little-endian (every capture written on x86-64 or arm64).
    Little,
    /// Big-endian.
    Big,
}

impl ByteOrder {
    /// A 16-bit value from two bytes.
    pub fn u16(self, bytes: [u8; 2]) -> u16 {
        match self {
            ByteOrder::Little => u16::from_le_bytes(bytes),
            ByteOrder::Big => u16::from_be_bytes(bytes),
        }
    }

    /// A 32-bit value from four bytes.
    pub fn u32(self, bytes: [u8; 4]) -> u32 {
        match self {
            ByteOrder::Little => u32::from_le_bytes(bytes),
            ByteOrder::Big => u32::from_be_bytes(bytes),
        }
    }

    /// A 64-bit value from eight bytes.
    pub fn u64(self, bytes: [u8; 8]) -> u64 {
        match self {
            ByteOrder::Little => u64::from_le_bytes(bytes),
            ByteOrder::Big => u64::from_be_bytes(bytes),
        }
    }
}

/// A cursor over a block body or an event parameter. Every read checks the
/// bounds: a short read is `None`, never a panic.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    bytes: &'a [u8],
    position: usize,
    order: ByteOrder,
}

impl<'a> Fields<'a> {
    /// A cursor at the start of `bytes`.
    pub fn new(bytes: &'a [u8], order: ByteOrder) -> Fields<'a> {
        Fields {
            bytes,
            position: 0,
            order,
        }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    /// How many bytes were read.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The next `count` bytes.
    pub fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        let end = self.position.checked_add(count)?;
        let taken = self.bytes.get(self.position..end)?;
        self.position = end;
        Some(taken)
    }

    /// Skips `count` bytes.
    pub fn skip(&mut self, count: usize) -> Option<()> {
        self.take(count).map(|_| ())
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    /// One byte.
    pub fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[byte]| byte)
    }

    /// A 16-bit value.
    pub fn u16(&mut self) -> Option<u16> {
        self.array().map(|bytes| self.order.u16(bytes))
    }

    /// A 32-bit value.
    pub fn u32(&mut self) -> Option<u32> {
        self.array().map(|bytes| self.order.u32(bytes))
    }

    /// A 64-bit value.
    pub fn u64(&mut self) -> Option<u64> {
        self.array().map(|bytes| self.order.u64(bytes))
    }

    /// A string written as a 16-bit length and that many bytes (not
    /// NUL-terminated), as the capture's tables write them.
    pub fn short_string(&mut self) -> Option<String> {
        let length = usize::from(self.u16()?);
        self.take(length).map(text)
    }
}

/// Text from capture bytes: up to the first NUL, invalid UTF-8 replaced.
pub fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The NUL-separated strings of a byte buffer (arguments, cgroups), lossily decoded.
pub fn nul_separated(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|&b| b == 0)
        .filter(|part| !part.is_empty())
        .map(|part| String::from_utf8_lossy(part).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_either_order_and_stops_at_the_end() {
        let bytes = [1, 0, 0, 2, 9];
        let mut little = Fields::new(&bytes, ByteOrder::Little);
        assert_eq!(little.u16(), Some(1));
        assert_eq!(little.u16(), Some(0x0200));
        assert_eq!(little.u16(), None);
        let mut big = Fields::new(&bytes, ByteOrder::Big);
        assert_eq!(big.u32(), Some(0x0100_0002));
        assert_eq!(big.remaining(), 1);
        assert_eq!(big.take(2), None);
    }

    #[test]
    fn strings_stop_at_nul_and_split_on_it() {
        assert_eq!(text(b"abc\0def"), "abc");
        let parts: Vec<String> = nul_separated(b"ls\0-la\0\0/tmp\0").collect();
        assert_eq!(parts, ["ls", "-la", "/tmp"]);
        let mut fields = Fields::new(&[3, 0, b'a', b'b', b'c', 5, 0], ByteOrder::Little);
        assert_eq!(fields.short_string().as_deref(), Some("abc"));
        assert_eq!(fields.short_string(), None);
    }
}
