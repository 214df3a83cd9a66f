//! What is known about one container image, by digest: its ECR facts (tags,
//! push time), its vulnerabilities (Amazon Inspector, else ECR's basic
//! scan) and what can be said about its signature. Merged from every record
//! that names the digest; linked to tasks by the digests their containers
//! ran. [`ImageFacts::flags`] is the one rule that flags an image.

use super::time::Timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A vulnerability's severity, as Inspector and ECR's basic scan name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CveSeverity {
    /// `UNTRIAGED`, `UNDEFINED` or a name this build does not know.
    Untriaged,
    /// `INFORMATIONAL`.
    Informational,
    /// `LOW`.
    Low,
    /// `MEDIUM`.
    Medium,
    /// `HIGH`.
    High,
    /// `CRITICAL`.
    Critical,
}

impl CveSeverity {
    /// From the API's upper-case name; anything else is untriaged.
    pub fn parse(text: &str) -> CveSeverity {
        match text.to_ascii_uppercase().as_str() {
            "CRITICAL" => CveSeverity::Critical,
            "HIGH" => CveSeverity::High,
            "MEDIUM" => CveSeverity::Medium,
            "LOW" => CveSeverity::Low,
            "INFORMATIONAL" => CveSeverity::Informational,
            _ => CveSeverity::Untriaged,
        }
    }

    /// The lower-case name used in every output.
    pub fn name(self) -> &'static str {
        match self {
            CveSeverity::Critical => "critical",
            CveSeverity::High => "high",
            CveSeverity::Medium => "medium",
            CveSeverity::Low => "low",
            CveSeverity::Informational => "informational",
            CveSeverity::Untriaged => "untriaged",
        }
    }

    /// Every severity, most severe first.
    pub const DESCENDING: [CveSeverity; 6] = [
        CveSeverity::Critical,
        CveSeverity::High,
        CveSeverity::Medium,
        CveSeverity::Low,
        CveSeverity::Informational,
        CveSeverity::Untriaged,
    ];
}

/// Which scanner reported a vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanSource {
    /// Amazon Inspector (`inspector2 ListFindings`).
    Inspector,
    /// ECR basic scanning (`ecr DescribeImageScanFindings`).
    #[serde(rename = "ecr-basic-scan")]
    EcrBasic,
}

impl ScanSource {
    /// The name used in every output.
    pub fn name(self) -> &'static str {
        match self {
            ScanSource::Inspector => "inspector",
            ScanSource::EcrBasic => "ecr-basic-scan",
        }
    }
}

/// One vulnerable package of a finding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Package name.
    pub name: String,
    /// Installed version.
    pub version: Option<String>,
    /// First version with the fix, when the scanner knows one.
    pub fixed_in: Option<String>,
}

/// One vulnerability found in an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vulnerability {
    /// The vulnerability ID (`CVE-2024-3094`, `GHSA-…`, `ALAS-…`).
    pub id: String,
    /// Its severity.
    pub severity: CveSeverity,
    /// The packages it affects.
    pub packages: Vec<Package>,
    /// Whether an exploit is known (Inspector's `exploitAvailable`); `None`
    /// when the scanner does not say (ECR's basic scan never does).
    pub exploit_available: Option<bool>,
    /// Who reported it.
    pub source: ScanSource,
}

/// The state of one AWS Signer signing profile for an image, as ECR's
/// managed signing reports it (`DescribeImageSigningStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerStatus {
    /// The signing profile ARN.
    pub profile: Option<String>,
    /// `COMPLETE`, `IN_PROGRESS` or `FAILED`.
    pub status: String,
    /// Why signing failed, when it did.
    pub failure: Option<String>,
}

/// Everything the evidence says about one image digest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageFacts {
    /// The image digest (`sha256:…`).
    pub digest: String,
    /// The ECR repository name.
    pub repository: Option<String>,
    /// The registry (account ID).
    pub registry: Option<String>,
    /// Tags, as ECR or Inspector listed them.
    pub tags: BTreeSet<String>,
    /// When the image was pushed.
    pub pushed_at: Option<Timestamp>,
    /// The manifest's media type.
    pub manifest_media_type: Option<String>,
    /// Inspector's findings, by finding ARN (or vulnerability ID); `None`
    /// when no Inspector finding names the digest.
    pub inspector: Option<BTreeMap<String, Vulnerability>>,
    /// ECR basic-scan findings, by vulnerability ID; `None` when the bundle
    /// holds no basic scan of the digest.
    pub basic_scan: Option<BTreeMap<String, Vulnerability>>,
    /// ECR's basic scan status (`COMPLETE`, `FAILED`, …), when reported.
    pub basic_scan_status: Option<String>,
    /// Signer profiles as ECR managed signing reports them; `None` when
    /// the bundle holds no signing status of the digest.
    pub signer: Option<Vec<SignerStatus>>,
    /// Tags of cosign signatures of this digest (`sha256-<hex>.sig`) found
    /// in the image's repository.
    pub cosign_signatures: BTreeSet<String>,
}

/// What can be said of an image's signature. Never "unsigned": only what
/// the evidence shows, or why it cannot tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "kebab-case")]
pub enum Signature {
    /// A signature was found: by whom or how.
    Signed(String),
    /// Every place taskscope can look was looked at and holds none: says
    /// where it looked. Signatures kept elsewhere (another repository, a
    /// registry outside ECR) cannot be ruled out.
    NoneFound(String),
    /// Cannot be known from the evidence: why.
    Unknown(String),
}

impl Signature {
    /// The state's short name: `signed`, `none-found`, `unknown`.
    pub fn state(&self) -> &'static str {
        match self {
            Signature::Signed(_) => "signed",
            Signature::NoneFound(_) => "none-found",
            Signature::Unknown(_) => "unknown",
        }
    }

    /// What supports the state.
    pub fn detail(&self) -> &str {
        match self {
            Signature::Signed(detail)
            | Signature::NoneFound(detail)
            | Signature::Unknown(detail) => detail,
        }
    }
}

/// Why an image is flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "flag", content = "detail", rename_all = "kebab-case")]
pub enum ImageFlag {
    /// A critical vulnerability with a known exploit: its ID.
    CriticalExploitable(String),
    /// No signature found where taskscope looked.
    NoSignatureFound,
}

impl ImageFlag {
    /// One line for people.
    pub fn text(&self) -> String {
        match self {
            ImageFlag::CriticalExploitable(id) => {
                format!("critical vulnerability {id} with a known exploit")
            }
            ImageFlag::NoSignatureFound => "no signature found".to_string(),
        }
    }
}

impl ImageFacts {
    /// Starts an empty record for a digest.
    pub fn new(digest: impl Into<String>) -> ImageFacts {
        ImageFacts {
            digest: digest.into(),
            ..ImageFacts::default()
        }
    }

    /// Merges another record about the same digest: sets and findings are
    /// united, scalars already known are kept.
    pub fn merge(&mut self, other: &ImageFacts) {
        macro_rules! fill {
            ($($field:ident),*) => {$(
                if self.$field.is_none() {
                    self.$field = other.$field.clone();
                }
            )*};
        }
        fill!(
            repository,
            registry,
            pushed_at,
            manifest_media_type,
            basic_scan_status
        );
        self.tags.extend(other.tags.iter().cloned());
        self.cosign_signatures
            .extend(other.cosign_signatures.iter().cloned());
        for (ours, theirs) in [
            (&mut self.inspector, &other.inspector),
            (&mut self.basic_scan, &other.basic_scan),
        ] {
            if let Some(theirs) = theirs {
                let ours = ours.get_or_insert_with(BTreeMap::new);
                for (key, found) in theirs {
                    ours.entry(key.clone()).or_insert_with(|| found.clone());
                }
            }
        }
        if let Some(theirs) = &other.signer {
            let ours = self.signer.get_or_insert_with(Vec::new);
            for status in theirs {
                if !ours.contains(status) {
                    ours.push(status.clone());
                }
            }
        }
    }

    /// The vulnerabilities shown: Inspector's when the bundle holds any,
    /// else ECR's basic scan; with the scanner they came from.
    pub fn vulnerabilities(&self) -> Option<(ScanSource, Vec<&Vulnerability>)> {
        let (source, found) = match (&self.inspector, &self.basic_scan) {
            (Some(found), _) => (ScanSource::Inspector, found),
            (None, Some(found)) => (ScanSource::EcrBasic, found),
            (None, None) => return None,
        };
        // One entry per vulnerability ID (Inspector has one finding per
        // package): the most severe, exploitable first.
        let rank = |v: &Vulnerability| (v.severity, v.exploit_available);
        let mut by_id: BTreeMap<&str, &Vulnerability> = BTreeMap::new();
        for found in found.values() {
            let kept = by_id.entry(found.id.as_str()).or_insert(found);
            if rank(found) > rank(kept) {
                *kept = found;
            }
        }
        let mut list: Vec<&Vulnerability> = by_id.into_values().collect();
        list.sort_by(|a, b| rank(b).cmp(&rank(a)).then(a.id.cmp(&b.id)));
        Some((source, list))
    }

    /// Vulnerabilities per severity, most severe first, zero counts left out.
    pub fn severity_counts(&self) -> Vec<(CveSeverity, usize)> {
        let Some((_, list)) = self.vulnerabilities() else {
            return Vec::new();
        };
        CveSeverity::DESCENDING
            .iter()
            .map(|&severity| {
                let count = list.iter().filter(|v| v.severity == severity).count();
                (severity, count)
            })
            .filter(|(_, count)| *count > 0)
            .collect()
    }

    /// What the evidence says about the image's signature.
    pub fn signature(&self) -> Signature {
        let signed_by: Vec<String> = self
            .signer
            .iter()
            .flatten()
            .filter(|s| s.status == "COMPLETE")
            .map(|s| {
                format!(
                    "AWS Signer profile {} (ECR managed signing)",
                    s.profile.as_deref().unwrap_or("(unnamed)")
                )
            })
            .chain(
                self.cosign_signatures
                    .iter()
                    .map(|tag| format!("cosign signature tag {tag} in the repository")),
            )
            .collect();
        if !signed_by.is_empty() {
            return Signature::Signed(signed_by.join("; "));
        }
        match &self.signer {
            Some(statuses) if statuses.is_empty() => Signature::NoneFound(
                "ECR managed signing reports no signature, and no cosign signature tag \
                 of the digest is in the bundle"
                    .into(),
            ),
            Some(statuses) => {
                let states: Vec<String> = statuses
                    .iter()
                    .map(|s| match &s.failure {
                        Some(why) => format!("{} ({why})", s.status),
                        None => s.status.clone(),
                    })
                    .collect();
                Signature::Unknown(format!(
                    "ECR managed signing has not completed: {}",
                    states.join(", ")
                ))
            }
            None => Signature::Unknown(
                "no ECR signing status of the digest in the bundle (not collected, or \
                 ECR managed signing unavailable)"
                    .into(),
            ),
        }
    }

    /// Why the image is flagged, if it is: a critical vulnerability with a
    /// known exploit, or no signature found. The one place this is decided.
    pub fn flags(&self) -> Vec<ImageFlag> {
        let mut flags: Vec<ImageFlag> = self
            .vulnerabilities()
            .map(|(_, list)| list)
            .unwrap_or_default()
            .into_iter()
            .filter(|v| v.severity == CveSeverity::Critical && v.exploit_available == Some(true))
            .map(|v| ImageFlag::CriticalExploitable(v.id.clone()))
            .collect();
        if matches!(self.signature(), Signature::NoneFound(_)) {
            flags.push(ImageFlag::NoSignatureFound);
        }
        flags
    }
}

/// Image facts merged per digest.
pub fn merge_images(records: impl IntoIterator<Item = ImageFacts>) -> BTreeMap<String, ImageFacts> {
    let mut by_digest: BTreeMap<String, ImageFacts> = BTreeMap::new();
    for record in records {
        match by_digest.get_mut(&record.digest) {
            Some(known) => known.merge(&record),
            None => {
                by_digest.insert(record.digest.clone(), record);
            }
        }
    }
    by_digest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vulnerability(id: &str, severity: CveSeverity, exploit: Option<bool>) -> Vulnerability {
        Vulnerability {
            id: id.into(),
            severity,
            packages: Vec::new(),
            exploit_available: exploit,
            source: ScanSource::Inspector,
        }
    }

    fn with_inspector(found: &[Vulnerability]) -> ImageFacts {
        let mut image = ImageFacts::new("sha256:aa");
        image.inspector = Some(found.iter().map(|v| (v.id.clone(), v.clone())).collect());
        image
    }

    #[test]
    fn only_a_critical_vulnerability_with_a_known_exploit_flags_the_image() {
        let quiet = with_inspector(&[
            vulnerability("CVE-1", CveSeverity::Critical, Some(false)),
            vulnerability("CVE-2", CveSeverity::High, Some(true)),
            vulnerability("CVE-3", CveSeverity::Critical, None),
        ]);
        assert!(quiet.flags().is_empty(), "{:?}", quiet.flags());
        let loud = with_inspector(&[vulnerability("CVE-4", CveSeverity::Critical, Some(true))]);
        assert_eq!(
            loud.flags(),
            vec![ImageFlag::CriticalExploitable("CVE-4".into())]
        );
    }

    #[test]
    fn a_signature_is_unknown_unless_the_evidence_says() {
        let mut image = ImageFacts::new("sha256:aa");
        assert_eq!(image.signature().state(), "unknown");
        assert!(image.flags().is_empty(), "unknown is never flagged");
        image.signer = Some(vec![SignerStatus {
            profile: None,
            status: "IN_PROGRESS".into(),
            failure: None,
        }]);
        assert_eq!(image.signature().state(), "unknown");
        image.signer = Some(Vec::new());
        assert_eq!(image.signature().state(), "none-found");
        assert_eq!(image.flags(), vec![ImageFlag::NoSignatureFound]);
        image.cosign_signatures.insert("sha256-aa.sig".into());
        assert_eq!(image.signature().state(), "signed");
        assert!(image.flags().is_empty());
    }

    #[test]
    fn a_vulnerability_in_several_findings_counts_once_at_its_worst() {
        let mut image = ImageFacts::new("sha256:aa");
        let mut high = vulnerability("CVE-7", CveSeverity::High, Some(false));
        high.packages.push(Package {
            name: "a".into(),
            ..Package::default()
        });
        image.inspector = Some(BTreeMap::from([
            ("arn-1".to_string(), high),
            (
                "arn-2".to_string(),
                vulnerability("CVE-7", CveSeverity::Critical, Some(true)),
            ),
            (
                "arn-3".to_string(),
                vulnerability("CVE-1", CveSeverity::Low, None),
            ),
        ]));
        let (_, list) = image.vulnerabilities().expect("findings");
        let ids: Vec<(&str, CveSeverity)> =
            list.iter().map(|v| (v.id.as_str(), v.severity)).collect();
        assert_eq!(
            ids,
            [
                ("CVE-7", CveSeverity::Critical),
                ("CVE-1", CveSeverity::Low)
            ]
        );
        assert_eq!(
            image.severity_counts(),
            [(CveSeverity::Critical, 1), (CveSeverity::Low, 1)]
        );
    }

    #[test]
    fn inspector_findings_win_over_the_basic_scan() {
        let mut image = with_inspector(&[vulnerability("CVE-1", CveSeverity::Low, None)]);
        let mut basic = ImageFacts::new("sha256:aa");
        basic.basic_scan = Some(BTreeMap::from([(
            "CVE-9".to_string(),
            vulnerability("CVE-9", CveSeverity::Critical, None),
        )]));
        image.merge(&basic);
        let (source, list) = image.vulnerabilities().expect("findings");
        assert_eq!(source, ScanSource::Inspector);
        assert_eq!(list.len(), 1);
        assert_eq!(image.severity_counts(), vec![(CveSeverity::Low, 1)]);
    }
}
