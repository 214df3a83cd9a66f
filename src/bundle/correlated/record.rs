//! One event of the correlated index, with its raw references and its links,
//! in a self-contained record: decoding a record needs nothing but its
//! bytes, so a view builds the text of the rows on screen and no others.
//!
//! The event's own fields are written as a one-event index section
//! ([`section::encode_fields`]); the raw references follow (a merged fact has
//! copies in several artifacts), then the links.

use crate::bundle::index::codec::{DecodeError, Decoder, Encoder};
use crate::bundle::index::section;
use crate::model::{Doubt, Event, Link, LinkReason, RawRef};

/// Every link reason, by code (its position).
const REASONS: [LinkReason; 9] = [
    LinkReason::TaskArn,
    LinkReason::TaskId,
    LinkReason::RoleSession,
    LinkReason::LogStream,
    LinkReason::RuntimeId,
    LinkReason::Eni,
    LinkReason::TaskDefinition,
    LinkReason::Deployment,
    LinkReason::IpInLifetime,
];
/// Every doubt, by code minus one (0 is no doubt).
const DOUBTS: [Doubt; 4] = [
    Doubt::IpReuse,
    Doubt::NoIssuingRecord,
    Doubt::TaskRolesUnknown,
    Doubt::NotTaskRole,
];

/// Encodes a correlated event: its fields, every raw copy, its links.
pub fn encode(event: &Event) -> Vec<u8> {
    let mut out = Encoder::default();
    let body = section::encode_fields(event);
    out.length(body.len());
    out.bytes(&body);
    out.length(event.raw.len());
    for raw in &event.raw {
        out.length(raw.artifact);
        out.str(&raw.locator);
    }
    out.length(event.links.len());
    for link in &event.links {
        out.length(link.task);
        out.u8(reason_code(link.reason));
        out.u8(link.doubt.map_or(0, |doubt| doubt_code(doubt) + 1));
        out.length(link.ambiguous_with.len());
        for &task in &link.ambiguous_with {
            out.length(task);
        }
    }
    out.into_bytes()
}

/// Decodes a record written by [`encode`]; `tasks` is the number of tasks,
/// which every link must name one of.
pub fn decode(bytes: &[u8], tasks: usize) -> Result<Event, DecodeError> {
    let mut input = Decoder::new(bytes);
    let length = input.count(1)?;
    let body = input.take(length)?;
    let mut content = section::decode(body, 0)?;
    if content.events.len() != 1 || !content.tasks.is_empty() {
        return Err(input.error("a record holds exactly one event"));
    }
    let mut event = content.events.remove(0);
    let raw_count = input.count(2)?;
    event.raw = (0..raw_count)
        .map(|_| {
            let artifact = position(&mut input)?;
            let locator = input.str()?.to_string();
            Ok(RawRef { artifact, locator })
        })
        .collect::<Result<_, DecodeError>>()?;
    let link_count = input.count(4)?;
    event.links = (0..link_count)
        .map(|_| decode_link(&mut input, tasks))
        .collect::<Result<_, _>>()?;
    if !input.is_empty() {
        return Err(input.error("bytes after the record"));
    }
    Ok(event)
}

fn decode_link(input: &mut Decoder<'_>, tasks: usize) -> Result<Link, DecodeError> {
    let task = task_number(input, tasks)?;
    let reason = *REASONS
        .get(usize::from(input.u8()?))
        .ok_or_else(|| input.error("unknown link reason"))?;
    let doubt = match input.u8()? {
        0 => None,
        code => Some(
            *DOUBTS
                .get(usize::from(code) - 1)
                .ok_or_else(|| input.error("unknown doubt"))?,
        ),
    };
    let others = input.count(1)?;
    let ambiguous_with = (0..others)
        .map(|_| task_number(input, tasks))
        .collect::<Result<_, _>>()?;
    Ok(Link {
        task,
        reason,
        doubt,
        ambiguous_with,
    })
}

/// A position that needs no bound here (an artifact, checked where used).
fn position(input: &mut Decoder<'_>) -> Result<usize, DecodeError> {
    usize::try_from(input.varint()?).map_err(|_| input.error("position out of range"))
}

/// A task number, which must name one of `tasks` tasks.
fn task_number(input: &mut Decoder<'_>, tasks: usize) -> Result<usize, DecodeError> {
    match position(input)? {
        task if task < tasks => Ok(task),
        task => Err(input.error(format!("task {task} of {tasks}"))),
    }
}

fn reason_code(reason: LinkReason) -> u8 {
    REASONS
        .iter()
        .position(|&r| r == reason)
        .unwrap_or_default() as u8
}

fn doubt_code(doubt: Doubt) -> u8 {
    DOUBTS.iter().position(|&d| d == doubt).unwrap_or_default() as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Key, Severity, Source};

    fn linked_event() -> Event {
        let mut event = Event::new(
            "2026-03-01T10:00:00.25Z".parse().expect("time"),
            Source::Cloudtrail,
            "GetSecretValue",
            "read a secret \u{1b}[31m",
            RawRef {
                artifact: 3,
                locator: "/Records/7".into(),
            },
        );
        event.severity = Severity::Low;
        event.keys = vec![Key::Ip("10.0.0.5".into())];
        event.raw.push(RawRef {
            artifact: 9,
            locator: "L2".into(),
        });
        event.links = vec![
            Link::strong(0, LinkReason::RoleSession),
            Link {
                doubt: Some(Doubt::IpReuse),
                ambiguous_with: vec![0],
                ..Link::strong(1, LinkReason::IpInLifetime)
            },
        ];
        event
    }

    #[test]
    fn a_record_gives_back_the_event_with_its_copies_and_links() {
        let event = linked_event();
        assert_eq!(decode(&encode(&event), 2), Ok(event));
    }

    #[test]
    fn a_link_to_a_task_that_does_not_exist_is_refused() {
        let bytes = encode(&linked_event());
        let error = decode(&bytes, 1).expect_err("task 1 of 1");
        assert!(error.message.contains("task 1 of 1"), "{error}");
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        let bytes = encode(&linked_event());
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end], 2).is_err(), "cut at {end}");
        }
    }
}
