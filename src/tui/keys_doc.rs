//! docs/keys.md's key tables, checked against the keymap table so that
//! they cannot drift: the test rebuilds them from [`DEFAULT_BINDINGS`] and
//! compares. After changing the table, regenerate them with
//! `UPDATE_KEYS_DOC=1 cargo test --lib keys_doc`.

use super::keys::{Layer, Section, DEFAULT_BINDINGS};

/// The line that opens the generated part of docs/keys.md (the rest of
/// that line is a note for its readers).
const BEGIN: &str = "<!-- keys:begin";

/// The line that closes it.
const END: &str = "<!-- keys:end -->";

/// One table per help section, in help order.
fn tables() -> String {
    let mut out = String::new();
    for section in Section::ALL {
        let layer = section.layer();
        let table = match layer {
            Layer::Global => "screens, `[keys]`".to_string(),
            _ => format!("`{}`", layer.table()),
        };
        out.push_str(&format!("\n### {} ({table})\n\n", section.title()));
        out.push_str("| action (config name) | default keys | what it does |\n|---|---|---|\n");
        for binding in DEFAULT_BINDINGS.iter().filter(|b| b.section == section) {
            let keys: Vec<String> = binding.keys.iter().map(|k| format!("`{k}`")).collect();
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                binding.name,
                keys.join(" "),
                binding.doc
            ));
        }
    }
    out.push('\n');
    out
}

#[test]
fn keys_doc_matches_the_keymap() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md");
    let doc = std::fs::read_to_string(path).expect("docs/keys.md");
    let begin = doc.find(BEGIN).expect("docs/keys.md has the begin marker");
    let start = begin + doc[begin..].find('\n').expect("a line after the marker") + 1;
    let end = doc.find(END).expect("docs/keys.md has the end marker");
    let generated = tables();
    if std::env::var_os("UPDATE_KEYS_DOC").is_some() {
        let updated = format!("{}{generated}{}", &doc[..start], &doc[end..]);
        std::fs::write(path, updated).expect("docs/keys.md written");
        return;
    }
    assert!(
        doc[start..end] == generated,
        "docs/keys.md's key tables differ from src/tui/keys.rs: \
         run UPDATE_KEYS_DOC=1 cargo test --lib keys_doc"
    );
}
