//! Image and supply-chain records: Amazon Inspector findings on ECR images
//! ([`inspector`]) and ECR's image descriptions, basic scan findings and
//! managed-signing status ([`ecr`]). Each yields [`ImageFacts`] for a
//! digest, not timeline events: the API responses and the AWS CLI's JSON
//! output of these calls have the same shape, so both import.
//!
//! [`ImageFacts`]: crate::model::ImageFacts

pub mod ecr;
pub mod inspector;

/// The format names of image records, as the manifest lists them: opening
/// a bundle reads the artifacts of these formats for the image facts.
pub const FORMATS: [&str; 4] = [
    inspector::FORMAT,
    ecr::IMAGES_FORMAT,
    ecr::SCAN_FORMAT,
    ecr::SIGNING_FORMAT,
];

/// True for a `sha256:<64 hex>` digest.
pub fn is_digest(text: &str) -> bool {
    text.strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}
