//! Amazon Inspector `ListFindings` (`aws inspector2 list-findings`):
//! package-vulnerability findings on ECR container images, each read as
//! the vulnerability it reports for the image digest it names.

use super::is_digest;
use crate::import::decode::ParseError;
use crate::import::json::{owned, path, path_array, path_str, path_time};
use crate::import::Sink;
use crate::model::{CveSeverity, ImageFacts, Package, ScanSource, Vulnerability};
use serde_json::Value;
use std::collections::BTreeMap;

/// The format name of Inspector findings.
pub const FORMAT: &str = "inspector2-findings";

/// The format name of Inspector's BatchGetAccountStatus output.
pub const ACCOUNT_STATUS_FORMAT: &str = "inspector2-account-status";

/// The resource type of an ECR image in an Inspector finding.
const ECR_IMAGE: &str = "AWS_ECR_CONTAINER_IMAGE";

/// True for a `{"findings": [...]}` document whose findings are
/// Inspector's (an Inspector finding ARN, or package-vulnerability details).
pub fn is_findings_listing(value: &Value) -> bool {
    path_array(value, &["findings"]).iter().any(|finding| {
        path_str(finding, &["findingArn"]).is_some_and(|arn| arn.contains(":inspector2:"))
            || path(finding, &["packageVulnerabilityDetails"]).is_some()
    })
}

/// True for `{"findings": []}` (with a `nextToken` at most): what
/// ListFindings answers for an image without findings.
pub fn is_empty_listing(value: &Value) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    map.get("findings")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
        && map
            .keys()
            .all(|key| key == "findings" || key == "nextToken")
}

/// Recognizes a BatchGetAccountStatus response (`{"accounts": [...],
/// "failedAccounts": [...]}`), which says what Inspector scans per account
/// (collection reads it to choose between Inspector and ECR's basic scan):
/// one record per account, no facts.
pub fn import_account_status(value: &Value, sink: &mut Sink) {
    sink.out.formats.insert(ACCOUNT_STATUS_FORMAT);
    for account in path_array(value, &["accounts"]) {
        sink.record(ACCOUNT_STATUS_FORMAT);
        sink.note_scope(path_str(account, &["accountId"]), None);
    }
}

/// Imports a ListFindings response or CLI output.
pub fn import_findings(value: &Value, locator: &str, sink: &mut Sink) {
    sink.out.formats.insert(FORMAT);
    for (index, finding) in path_array(value, &["findings"]).iter().enumerate() {
        import_finding(finding, &format!("{locator}/findings/{index}"), sink);
    }
}

fn import_finding(finding: &Value, locator: &str, sink: &mut Sink) {
    sink.record(FORMAT);
    if let Some(arn) = path_str(finding, &["findingArn"]) {
        sink.note_arn(arn);
    }
    let Some((key, vulnerability)) = vulnerability(finding) else {
        sink.problem(ParseError::new(format!(
            "Inspector finding at {locator} names no vulnerability"
        )));
        return;
    };
    // Findings on other resources (EC2, Lambda) say nothing about images.
    let (mut ecr, mut named) = (false, false);
    for resource in path_array(finding, &["resources"]) {
        if path_str(resource, &["type"]) != Some(ECR_IMAGE) {
            continue;
        }
        ecr = true;
        let details = path(resource, &["details", "awsEcrContainerImage"]).unwrap_or(&Value::Null);
        let Some(digest) = path_str(details, &["imageHash"]).filter(|d| is_digest(d)) else {
            continue;
        };
        named = true;
        let mut image = ImageFacts::new(digest);
        image.repository = owned(details, &["repositoryName"]);
        image.registry = owned(details, &["registry"]);
        image.pushed_at = path_time(details, &["pushedAt"]);
        image.tags = path_array(details, &["imageTags"])
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect();
        image.inspector = Some(BTreeMap::from([(key.clone(), vulnerability.clone())]));
        sink.image(image);
    }
    if ecr && !named {
        sink.problem(ParseError::new(format!(
            "Inspector finding at {locator} names no ECR image digest"
        )));
    }
}

/// The vulnerability an Inspector finding reports (also the shape of ECR's
/// enhanced-scan findings), keyed by its finding ARN (else its ID).
pub(super) fn vulnerability(finding: &Value) -> Option<(String, Vulnerability)> {
    let id = path_str(finding, &["packageVulnerabilityDetails", "vulnerabilityId"])
        .or_else(|| path_str(finding, &["title"]))?;
    let packages = path_array(
        finding,
        &["packageVulnerabilityDetails", "vulnerablePackages"],
    )
    .iter()
    .filter_map(|package| {
        Some(Package {
            name: owned(package, &["name"])?,
            version: owned(package, &["version"]),
            fixed_in: owned(package, &["fixedInVersion"]).filter(|v| v != "NotAvailable"),
        })
    })
    .collect();
    let vulnerability = Vulnerability {
        id: id.to_string(),
        severity: CveSeverity::parse(path_str(finding, &["severity"]).unwrap_or("")),
        packages,
        exploit_available: match path_str(finding, &["exploitAvailable"]) {
            Some("YES") => Some(true),
            Some("NO") => Some(false),
            _ => None,
        },
        source: ScanSource::Inspector,
    };
    let key = path_str(finding, &["findingArn"]).unwrap_or(id).to_string();
    Some((key, vulnerability))
}
