//! A task's summary as the correlated index stores it: the counts per
//! source, findings, severity, weak links and window of its timeline.

use crate::bundle::index::codec::{DecodeError, Decoder, Encoder};
use crate::model::{Severity, TaskSummary, Timestamp};
use chrono::DateTime;

/// Severities by code minus one (0 is none).
const SEVERITIES: [Severity; 5] = [
    Severity::Info,
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

/// Appends one summary.
pub fn encode(out: &mut Encoder, summary: &TaskSummary) {
    for &count in &summary.per_source {
        out.length(count);
    }
    out.length(summary.findings);
    out.u8(summary.severity.map_or(0, |severity| severity as u8 + 1));
    out.length(summary.weak_links);
    match summary.window {
        None => out.u8(0),
        Some((first, last)) => {
            out.u8(1);
            encode_time(out, first);
            encode_time(out, last);
        }
    }
}

/// Reads one summary written by [`encode`].
pub fn decode(input: &mut Decoder<'_>) -> Result<TaskSummary, DecodeError> {
    let mut summary = TaskSummary::default();
    for count in summary.per_source.iter_mut() {
        *count = length(input)?;
    }
    summary.findings = length(input)?;
    summary.severity = match input.u8()? {
        0 => None,
        code => Some(
            *SEVERITIES
                .get(usize::from(code) - 1)
                .ok_or_else(|| input.error("unknown severity"))?,
        ),
    };
    summary.weak_links = length(input)?;
    summary.window = match input.u8()? {
        0 => None,
        1 => Some((decode_time(input)?, decode_time(input)?)),
        _ => return Err(input.error("unknown window tag")),
    };
    Ok(summary)
}

/// A count that needs no bound here: nothing is allocated for it.
fn length(input: &mut Decoder<'_>) -> Result<usize, DecodeError> {
    usize::try_from(input.varint()?).map_err(|_| input.error("count out of range"))
}

fn encode_time(out: &mut Encoder, time: Timestamp) {
    out.signed(time.timestamp());
    out.varint(u64::from(time.timestamp_subsec_nanos()));
}

fn decode_time(input: &mut Decoder<'_>) -> Result<Timestamp, DecodeError> {
    let seconds = input.signed()?;
    let nanos = u32::try_from(input.varint()?).ok();
    nanos
        .and_then(|nanos| DateTime::from_timestamp(seconds, nanos))
        .ok_or_else(|| input.error("time out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;

    #[test]
    fn a_summary_round_trips() {
        let mut summary = TaskSummary::default();
        summary.per_source[Source::ALL.len() - 1] = 300;
        summary.findings = 2;
        summary.severity = Some(Severity::Critical);
        summary.weak_links = 1;
        let first: Timestamp = "2026-03-01T10:00:00.5Z".parse().expect("time");
        summary.window = Some((first, first + chrono::Duration::seconds(90)));
        let mut out = Encoder::default();
        encode(&mut out, &summary);
        encode(&mut out, &TaskSummary::default());
        let bytes = out.into_bytes();
        let mut input = Decoder::new(&bytes);
        assert_eq!(decode(&mut input), Ok(summary));
        assert_eq!(decode(&mut input), Ok(TaskSummary::default()));
        assert!(input.is_empty());
    }
}
