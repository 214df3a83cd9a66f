//! The preserve step: the task's evidence collected into a new bundle and
//! sealed before anything is changed.

use super::context::Context;
use crate::bundle::write::sha256_hex;
use crate::collect::accounts::Reach;
use crate::collect::run::prepare_checked;
use crate::collect::Scope;
use crate::model::time::{format_time, parse_time_str};
use crate::respond::cloud::{CallError, Sent};
use crate::respond::plan::Call;
use serde_json::json;
use std::path::PathBuf;

/// Collects the task's evidence into a new bundle and seals it; an
/// interruption ends the collection early, with what was received sealed.
pub(super) async fn preserve(call: &Call, context: &Context<'_>) -> Result<Sent, CallError> {
    let p = &call.parameters;
    let (Some(out), Some(task)) = (p["out"].as_str(), p["task"].as_str()) else {
        return Err(CallError::local("the plan's preserve step lacks its task"));
    };
    let now = crate::model::time::now();
    let since = p["since"]
        .as_str()
        .and_then(parse_time_str)
        .unwrap_or(now - chrono::TimeDelta::hours(24));
    let scope = Scope {
        cluster: p["cluster"].as_str().map(str::to_string),
        service: None,
        task: Some(task.to_string()),
        from: since,
        to: now,
        log_groups: Vec::new(),
        archive_log_group: None,
        athena: match p.get("athena") {
            Some(athena) => Some(serde_json::from_value(athena.clone()).map_err(|e| {
                CallError::local(format!("preserve: the plan's Athena table: {e}"))
            })?),
            None => None,
        },
    };
    let out = PathBuf::from(out);
    let reach = Reach::own(vec![context.config.clone()]);
    let prepared = prepare_checked(context.connection, reach, scope, &out, |_| {})
        .map_err(|e| CallError::local(format!("preserve: {e}")))?;
    let (manifest, _) = prepared
        .run(context.interrupt.raised(), || {})
        .await
        .map_err(|e| CallError::local(format!("preserve: {e}")))?;
    let manifest_bytes = std::fs::read(out.join(crate::bundle::manifest::MANIFEST_FILE))
        .map_err(|e| CallError::local(format!("preserve: cannot read the manifest: {e}")))?;
    let incomplete: Vec<String> = manifest
        .collection
        .source_reports
        .iter()
        .filter(|r| r.status != crate::bundle::manifest::SourceStatus::Complete)
        .map(|r| format!("{} {}", r.source, r.region))
        .collect();
    Ok(Sent {
        request_id: None,
        output: json!({
            "bundle": out.display().to_string(),
            "sealedManifestSha256": sha256_hex(&manifest_bytes),
            "artifacts": manifest.artifacts.len(),
            "sealedAt": format_time(&crate::model::time::now()),
            "partialSources": incomplete,
        }),
        parameters: None,
    })
}
