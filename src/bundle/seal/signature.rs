//! `seal.json.sig`: an armored OpenSSH SSHSIG signature (namespace
//! `taskscope-bundle`) over the exact bytes of `seal.json`, read strictly:
//! anything but the armor and a final newline is refused.

use super::NAMESPACE;
use ssh_key::{Algorithm, EcdsaCurve, HashAlg, PublicKey, SshSig};

/// The armor's last line.
const ARMOR_END: &str = "-----END SSH SIGNATURE-----";

/// Reads an armored signature made for a seal: UTF-8 text, nothing after
/// the armor but line ends, namespace `taskscope-bundle`, and a key
/// algorithm taskscope verifies.
pub fn parse(bytes: &[u8]) -> Result<SshSig, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the signature is not text".to_string())?;
    let armored = text.trim_end_matches(['\n', '\r']);
    if !armored
        .trim_start()
        .starts_with("-----BEGIN SSH SIGNATURE-----")
    {
        return Err("not an armored SSH signature (-----BEGIN SSH SIGNATURE-----)".into());
    }
    if !armored.ends_with(ARMOR_END) {
        return Err(if armored.contains(ARMOR_END) {
            "data after the signature's armor".into()
        } else {
            "the signature's armor is not closed".into()
        });
    }
    let signature =
        SshSig::from_pem(armored).map_err(|e| format!("not a valid SSH signature: {e}"))?;
    if signature.namespace() != NAMESPACE {
        return Err(format!(
            "signed for namespace {:?}, not {NAMESPACE:?}: it is not a seal's signature",
            signature.namespace()
        ));
    }
    let key = signature.public_key().algorithm();
    if !supported(&key) {
        return Err(format!(
            "unsupported key algorithm {}: taskscope verifies ssh-ed25519, \
             ecdsa-sha2-nistp256, ecdsa-sha2-nistp384 and RSA (rsa-sha2-512, rsa-sha2-256)",
            key.as_str()
        ));
    }
    Ok(signature)
}

/// True for the key algorithms a seal may be signed with.
pub fn supported(algorithm: &Algorithm) -> bool {
    matches!(
        algorithm,
        Algorithm::Ed25519
            | Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256 | EcdsaCurve::NistP384
            }
            | Algorithm::Rsa { .. }
    )
}

/// Checks that `signature` is a valid signature of `message` by the key it
/// names.
pub fn verify(signature: &SshSig, message: &[u8]) -> Result<(), String> {
    PublicKey::new(signature.public_key().clone(), "")
        .verify(NAMESPACE, message, signature)
        .map_err(|_| "the signature does not match seal.json: one of them was changed".to_string())
}

/// The fingerprint of the key that made `signature`, as `ssh-keygen -l`
/// prints it (`SHA256:...`).
pub fn fingerprint(signature: &SshSig) -> String {
    signature
        .public_key()
        .fingerprint(HashAlg::Sha256)
        .to_string()
}
