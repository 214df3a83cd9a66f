//! Seals, end to end, with the real `ssh-keygen`: taskscope's seals verify
//! with `ssh-keygen -Y verify` and ssh-keygen's signatures with taskscope;
//! every tampering of the tamper matrix is caught, named and fails with
//! exit status 4; seals are made on completion and again after a note or a
//! handoff; the report ends with the root digest and the seal; hostile seal
//! files are clear errors.

mod binary;

use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use taskscope::bundle::annotations::{
    append, Annotation, AnnotationAction, Target, ANNOTATIONS_FILE,
};
use taskscope::bundle::audit::{self, Actor, Entry, Record, AUDIT_FILE};
use taskscope::bundle::build::import_to_bundle;
use taskscope::bundle::chain;
use taskscope::bundle::manifest::MANIFEST_FILE;
use taskscope::bundle::seal::{SEAL_FILE, SIGNATURE_FILE};
use taskscope::bundle::write::sha256_hex;
use taskscope::bundle::Bundle;
use taskscope::demo;
use tempfile::TempDir;

/// `taskscope verify`'s exit status when the bundle fails.
const EXIT_VERIFY_FAILED: i32 = 4;
/// The identity the tests seal as.
const ALICE: &str = "alice@ir.example";

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .env("TASKSCOPE_AUTHOR", ALICE)
        .env("XDG_CONFIG_HOME", "/nonexistent-taskscope-config")
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .expect("runs taskscope")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn demo_bundle(dir: &Path, name: &str) -> PathBuf {
    let root = dir.join(name);
    import_to_bundle(demo::inputs(), &root).unwrap();
    root
}

/// A new key pair of `kind` (ed25519, ecdsa, rsa) made by ssh-keygen: the
/// private key's path (the public key is beside it, `.pub`).
fn keygen(dir: &Path, name: &str, kind: &str) -> PathBuf {
    let key = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", "", "-C", name, "-f", path(&key)])
        .stdin(Stdio::null())
        .status()
        .expect("runs ssh-keygen");
    assert!(status.success(), "ssh-keygen -t {kind} failed");
    key
}

/// An allowed signers file listing `key`'s public half for `principals`.
fn allowed_signers(dir: &Path, principals: &str, key: &Path) -> PathBuf {
    let public = fs::read_to_string(key.with_extension("pub")).unwrap();
    let file = dir.join(format!(
        "allowed-{}",
        key.file_name().unwrap().to_str().unwrap()
    ));
    fs::write(
        &file,
        format!("# who may seal\n{principals} namespaces=\"taskscope-bundle\" {public}"),
    )
    .unwrap();
    file
}

fn seal(root: &Path, key: &Path) {
    let out = taskscope(&["seal", path(root), "--key", path(key), "--identity", ALICE]);
    assert!(out.status.success(), "{}", text(&out));
}

fn verify(root: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["verify", path(root)];
    args.extend_from_slice(extra);
    let out = taskscope(&args);
    (out.status.code(), text(&out))
}

fn verify_allowed(root: &Path, allowed: &Path) -> (Option<i32>, String) {
    verify(root, &["--allowed-signers", path(allowed)])
}

fn note(text: &str) -> Annotation {
    Annotation {
        time: taskscope::model::time::now(),
        author: ALICE.into(),
        target: Target::Task {
            id: demo::COMPROMISED_TASK.into(),
        },
        action: AnnotationAction::Note { text: text.into() },
    }
}

fn service_event(message: &str) -> Record {
    Record {
        time: audit::now(),
        plan_id: "isolate-3f9c2d7e-20261120T142938.417Z-5c0e1a".into(),
        action: "isolate".into(),
        actor: Actor {
            caller: "arn:aws:sts::111122223333:assumed-role/ir/alice".into(),
            user: ALICE.into(),
        },
        target: "arn:aws:ecs:us-east-1:111122223333:task/prod/3f9c2d7e".into(),
        task_definitions: Vec::new(),
        entry: Entry::ServiceEvent {
            at: audit::now(),
            message: message.into(),
        },
    }
}

/// A demo bundle with three notes and three audit records, sealed by a
/// new ed25519 key, and an allowed signers file listing that key.
struct Sealed {
    dir: TempDir,
    root: PathBuf,
    key: PathBuf,
    allowed: PathBuf,
}

fn sealed() -> Sealed {
    let dir = TempDir::new().unwrap();
    let root = demo_bundle(dir.path(), "bundle");
    for text in [
        "isolated at 14:31",
        "attacker IP 203.0.113.7",
        "handed to legal",
    ] {
        append(&root, &note(text)).unwrap();
    }
    for message in [
        "deployment started",
        "task draining",
        "deployment completed",
    ] {
        audit::append(&root, &service_event(message)).unwrap();
    }
    let key = keygen(dir.path(), "alice", "ed25519");
    let allowed = allowed_signers(dir.path(), ALICE, &key);
    seal(&root, &key);
    let (code, shown) = verify_allowed(&root, &allowed);
    assert_eq!(code, Some(0), "{shown}");
    Sealed {
        dir,
        root,
        key,
        allowed,
    }
}

fn lines(root: &Path, file: &str) -> Vec<String> {
    fs::read_to_string(root.join(file))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Rewrites the manifest with `change` applied to its JSON.
fn edit_manifest(root: &Path, change: impl FnOnce(&mut Value)) {
    let path = root.join(MANIFEST_FILE);
    let mut manifest: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    change(&mut manifest);
    fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// Writes `bytes` as the artifact `file` and rewrites its manifest entry to
/// match (adding it when missing), as someone covering their tracks would.
fn forge_artifact(root: &Path, file: &str, bytes: &[u8]) {
    fs::write(root.join(file), bytes).unwrap();
    let entry = json!({"path": file, "sha256": sha256_hex(bytes), "size": bytes.len()});
    edit_manifest(root, |manifest| {
        let artifacts = manifest["artifacts"].as_array_mut().unwrap();
        match artifacts.iter_mut().find(|a| a["path"] == file) {
            Some(existing) => *existing = entry,
            None => artifacts.push(entry),
        }
    });
}

/// Writes `lines` as the journal `file` with every `prev` recomputed, so
/// that its chain is intact, and the manifest to match: the best cover-up
/// there is without the signing key.
fn rechain(root: &Path, file: &str, lines: &[String]) {
    let mut head = chain::genesis(&Bundle::open(root).unwrap().manifest, file);
    let mut bytes = Vec::new();
    for line in lines {
        let rest = line.strip_prefix("{\"prev\":\"").unwrap();
        let relinked = format!("{{\"prev\":\"{head}{}", &rest[64..]);
        head = sha256_hex(relinked.as_bytes());
        bytes.extend_from_slice(format!("{relinked}\n").as_bytes());
    }
    forge_artifact(root, file, &bytes);
}

fn assert_fails_naming(root: &Path, allowed: &Path, named: &str) {
    let (code, shown) = verify_allowed(root, allowed);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{shown}");
    assert!(shown.contains(named), "expected {named:?} in:\n{shown}");
    assert!(shown.contains("root digest: sha256:"), "{shown}");
}

fn first_raw_artifact(root: &Path) -> String {
    Bundle::open(root)
        .unwrap()
        .manifest
        .artifacts
        .iter()
        .find(|a| a.path.starts_with("raw/"))
        .expect("a raw artifact")
        .path
        .clone()
}

#[test]
fn ssh_keygen_verifies_taskscope_seals_made_with_each_key_type() {
    let dir = TempDir::new().unwrap();
    let root = demo_bundle(dir.path(), "bundle");
    for kind in ["ed25519", "ecdsa", "rsa"] {
        let key = keygen(dir.path(), kind, kind);
        let allowed = allowed_signers(dir.path(), "*@ir.example", &key);
        seal(&root, &key);
        let document = fs::File::open(root.join(SEAL_FILE)).unwrap();
        let checked = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f", path(&allowed), "-I", ALICE])
            .args([
                "-n",
                "taskscope-bundle",
                "-s",
                path(&root.join(SIGNATURE_FILE)),
            ])
            .stdin(document)
            .output()
            .expect("runs ssh-keygen");
        assert!(
            checked.status.success(),
            "{kind}: ssh-keygen refused the seal: {}",
            text(&checked)
        );
        assert!(text(&checked).contains("Good \"taskscope-bundle\" signature"));
        let (code, shown) = verify_allowed(&root, &allowed);
        assert_eq!(code, Some(0), "{kind}: {shown}");
        assert!(
            shown.contains(&format!("seal: sealed by {ALICE} (SHA256:")),
            "{shown}"
        );
        assert!(shown.contains("an allowed signer (line 2"), "{shown}");
    }
}

#[test]
fn taskscope_verifies_a_seal_signed_by_ssh_keygen() {
    for kind in ["ed25519", "rsa"] {
        let Sealed {
            dir, root, allowed, ..
        } = sealed();
        let other = keygen(dir.path(), "other", kind);
        let allowed_other = allowed_signers(dir.path(), ALICE, &other);
        // seal.json names its signer's key: a seal re-signed by another key
        // is written by taskscope with that key, then signed again by ssh-keygen.
        seal(&root, &other);
        fs::remove_file(root.join(SIGNATURE_FILE)).unwrap();
        let signed = Command::new("ssh-keygen")
            .args(["-Y", "sign", "-f", path(&other), "-n", "taskscope-bundle"])
            .arg(root.join(SEAL_FILE))
            .stdin(Stdio::null())
            .output()
            .expect("runs ssh-keygen");
        assert!(signed.status.success(), "{}", text(&signed));
        let (code, shown) = verify_allowed(&root, &allowed_other);
        assert_eq!(code, Some(0), "{kind}: {shown}");
        // The first key is not the signer any more.
        assert_fails_naming(&root, &allowed, "not an allowed signer");
    }
}

#[test]
fn an_artifact_edited_with_its_manifest_entry_rewritten_is_named() {
    let Sealed {
        dir: _dir,
        root,
        allowed,
        ..
    } = sealed();
    let artifact = first_raw_artifact(&root);
    let mut bytes = fs::read(root.join(&artifact)).unwrap();
    bytes.extend_from_slice(b" ");
    forge_artifact(&root, &artifact, &bytes);
    let (code, plain) = verify(&root, &[]);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{plain}");
    assert_fails_naming(
        &root,
        &allowed,
        &format!("changed since the seal: {artifact} (size "),
    );
}

#[test]
fn an_artifact_added_or_removed_is_named() {
    let Sealed {
        dir: _dir,
        root,
        allowed,
        ..
    } = sealed();
    forge_artifact(&root, "raw/9999-extra.json", b"{}");
    assert_fails_naming(&root, &allowed, "added since the seal: raw/9999-extra.json");

    let Sealed {
        dir: _dir,
        root,
        allowed,
        ..
    } = sealed();
    let artifact = first_raw_artifact(&root);
    fs::remove_file(root.join(&artifact)).unwrap();
    edit_manifest(&root, |manifest| {
        let artifacts = manifest["artifacts"].as_array_mut().unwrap();
        artifacts.retain(|a| a["path"] != artifact.as_str());
    });
    assert_fails_naming(
        &root,
        &allowed,
        &format!("removed since the seal: {artifact}"),
    );
}

#[test]
fn a_manifest_member_changed_is_named() {
    let Sealed {
        dir: _dir,
        root,
        allowed,
        ..
    } = sealed();
    edit_manifest(&root, |manifest| {
        manifest["collection"]["partial"] = json!(true);
    });
    assert_fails_naming(
        &root,
        &allowed,
        "changed since the seal: manifest.json#collection",
    );
}

#[test]
fn a_sealed_note_edited_or_removed_is_caught_though_the_chain_is_rebuilt() {
    let Sealed {
        dir: _dir,
        root,
        allowed,
        ..
    } = sealed();
    let mut written = lines(&root, ANNOTATIONS_FILE);
    written[1] = written[1].replace("203.0.113.7", "198.51.100.9");
    rechain(&root, ANNOTATIONS_FILE, &written);
    assert_fails_naming(
        &root,
        &allowed,
        "annotations.jsonl: line 3 does not end the chain the seal recorded",
    );

    let Sealed {
        dir: _dir,
        root,
        allowed,
        ..
    } = sealed();
    let mut written = lines(&root, ANNOTATIONS_FILE);
    written.remove(1);
    rechain(&root, ANNOTATIONS_FILE, &written);
    assert_fails_naming(
        &root,
        &allowed,
        "annotations.jsonl: 2 line(s), the seal recorded 3: sealed lines were removed",
    );
}

#[test]
fn a_sealed_audit_line_reordered_is_caught_though_the_chain_is_rebuilt() {
    let Sealed {
        dir: _dir,
        root,
        allowed,
        ..
    } = sealed();
    let mut written = lines(&root, AUDIT_FILE);
    written.swap(1, 2);
    rechain(&root, AUDIT_FILE, &written);
    assert_fails_naming(
        &root,
        &allowed,
        "audit.jsonl: line 3 does not end the chain the seal recorded",
    );
}

#[test]
fn a_reseal_by_a_key_not_allowed_fails() {
    let Sealed {
        dir, root, allowed, ..
    } = sealed();
    let artifact = first_raw_artifact(&root);
    forge_artifact(&root, &artifact, b"{\"forged\":true}");
    let mallory = keygen(dir.path(), "mallory", "ed25519");
    seal(&root, &mallory);
    assert_fails_naming(&root, &allowed, &format!("sealed by {ALICE} (SHA256:"));
    let (_, shown) = verify_allowed(&root, &allowed);
    assert!(
        shown.contains(&format!(
            "not an allowed signer: no line allows this key for \"{ALICE}\""
        )),
        "{shown}"
    );
}

#[test]
fn a_seal_copied_from_another_bundle_is_caught() {
    let Sealed {
        dir, root, allowed, ..
    } = sealed();
    let other = demo_bundle(dir.path(), "other");
    for file in [SEAL_FILE, SIGNATURE_FILE] {
        fs::copy(root.join(file), other.join(file)).unwrap();
    }
    assert_fails_naming(&other, &allowed, "the seal is from another bundle");
}

#[test]
fn expect_and_a_missing_seal_fail_and_the_digest_is_always_printed() {
    let Sealed {
        dir, root, allowed, ..
    } = sealed();
    let (code, shown) = verify(&root, &[]);
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        shown.contains("not checked against allowed signers"),
        "{shown}"
    );
    let digest = shown
        .lines()
        .find_map(|line| line.strip_prefix("root digest: "))
        .expect("a root digest line")
        .to_string();
    let (code, shown) = verify(&root, &["--expect", &digest]);
    assert_eq!(code, Some(0), "{shown}");
    let wrong = format!("sha256:{}", "0".repeat(64));
    let (code, shown) = verify(&root, &["--expect", &wrong]);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{shown}");
    assert!(
        shown.contains(&format!("root digest {digest}, expected {wrong}")),
        "{shown}"
    );

    let unsealed = demo_bundle(dir.path(), "unsealed");
    let (code, shown) = verify(&unsealed, &[]);
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        shown.contains("seal: not sealed\nroot digest: sha256:"),
        "{shown}"
    );
    assert_fails_naming(
        &unsealed,
        &allowed,
        "not sealed: the bundle has no seal.json",
    );
}

#[test]
fn lines_after_the_seal_are_counted_and_a_new_note_or_handoff_reseals() {
    let Sealed {
        dir: _dir,
        root,
        key,
        allowed,
    } = sealed();
    append(&root, &note("after the seal")).unwrap();
    let (code, shown) = verify_allowed(&root, &allowed);
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        shown.contains("seal: 1 annotation(s) and 0 action(s) after the seal, chain intact"),
        "{shown}"
    );
    let out = taskscope(&[
        "annotate",
        path(&root),
        "--bundle-wide",
        "--note",
        "signed note",
        "--sign-key",
        path(&key),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let (code, shown) = verify_allowed(&root, &allowed);
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        shown.contains("seal: 0 annotation(s) and 0 action(s) after"),
        "{shown}"
    );
    let out = taskscope(&[
        "handoff",
        path(&root),
        "--to",
        "bob@legal",
        "--key",
        path(&key),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let (code, shown) = verify_allowed(&root, &allowed);
    assert_eq!(code, Some(0), "{shown}");
    assert!(!shown.contains("handoff(s) after the seal"), "{shown}");
    // The last note, now sealed, cannot be dropped unseen.
    let mut written = lines(&root, ANNOTATIONS_FILE);
    written.pop();
    rechain(&root, ANNOTATIONS_FILE, &written);
    assert_fails_naming(&root, &allowed, "sealed lines were removed");
}

#[test]
fn demo_out_seals_on_completion_and_the_report_ends_with_the_seal() {
    let dir = TempDir::new().unwrap();
    let key = keygen(dir.path(), "alice", "ed25519");
    let allowed = allowed_signers(dir.path(), ALICE, &key);
    let root = dir.path().join("demo");
    let out = taskscope(&[
        "demo",
        "--out",
        path(&root),
        "--print",
        "--seal-key",
        path(&key),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let (code, shown) = verify_allowed(&root, &allowed);
    assert_eq!(code, Some(0), "{shown}");
    let digest = shown
        .lines()
        .find_map(|line| line.strip_prefix("root digest: "))
        .unwrap()
        .to_string();
    let report = taskscope(&["report", path(&root)]);
    assert!(report.status.success(), "{}", text(&report));
    let markdown = String::from_utf8(report.stdout).unwrap();
    let tail: Vec<&str> = markdown.lines().rev().take(2).collect();
    assert!(
        tail[1].starts_with("| Root digest | `sha256:"),
        "{markdown}"
    );
    assert!(tail[1].contains(&digest), "{markdown}");
    assert!(
        tail[0].starts_with(&format!("| Seal | sealed by {ALICE} (SHA256:")),
        "{markdown}"
    );

    let unsealed = demo_bundle(dir.path(), "unsealed");
    let report = taskscope(&["report", path(&unsealed)]);
    let markdown = String::from_utf8(report.stdout).unwrap();
    assert!(
        markdown.trim_end().ends_with("| Seal | not sealed |"),
        "{markdown}"
    );
}

#[test]
fn a_passphrase_protected_key_and_a_public_key_are_refused_clearly() {
    let dir = TempDir::new().unwrap();
    let root = demo_bundle(dir.path(), "bundle");
    let key = dir.path().join("locked");
    let status = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "secret phrase",
            "-f",
            path(&key),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let out = taskscope(&["seal", path(&root), "--key", path(&key)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("protected by a passphrase"),
        "{}",
        text(&out)
    );
    let out = taskscope(&[
        "seal",
        path(&root),
        "--key",
        path(&key.with_extension("pub")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("is not an OpenSSH private key"),
        "{}",
        text(&out)
    );
    assert!(!root.join(SEAL_FILE).exists());
}

/// Replaces the seal's signature with `signature` and verifies.
fn verify_with_signature(seal: &Sealed, signature: &[u8]) -> String {
    fs::write(seal.root.join(SIGNATURE_FILE), signature).unwrap();
    let (code, shown) = verify_allowed(&seal.root, &seal.allowed);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{shown}");
    shown
}

/// Signs `file` with `key` for `namespace` with ssh-keygen; the armored
/// signature.
fn ssh_keygen_sign(key: &Path, namespace: &str, file: &Path) -> Vec<u8> {
    let signature = file.with_extension("json.sig");
    let _ = fs::remove_file(&signature);
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-f", path(key), "-n", namespace])
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    fs::read(signature).unwrap()
}

#[test]
fn hostile_seal_files_are_clear_errors() {
    let sealed = sealed();
    let genuine = fs::read(sealed.root.join(SIGNATURE_FILE)).unwrap();

    let mut trailing = genuine.clone();
    trailing.extend_from_slice(b"and more\n");
    let shown = verify_with_signature(&sealed, &trailing);
    assert!(
        shown.contains("data after the signature's armor"),
        "{shown}"
    );

    let mut bad = String::from_utf8(genuine.clone()).unwrap();
    bad.replace_range(60..62, "!!");
    let shown = verify_with_signature(&sealed, bad.as_bytes());
    assert!(shown.contains("not a valid SSH signature"), "{shown}");

    let other = ssh_keygen_sign(&sealed.key, "git", &sealed.root.join(SEAL_FILE));
    let shown = verify_with_signature(&sealed, &other);
    assert!(
        shown.contains("signed for namespace \"git\", not \"taskscope-bundle\""),
        "{shown}"
    );

    let shown = verify_with_signature(&sealed, &unknown_algorithm_signature());
    assert!(
        shown.contains("unsupported key algorithm foo@example.com"),
        "{shown}"
    );

    fs::write(
        sealed.root.join(SEAL_FILE),
        b"{\"format\": \"taskscope-seal\", ",
    )
    .unwrap();
    let signature = ssh_keygen_sign(
        &sealed.key,
        "taskscope-bundle",
        &sealed.root.join(SEAL_FILE),
    );
    let shown = verify_with_signature(&sealed, &signature);
    assert!(
        shown.contains("seal.json: not a valid seal document"),
        "{shown}"
    );

    let huge = fs::File::create(sealed.root.join(SEAL_FILE)).unwrap();
    huge.set_len(64 * 1024 * 1024 + 1).unwrap();
    let shown = verify_with_signature(&sealed, &genuine);
    assert!(
        shown.contains("seal.json holds 67108865 bytes, more than"),
        "{shown}"
    );
}

/// An armored SSHSIG whose key and signature are of an algorithm nobody
/// implements.
fn unknown_algorithm_signature() -> Vec<u8> {
    use base64::Engine;
    fn string(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    let mut key = Vec::new();
    string(&mut key, b"foo@example.com");
    string(&mut key, &[7; 32]);
    let mut signature = Vec::new();
    string(&mut signature, b"foo@example.com");
    string(&mut signature, &[9; 64]);
    let mut blob = b"SSHSIG".to_vec();
    blob.extend_from_slice(&1u32.to_be_bytes());
    string(&mut blob, &key);
    string(&mut blob, b"taskscope-bundle");
    string(&mut blob, b"");
    string(&mut blob, b"sha512");
    string(&mut blob, &signature);
    let encoded = base64::engine::general_purpose::STANDARD.encode(blob);
    let mut armored = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for chunk in encoded.as_bytes().chunks(70) {
        armored.push_str(std::str::from_utf8(chunk).unwrap());
        armored.push('\n');
    }
    armored.push_str("-----END SSH SIGNATURE-----\n");
    armored.into_bytes()
}

#[test]
fn a_bundle_of_format_version_1_still_opens_verifies_and_seals() {
    let dir = TempDir::new().unwrap();
    let root = demo_bundle(dir.path(), "old");
    edit_manifest(&root, |manifest| manifest["format_version"] = json!(1));
    let (code, shown) = verify(&root, &[]);
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("seal: not sealed"), "{shown}");
    let key = keygen(dir.path(), "alice", "ed25519");
    seal(&root, &key);
    let (code, shown) = verify_allowed(&root, &allowed_signers(dir.path(), ALICE, &key));
    assert_eq!(code, Some(0), "{shown}");
}

/// An ssh-agent of its own, on a socket in a temporary directory; killed
/// when dropped.
struct Agent {
    process: std::process::Child,
    socket: PathBuf,
}

impl Agent {
    fn start(dir: &Path) -> Agent {
        let socket = dir.join("agent.sock");
        let process = Command::new("ssh-agent")
            .args(["-D", "-a", path(&socket)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts ssh-agent");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !socket.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "ssh-agent did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Agent { process, socket }
    }

    fn add(&self, key: &Path) {
        let status = Command::new("ssh-add")
            .arg(key)
            .env("SSH_AUTH_SOCK", &self.socket)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("runs ssh-add");
        assert!(status.success());
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[test]
fn a_key_held_by_ssh_agent_seals_and_ssh_keygen_verifies_it() {
    let dir = TempDir::new().unwrap();
    let root = demo_bundle(dir.path(), "bundle");
    let agent = Agent::start(dir.path());
    let seal_with_agent = |extra: &[&str]| {
        binary::command()
            .args(["seal", path(&root), "--agent", "--identity", ALICE])
            .args(extra)
            .env("SSH_AUTH_SOCK", &agent.socket)
            .output()
            .unwrap()
    };
    let out = seal_with_agent(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("ssh-agent holds no key"),
        "{}",
        text(&out)
    );
    let rsa = keygen(dir.path(), "rsa", "rsa");
    let ed25519 = keygen(dir.path(), "ed25519", "ed25519");
    agent.add(&rsa);
    agent.add(&ed25519);
    let out = seal_with_agent(&[]);
    assert!(
        text(&out).contains("ssh-agent holds 2 keys"),
        "{}",
        text(&out)
    );
    let fingerprint = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f", path(&rsa.with_extension("pub"))])
        .output()
        .unwrap();
    let fingerprint = String::from_utf8(fingerprint.stdout).unwrap();
    let fingerprint = fingerprint.split_whitespace().nth(1).unwrap();
    let out = seal_with_agent(&["--agent-key", fingerprint]);
    assert!(out.status.success(), "{}", text(&out));
    let allowed = allowed_signers(dir.path(), ALICE, &rsa);
    let checked = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f", path(&allowed), "-I", ALICE])
        .args([
            "-n",
            "taskscope-bundle",
            "-s",
            path(&root.join(SIGNATURE_FILE)),
        ])
        .stdin(fs::File::open(root.join(SEAL_FILE)).unwrap())
        .output()
        .unwrap();
    assert!(checked.status.success(), "{}", text(&checked));
    let (code, shown) = verify_allowed(&root, &allowed);
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains(fingerprint), "{shown}");
}

#[test]
fn import_seals_with_the_config_files_seal_key() {
    let dir = TempDir::new().unwrap();
    let inputs = dir.path().join("inputs");
    fs::create_dir(&inputs).unwrap();
    for (name, bytes) in demo::FILES {
        fs::write(inputs.join(name), bytes).unwrap();
    }
    let key = keygen(dir.path(), "alice", "ed25519");
    let config = dir.path().join("config").join("taskscope");
    fs::create_dir_all(&config).unwrap();
    fs::write(
        config.join("config.toml"),
        format!("seal_key = \"{}\"\n", key.display()),
    )
    .unwrap();
    let root = dir.path().join("bundle");
    let out = binary::command()
        .args(["import", path(&inputs), "--out", path(&root)])
        .env("TASKSCOPE_AUTHOR", ALICE)
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("sealed "), "{}", text(&out));
    let (code, shown) = verify_allowed(&root, &allowed_signers(dir.path(), ALICE, &key));
    assert_eq!(code, Some(0), "{shown}");
}
