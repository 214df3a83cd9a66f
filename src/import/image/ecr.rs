//! Amazon ECR: `DescribeImages` (tags, push time, manifest media type, and
//! cosign signatures stored as `sha256-<hex>.sig` tags),
//! `DescribeImageScanFindings` (basic scan findings, and enhanced-scan
//! findings in Inspector's shape) and `DescribeImageSigningStatus` (ECR
//! managed signing with AWS Signer). The API responses and the AWS CLI's
//! output are the same JSON.

use super::{inspector, is_digest};
use crate::import::decode::ParseError;
use crate::import::json::{owned, path, path_array, path_str, path_time};
use crate::import::Sink;
use crate::model::{CveSeverity, ImageFacts, Package, ScanSource, SignerStatus, Vulnerability};
use serde_json::Value;
use std::collections::BTreeMap;

/// The format name of DescribeImages output.
pub const IMAGES_FORMAT: &str = "ecr-images";
/// The format name of DescribeImageScanFindings output.
pub const SCAN_FORMAT: &str = "ecr-scan-findings";
/// The format name of DescribeImageSigningStatus output.
pub const SIGNING_FORMAT: &str = "ecr-signing-status";

/// The digest a cosign signature tag (`sha256-<hex>.sig`) signs.
pub fn cosign_subject(tag: &str) -> Option<String> {
    let hex = tag.strip_prefix("sha256-")?.strip_suffix(".sig")?;
    let digest = format!("sha256:{hex}");
    is_digest(&digest).then_some(digest)
}

/// The tag cosign gives the signature of `digest` (`sha256-<hex>.sig`).
pub fn cosign_tag(digest: &str) -> Option<String> {
    let hex = digest.strip_prefix("sha256:")?;
    is_digest(digest).then(|| format!("sha256-{hex}.sig"))
}

/// Imports `{"imageDetails": [...]}`.
pub fn import_images(value: &Value, locator: &str, sink: &mut Sink) {
    sink.out.formats.insert(IMAGES_FORMAT);
    for (index, detail) in path_array(value, &["imageDetails"]).iter().enumerate() {
        sink.record(IMAGES_FORMAT);
        let Some(digest) = path_str(detail, &["imageDigest"]).filter(|d| is_digest(d)) else {
            sink.problem(ParseError::new(format!(
                "ECR image at {locator}/imageDetails/{index} has no sha256 digest"
            )));
            continue;
        };
        let mut image = ImageFacts::new(digest);
        image.repository = owned(detail, &["repositoryName"]);
        image.registry = owned(detail, &["registryId"]);
        sink.note_scope(image.registry.as_deref(), None);
        image.pushed_at = path_time(detail, &["imagePushedAt"]);
        image.manifest_media_type = owned(detail, &["imageManifestMediaType"]);
        image.tags = path_array(detail, &["imageTags"])
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect();
        for tag in &image.tags {
            if let Some(subject) = cosign_subject(tag) {
                let mut signed = ImageFacts::new(subject);
                signed.repository = image.repository.clone();
                signed.registry = image.registry.clone();
                signed.cosign_signatures.insert(tag.clone());
                sink.image(signed);
            }
        }
        sink.image(image);
    }
}

/// The image a response about one image names (`repositoryName`,
/// `registryId`, `imageId.imageDigest`), or a problem.
fn named_image(value: &Value, what: &str, sink: &mut Sink) -> Option<ImageFacts> {
    let Some(digest) = path_str(value, &["imageId", "imageDigest"]).filter(|d| is_digest(d)) else {
        sink.problem(ParseError::new(format!(
            "ECR {what} names no sha256 image digest"
        )));
        return None;
    };
    let mut image = ImageFacts::new(digest);
    image.repository = owned(value, &["repositoryName"]);
    image.registry = owned(value, &["registryId"]);
    sink.note_scope(image.registry.as_deref(), None);
    if let Some(tag) = path_str(value, &["imageId", "imageTag"]) {
        image.tags.insert(tag.to_string());
    }
    Some(image)
}

/// Imports a DescribeImageScanFindings response (one page).
pub fn import_scan_findings(value: &Value, sink: &mut Sink) {
    sink.out.formats.insert(SCAN_FORMAT);
    sink.record(SCAN_FORMAT);
    let Some(mut image) = named_image(value, "scan findings", sink) else {
        return;
    };
    image.basic_scan_status = owned(value, &["imageScanStatus", "status"]);
    if let Some(scan) = path(value, &["imageScanFindings"]) {
        let basic: BTreeMap<String, Vulnerability> = path_array(scan, &["findings"])
            .iter()
            .filter_map(basic_finding)
            .map(|v| (v.id.clone(), v))
            .collect();
        let enhanced: BTreeMap<String, Vulnerability> = path_array(scan, &["enhancedFindings"])
            .iter()
            .filter_map(inspector::vulnerability)
            .collect();
        if !enhanced.is_empty() {
            image.inspector = Some(enhanced);
        }
        if !basic.is_empty() || path(scan, &["enhancedFindings"]).is_none() {
            image.basic_scan = Some(basic);
        }
    }
    sink.image(image);
}

/// One basic-scan finding: its name, severity and package attributes.
fn basic_finding(finding: &Value) -> Option<Vulnerability> {
    let attribute = |key: &str| {
        path_array(finding, &["attributes"])
            .iter()
            .find(|a| path_str(a, &["key"]) == Some(key))
            .and_then(|a| owned(a, &["value"]))
    };
    let packages = attribute("package_name")
        .map(|name| Package {
            name,
            version: attribute("package_version"),
            fixed_in: None,
        })
        .into_iter()
        .collect();
    Some(Vulnerability {
        id: owned(finding, &["name"])?,
        severity: CveSeverity::parse(path_str(finding, &["severity"]).unwrap_or("")),
        packages,
        exploit_available: None,
        source: ScanSource::EcrBasic,
    })
}

/// Imports a DescribeImageSigningStatus response.
pub fn import_signing_status(value: &Value, sink: &mut Sink) {
    sink.out.formats.insert(SIGNING_FORMAT);
    sink.record(SIGNING_FORMAT);
    let Some(mut image) = named_image(value, "signing status", sink) else {
        return;
    };
    image.signer = Some(
        path_array(value, &["signingStatuses"])
            .iter()
            .map(|status| SignerStatus {
                profile: owned(status, &["signingProfileArn"]),
                status: owned(status, &["status"]).unwrap_or_else(|| "UNKNOWN".into()),
                failure: owned(status, &["failureReason"])
                    .or_else(|| owned(status, &["failureCode"])),
            })
            .collect(),
    );
    sink.image(image);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosign_tags_name_the_digest_they_sign() {
        let hex = "a".repeat(64);
        assert_eq!(
            cosign_subject(&format!("sha256-{hex}.sig")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(cosign_subject(&format!("sha256-{hex}.att")), None);
        assert_eq!(cosign_subject("sha256-abc.sig"), None);
        assert_eq!(cosign_subject("v41"), None);
        let digest = format!("sha256:{hex}");
        let tag = cosign_tag(&digest).expect("a digest");
        assert_eq!(cosign_subject(&tag), Some(digest));
    }
}
