//! The key a seal is signed with: an OpenSSH private key file, or a key
//! held by ssh-agent (`$SSH_AUTH_SOCK`), which signs without the private
//! key ever being read.

use super::signature::supported;
use super::NAMESPACE;
use crate::bundle::paths::{read_regular_file_capped, Refusal};
use rsa::signature::{SignatureEncoding, Signer};
use ssh_agent_client_rs::{Client, Identity};
use ssh_key::private::{KeypairData, RsaKeypair};
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, HashAlg, Mpint, PrivateKey, PublicKey, Signature, SshSig};
use std::path::Path;

/// Largest private key file read (an RSA-16384 key is about 13 KB).
const MAX_KEY_BYTES: u64 = 64 * 1024;

/// A key to seal with.
pub enum SigningKey {
    /// A private key read from a file.
    File(Box<PrivateKey>),
    /// A key held by ssh-agent.
    Agent {
        /// The connection to the agent.
        client: Box<Client>,
        /// The public half, which names the key to the agent.
        key: Box<PublicKey>,
    },
}

impl SigningKey {
    /// Reads the OpenSSH private key at `path` (as `ssh-keygen` writes it).
    /// A key protected by a passphrase is refused, pointing at ssh-agent.
    pub fn from_file(path: &Path) -> Result<SigningKey, String> {
        let shown = path.display().to_string();
        let bytes =
            read_regular_file_capped(path, &shown, MAX_KEY_BYTES).map_err(
                |refusal| match refusal {
                    Refusal::TooLarge { size, limit, .. } => format!(
                        "{shown} holds {size} bytes, more than the {limit} a key file may: \
                     not a private key"
                    ),
                    other => format!("cannot read the key {shown}: {other}"),
                },
            )?;
        let key = PrivateKey::from_openssh(&bytes).map_err(|e| {
            format!(
                "{shown} is not an OpenSSH private key ({e}); give the private key \
                 ssh-keygen wrote, not its .pub"
            )
        })?;
        if key.is_encrypted() {
            return Err(format!(
                "{shown} is protected by a passphrase: add it to ssh-agent \
                 (ssh-add {shown}) and seal with --agent"
            ));
        }
        check_algorithm(key.public_key())?;
        Ok(SigningKey::File(Box::new(key)))
    }

    /// The key held by the ssh-agent at `$SSH_AUTH_SOCK` whose fingerprint
    /// is `fingerprint` (`SHA256:...`), or its only key when `None`.
    pub fn from_agent(fingerprint: Option<&str>) -> Result<SigningKey, String> {
        let socket = std::env::var_os("SSH_AUTH_SOCK")
            .filter(|socket| !socket.is_empty())
            .ok_or("no ssh-agent: SSH_AUTH_SOCK is not set")?;
        let mut client = Client::connect(Path::new(&socket))
            .map_err(|e| format!("cannot reach ssh-agent at SSH_AUTH_SOCK: {e}"))?;
        let keys: Vec<PublicKey> = client
            .list_all_identities()
            .map_err(|e| format!("ssh-agent did not list its keys: {e}"))?
            .into_iter()
            .filter_map(|identity| match identity {
                Identity::PublicKey(key) => Some(key.into_owned()),
                Identity::Certificate(_) => None,
            })
            .collect();
        let named = |key: &PublicKey| key.fingerprint(HashAlg::Sha256).to_string();
        let key = match fingerprint {
            Some(wanted) => keys.into_iter().find(|key| named(key) == wanted),
            None if keys.len() == 1 => keys.into_iter().next(),
            None if keys.is_empty() => return Err("ssh-agent holds no key".into()),
            None => {
                let all: Vec<String> = keys.iter().map(named).collect();
                return Err(format!(
                    "ssh-agent holds {} keys: name one with --agent-key ({})",
                    all.len(),
                    all.join(", ")
                ));
            }
        }
        .ok_or_else(|| format!("ssh-agent holds no key {}", fingerprint.unwrap_or_default()))?;
        check_algorithm(&key)?;
        Ok(SigningKey::Agent {
            client: Box::new(client),
            key: Box::new(key),
        })
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        match self {
            SigningKey::File(key) => key.public_key(),
            SigningKey::Agent { key, .. } => key,
        }
    }

    /// Signs `message` for a seal: SSHSIG, namespace `taskscope-bundle`,
    /// SHA-512 (RSA keys sign with rsa-sha2-512).
    pub fn sign(&mut self, message: &[u8]) -> Result<SshSig, String> {
        match self {
            SigningKey::File(key) => match key.key_data() {
                KeypairData::Rsa(keypair) => sign_rsa(keypair, message),
                _ => key
                    .sign(NAMESPACE, HashAlg::Sha512, message)
                    .map_err(|e| format!("cannot sign: {e}")),
            },
            SigningKey::Agent { client, key } => {
                let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message)
                    .map_err(|e| format!("cannot sign: {e}"))?;
                let signature = client
                    .sign(key.as_ref(), &data)
                    .map_err(|e| format!("ssh-agent refused to sign: {e}"))?;
                SshSig::new(
                    key.key_data().clone(),
                    NAMESPACE,
                    HashAlg::Sha512,
                    signature,
                )
                .map_err(|e| format!("cannot sign: {e}"))
            }
        }
    }
}

/// Signs `message` for a seal with an RSA key read from a file
/// (rsa-sha2-512). ssh-key 0.6.7 cannot: it builds the private key from the
/// first prime twice, so the key is built here from its components.
fn sign_rsa(keypair: &RsaKeypair, message: &[u8]) -> Result<SshSig, String> {
    let number = |value: &Mpint| {
        value
            .as_positive_bytes()
            .map(rsa::BigUint::from_bytes_be)
            .ok_or_else(|| "the RSA key has a negative component".to_string())
    };
    let private = rsa::RsaPrivateKey::from_components(
        number(&keypair.public.n)?,
        number(&keypair.public.e)?,
        number(&keypair.private.d)?,
        vec![number(&keypair.private.p)?, number(&keypair.private.q)?],
    )
    .map_err(|e| format!("not a valid RSA key: {e}"))?;
    let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message)
        .map_err(|e| format!("cannot sign: {e}"))?;
    let signed = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(private)
        .try_sign(&data)
        .map_err(|e| format!("cannot sign: {e}"))?;
    let signature = Signature::new(
        Algorithm::Rsa {
            hash: Some(HashAlg::Sha512),
        },
        signed.to_vec(),
    )
    .map_err(|e| format!("cannot sign: {e}"))?;
    SshSig::new(
        KeyData::Rsa(keypair.public.clone()),
        NAMESPACE,
        HashAlg::Sha512,
        signature,
    )
    .map_err(|e| format!("cannot sign: {e}"))
}

fn check_algorithm(key: &PublicKey) -> Result<(), String> {
    if supported(&key.algorithm()) {
        Ok(())
    } else {
        Err(format!(
            "cannot seal with a {} key: use ssh-ed25519 (recommended), \
             ecdsa-sha2-nistp256, ecdsa-sha2-nistp384 or RSA",
            key.algorithm().as_str()
        ))
    }
}
