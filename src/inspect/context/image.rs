//! The images a task ran: per container, its digest and registry, its ECR
//! facts (tags, push time), its vulnerabilities (Inspector, else ECR's
//! basic scan) and what is known of its signature, with the flags
//! [`ImageFacts::flags`] raises. Only private ECR images can be asked
//! about; any other image is said to be unknown, never clean or unsigned.

use crate::correlate::Incident;
use crate::model::{
    CveSeverity, EcrReference, ImageFacts, ImageFlag, ScanSource, Signature, TaskFacts,
    Vulnerability,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// Most critical vulnerabilities listed per image.
pub const TOP_CRITICAL: usize = 5;

/// What is known about one container's image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerImage {
    /// The container name.
    pub container: String,
    /// The image reference the container ran.
    pub image: Option<String>,
    /// The digest it resolved to.
    pub digest: Option<String>,
    /// The ECR repository, when the image is a private ECR image.
    pub ecr: Option<EcrReference>,
    /// Tags, as ECR or Inspector listed them.
    pub tags: Vec<String>,
    /// When the image was pushed.
    #[serde(serialize_with = "crate::model::time::serialize_rfc3339_opt")]
    pub pushed_at: Option<crate::model::Timestamp>,
    /// Which scanner's findings are shown, when the bundle holds any.
    pub scan_source: Option<ScanSource>,
    /// Why there are no findings to show, when there are none.
    pub scan_unknown: Option<String>,
    /// Vulnerabilities per severity, most severe first (in JSON, an object
    /// from severity name to count).
    #[serde(serialize_with = "counts_as_map")]
    pub severity_counts: Vec<(CveSeverity, usize)>,
    /// The most severe critical vulnerabilities, exploitable first.
    pub top_critical: Vec<Vulnerability>,
    /// Whether any vulnerability shown has a known exploit (`None`: the
    /// scanner does not say).
    pub exploit_known: Option<bool>,
    /// What is known of the signature.
    pub signature: Signature,
    /// Why the image is flagged.
    pub flags: Vec<ImageFlag>,
}

impl ContainerImage {
    /// The vulnerabilities by severity: `1 critical, 2 high`, or `no
    /// vulnerabilities`.
    pub fn counts_text(&self) -> String {
        let counts: Vec<String> = self
            .severity_counts
            .iter()
            .map(|(severity, n)| format!("{n} {}", severity.name()))
            .collect();
        if counts.is_empty() {
            "no vulnerabilities".to_string()
        } else {
            counts.join(", ")
        }
    }

    /// The findings in one line: `inspector: 1 critical, 2 high`,
    /// `ecr-basic-scan: no vulnerabilities`, or why there are none to show.
    pub fn scan_text(&self) -> String {
        match (&self.scan_source, &self.scan_unknown) {
            (Some(source), _) => format!("{}: {}", source.name(), self.counts_text()),
            (None, Some(why)) => why.clone(),
            (None, None) => "-".to_string(),
        }
    }

    /// Whether an exploit is known for a vulnerability shown: `yes`, `no`,
    /// or `not reported` (ECR's basic scan never says).
    pub fn exploit_text(&self) -> &'static str {
        match self.exploit_known {
            Some(true) => "yes",
            Some(false) => "no",
            None => "not reported",
        }
    }

    /// The flags in one line, `-` when none.
    pub fn flags_text(&self) -> String {
        if self.flags.is_empty() {
            return "-".to_string();
        }
        let flags: Vec<String> = self.flags.iter().map(|f| f.text()).collect();
        flags.join("; ")
    }
}

/// Why nothing can be known of an image outside ECR.
pub const NOT_ECR: &str = "not an ECR image: scan and signature unknown";

/// The images of the task at index `task` (which it must be), per container.
pub fn task_images(incident: &Incident, task: usize) -> Vec<ContainerImage> {
    container_images(&incident.tasks[task], &incident.images)
}

/// The images of `task`, per container, with what `images` (by digest)
/// knows of each.
pub fn container_images(
    task: &TaskFacts,
    images: &BTreeMap<String, ImageFacts>,
) -> Vec<ContainerImage> {
    task.images_in(images)
        .into_iter()
        .map(|(container, facts)| {
            let ecr = container.image.as_deref().and_then(EcrReference::parse);
            let known_outside_ecr = container.image.is_some() && ecr.is_none();
            container_image(
                container.name.clone(),
                container.image.clone(),
                container.digest(),
                ecr,
                facts.filter(|_| !known_outside_ecr),
                known_outside_ecr,
            )
        })
        .collect()
}

fn container_image(
    container: String,
    image: Option<String>,
    digest: Option<String>,
    ecr: Option<EcrReference>,
    facts: Option<&ImageFacts>,
    outside_ecr: bool,
) -> ContainerImage {
    let unknown = |why: &str| ContainerImage {
        container: container.clone(),
        image: image.clone(),
        digest: digest.clone(),
        ecr: ecr.clone(),
        tags: Vec::new(),
        pushed_at: None,
        scan_source: None,
        scan_unknown: Some(why.to_string()),
        severity_counts: Vec::new(),
        top_critical: Vec::new(),
        exploit_known: None,
        signature: Signature::Unknown(why.to_string()),
        flags: Vec::new(),
    };
    if outside_ecr {
        return unknown(NOT_ECR);
    }
    if digest.is_none() {
        return unknown("the container's image digest is not in the evidence");
    }
    let Some(facts) = facts else {
        return unknown("no Inspector or ECR record of this digest in the bundle");
    };
    let found = facts.vulnerabilities();
    let (scan_source, list) = found.unzip();
    let list = list.unwrap_or_default();
    let scan_unknown = match (&scan_source, facts.basic_scan_status.as_deref()) {
        (Some(_), _) => None,
        (None, Some(status)) => Some(format!("ECR basic scan status {status}, no findings")),
        (None, None) => {
            Some("no Inspector findings or ECR scan of this digest in the bundle".into())
        }
    };
    let exploit_known = list.iter().filter_map(|v| v.exploit_available).max();
    ContainerImage {
        container,
        image,
        digest,
        ecr,
        tags: facts.tags.iter().cloned().collect(),
        pushed_at: facts.pushed_at,
        scan_source,
        scan_unknown,
        severity_counts: facts.severity_counts(),
        top_critical: list
            .iter()
            .filter(|v| v.severity == CveSeverity::Critical)
            .take(TOP_CRITICAL)
            .map(|v| (*v).clone())
            .collect(),
        exploit_known,
        signature: facts.signature(),
        flags: facts.flags(),
    }
}

/// Severity counts as a JSON object, most severe first.
fn counts_as_map<S: serde::Serializer>(
    counts: &[(CveSeverity, usize)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(counts.len()))?;
    for (severity, count) in counts {
        map.serialize_entry(severity.name(), count)?;
    }
    map.end()
}
