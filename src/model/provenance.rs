//! Who wrote a record, and so how far it is trusted (docs/correlation.md,
//! "Provenance and trust").
//!
//! This module holds the one rule. A record is authoritative for task facts
//! only when AWS itself wrote it: an API response, a CloudTrail record, an
//! EventBridge event, a GuardDuty finding. Anything a container prints is a
//! log line, however much it looks like one of those: a compromised task
//! controls its own output. A detector's alert (Falco) sits in between: it
//! is a finding about the task it watches, but the detector runs inside
//! that task and writes to the task's own output, so it never states task
//! facts and, when read from a task's stream, speaks for that task only.

use super::keys::task_id_from_log_stream;
use super::source::Source;
use serde::Serialize;

/// How far an event is trusted, from most to least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// Written by AWS: API responses (collected or CLI output), CloudTrail
    /// (delivery files, LookupEvents, Athena or Lake rows, CloudTrail's own
    /// log streams), EventBridge events (files, or streams an EventBridge
    /// target wrote), GuardDuty findings. States task facts; links by any key.
    Aws,
    /// taskscope's own audit log of the response actions it took.
    Responder,
    /// A runtime detector's alert (Falco). A finding, but never a task fact;
    /// from a task's own stream it concerns that task only.
    Detector,
    /// A container's own output: log lines, and any JSON found in a
    /// container's log stream. Never a task fact or a finding; concerns only
    /// the task whose stream holds it.
    Container,
}

impl Provenance {
    /// The provenance of every event of a source. Importers keep records
    /// found where AWS does not write (a container's log stream) out of the
    /// AWS sources: such a record becomes a log line (see [`of_log_message`]).
    pub fn of(source: Source) -> Provenance {
        match source {
            Source::Guardduty | Source::Ecs | Source::Cloudtrail => Provenance::Aws,
            Source::Response => Provenance::Responder,
            Source::Falco | Source::Scap => Provenance::Detector,
            Source::Logs => Provenance::Container,
        }
    }

    /// The lower-case name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Provenance::Aws => "aws",
            Provenance::Responder => "responder",
            Provenance::Detector => "detector",
            Provenance::Container => "container",
        }
    }

    /// What the name means, for a detail pane.
    pub fn description(self) -> &'static str {
        match self {
            Provenance::Aws => "written by AWS",
            Provenance::Responder => "taskscope's own record of a response action",
            Provenance::Detector => "a runtime detector's alert (runs inside the task)",
            Provenance::Container => "the container's own output (attacker-controlled)",
        }
    }
}

/// What is known about the CloudWatch Logs group a message was read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogGroup {
    /// Nothing: a file handed to import, or a group read for its streams.
    #[default]
    Unknown,
    /// The group collection was told holds the archive of EventBridge
    /// events (`--archive-log-group`): an EventBridge target writes it.
    EventBridgeArchive,
}

/// What a CloudWatch Logs message holds, as far as trust is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogMessage<'a> {
    /// An EventBridge envelope, with its `id`.
    EventBridge {
        /// The envelope's `id`, when it has a string one.
        id: Option<&'a str>,
    },
    /// A bare CloudTrail record.
    CloudTrail,
    /// A Falco alert.
    Falco,
}

/// Who wrote a structured message found in the CloudWatch Logs stream
/// `stream` (`None` when the output does not name streams) of `group`:
///
/// - a container's awslogs stream (`prefix/container/<task-id>`) holds what
///   the container printed: [`Provenance::Container`], except Falco alerts
///   ([`Provenance::Detector`]);
/// - an envelope in the EventBridge archive group was written by EventBridge;
/// - an EventBridge target names each stream after the event it writes, so
///   an envelope whose `id` is its stream's name was written by EventBridge;
/// - CloudTrail names its streams `<account>_CloudTrail_<region>`;
/// - anything else is not known to come from AWS: [`Provenance::Container`].
pub fn of_log_message(
    group: LogGroup,
    stream: Option<&str>,
    message: LogMessage<'_>,
) -> Provenance {
    if message == LogMessage::Falco {
        return Provenance::Detector;
    }
    if stream.is_some_and(|stream| task_id_from_log_stream(stream).is_some()) {
        return Provenance::Container;
    }
    let written_by_aws = match message {
        LogMessage::EventBridge { .. } if group == LogGroup::EventBridgeArchive => true,
        _ if stream.is_none() => false,
        LogMessage::EventBridge { id } => id == stream,
        LogMessage::CloudTrail => stream.is_some_and(is_cloudtrail_stream),
        LogMessage::Falco => false,
    };
    if written_by_aws {
        Provenance::Aws
    } else {
        Provenance::Container
    }
}

/// True for the streams CloudTrail writes into CloudWatch Logs:
/// `<12-digit account>_CloudTrail_<region>`.
fn is_cloudtrail_stream(stream: &str) -> bool {
    let Some((account, region)) = stream.split_once("_CloudTrail_") else {
        return false;
    };
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASK_STREAM: &str = "ecs/app/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
    const EVENT_ID: &str = "26aa9301-6e01-5291-a523-44c8a714f180";

    #[test]
    fn a_container_stream_holds_container_output_whatever_it_looks_like() {
        let envelope = LogMessage::EventBridge {
            id: Some(TASK_STREAM),
        };
        assert_eq!(
            of_log_message(LogGroup::Unknown, Some(TASK_STREAM), envelope),
            Provenance::Container,
            "an id forged to equal the stream name does not help"
        );
        assert_eq!(
            of_log_message(LogGroup::Unknown, Some(TASK_STREAM), LogMessage::CloudTrail),
            Provenance::Container
        );
        assert_eq!(
            of_log_message(LogGroup::Unknown, Some(TASK_STREAM), LogMessage::Falco),
            Provenance::Detector
        );
    }

    #[test]
    fn streams_aws_writes_are_recognized_by_their_names() {
        let envelope = LogMessage::EventBridge { id: Some(EVENT_ID) };
        assert_eq!(
            of_log_message(LogGroup::Unknown, Some(EVENT_ID), envelope),
            Provenance::Aws
        );
        assert_eq!(
            of_log_message(LogGroup::Unknown, Some("another-stream"), envelope),
            Provenance::Container
        );
        assert_eq!(
            of_log_message(LogGroup::Unknown, None, envelope),
            Provenance::Container
        );
        let archive = LogGroup::EventBridgeArchive;
        assert_eq!(
            of_log_message(archive, Some("events"), envelope),
            Provenance::Aws
        );
        assert_eq!(of_log_message(archive, None, envelope), Provenance::Aws);
        assert_eq!(
            of_log_message(archive, Some(TASK_STREAM), envelope),
            Provenance::Container,
            "a container's stream is never the archive"
        );
        assert_eq!(
            of_log_message(archive, Some("events"), LogMessage::CloudTrail),
            Provenance::Container
        );
        assert_eq!(
            of_log_message(
                LogGroup::Unknown,
                Some("111122223333_CloudTrail_us-east-1"),
                LogMessage::CloudTrail
            ),
            Provenance::Aws
        );
        assert_eq!(
            of_log_message(
                LogGroup::Unknown,
                Some("1111_CloudTrail_us-east-1"),
                LogMessage::CloudTrail
            ),
            Provenance::Container
        );
    }

    #[test]
    fn sources_map_to_their_trust_levels() {
        assert_eq!(Provenance::of(Source::Ecs), Provenance::Aws);
        assert_eq!(Provenance::of(Source::Falco), Provenance::Detector);
        assert_eq!(Provenance::of(Source::Logs), Provenance::Container);
    }
}
