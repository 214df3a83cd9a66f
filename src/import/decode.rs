//! From the bytes of a file to JSON documents: gzip, size caps, and the choice
//! between one JSON document and JSON lines, made from the content alone.

use flate2::read::MultiGzDecoder;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::io::Read;

/// Largest decompressed size accepted for one file.
pub const MAX_DECOMPRESSED_BYTES: u64 = 4 << 30;
/// Largest expansion accepted for a gzip member before it is called a bomb,
/// once the output passes [`BOMB_FLOOR_BYTES`].
pub const MAX_GZIP_RATIO: u64 = 200;
/// Output size under which no ratio check applies (small files compress well).
pub const BOMB_FLOOR_BYTES: u64 = 64 << 20;

/// Why a file or a line could not be read, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong, in words a responder can act on.
    pub message: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
}

impl ParseError {
    /// An error with no position.
    pub fn new(message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            line: None,
            column: None,
        }
    }

    /// An error from serde_json, shifted by the line the parsed text started on.
    pub fn from_json(error: &serde_json::Error, first_line: usize) -> ParseError {
        let line = error.line();
        let message = error.to_string();
        // serde_json appends " at line L column C"; we report the position ourselves.
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(text, _)| text)
            .to_string();
        ParseError {
            message: format!("invalid JSON: {message}"),
            line: (line > 0).then_some(line + first_line - 1),
            column: (line > 0).then_some(error.column()),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "line {line}, column {column}: {}", self.message)
            }
            (Some(line), None) => write!(f, "line {line}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// Returns the file's content, decompressed when it starts with the gzip magic.
pub fn decompress(bytes: &[u8]) -> Result<Cow<'_, [u8]>, ParseError> {
    decompress_within(bytes, MAX_DECOMPRESSED_BYTES)
}

/// [`decompress`] with the total-size cap given (tests use a small one).
fn decompress_within(bytes: &[u8], max_total: u64) -> Result<Cow<'_, [u8]>, ParseError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(Cow::Borrowed(bytes));
    }
    let ratio_cap = expansion_cap(bytes.len(), max_total);
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(8).min(1 << 30));
    let mut decoder = MultiGzDecoder::new(bytes).take(ratio_cap + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|e| ParseError::new(format!("gzip stream is damaged: {e}")))?;
    if out.len() as u64 > ratio_cap {
        return Err(ParseError::new(format!(
            "gzip expands beyond {ratio_cap} bytes (limit {MAX_GZIP_RATIO}x the compressed size, \
             at most {max_total} bytes): refusing a possible decompression bomb"
        )));
    }
    Ok(Cow::Owned(out))
}

/// Most bytes a gzip file of `compressed` bytes may expand to before it is
/// called a bomb: [`MAX_GZIP_RATIO`] times its size, at least
/// [`BOMB_FLOOR_BYTES`], at most `max_total`.
pub fn expansion_cap(compressed: usize, max_total: u64) -> u64 {
    (compressed as u64)
        .saturating_mul(MAX_GZIP_RATIO)
        .clamp(BOMB_FLOOR_BYTES.min(max_total), max_total)
}

/// One JSON document found in a file.
#[derive(Debug)]
pub struct Document<'a> {
    /// The document's text, unparsed.
    pub raw: &'a RawValue,
    /// Locator prefix: empty for a whole-file document, `L<n>` for JSON lines.
    pub locator: String,
    /// 1-based line the document starts on.
    pub line: usize,
}

/// The documents of a file, plus the lines that could not be parsed.
#[derive(Debug)]
pub struct Documents<'a> {
    /// Parsed documents, in file order.
    pub documents: Vec<Document<'a>>,
    /// Lines of a JSON-lines file that failed, each with its position.
    pub bad_lines: Vec<ParseError>,
}

/// Why VPC flow log files are rejected.
pub const VPC_FLOW_LOGS_UNSUPPORTED: &str =
    "VPC flow log records (space-separated text) are not supported: import the \
     GuardDuty findings about this traffic instead (`aws guardduty get-findings`)";

/// True for a VPC flow log line: the field-name header that starts each
/// delivered file (`version account-id interface-id srcaddr ...`), or a
/// record of at least five fields naming a network interface (`eni-...`) or
/// ending in a log status.
fn is_vpc_flow_log_line(line: &str) -> bool {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let header = ["interface-id", "srcaddr", "dstaddr", "log-status"]
        .iter()
        .any(|name| fields.contains(name));
    let record = fields.len() >= 5
        && (fields.iter().any(|field| field.starts_with("eni-"))
            || fields
                .last()
                .is_some_and(|status| ["OK", "NODATA", "SKIPDATA"].contains(status)));
    header || record
}

/// Splits decompressed content into JSON documents: one whole-file document
/// (object or array), or JSON lines. Anything else is an error.
pub fn split_documents(content: &[u8]) -> Result<Documents<'_>, ParseError> {
    let text = std::str::from_utf8(content).map_err(|e| {
        let (line, column) = position_of(content, e.valid_up_to());
        ParseError {
            message: "not UTF-8 text (binary data, or another encoding)".into(),
            line: Some(line),
            column: Some(column),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = text.len() - text.trim_start().len();
    let leading_lines = text[..start].matches('\n').count();
    match text[start..].chars().next() {
        None => return Err(ParseError::new("empty file")),
        Some('{') | Some('[') => {}
        Some(_) => {
            let first_line = text[start..].lines().next().unwrap_or_default();
            let message = if is_vpc_flow_log_line(first_line) {
                VPC_FLOW_LOGS_UNSUPPORTED
            } else {
                "not JSON: expected an object, an array or JSON lines"
            };
            return Err(ParseError {
                message: message.into(),
                line: Some(leading_lines + 1),
                column: Some(1),
            });
        }
    }
    match serde_json::from_str::<&RawValue>(text) {
        Ok(raw) => Ok(Documents {
            documents: vec![Document {
                raw,
                locator: String::new(),
                line: 1,
            }],
            bad_lines: Vec::new(),
        }),
        Err(error) if error.to_string().starts_with("trailing characters") => Ok(split_lines(text)),
        Err(error) => {
            // JSON lines whose first line is broken still read as JSON lines
            // when most lines parse; otherwise report the whole-file error.
            let lines = split_lines(text);
            if lines.documents.len() > lines.bad_lines.len() {
                Ok(lines)
            } else {
                Err(ParseError::from_json(&error, 1))
            }
        }
    }
}

fn split_lines(text: &str) -> Documents<'_> {
    let mut documents = Vec::new();
    let mut bad_lines = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<&RawValue>(line) {
            Ok(raw) => documents.push(Document {
                raw,
                locator: format!("L{number}"),
                line: number,
            }),
            Err(error) => bad_lines.push(ParseError::from_json(&error, number)),
        }
    }
    Documents {
        documents,
        bad_lines,
    }
}

fn position_of(content: &[u8], offset: usize) -> (usize, usize) {
    let before = &content[..offset.min(content.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.len()
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gzip_is_read_transparently() {
        let packed = gzip(b"{\"Records\":[]}");
        assert_eq!(&*decompress(&packed).unwrap(), b"{\"Records\":[]}");
        assert_eq!(&*decompress(b"plain").unwrap(), b"plain");
    }

    #[test]
    fn gzip_bomb_is_refused() {
        // Many small gzip members of zeros: tiny input, output past the floor.
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&vec![0u8; 1 << 20]).unwrap();
        let member = encoder.finish().unwrap();
        assert!(
            (member.len() as u64) * MAX_GZIP_RATIO < 1 << 20,
            "member expands past the ratio"
        );
        let members = (BOMB_FLOOR_BYTES >> 20) as usize + 2;
        let packed: Vec<u8> = member
            .iter()
            .copied()
            .cycle()
            .take(member.len() * members)
            .collect();
        let error = decompress(&packed).unwrap_err();
        assert!(error.message.contains("decompression bomb"), "{error}");
    }

    #[test]
    fn the_total_cap_holds_when_the_ratio_is_innocent() {
        // Incompressible bytes (an xorshift stream): the ratio stays near 1,
        // so only the total cap can stop them.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..3 << 20)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let packed = gzip(&noise);
        assert!(
            packed.len() as u64 * MAX_GZIP_RATIO > 1 << 20,
            "ratio is innocent"
        );
        let error = decompress_within(&packed, 1 << 20).unwrap_err();
        assert!(
            error.message.contains("expands beyond 1048576 bytes"),
            "{error}"
        );
        assert_eq!(decompress_within(&packed, 4 << 20).unwrap().len(), 3 << 20);
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        let packed = gzip(&vec![b'x'; 10_000]);
        let error = decompress(&packed[..packed.len() / 2]).unwrap_err();
        assert!(error.message.contains("gzip"), "{error}");
    }

    #[test]
    fn one_document_or_lines() {
        let single = split_documents(b"  {\"a\": [1,\n2]}\n").unwrap();
        assert_eq!(single.documents.len(), 1);
        let first_bad = split_documents(b"{oops\n{\"a\":1}\n{\"b\":2}\n").unwrap();
        assert_eq!(first_bad.documents.len(), 2);
        assert_eq!(first_bad.bad_lines[0].line, Some(1));
        let lines = split_documents(b"{\"a\":1}\n\n{\"b\":2}\n{oops\n").unwrap();
        assert_eq!(lines.documents.len(), 2);
        assert_eq!(lines.documents[1].locator, "L3");
        assert_eq!(lines.bad_lines.len(), 1);
        assert_eq!(lines.bad_lines[0].line, Some(4));
    }

    #[test]
    fn reports_position_of_bad_json() {
        let error = split_documents(b"{\n  \"a\": [1,\n  ]\n}").unwrap_err();
        assert_eq!(error.line, Some(3));
        let error = split_documents(b"\n\nhello").unwrap_err();
        assert_eq!((error.line, error.column), (Some(3), Some(1)));
        let error = split_documents(b"{\"a\":\"\xff\"}").unwrap_err();
        assert!(error.message.contains("UTF-8"));
        assert!(split_documents(b"  \n").is_err());
    }
}
