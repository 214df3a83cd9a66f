//! The image facts of a bundle opened from its derived index, which holds
//! none: the artifacts whose records are image records (Inspector findings,
//! ECR image descriptions, scan findings, signing status; their formats in
//! the manifest say which) are imported again. They are few and small.

use super::index::imported_artifacts;
use super::manifest::Input;
use super::Bundle;
use crate::import::{image, import_bytes};
use crate::model::ImageFacts;

/// Image facts from every imported artifact the manifest lists with an
/// image format; artifacts that cannot be read are reported in `problems`.
pub fn read(bundle: &Bundle, problems: &mut Vec<String>) -> Vec<ImageFacts> {
    let mut images = Vec::new();
    for (artifact, input) in imported_artifacts(&bundle.manifest, &mut Vec::new()) {
        images.extend(of(bundle, artifact, input, problems));
    }
    images
}

/// Image facts of the artifact at position `artifact`, imported for
/// `input`: none unless the manifest lists it with an image format; an
/// artifact that cannot be read is reported in `problems`.
pub fn of(
    bundle: &Bundle,
    artifact: usize,
    input: &Input,
    problems: &mut Vec<String>,
) -> Vec<ImageFacts> {
    let holds_images = input
        .formats
        .iter()
        .any(|format| image::FORMATS.contains(&format.as_str()));
    if !holds_images {
        return Vec::new();
    }
    match bundle.read_artifact(&input.artifact) {
        Ok(bytes) => import_bytes(&bytes, artifact).images,
        Err(error) => {
            problems.push(format!("{}: {error}", input.artifact));
            Vec::new()
        }
    }
}
