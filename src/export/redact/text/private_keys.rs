//! The bodies of PEM private keys.

use super::forward_search::ForwardSearch;
use std::ops::Range;

/// The body of PEM private keys (`-----BEGIN … PRIVATE KEY-----`), up to
/// `-----END` or the end of the text. A header is the first `PRIVATE KEY-----`
/// after a `-----BEGIN ` with no line break between them; starts sharing a
/// header share its body, which is kept once.
pub(super) fn private_key_blocks(text: &str, spans: &mut Vec<Range<usize>>) {
    const MARKER: &str = "PRIVATE KEY-----";
    let mut header_ends = ForwardSearch::new(text, MARKER);
    let mut line_breaks = ForwardSearch::new(text, "\n");
    let mut body_ends = ForwardSearch::new(text, "-----END");
    let mut last_header_end = None;
    for (index, _) in text.match_indices("-----BEGIN ") {
        let Some(header_end) = header_ends.at_or_after(index).map(|i| i + MARKER.len()) else {
            // No header ends after this start, nor after any later one.
            break;
        };
        if line_breaks
            .at_or_after(index)
            .is_some_and(|line_break| line_break < header_end)
            || last_header_end == Some(header_end)
        {
            continue;
        }
        last_header_end = Some(header_end);
        let end = body_ends.at_or_after(header_end).unwrap_or(text.len());
        if end > header_end {
            spans.push(header_end..end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::redact::text::forward_search::BYTES_SEARCHED;

    /// The private key rule stated one `-----BEGIN ` at a time, each
    /// searching afresh: the reference the scan must agree with.
    fn private_key_spans_one_marker_at_a_time(text: &str) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        for (index, _) in text.match_indices("-----BEGIN ") {
            let Some(header_end) = text[index..]
                .find("PRIVATE KEY-----")
                .map(|i| index + i + "PRIVATE KEY-----".len())
            else {
                continue;
            };
            if text[index..header_end].contains('\n') {
                continue;
            }
            let end = text[header_end..]
                .find("-----END")
                .map_or(text.len(), |i| header_end + i);
            if end > header_end {
                spans.push(header_end..end);
            }
        }
        spans
    }

    #[test]
    fn private_key_scan_agrees_with_the_rule_on_partial_nested_and_open_blocks() {
        const PIECES: [&str; 7] = [
            "-----BEGIN ",
            "RSA ",
            "PRIVATE KEY-----",
            "\n",
            "MIIE",
            "-----END",
            " PRIVATE KEY-----",
        ];
        let mut texts = vec![String::new()];
        let mut checked = 0;
        for _ in 0..5 {
            texts = texts
                .iter()
                .flat_map(|text| PIECES.iter().map(move |piece| format!("{text}{piece}")))
                .collect();
            for text in &texts {
                // Repeats of one span redact nothing more.
                let mut spans = Vec::new();
                private_key_blocks(text, &mut spans);
                spans.dedup();
                let mut expected = private_key_spans_one_marker_at_a_time(text);
                expected.dedup();
                assert_eq!(spans, expected, "{text:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 7 + 49 + 343 + 2_401 + 16_807);
    }

    fn bytes_searched_for_private_keys(text: &str) -> usize {
        BYTES_SEARCHED.with(|searched| searched.set(0));
        private_key_blocks(text, &mut Vec::new());
        BYTES_SEARCHED.with(std::cell::Cell::get)
    }

    #[test]
    fn private_key_scan_searches_each_byte_a_bounded_number_of_times() {
        let markers = 2_000;
        let starts = "-----BEGIN ".repeat(markers);
        let body = "MIIE".repeat(5_000);
        for hostile in [
            // No header ever ends.
            starts.clone(),
            // Every start shares the one header end, far away.
            format!("{starts}{body}PRIVATE KEY-----{body}"),
            // Every header is cut by a line break before its end.
            format!("{}{body}PRIVATE KEY-----", "-----BEGIN \n".repeat(markers)),
            // Complete headers whose bodies never end.
            format!(
                "{}{body}",
                "-----BEGIN RSA PRIVATE KEY-----".repeat(markers)
            ),
            // Well-formed blocks.
            format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n")
                .repeat(markers / 100),
        ] {
            let searched = bytes_searched_for_private_keys(&hostile);
            assert!(
                searched <= 4 * hostile.len(),
                "{searched} bytes searched in a text of {} bytes",
                hostile.len()
            );
        }
    }
}
