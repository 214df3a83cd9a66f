//! Image and supply chain: for each private ECR image the collected tasks
//! ran (by digest), Amazon Inspector's findings (`ListFindings` filtered by
//! `ecrImageHash`), or ECR's basic scan findings where Inspector does not
//! scan ECR in the account (`DescribeImageScanFindings`); ECR's facts about
//! the image (`DescribeImages`: tags, push time), a cosign signature tag
//! (`sha256-<hex>.sig`), and ECR managed signing
//! (`DescribeImageSigningStatus`). Images outside ECR, or in another
//! region, are noted and not asked about.

use super::aws::{describe_error, is_unavailable, region_name};
use super::ecs::RanImage;
use super::failure::Failure;
use super::pages::all_pages;
use super::tracker::Tracker;
use crate::import::image::ecr::cosign_tag;
use crate::model::EcrReference;
use aws_sdk_ecr::types::ImageIdentifier;
use aws_sdk_inspector2::types::{FilterCriteria, Status, StringComparison, StringFilter};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};

/// Findings per Inspector ListFindings page (the API's maximum).
pub const FINDINGS_PAGE: i32 = 100;

/// The source name of image collection in the collection report.
pub const SOURCE: &str = "images";

/// The clients image collection calls (they share one recorder).
pub struct ImageClients {
    /// Amazon Inspector.
    pub inspector: aws_sdk_inspector2::Client,
    /// Amazon ECR.
    pub ecr: aws_sdk_ecr::Client,
}

/// Whether Inspector's findings can be asked for in this account and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inspector {
    /// Inspector scans ECR here (or its state could not be read): ask it.
    Ask,
    /// Inspector does not scan ECR here: ECR's basic scan instead.
    Off,
}

/// Collects what can be known about the images `images` of tasks in
/// `account`, recording every response; what fails is on the tracker.
pub async fn collect(
    clients: &ImageClients,
    account: &str,
    images: &BTreeSet<RanImage>,
    tracker: &Tracker,
) {
    let region = region_name(clients.ecr.config().region());
    let mut asked = Vec::new();
    let (mut outside_ecr, mut elsewhere) = (0, BTreeSet::new());
    for image in images {
        match image.reference.as_deref().and_then(EcrReference::parse) {
            Some(ecr) if ecr.region == region => asked.push((image.digest.as_str(), ecr)),
            Some(ecr) => {
                elsewhere.insert(ecr.region);
            }
            None => outside_ecr += 1,
        }
    }
    if outside_ecr > 0 {
        tracker.noted(format!(
            "{outside_ecr} image(s) not in a private ECR registry: scan and signature unknown"
        ));
    }
    for other in elsewhere {
        tracker.noted(format!(
            "images in ECR region {other} not asked about: collect that region too (--region {other})"
        ));
    }
    if asked.is_empty() {
        return;
    }
    let inspector = inspector_state(&clients.inspector, account, &region, tracker).await;
    for (digest, ecr) in &asked {
        tracker.show(format!("image {}", short(digest)));
        describe_image(&clients.ecr, digest, ecr, &region, tracker).await;
        let scanned = inspector == Inspector::Ask
            && inspector_findings(&clients.inspector, digest, &region, tracker).await;
        if !scanned {
            basic_scan(&clients.ecr, digest, ecr, &region, tracker).await;
        }
        signing_status(&clients.ecr, digest, ecr, &region, tracker).await;
    }
    tracker.show(String::new());
}

fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

/// Asks BatchGetAccountStatus whether Inspector scans ECR in `account`.
/// A failure is noted and Inspector is asked anyway: ListFindings itself
/// then says whether it can answer.
async fn inspector_state(
    client: &aws_sdk_inspector2::Client,
    account: &str,
    region: &str,
    tracker: &Tracker,
) -> Inspector {
    match client
        .batch_get_account_status()
        .account_ids(account)
        .send()
        .await
    {
        Ok(out) => {
            tracker.succeeded();
            let ecr = out
                .accounts()
                .iter()
                .find(|state| state.account_id() == account)
                .and_then(|state| state.resource_state())
                .and_then(|resources| resources.ecr())
                .map(|state| state.status());
            match ecr {
                Some(Status::Enabled) => Inspector::Ask,
                other => {
                    let status = other.map_or("not reported".to_string(), |s| {
                        s.as_str().to_ascii_lowercase()
                    });
                    tracker.noted(format!(
                        "Amazon Inspector does not scan ECR in {account} {region} (status: \
                         {status}): ECR basic scan findings are collected instead"
                    ));
                    Inspector::Off
                }
            }
        }
        Err(e) => {
            tracker.noted(format!(
                "{}; asking ListFindings anyway",
                describe_error("inspector2:BatchGetAccountStatus", region, &e)
            ));
            Inspector::Ask
        }
    }
}

/// Inspector's findings on `digest`, every page. False when Inspector
/// could not answer (the failure is on the tracker), so that ECR's basic
/// scan is asked instead.
async fn inspector_findings(
    client: &aws_sdk_inspector2::Client,
    digest: &str,
    region: &str,
    tracker: &Tracker,
) -> bool {
    let Ok(hash) = StringFilter::builder()
        .comparison(StringComparison::Equals)
        .value(digest)
        .build()
    else {
        return false;
    };
    let criteria = FilterCriteria::builder().ecr_image_hash(hash).build();
    let answered = AtomicBool::new(true);
    let _: Vec<()> = all_pages(tracker, |token| {
        let (criteria, answered) = (criteria.clone(), &answered);
        async move {
            let result = client
                .list_findings()
                .filter_criteria(criteria)
                .max_results(FINDINGS_PAGE)
                .set_next_token(token)
                .send()
                .await;
            match result {
                Ok(out) => Ok((Vec::new(), out.next_token().map(str::to_string))),
                Err(e) => {
                    answered.store(false, Ordering::Relaxed);
                    let line = describe_error("inspector2:ListFindings", region, &e);
                    Err(Failure::from(format!(
                        "{line}; ECR basic scan findings are collected instead"
                    )))
                }
            }
        }
    })
    .await;
    answered.load(Ordering::Relaxed)
}

/// ECR's description of the image, and a cosign signature tag of it.
async fn describe_image(
    client: &aws_sdk_ecr::Client,
    digest: &str,
    ecr: &EcrReference,
    region: &str,
    tracker: &Tracker,
) {
    let by_digest = ImageIdentifier::builder().image_digest(digest).build();
    match describe(client, ecr, by_digest).await {
        Ok(()) => tracker.succeeded(),
        Err(e) if e.code() == Some("ImageNotFoundException") => tracker.noted(format!(
            "image {} is no longer in ECR repository {}: tags and push time unknown",
            short(digest),
            ecr.repository
        )),
        Err(e) => tracker.record(Failure {
            optional: false,
            line: describe_error("ecr:DescribeImages", region, &e),
        }),
    }
    let Some(tag) = cosign_tag(digest) else {
        return;
    };
    match describe(
        client,
        ecr,
        ImageIdentifier::builder().image_tag(tag).build(),
    )
    .await
    {
        Ok(()) => tracker.succeeded(),
        // No cosign tag: nothing to store, and the signature stays
        // whatever the other evidence says.
        Err(e) if e.code() == Some("ImageNotFoundException") => {}
        Err(e) => tracker.record(Failure {
            optional: false,
            line: describe_error("ecr:DescribeImages", region, &e),
        }),
    }
}

async fn describe(
    client: &aws_sdk_ecr::Client,
    ecr: &EcrReference,
    id: ImageIdentifier,
) -> Result<
    (),
    aws_sdk_ecr::error::SdkError<aws_sdk_ecr::operation::describe_images::DescribeImagesError>,
> {
    client
        .describe_images()
        .registry_id(&ecr.account)
        .repository_name(&ecr.repository)
        .image_ids(id)
        .send()
        .await
        .map(|_| ())
}

/// ECR's basic scan findings on the image, every page.
async fn basic_scan(
    client: &aws_sdk_ecr::Client,
    digest: &str,
    ecr: &EcrReference,
    region: &str,
    tracker: &Tracker,
) {
    let _: Vec<()> = all_pages(tracker, |token| async move {
        client
            .describe_image_scan_findings()
            .registry_id(&ecr.account)
            .repository_name(&ecr.repository)
            .image_id(ImageIdentifier::builder().image_digest(digest).build())
            .set_next_token(token)
            .send()
            .await
            .map(|out| (Vec::new(), out.next_token().map(str::to_string)))
            .map_err(|e| match e.code() {
                Some("ScanNotFoundException") => Failure {
                    optional: true,
                    line: format!(
                        "ECR has no basic scan of image {} in {}: vulnerabilities unknown",
                        short(digest),
                        ecr.repository
                    ),
                },
                _ => Failure {
                    optional: false,
                    line: describe_error("ecr:DescribeImageScanFindings", region, &e),
                },
            })
    })
    .await;
}

/// ECR managed signing's status of the image; an endpoint without the
/// call is noted (the signature then stays unknown).
async fn signing_status(
    client: &aws_sdk_ecr::Client,
    digest: &str,
    ecr: &EcrReference,
    region: &str,
    tracker: &Tracker,
) {
    match client
        .describe_image_signing_status()
        .registry_id(&ecr.account)
        .repository_name(&ecr.repository)
        .image_id(ImageIdentifier::builder().image_digest(digest).build())
        .send()
        .await
    {
        Ok(_) => tracker.succeeded(),
        Err(e) if is_unavailable(&e) => tracker.noted(format!(
            "{}: signature status unknown",
            describe_error("ecr:DescribeImageSigningStatus", region, &e)
        )),
        Err(e) => tracker.record(Failure {
            optional: false,
            line: describe_error("ecr:DescribeImageSigningStatus", region, &e),
        }),
    }
}
