//! Walking a locator through decoded JSON text. Only the values on the path
//! are looked at; everything beside it is skipped unbuilt. Large containers
//! are indexed on first use so that the next record of the same big file is
//! found without scanning it again.

use super::error::RawError;
use super::surrogates::without_lone_surrogates;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::hash_map::{Entry, HashMap};
use std::fmt;
use std::ops::Range;

/// How many strings holding JSON one locator may pass through.
const MAX_EMBEDDED_DOCUMENTS: usize = 4;
/// Containers at least this large (in bytes of JSON text) get their children indexed.
const MIN_INDEXED_BYTES: usize = 64 << 10;

/// Byte offsets where each line starts (line `n` starts at index `n - 1`).
pub(super) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

/// Where the children of the large containers of one text lie, by the
/// container's byte offset in the text.
#[derive(Default)]
pub(super) struct ContainerIndex {
    containers: HashMap<usize, Children>,
}

/// Byte spans (in the whole text) of one container's children.
enum Children {
    Members(HashMap<String, Range<usize>>),
    Elements(Vec<Range<usize>>),
}

impl ContainerIndex {
    /// The child `segment` of `current`, a slice of `text`, indexing
    /// `current`'s children the first time it is stepped through.
    fn step<'t>(
        &mut self,
        text: &'t str,
        current: &'t str,
        segment: &str,
        at: &str,
    ) -> Result<&'t str, RawError> {
        let offset = (current.as_ptr() as usize).checked_sub(text.as_ptr() as usize);
        let (Some(offset), Some(b'{' | b'[')) = (offset, current.as_bytes().first()) else {
            return step(current, segment, at);
        };
        let children = match self.containers.entry(offset) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                slot.insert(Children::of(text, current).map_err(|e| json_error(at, &e))?)
            }
        };
        let span = match children {
            Children::Members(members) => members.get(segment).cloned(),
            Children::Elements(elements) => elements.get(array_index(segment, at)?).cloned(),
        };
        span.and_then(|span| text.get(span))
            .ok_or_else(|| not_found(at, "no such member or element"))
    }
}

impl Children {
    fn of(text: &str, container: &str) -> serde_json::Result<Children> {
        let span = |part: &RawValue| {
            let start = (part.get().as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
            Some(start..start + part.get().len())
        };
        if container.starts_with('{') {
            let members = select(container, AllMembers)?;
            Ok(Children::Members(
                members
                    .into_iter()
                    .filter_map(|(key, value)| Some((key, span(value)?)))
                    .collect(),
            ))
        } else {
            let elements = select(container, std::marker::PhantomData::<Vec<&RawValue>>)?;
            Ok(Children::Elements(
                elements.into_iter().filter_map(span).collect(),
            ))
        }
    }
}

/// Resolves `locator` in decoded text. `starts` are the text's line offsets
/// (computed here when absent); `index` is the text's container index, if kept.
pub(super) fn resolve_in_text(
    text: &str,
    locator: &str,
    starts: Option<&[usize]>,
    index: Option<&mut ContainerIndex>,
) -> Result<Value, RawError> {
    let parsed = parse_locator(locator)?;
    let (document, mut at) = match parsed.line {
        None => (text, String::new()),
        Some(number) => (
            line_at(text, number, starts).ok_or(RawError::NoLine(number))?,
            format!("L{number}"),
        ),
    };
    walk(
        document,
        &parsed.segments,
        0,
        &mut at,
        index.map(|ix| (text, ix)),
    )
}

/// A locator split into its document part and path segments.
struct Locator {
    line: Option<usize>,
    segments: Vec<String>,
}

fn parse_locator(locator: &str) -> Result<Locator, RawError> {
    let bad = |reason: &str| RawError::BadLocator {
        locator: locator.to_string(),
        reason: reason.to_string(),
    };
    let (line, path) = match locator.strip_prefix('L') {
        Some(rest) => {
            let end = rest.find('/').unwrap_or(rest.len());
            let digits = &rest[..end];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("`L` must be followed by a line number"));
            }
            let number: usize = digits
                .parse()
                .map_err(|_| bad("line number out of range"))?;
            if number == 0 {
                return Err(bad("line numbers start at 1"));
            }
            (Some(number), &rest[end..])
        }
        None => (None, locator),
    };
    let segments = match path.strip_prefix('/') {
        _ if path.is_empty() => Vec::new(),
        Some(pointer) => pointer
            .split('/')
            .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
            .collect(),
        None => return Err(bad("the path must start with `/`")),
    };
    Ok(Locator { line, segments })
}

fn line_at<'t>(text: &'t str, number: usize, starts: Option<&[usize]>) -> Option<&'t str> {
    match starts {
        Some(starts) => {
            let start = *starts.get(number - 1)?;
            let end = starts.get(number).map_or(text.len(), |next| next - 1);
            text.get(start..end)
        }
        None => text.split('\n').nth(number - 1),
    }
}

/// Follows `segments` from the JSON text `current`; `at` tracks the path
/// walked. With an index, `current` is a slice of the indexed text.
fn walk<'t>(
    mut current: &'t str,
    segments: &[String],
    embedded: usize,
    at: &mut String,
    mut index: Option<(&'t str, &mut ContainerIndex)>,
) -> Result<Value, RawError> {
    for (position, segment) in segments.iter().enumerate() {
        current = current.trim_start();
        if current.starts_with('"') {
            let inner = embedded_document(current, embedded, at)?;
            return walk(&inner, &segments[position..], embedded + 1, at, None);
        }
        at.push('/');
        at.push_str(segment);
        current = match index.as_mut() {
            Some((text, containers)) if current.len() >= MIN_INDEXED_BYTES => {
                containers.step(text, current, segment, at)?
            }
            _ => step(current, segment, at)?,
        };
    }
    finish(current, at)
}

/// The text of a JSON string that is to be walked into as a document.
fn embedded_document(literal: &str, embedded: usize, at: &str) -> Result<String, RawError> {
    if embedded >= MAX_EMBEDDED_DOCUMENTS {
        return Err(RawError::NotFound {
            at: at.to_string(),
            reason: format!("more than {MAX_EMBEDDED_DOCUMENTS} nested JSON strings"),
        });
    }
    serde_json::from_str::<String>(literal)
        .map(without_lone_surrogates)
        .map_err(|e| json_error(at, &e))
}

/// One step of the path: an object member or an array element.
fn step<'t>(current: &'t str, segment: &str, at: &str) -> Result<&'t str, RawError> {
    let found = match current.as_bytes().first() {
        Some(b'{') => select(current, Member(segment)),
        Some(b'[') => select(current, Element(array_index(segment, at)?)),
        _ => return Err(not_found(at, "the value there is not an object or array")),
    };
    match found {
        Ok(Some(raw)) => Ok(raw.get()),
        Ok(None) => Err(not_found(at, "no such member or element")),
        Err(error) => Err(json_error(at, &error)),
    }
}

fn array_index(segment: &str, at: &str) -> Result<usize, RawError> {
    segment
        .parse::<usize>()
        .map_err(|_| not_found(at, &format!("{segment:?} is not an array index")))
}

fn not_found(at: &str, reason: &str) -> RawError {
    RawError::NotFound {
        at: at.to_string(),
        reason: reason.to_string(),
    }
}

/// The value at the end of the path; a string holding JSON is returned parsed.
fn finish(current: &str, at: &str) -> Result<Value, RawError> {
    let current = current.trim_start();
    if current.starts_with('"') {
        let text = serde_json::from_str::<String>(current).map_err(|e| json_error(at, &e))?;
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            // Only the JSON read from the string loses its lone surrogates;
            // a string that is not JSON is returned as it is.
            let document = without_lone_surrogates(trimmed.to_string());
            if let Ok(parsed) = serde_json::from_str::<Value>(&document) {
                return Ok(parsed);
            }
        }
        return Ok(Value::String(text));
    }
    serde_json::from_str::<Value>(current).map_err(|e| json_error(at, &e))
}

fn json_error(at: &str, error: &serde_json::Error) -> RawError {
    RawError::Json {
        at: if at.is_empty() { "/".into() } else { at.into() },
        message: error.to_string(),
    }
}

/// Runs a seed over the whole JSON text and checks nothing follows it.
fn select<'t, S: DeserializeSeed<'t>>(text: &'t str, seed: S) -> serde_json::Result<S::Value> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let found = seed.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(found)
}

/// Every member of an object, unparsed (the last one wins when a key repeats).
struct AllMembers;

impl<'de> DeserializeSeed<'de> for AllMembers {
    type Value = Vec<(String, &'de RawValue)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AllMembers {
    type Value = Vec<(String, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
            members.push(entry);
        }
        Ok(members)
    }
}

/// Selects one member of an object without building the others
/// (the last one wins when a key repeats, as when parsing to a `Value`).
struct Member<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for Member<'_> {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Member<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(matches) = map.next_key_seed(KeyIs(self.0))? {
            if matches {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Compares an object key with the wanted one.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

/// Selects one element of an array, skipping the others unbuilt.
struct Element(usize);

impl<'de> DeserializeSeed<'de> for Element {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Element {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut position = 0;
        loop {
            if position == self.0 {
                found = seq.next_element::<&'de RawValue>()?;
                if found.is_none() {
                    break;
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            position += 1;
        }
        Ok(found)
    }
}
