//! `taskscope export --redact`: secret values out of everything an export
//! writes, the bundle untouched.
//!
//! Two layers, both documented rule by rule in docs/exports.md (Redaction):
//!
//! - [`redact_value`] walks a raw record: values of fields whose *name* says
//!   they are secret (`secretAccessKey`, `sessionToken`, `password`, ...),
//!   the values of `environment` variables (names kept), and then every
//!   other string through the text rules.
//! - [`redact_text`] finds secrets inside free text (command lines, log
//!   lines, URLs, summaries, notes): `NAME=value` and `NAME: value` for
//!   secret names, `--password x`, `mysql -pX`, `Authorization:` and
//!   `Bearer` credentials, URL user-info passwords, AWS secret keys next to an
//!   access key ID, AWS session tokens, JWTs and PEM private keys.
//!
//! Every secret becomes [`REDACTED`]; names, key IDs (`AKIA…`, `ASIA…`),
//! ARNs and the rest of the text stay, so the export still tells the story.
//! [`log_text`] applies the same rules to what taskscope writes to stderr.
//!
//! By topic: `names` (which names are secret), `text` (the free-text
//! detectors, one module per family), `value` (raw records), `incident`
//! (an incident and its notes) and `messages` (taskscope's own messages).

mod incident;
mod messages;
mod names;
mod replacement;
#[cfg(test)]
mod test_secrets;
mod text;
mod value;

pub use incident::{redact_annotations, redact_incident};
pub use messages::log_text;
pub use names::is_secret_name;
pub use replacement::REDACTED;
pub use text::redact_text;
pub use value::redact_value;
