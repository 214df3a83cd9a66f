//! One section of the index: the events and task facts one artifact
//! yielded when it was imported, before correlation, in file order.
//!
//! Strings go into a table at the head of the section and are referred to
//! by number, so a kind, actor or task ARN repeated a thousand times in a
//! file is stored once. Every raw reference of the section points into its
//! own artifact, so only locators are stored.

use super::codec::{DecodeError, Decoder, Encoder, StringTable, Strings};
use crate::model::{
    Attack, Container, Event, Key, RawRef, Severity, Source, TaskFacts, Technique, Timestamp,
};
use chrono::DateTime;

/// Decoded strings may take at most this many times the section's encoded
/// size (plus [`STRING_BUDGET_SLACK`]): a string stored once and referred to
/// over and over cannot make decoding allocate without bound.
const STRING_BUDGET_FACTOR: usize = 64;
/// Budget every section has, however small.
const STRING_BUDGET_SLACK: usize = 1 << 16;

/// The smallest encoded event, a byte for each of its fourteen parts (time
/// difference, nanoseconds, source, severity, kind, original severity,
/// summary, actor, fact ID, key count, locator count, tactics, technique
/// count, label count): bounds the count.
const MIN_EVENT_BYTES: usize = 14;
/// The smallest encoded task: ID, ten absent strings, four absent times,
/// absent version, and empty container, ENI and IP lists.
const MIN_TASK_BYTES: usize = 19;
/// The smallest encoded container: name, four absent strings, absent exit
/// code, absent reason.
const MIN_CONTAINER_BYTES: usize = 7;

/// What one artifact yielded: its events and task facts, in file order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SectionContent {
    /// Normalized events, links not yet computed.
    pub events: Vec<Event>,
    /// Task facts.
    pub tasks: Vec<TaskFacts>,
}

/// Encodes what one artifact yielded.
pub fn encode(events: &[Event], tasks: &[TaskFacts]) -> Vec<u8> {
    encode_with(events, tasks, true)
}

/// Encodes `event` alone as a section whose event has no raw references:
/// the same bytes as [`encode`] of a copy of it without them.
pub fn encode_fields(event: &Event) -> Vec<u8> {
    encode_with(std::slice::from_ref(event), &[], false)
}

/// Encodes a section, with each event's raw references or none.
fn encode_with(events: &[Event], tasks: &[TaskFacts], with_raw: bool) -> Vec<u8> {
    let mut strings = StringTable::default();
    let mut body = Encoder::default();
    let mut previous_second = 0;
    body.length(events.len());
    for event in events {
        previous_second = encode_time(&mut body, event.time, previous_second);
        body.u8(source_code(event.source));
        body.u8(severity_code(event.severity));
        body.varint(strings.number(&event.kind));
        optional(&mut body, &mut strings, event.original_severity.as_deref());
        body.varint(strings.number(&event.summary));
        optional(&mut body, &mut strings, event.actor.as_deref());
        optional(&mut body, &mut strings, event.fact_id.as_deref());
        body.length(event.keys.len());
        for key in &event.keys {
            encode_key(&mut body, &mut strings, key);
        }
        let raw: &[RawRef] = if with_raw { &event.raw } else { &[] };
        body.length(raw.len());
        for raw in raw {
            body.varint(strings.number(&raw.locator));
        }
        encode_attack(&mut body, &mut strings, &event.attack);
    }
    body.length(tasks.len());
    for task in tasks {
        encode_task(&mut body, &mut strings, task);
    }
    let mut out = Encoder::default();
    strings.write(&mut out);
    out.bytes(&body.into_bytes());
    out.into_bytes()
}

/// Decodes a section written by [`encode`] for the artifact at index
/// `artifact` in the manifest.
pub fn decode(bytes: &[u8], artifact: usize) -> Result<SectionContent, DecodeError> {
    let mut input = Decoder::new(bytes);
    let table = input.string_table()?;
    let budget = bytes
        .len()
        .saturating_mul(STRING_BUDGET_FACTOR)
        .saturating_add(STRING_BUDGET_SLACK);
    let strings = Strings::new(&table, budget);
    let mut previous_second = 0;
    let event_count = input.count(MIN_EVENT_BYTES)?;
    let mut events = Vec::with_capacity(event_count);
    for _ in 0..event_count {
        let (time, second) = decode_time(&mut input, previous_second)?;
        previous_second = second;
        let source = decode_source(&mut input)?;
        let severity = decode_severity(&mut input)?;
        let kind = strings.owned(&mut input)?;
        let original_severity = strings.optional(&mut input)?;
        let summary = strings.owned(&mut input)?;
        let actor = strings.optional(&mut input)?;
        let fact_id = strings.optional(&mut input)?;
        let key_count = input.count(2)?;
        let keys = (0..key_count)
            .map(|_| decode_key(&mut input, &strings))
            .collect::<Result<Vec<_>, _>>()?;
        let raw_count = input.count(1)?;
        let raw = (0..raw_count)
            .map(|_| {
                strings
                    .owned(&mut input)
                    .map(|locator| RawRef { artifact, locator })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let attack = decode_attack(&mut input, &strings)?;
        events.push(Event {
            time,
            source,
            kind,
            severity,
            original_severity,
            summary,
            actor,
            keys,
            fact_id,
            raw,
            links: Vec::new(),
            attack,
        });
    }
    let task_count = input.count(MIN_TASK_BYTES)?;
    let mut tasks = Vec::with_capacity(task_count);
    for _ in 0..task_count {
        tasks.push(decode_task(&mut input, &strings)?);
    }
    if !input.is_empty() {
        return Err(input.error("trailing bytes after the section's tasks"));
    }
    Ok(SectionContent { events, tasks })
}

/// Writes an event's ATT&CK: the tactics as a bit set, then the technique
/// IDs and the labels, each a count and strings.
fn encode_attack<'a>(out: &mut Encoder, strings: &mut StringTable<'a>, attack: &'a Attack) {
    out.varint(u64::from(attack.tactic_bits()));
    out.length(attack.techniques.len());
    for technique in &attack.techniques {
        out.varint(strings.number(technique.id()));
    }
    out.length(attack.labels.len());
    for label in &attack.labels {
        out.varint(strings.number(label));
    }
}

fn decode_attack(
    input: &mut Decoder<'_>,
    strings: &Strings<'_, '_>,
) -> Result<Attack, DecodeError> {
    let bits = u32::try_from(input.varint()?).ok();
    let tactics = bits
        .and_then(Attack::tactics_from_bits)
        .ok_or_else(|| input.error("tactic bits name no tactic"))?;
    let technique_count = input.count(1)?;
    let mut techniques = Vec::with_capacity(technique_count);
    for _ in 0..technique_count {
        let id = strings.owned(input)?;
        techniques.push(
            Technique::parse(&id)
                .ok_or_else(|| input.error(format!("{id:?} is not a technique ID")))?,
        );
    }
    let label_count = input.count(1)?;
    let labels = (0..label_count)
        .map(|_| strings.owned(input))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Attack {
        tactics,
        techniques,
        labels,
    })
}

/// Writes the whole seconds as a difference from the previous time's (times
/// in a file are close to each other), then the nanoseconds. Returns the
/// seconds, for the next difference.
fn encode_time(out: &mut Encoder, time: Timestamp, previous_second: i64) -> i64 {
    let second = time.timestamp();
    out.signed(second.wrapping_sub(previous_second));
    out.varint(u64::from(time.timestamp_subsec_nanos()));
    second
}

fn decode_time(
    input: &mut Decoder<'_>,
    previous_second: i64,
) -> Result<(Timestamp, i64), DecodeError> {
    let second = previous_second.wrapping_add(input.signed()?);
    let nanos =
        u32::try_from(input.varint()?).map_err(|_| input.error("nanoseconds out of range"))?;
    let time =
        DateTime::from_timestamp(second, nanos).ok_or_else(|| input.error("time out of range"))?;
    Ok((time, second))
}

fn encode_optional_time(out: &mut Encoder, time: Option<Timestamp>) {
    match time {
        Some(time) => {
            out.u8(1);
            encode_time(out, time, 0);
        }
        None => out.u8(0),
    }
}

fn decode_optional_time(input: &mut Decoder<'_>) -> Result<Option<Timestamp>, DecodeError> {
    match input.u8()? {
        0 => Ok(None),
        1 => Ok(Some(decode_time(input, 0)?.0)),
        other => Err(input.error(format!("invalid presence flag {other}"))),
    }
}

fn encode_optional_integer(out: &mut Encoder, value: Option<i64>) {
    match value {
        Some(value) => {
            out.u8(1);
            out.signed(value);
        }
        None => out.u8(0),
    }
}

fn decode_optional_integer(input: &mut Decoder<'_>) -> Result<Option<i64>, DecodeError> {
    match input.u8()? {
        0 => Ok(None),
        1 => Ok(Some(input.signed()?)),
        other => Err(input.error(format!("invalid presence flag {other}"))),
    }
}

/// An optional string: 0 for none, else its number plus one.
fn optional<'a>(out: &mut Encoder, strings: &mut StringTable<'a>, text: Option<&'a str>) {
    match text {
        Some(text) => out.varint(strings.number(text) + 1),
        None => out.varint(0),
    }
}

/// The one-byte code of a source in the index.
pub fn source_code(source: Source) -> u8 {
    match source {
        Source::Guardduty => 0,
        Source::Ecs => 1,
        Source::Cloudtrail => 2,
        Source::Falco => 3,
        Source::Logs => 4,
        Source::Response => 5,
        Source::Scap => 6,
    }
}

/// The source of a code from [`source_code`], if it is one.
pub fn source_of_code(code: u8) -> Option<Source> {
    Some(match code {
        0 => Source::Guardduty,
        1 => Source::Ecs,
        2 => Source::Cloudtrail,
        3 => Source::Falco,
        4 => Source::Logs,
        5 => Source::Response,
        6 => Source::Scap,
        _ => return None,
    })
}

fn decode_source(input: &mut Decoder<'_>) -> Result<Source, DecodeError> {
    let code = input.u8()?;
    source_of_code(code).ok_or_else(|| input.error(format!("unknown source {code}")))
}

fn severity_code(severity: Severity) -> u8 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

fn decode_severity(input: &mut Decoder<'_>) -> Result<Severity, DecodeError> {
    Ok(match input.u8()? {
        0 => Severity::Info,
        1 => Severity::Low,
        2 => Severity::Medium,
        3 => Severity::High,
        4 => Severity::Critical,
        other => return Err(input.error(format!("unknown severity {other}"))),
    })
}

fn encode_key<'a>(out: &mut Encoder, strings: &mut StringTable<'a>, key: &'a Key) {
    let (tag, text) = match key {
        Key::TaskArn { id, arn } => {
            out.u8(0);
            out.varint(strings.number(id));
            out.varint(strings.number(arn));
            return;
        }
        Key::TaskId(text) => (1, text),
        Key::RoleSession(text) => (2, text),
        Key::LogStream(text) => (3, text),
        Key::RuntimeId(text) => (4, text),
        Key::Eni(text) => (5, text),
        Key::Ip(text) => (6, text),
        Key::TaskDefinition(text) => (7, text),
        Key::Deployment(text) => (8, text),
        Key::AccessKey(text) => (9, text),
        Key::SessionRole(text) => (10, text),
        Key::DefinitionRole(text) => (11, text),
        Key::AssumeRole {
            session,
            role,
            by_ecs,
            issued,
        } => {
            out.u8(12);
            out.varint(strings.number(session));
            out.varint(strings.number(role));
            out.u8(u8::from(*by_ecs));
            optional(out, strings, issued.as_deref());
            return;
        }
    };
    out.u8(tag);
    out.varint(strings.number(text));
}

fn decode_key(input: &mut Decoder<'_>, strings: &Strings<'_, '_>) -> Result<Key, DecodeError> {
    let tag = input.u8()?;
    let text = strings.owned(input)?;
    Ok(match tag {
        0 => Key::TaskArn {
            id: text,
            arn: strings.owned(input)?,
        },
        1 => Key::TaskId(text),
        2 => Key::RoleSession(text),
        3 => Key::LogStream(text),
        4 => Key::RuntimeId(text),
        5 => Key::Eni(text),
        6 => Key::Ip(text),
        7 => Key::TaskDefinition(text),
        8 => Key::Deployment(text),
        9 => Key::AccessKey(text),
        10 => Key::SessionRole(text),
        11 => Key::DefinitionRole(text),
        12 => Key::AssumeRole {
            session: text,
            role: strings.owned(input)?,
            by_ecs: match input.u8()? {
                0 => false,
                1 => true,
                other => return Err(input.error(format!("invalid flag {other}"))),
            },
            issued: strings.optional(input)?,
        },
        other => return Err(input.error(format!("unknown key kind {other}"))),
    })
}

fn encode_task<'a>(out: &mut Encoder, strings: &mut StringTable<'a>, task: &'a TaskFacts) {
    out.varint(strings.number(&task.id));
    for text in [
        &task.arn,
        &task.cluster,
        &task.group,
        &task.task_definition_arn,
        &task.started_by,
        &task.launch_type,
        &task.last_status,
        &task.desired_status,
        &task.stop_code,
        &task.stopped_reason,
    ] {
        optional(out, strings, text.as_deref());
    }
    for time in [
        task.created_at,
        task.started_at,
        task.stopping_at,
        task.stopped_at,
    ] {
        encode_optional_time(out, time);
    }
    encode_optional_integer(out, task.version);
    out.length(task.containers.len());
    for container in &task.containers {
        out.varint(strings.number(&container.name));
        for text in [
            &container.image,
            &container.image_digest,
            &container.runtime_id,
            &container.last_status,
        ] {
            optional(out, strings, text.as_deref());
        }
        encode_optional_integer(out, container.exit_code);
        optional(out, strings, container.reason.as_deref());
    }
    for set in [&task.enis, &task.ips] {
        out.length(set.len());
        for text in set {
            out.varint(strings.number(text));
        }
    }
}

fn decode_task(
    input: &mut Decoder<'_>,
    strings: &Strings<'_, '_>,
) -> Result<TaskFacts, DecodeError> {
    let mut task = TaskFacts::new(strings.owned(input)?);
    for field in [
        &mut task.arn,
        &mut task.cluster,
        &mut task.group,
        &mut task.task_definition_arn,
        &mut task.started_by,
        &mut task.launch_type,
        &mut task.last_status,
        &mut task.desired_status,
        &mut task.stop_code,
        &mut task.stopped_reason,
    ] {
        *field = strings.optional(input)?;
    }
    for field in [
        &mut task.created_at,
        &mut task.started_at,
        &mut task.stopping_at,
        &mut task.stopped_at,
    ] {
        *field = decode_optional_time(input)?;
    }
    task.version = decode_optional_integer(input)?;
    let container_count = input.count(MIN_CONTAINER_BYTES)?;
    for _ in 0..container_count {
        let mut container = Container {
            name: strings.owned(input)?,
            ..Container::default()
        };
        for field in [
            &mut container.image,
            &mut container.image_digest,
            &mut container.runtime_id,
            &mut container.last_status,
        ] {
            *field = strings.optional(input)?;
        }
        container.exit_code = decode_optional_integer(input)?;
        container.reason = strings.optional(input)?;
        task.containers.push(container);
    }
    for set in [&mut task.enis, &mut task.ips] {
        let count = input.count(1)?;
        for _ in 0..count {
            set.insert(strings.owned(input)?);
        }
    }
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_time_str;
    use std::collections::BTreeSet;

    fn time(text: &str) -> Timestamp {
        parse_time_str(text).expect("a valid time")
    }

    /// Events and a task using every field, key kind and value range.
    fn sample() -> (Vec<Event>, Vec<TaskFacts>) {
        let raw = |locator: &str| RawRef {
            artifact: 3,
            locator: locator.into(),
        };
        let mut first = Event::new(
            time("2026-11-20T13:02:10.123456789Z"),
            Source::Guardduty,
            "Execution:Runtime/ReverseShell",
            "reverse shell → 203.0.113.66",
            raw("/Findings/0"),
        );
        first.severity = Severity::Critical;
        first.original_severity = Some("9.1".into());
        first.actor = Some("root".into());
        first.fact_id = Some("finding-1".into());
        first.keys = vec![
            Key::TaskArn {
                id: "3f9c".into(),
                arn: "arn:aws:ecs:us-east-1:1:task/c/3f9c".into(),
            },
            Key::TaskId("3f9c".into()),
            Key::RoleSession("3f9c".into()),
            Key::LogStream("3f9c".into()),
            Key::RuntimeId("3f9c-1".into()),
            Key::Eni("eni-1".into()),
            Key::Ip("10.0.0.1".into()),
            Key::TaskDefinition("arn:td:1".into()),
            Key::Deployment("ecs-svc/1".into()),
        ];
        first.raw.push(raw("/Findings/0"));
        first.attack.add_tactic(crate::model::Tactic::Impact);
        first
            .attack
            .add_tactic(crate::model::Tactic::Reconnaissance);
        first
            .attack
            .add_technique(Technique::parse("T1059.004").expect("an ID"));
        first.attack.add_label("Resource Hijacking");
        // Earlier than the first, and before 1970: negative differences.
        let second = Event::new(
            time("1969-07-20T20:17:40Z"),
            Source::Logs,
            "log",
            "",
            raw("L2"),
        );
        let mut task = TaskFacts::new("3f9c");
        task.arn = Some("arn:aws:ecs:us-east-1:1:task/c/3f9c".into());
        task.stopped_reason = Some("isolated".into());
        task.started_at = Some(time("2026-11-20T13:02:10Z"));
        task.stopped_at = Some(time("2026-11-20T14:31:40.5Z"));
        task.version = Some(-4);
        task.containers = vec![
            Container {
                name: "app".into(),
                image_digest: Some("sha256:abc".into()),
                exit_code: Some(137),
                ..Container::default()
            },
            Container {
                name: "sidecar".into(),
                ..Container::default()
            },
        ];
        task.enis = BTreeSet::from(["eni-1".to_string()]);
        task.ips = BTreeSet::from(["10.0.0.1".to_string(), "10.0.0.2".to_string()]);
        (vec![first, second], vec![task, TaskFacts::new("empty")])
    }

    #[test]
    fn a_section_decodes_to_what_was_encoded() {
        let (events, tasks) = sample();
        let bytes = encode(&events, &tasks);
        assert_eq!(decode(&bytes, 3), Ok(SectionContent { events, tasks }));
        assert_eq!(decode(&encode(&[], &[]), 0), Ok(SectionContent::default()));
    }

    #[test]
    fn repeated_strings_are_stored_once() {
        let (events, _) = sample();
        let one = encode(&events[..1], &[]).len();
        let many = encode(&vec![events[0].clone(); 100], &[]).len();
        assert!(many < one * 20, "{one} bytes for one event, {many} for 100");
    }

    #[test]
    fn the_smallest_event_task_and_container_fit_their_minimum_sizes() {
        let mut event = Event::new(
            DateTime::from_timestamp(0, 0).expect("the epoch"),
            Source::Ecs,
            "",
            "",
            RawRef {
                artifact: 0,
                locator: String::new(),
            },
        );
        event.raw.clear();
        let mut task = TaskFacts::new("");
        task.containers.push(Container::default());
        let one = encode(&[event.clone()], &[]).len() - encode(&[], &[]).len();
        assert_eq!(one, MIN_EVENT_BYTES + 1, "plus the table entry of \"\"");
        let with_task = encode(&[], &[TaskFacts::new("")]).len() - encode(&[], &[]).len();
        assert_eq!(with_task, MIN_TASK_BYTES + 1);
        let with_container = encode(&[], &[task.clone()]).len() - encode(&[], &[]).len();
        assert_eq!(with_container, MIN_TASK_BYTES + MIN_CONTAINER_BYTES + 1);
        let bytes = encode(&vec![event.clone(); 3], &[task.clone(), task.clone()]);
        assert_eq!(
            decode(&bytes, 0),
            Ok(SectionContent {
                events: vec![event; 3],
                tasks: vec![task; 2],
            })
        );
    }

    #[test]
    fn every_truncation_is_an_error() {
        let (events, tasks) = sample();
        let bytes = encode(&events, &tasks);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], 3).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, 3).is_err(), "a trailing byte");
    }

    #[test]
    fn tactic_bits_and_technique_ids_that_name_nothing_are_refused() {
        let (mut events, _) = sample();
        events.truncate(1);
        let good = encode(&events, &[]);
        // The technique ID is a string of the table: make it no ID.
        let at = good
            .windows(9)
            .position(|w| w == b"T1059.004")
            .expect("the ID is in the table");
        let mut bad_id = good.clone();
        bad_id[at] = b'X';
        let error = decode(&bad_id, 3).unwrap_err();
        assert!(error.message.contains("not a technique ID"), "{error}");
        // An event whose tactic bits name a fifteenth tactic.
        let mut out = Encoder::default();
        out.length(1);
        out.str("");
        out.length(1);
        out.signed(0);
        out.varint(0);
        out.u8(0);
        out.u8(0);
        for _ in 0..5 {
            out.varint(0); // kind, original severity, summary, actor, fact ID
        }
        out.length(0); // keys
        out.length(0); // locators
        out.varint(1 << 14);
        out.length(0);
        out.length(0);
        out.length(0); // tasks
        let error = decode(&out.into_bytes(), 0).unwrap_err();
        assert!(error.message.contains("tactic"), "{error}");
    }

    #[test]
    fn a_string_repeated_beyond_the_budget_is_refused() {
        // One long string referred to by a million one-byte references.
        let mut out = Encoder::default();
        out.length(1);
        out.str(&"x".repeat(100_000));
        out.length(1);
        out.signed(0);
        out.varint(0);
        out.u8(0);
        out.u8(0);
        out.varint(0); // kind
        out.varint(0); // original severity
        out.varint(0); // summary
        out.varint(0); // actor
        out.varint(0); // fact ID
        out.length(1_000_000);
        for _ in 0..1_000_000 {
            out.u8(1);
            out.varint(0);
        }
        let error = decode(&out.into_bytes(), 0).unwrap_err();
        assert!(error.message.contains("budget"), "{error}");
    }

    proptest::proptest! {
        #[test]
        fn corrupted_sections_never_panic(
            flips in proptest::collection::vec((0usize..4096, 0u8..=255), 1..8)
        ) {
            let (events, tasks) = sample();
            let mut bytes = encode(&events, &tasks);
            for (at, value) in flips {
                let at = at % bytes.len();
                bytes[at] = value;
            }
            let _ = decode(&bytes, 3);
        }
    }
}
