//! Where a private ECR image lives, read from its image reference: the
//! registry's account and region and the repository, which the ECR and
//! Inspector calls for that image need.

use serde::Serialize;

/// Where an ECR image lives, from its reference
/// (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag][@digest]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EcrReference {
    /// The registry's account ID.
    pub account: String,
    /// The registry's region.
    pub region: String,
    /// The repository name (may contain `/`).
    pub repository: String,
}

impl EcrReference {
    /// Parses an image reference; `None` for any registry but a private
    /// ECR one (Docker Hub, ECR Public, GHCR, a mirror...).
    pub fn parse(reference: &str) -> Option<EcrReference> {
        let (host, rest) = reference.split_once('/')?;
        let mut labels = host.split('.');
        let account = labels.next()?;
        let dkr = labels.next()?;
        let ecr = labels.next()?;
        let region = labels.next()?;
        let domain: Vec<&str> = labels.collect();
        let known_domain = matches!(
            domain.as_slice(),
            ["amazonaws", "com"] | ["amazonaws", "com", "cn"]
        );
        if account.len() != 12
            || !account.bytes().all(|b| b.is_ascii_digit())
            || dkr != "dkr"
            || !matches!(ecr, "ecr" | "ecr-fips")
            || region.is_empty()
            || !known_domain
        {
            return None;
        }
        let without_digest = rest.split_once('@').map_or(rest, |(name, _)| name);
        let repository = match without_digest.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => name,
            _ => without_digest,
        };
        (!repository.is_empty()).then(|| EcrReference {
            account: account.to_string(),
            region: region.to_string(),
            repository: repository.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_private_ecr_references_parse() {
        let parsed = EcrReference::parse(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v41@sha256:abc",
        )
        .expect("ECR");
        assert_eq!(parsed.account, "123456789012");
        assert_eq!(parsed.region, "us-east-1");
        assert_eq!(parsed.repository, "team/api");
        let plain = EcrReference::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api");
        assert_eq!(plain.map(|p| p.repository), Some("api".to_string()));
        for other in [
            "nginx:1.27",
            "docker.io/library/nginx:1.27",
            "public.ecr.aws/nginx/nginx:latest",
            "ghcr.io/acme/api:v1",
            "12345.dkr.ecr.us-east-1.amazonaws.com/api",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example/api",
        ] {
            assert_eq!(EcrReference::parse(other), None, "{other}");
        }
    }
}
