//! One-line text editing, shared by the prompts, the palette and the
//! typed confirmation of a response action. The editing keys are the
//! prompt layer's (`[keys.prompt]`); any other printable character is typed.

use super::keymap::Keymap;
use super::keys::{Action, Layer};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Longest text a prompt accepts.
const PROMPT_MAX_CHARS: usize = 4000;

/// Applies a key press to a one-line text: the prompt layer's editing
/// actions (delete a character, a word, the whole text), else a printable
/// character. Control characters never enter the text.
pub fn edit_line(input: &mut String, key: &KeyEvent, keymap: &Keymap) {
    match keymap.action_in(Layer::Prompt, key) {
        Some(Action::DeleteChar) => {
            input.pop();
        }
        Some(Action::ClearLine) => input.clear(),
        Some(Action::DeleteWord) => {
            let kept = input.trim_end().rfind(' ').map_or(0, |i| i + 1);
            input.truncate(kept);
        }
        Some(_) => {}
        None => {
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            if let KeyCode::Char(c) = key.code {
                if !ctrl && !c.is_control() && input.chars().count() < PROMPT_MAX_CHARS {
                    input.push(c);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn typed(keys: &[KeyEvent], keymap: &Keymap) -> String {
        let mut text = String::new();
        for key in keys {
            edit_line(&mut text, key, keymap);
        }
        text
    }

    fn char_key(c: char, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), modifiers)
    }

    #[test]
    fn editing_keys_come_from_the_prompt_layer() {
        let none = KeyModifiers::NONE;
        let ctrl = KeyModifiers::CONTROL;
        let keys = [
            char_key('a', none),
            char_key('b', none),
            char_key(' ', none),
            char_key('c', none),
            char_key('w', ctrl),
            char_key('x', ctrl),
            KeyEvent::new(KeyCode::Backspace, none),
        ];
        assert_eq!(typed(&keys, &Keymap::defaults()), "ab");
        let overrides = BTreeMap::from([
            ("prompt.delete_word".to_string(), vec!["ctrl-x".to_string()]),
            ("prompt.delete_char".to_string(), Vec::new()),
        ]);
        let keymap = Keymap::with_overrides(&overrides).unwrap();
        assert_eq!(typed(&keys, &keymap), "ab ");
    }
}
