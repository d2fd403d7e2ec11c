//! Approvals: an approver's signature over a manifest's digest, with
//! their name, role, the time and the head of the audit log they saw,
//! written to `approvals/` to be committed with the site.
//!
//! Approvals made before they signed the audit log (schema 1) still
//! verify, so the manifests in them can still be read (the preview's
//! comparison, a takedown's starting point), but `publish` no longer
//! accepts one: it anchors nothing (see [`super::find_approval`]).

use super::PublishError;
use super::audit::Head;
use super::keys::{self, PrivateKey};
use super::manifest::Manifest;
use crate::config::Approver;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where approvals (and the audit log) live, relative to the site root.
pub const APPROVALS_DIR: &str = "approvals";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub schema: u32,
    /// The digest of the manifest approved.
    pub manifest_digest: String,
    pub name: String,
    pub role: String,
    pub public_key: String,
    /// UTC, RFC 3339.
    pub signed_at: String,
    /// Ed25519 signature of [`Approval::message`], in hex.
    pub signature: String,
    /// The manifest itself, so later previews can show what changed.
    pub manifest: Manifest,
    /// The head of the audit log when it was signed (schema 2 on):
    /// signed, so the log cannot be rewritten up to it unnoticed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<Head>,
}

/// The schema of approvals this version writes: 2 signs the audit log's
/// head as well.
pub const SCHEMA: u32 = 2;

impl Approval {
    /// What is signed: the manifest's digest, who, when, and (from
    /// schema 2) the audit log's head. `None` for a schema this version
    /// does not know, or a schema 2 approval without a head.
    pub fn message(&self) -> Option<String> {
        let v1 = format!(
            "manifest: {}\nname: {}\nrole: {}\nkey: {}\nsigned at: {}\n",
            self.manifest_digest, self.name, self.role, self.public_key, self.signed_at
        );
        match (self.schema, &self.audit) {
            (1, None) => Some(format!("schoolsite approval v1\n{v1}")),
            (2, Some(head)) => Some(format!(
                "schoolsite approval v2\n{v1}audit log: entry {} {}\n",
                head.seq, head.hash
            )),
            _ => None,
        }
    }

    /// The approval of `manifest` by `key` at `now`, signing `audit`, the
    /// head of the audit log the approver saw.
    pub fn sign(
        manifest: &Manifest,
        key: &PrivateKey,
        now: chrono::DateTime<chrono::Utc>,
        audit: Head,
    ) -> Approval {
        let mut a = Approval {
            schema: SCHEMA,
            manifest_digest: manifest.digest.clone(),
            name: key.name.clone(),
            role: key.role.clone(),
            public_key: key.public_key(),
            signed_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            signature: String::new(),
            manifest: manifest.clone(),
            audit: Some(audit),
        };
        a.signature = key.sign(a.message().unwrap_or_default().as_bytes());
        a
    }

    /// Writes the approval to `approvals/`, named by time and digest.
    pub fn write(&self, root: &Path) -> Result<PathBuf, PublishError> {
        let dir = root.join(APPROVALS_DIR);
        std::fs::create_dir_all(&dir).map_err(|source| PublishError::Io {
            path: dir.clone(),
            source,
        })?;
        let stamp: String = self
            .signed_at
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let path = dir.join(format!(
            "{stamp}-{}.json",
            self.manifest_digest.get(..12).unwrap_or("")
        ));
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        std::fs::write(&path, text).map_err(|source| PublishError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }

    /// Whether the approval is genuine and by a listed approver: the
    /// signature matches its text, its manifest is intact and is the one
    /// named, and its key is in `approvers`. Returns the approver.
    pub fn verify<'a>(&self, approvers: &'a [Approver]) -> Result<&'a Approver, String> {
        let Some(key) = keys::parse_public(&self.public_key) else {
            return Err("its public key cannot be read".to_string());
        };
        let Some(message) = self.message() else {
            return Err(format!(
                "it is approval schema {}{}, which this version of schoolsite cannot check; approve the build again with `schoolsite approve`",
                self.schema,
                if self.schema == 2 {
                    " without the audit log's head"
                } else {
                    ""
                }
            ));
        };
        if !keys::verify(&key, message.as_bytes(), &self.signature) {
            return Err(
                "its signature does not match its contents: it was changed after it was signed"
                    .to_string(),
            );
        }
        if self.manifest.compute_digest() != self.manifest.digest
            || self.manifest.digest != self.manifest_digest
        {
            return Err("the manifest inside it was changed after it was signed".to_string());
        }
        approvers
            .iter()
            .find(|a| keys::parse_public(&a.public_key) == Some(key))
            .ok_or_else(|| {
                format!(
                    "it is signed by {} ({}), whose key is not one of the approvers in config.toml",
                    self.name, self.role
                )
            })
    }
}

/// Every file in `approvals/` that should be an approval, newest first,
/// with the approval or why it cannot be read.
pub fn load_all(root: &Path) -> Vec<(PathBuf, Result<Approval, String>)> {
    let dir = root.join(APPROVALS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, Result<Approval, String>)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let parsed = std::fs::read_to_string(&p)
                .map_err(|e| format!("could not be read: {e}"))
                .and_then(|t| {
                    serde_json::from_str::<Approval>(&t)
                        .map_err(|e| format!("is not a schoolsite approval ({e})"))
                });
            (p, parsed)
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let mut m: Manifest = serde_json::from_value(serde_json::json!({
            "schema": 1, "tool": "schoolsite", "version": "0", "errors": 0,
            "content": "c", "register": "r", "files": [], "photos": [],
            "warnings": [], "digest": ""
        }))
        .unwrap();
        m.digest = m.compute_digest();
        m
    }

    #[test]
    fn the_audit_head_is_signed_and_cannot_be_changed_or_dropped() {
        let key = PrivateKey::generate("H", "Headteacher").unwrap();
        let approvers = vec![Approver {
            name: "H".to_string(),
            role: "Headteacher".to_string(),
            public_key: key.public_key(),
        }];
        let head = Head {
            seq: 3,
            hash: "ab".repeat(32),
        };
        let a = Approval::sign(&manifest(), &key, chrono::Utc::now(), head);
        assert_eq!(a.schema, 2);
        assert!(a.verify(&approvers).is_ok());

        let mut moved = a.clone();
        moved.audit = Some(Head {
            seq: 2,
            hash: "ab".repeat(32),
        });
        assert!(
            moved
                .verify(&approvers)
                .unwrap_err()
                .contains("changed after it was signed")
        );
        // Passed off as an approval from before heads were signed.
        let mut old = a.clone();
        old.schema = 1;
        old.audit = None;
        assert!(
            old.verify(&approvers)
                .unwrap_err()
                .contains("changed after it was signed")
        );
        let mut headless = a.clone();
        headless.audit = None;
        assert!(
            headless
                .verify(&approvers)
                .unwrap_err()
                .contains("without the audit log's head")
        );

        // A genuine schema 1 approval still verifies.
        let mut v1 = a;
        v1.schema = 1;
        v1.audit = None;
        v1.signature = key.sign(v1.message().unwrap().as_bytes());
        assert!(v1.verify(&approvers).is_ok());
    }
}
