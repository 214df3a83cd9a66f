//! The values a theme file may hold: colours, modifier names and slot styles.
//!
//! Each function returns a plain message on failure; the caller adds the file,
//! the key and the line.

use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;
use toml::Value;

/// Named colours defined in a theme's `[palette]`, by name.
pub type Palette = BTreeMap<String, Color>;

/// The colour names understood in every theme, and the ratatui colour each means.
const NAMED_COLORS: &[(&str, Color)] = &[
    ("reset", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("darkgray", Color::DarkGray),
    ("lightred", Color::LightRed),
    ("lightgreen", Color::LightGreen),
    ("lightyellow", Color::LightYellow),
    ("lightblue", Color::LightBlue),
    ("lightmagenta", Color::LightMagenta),
    ("lightcyan", Color::LightCyan),
    ("white", Color::White),
];

/// The modifier names a style's `modifiers` list may hold.
const NAMED_MODIFIERS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underlined", Modifier::UNDERLINED),
    ("slow_blink", Modifier::SLOW_BLINK),
    ("rapid_blink", Modifier::RAPID_BLINK),
    ("reversed", Modifier::REVERSED),
    ("hidden", Modifier::HIDDEN),
    ("crossed_out", Modifier::CROSSED_OUT),
];

/// Parses a colour written without palette names: a ratatui colour name, `#rrggbb`,
/// or an ANSI index 0–255 (as a TOML integer or a string of digits).
pub fn parse_plain_color(value: &Value) -> Result<Color, String> {
    parse_color(value, &Palette::new())
}

/// Parses a colour: a palette name first, then everything [`parse_plain_color`] accepts.
pub fn parse_color(value: &Value, palette: &Palette) -> Result<Color, String> {
    match value {
        Value::Integer(index) => ansi_index(*index),
        Value::String(text) => color_from_text(text, palette),
        other => Err(format!(
            "a colour must be a string or an integer 0-255, not {}",
            other.type_str()
        )),
    }
}

fn ansi_index(index: i64) -> Result<Color, String> {
    u8::try_from(index)
        .map(Color::Indexed)
        .map_err(|_| format!("ANSI colour index {index} is outside 0-255"))
}

fn color_from_text(text: &str, palette: &Palette) -> Result<Color, String> {
    if let Some(color) = palette.get(text) {
        return Ok(*color);
    }
    let lower = text.to_ascii_lowercase();
    if let Some((_, color)) = NAMED_COLORS.iter().find(|(name, _)| *name == lower) {
        return Ok(*color);
    }
    if let Some(hex) = text.strip_prefix('#') {
        return rgb_from_hex(hex).ok_or_else(|| format!("{text:?} is not a #rrggbb colour"));
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .map_err(|_| format!("ANSI colour index {text} is outside 0-255"))
            .and_then(ansi_index);
    }
    Err(format!(
        "unknown colour {text:?}: use a palette name, one of {}, #rrggbb or 0-255",
        NAMED_COLORS
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn rgb_from_hex(hex: &str) -> Option<Color> {
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |at: usize| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok();
    Some(Color::Rgb(channel(0)?, channel(2)?, channel(4)?))
}

/// Parses a `modifiers` list such as `["bold", "reversed"]`.
pub fn parse_modifiers(value: &Value) -> Result<Modifier, String> {
    let Value::Array(items) = value else {
        return Err(format!(
            "modifiers must be a list of names, not {}",
            value.type_str()
        ));
    };
    items.iter().try_fold(Modifier::empty(), |all, item| {
        let name = item
            .as_str()
            .ok_or_else(|| format!("a modifier must be a string, not {}", item.type_str()))?;
        NAMED_MODIFIERS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, modifier)| all | *modifier)
            .ok_or_else(|| {
                format!(
                    "unknown modifier {name:?}: use {}",
                    NAMED_MODIFIERS
                        .iter()
                        .map(|(known, _)| *known)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    })
}

/// Parses one slot: a string or integer (the foreground colour alone) or a table
/// `{ fg = ..., bg = ..., modifiers = [...] }`.
pub fn parse_style(value: &Value, palette: &Palette) -> Result<Style, String> {
    let Value::Table(table) = value else {
        return parse_color(value, palette).map(|fg| Style::new().fg(fg));
    };
    let mut style = Style::new();
    for (field, item) in table {
        let in_field = |message: String| format!("{field}: {message}");
        match field.as_str() {
            "fg" => style = style.fg(parse_color(item, palette).map_err(in_field)?),
            "bg" => style = style.bg(parse_color(item, palette).map_err(in_field)?),
            "modifiers" => style = style.add_modifier(parse_modifiers(item).map_err(in_field)?),
            _ => {
                return Err(format!(
                    "unknown style field {field:?}: a style has fg, bg and modifiers"
                ))
            }
        }
    }
    Ok(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::String(s.to_string())
    }

    #[test]
    fn named_hex_and_indexed_colours() {
        assert_eq!(parse_plain_color(&text("lightblue")), Ok(Color::LightBlue));
        assert_eq!(parse_plain_color(&text("Reset")), Ok(Color::Reset));
        assert_eq!(
            parse_plain_color(&text("#d75f5F")),
            Ok(Color::Rgb(0xd7, 0x5f, 0x5f))
        );
        assert_eq!(
            parse_plain_color(&Value::Integer(208)),
            Ok(Color::Indexed(208))
        );
        assert_eq!(parse_plain_color(&text("17")), Ok(Color::Indexed(17)));
    }

    #[test]
    fn bad_colours_are_rejected_with_the_reason() {
        assert!(parse_plain_color(&text("blurple"))
            .unwrap_err()
            .contains("unknown colour \"blurple\""));
        assert!(parse_plain_color(&text("#12345")).is_err());
        assert!(parse_plain_color(&text("#12345g")).is_err());
        assert!(parse_plain_color(&text("#ééé")).is_err());
        assert!(parse_plain_color(&Value::Integer(256))
            .unwrap_err()
            .contains("outside 0-255"));
        assert!(parse_plain_color(&Value::Integer(-1)).is_err());
        assert!(parse_plain_color(&text("99999999999999999999")).is_err());
        assert!(parse_plain_color(&Value::Boolean(true)).is_err());
    }

    #[test]
    fn palette_names_win_over_built_in_names() {
        let palette = Palette::from([("red".to_string(), Color::Rgb(1, 2, 3))]);
        assert_eq!(parse_color(&text("red"), &palette), Ok(Color::Rgb(1, 2, 3)));
        assert_eq!(parse_color(&text("blue"), &palette), Ok(Color::Blue));
    }

    #[test]
    fn modifiers_combine_and_unknown_names_fail() {
        let list: Value = toml::from_str::<toml::Table>("m = [\"bold\", \"reversed\"]")
            .unwrap()
            .remove("m")
            .unwrap();
        assert_eq!(
            parse_modifiers(&list),
            Ok(Modifier::BOLD | Modifier::REVERSED)
        );
        let bad = Value::Array(vec![text("sparkly")]);
        assert!(parse_modifiers(&bad).unwrap_err().contains("\"sparkly\""));
        assert!(parse_modifiers(&text("bold")).is_err());
    }

    #[test]
    fn slot_styles_from_shorthand_and_tables() {
        let palette = Palette::new();
        assert_eq!(
            parse_style(&text("red"), &palette),
            Ok(Style::new().fg(Color::Red))
        );
        let table: Value = toml::from_str::<toml::Table>(
            "s = { fg = \"white\", bg = 160, modifiers = [\"bold\"] }",
        )
        .unwrap()
        .remove("s")
        .unwrap();
        assert_eq!(
            parse_style(&table, &palette),
            Ok(Style::new()
                .fg(Color::White)
                .bg(Color::Indexed(160))
                .add_modifier(Modifier::BOLD))
        );
        let typo: Value = toml::from_str::<toml::Table>("s = { fgg = \"red\" }")
            .unwrap()
            .remove("s")
            .unwrap();
        assert!(parse_style(&typo, &palette)
            .unwrap_err()
            .contains("\"fgg\""));
    }
}
