//! The audit log: one JSON line per publish, takedown or refusal, each carrying
//! the BLAKE3 hash of the line before it, so any edit, deletion or
//! reordering of past entries breaks the chain (`schoolsite audit
//! verify`).
//!
//! The hashes alone prove nothing against someone who can edit the file:
//! they can recompute every hash after an edit. So the chain is anchored
//! where an editor of the repository cannot reach alone: every approval
//! signs the head of the chain it saw ([`Head`]), and every published
//! folder's marker records the head just after the entry that published
//! it. [`verify_anchored`] checks that each anchor is still a point of
//! the current chain: an entry changed at or before an anchor changes
//! every hash after it, so the anchor no longer matches.

use super::PublishError;
use super::approval::{self, Approval};
use crate::config::Approver;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// Where the log is kept, relative to the site root (beside the
/// approvals, to be committed with them).
pub const AUDIT_LOG: &str = "approvals/audit.log";

/// The `prev` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// 1 for the first entry, then one more each time.
    pub seq: u64,
    /// UTC, RFC 3339.
    pub time: String,
    /// `publish`, `takedown` or `refused`.
    pub event: String,
    /// The manifest digest, when there was a readable manifest.
    pub manifest: Option<String>,
    /// Who approved it (name and role), when an approval was found.
    pub approver: Option<String>,
    /// The folder published to.
    pub to: String,
    /// Why it was refused (empty for a publish).
    pub reasons: Vec<String>,
    /// BLAKE3 of the previous line (without its newline).
    pub prev: String,
    /// For a takedown: who ran it, why, and what it took down. Left out
    /// of other entries, so logs written before takedowns read the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takedown: Option<Takedown>,
    /// For a publish or a refused publish: the date consent was checked
    /// on and the real date then. Left out of other entries, so logs
    /// written before it read the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<Dates>,
}

/// The dates a publish checked consent on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dates {
    /// The date consent was checked against (`--today`, or the real
    /// date), YYYY-MM-DD.
    pub checked: String,
    /// The real date on the computer that ran it, YYYY-MM-DD.
    pub real: String,
}

/// A point of the chain: the entry `seq` (0 before the first) and the
/// BLAKE3 of its line. Approvals sign it; published folders record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "entry {} ({})",
            self.seq,
            self.hash.get(..12).unwrap_or("")
        )
    }
}

/// One entry of a verified log, with the BLAKE3 of its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub hash: String,
    pub entry: Entry,
}

/// What a takedown entry records. People are register ids only, never
/// names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Takedown {
    /// The takedown's record in `approvals/takedowns/`.
    pub id: String,
    /// Who ran it, as they gave their name.
    pub by: String,
    pub reason: String,
    /// Register ids whose photos were taken down.
    pub people: Vec<String>,
    /// Each photo taken down: its source and the BLAKE3 of every
    /// published version.
    pub photos: Vec<String>,
    /// Every file taken out of the published copy or rebuilt.
    pub files: Vec<String>,
    /// The manifest digest of the copy it was taken down from.
    pub from: String,
}

/// A verified log: how many entries, and the hash of the last line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub entries: u64,
    pub head: String,
    /// The last publish: its manifest digest.
    pub last_published: Option<String>,
    /// Every manifest digest a publish or a takedown put on a server.
    pub served: Vec<String>,
    /// Every entry, in order (entry `seq` is at `seq - 1`).
    pub log: Vec<Logged>,
}

impl Chain {
    fn empty() -> Chain {
        Chain {
            entries: 0,
            head: GENESIS.to_string(),
            last_published: None,
            served: Vec::new(),
            log: Vec::new(),
        }
    }

    /// The head of the chain: its last entry.
    pub fn head(&self) -> Head {
        Head {
            seq: self.entries,
            hash: self.head.clone(),
        }
    }

    /// The entry `seq`, if the chain has it.
    pub fn entry(&self, seq: u64) -> Option<&Logged> {
        let i = usize::try_from(seq.checked_sub(1)?).ok()?;
        self.log.get(i)
    }

    /// Whether `head` is a point of this chain: the entry at its `seq`
    /// has its hash. Otherwise, why not, in words.
    pub fn holds(&self, head: &Head) -> Result<(), String> {
        if head.seq == 0 {
            return if head.hash == GENESIS {
                Ok(())
            } else {
                Err("it names an empty log with a hash an empty log cannot have".to_string())
            };
        }
        match self.entry(head.seq) {
            None => Err(format!(
                "it was made when the log had {} entries, and the log now has only {}: entries were removed from the end, or this copy of the log is older than it",
                head.seq, self.entries
            )),
            Some(l) if l.hash != head.hash => Err(format!(
                "entry {} is no longer the entry it saw: that entry or one before it was changed (and the hashes after it recomputed) since",
                head.seq
            )),
            Some(_) => Ok(()),
        }
    }
}

/// Checks the whole log at `path` (an absent log is an empty chain).
pub fn verify(path: &Path) -> Result<Chain, PublishError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Chain::empty()),
        Err(source) => {
            return Err(PublishError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let broken = |line: usize, why: String| PublishError::AuditBroken {
        path: path.to_path_buf(),
        line,
        why,
    };
    let text = String::from_utf8(bytes).map_err(|_| broken(1, "it is not text".to_string()))?;
    if !text.is_empty() && !text.ends_with('\n') {
        let line = text.lines().count();
        return Err(broken(
            line,
            "the last entry is incomplete: the log was cut off".to_string(),
        ));
    }
    let mut chain = Chain::empty();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let entry: Entry = serde_json::from_str(line)
            .map_err(|e| broken(n, format!("it is not an audit entry ({e})")))?;
        if entry.prev != chain.head {
            return Err(broken(
                n,
                if n == 1 {
                    "it should be the first entry, but it follows one that is no longer there: entries were removed from the start".to_string()
                } else {
                    format!(
                        "it does not follow from line {}: that line was changed, or entries between them were removed",
                        n - 1
                    )
                },
            ));
        }
        if entry.seq != chain.entries + 1 {
            return Err(broken(
                n,
                format!(
                    "it is entry {}, but entry {} should come here: entries were removed or reordered",
                    entry.seq,
                    chain.entries + 1
                ),
            ));
        }
        chain.entries = entry.seq;
        chain.head = blake3::hash(line.as_bytes()).to_hex().to_string();
        if entry.event == "publish" {
            chain.last_published = entry.manifest.clone();
        }
        if matches!(entry.event.as_str(), "publish" | "takedown")
            && let Some(m) = &entry.manifest
        {
            chain.served.push(m.clone());
        }
        chain.log.push(Logged {
            hash: chain.head.clone(),
            entry,
        });
    }
    Ok(chain)
}

/// An entry ready to be appended: its number, `prev` and line fixed, so
/// the head it makes is known before it is written (a published
/// folder's marker records it).
#[derive(Debug, Clone)]
pub struct Pending {
    pub entry: Entry,
    line: String,
}

impl Pending {
    /// The head of the chain once this entry is appended.
    pub fn head(&self) -> Head {
        Head {
            seq: self.entry.seq,
            hash: blake3::hash(self.line.as_bytes()).to_hex().to_string(),
        }
    }
}

/// Fixes `seq` and `prev` of `entry` to follow the log at `path` (which
/// is checked). [`commit`] writes it.
pub fn prepare(path: &Path, mut entry: Entry) -> Result<Pending, PublishError> {
    let chain = verify(path)?;
    entry.seq = chain.entries + 1;
    entry.prev = chain.head;
    let line = serde_json::to_string(&entry).map_err(|e| PublishError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    Ok(Pending { entry, line })
}

/// Appends an entry to the log at `path`, after checking the chain so
/// far. Fills in `seq` and `prev`.
pub fn append(path: &Path, entry: Entry) -> Result<Entry, PublishError> {
    commit(path, prepare(path, entry)?)
}

/// Appends a prepared entry, if the log still ends where it did when it
/// was prepared.
pub fn commit(path: &Path, pending: Pending) -> Result<Entry, PublishError> {
    let chain = verify(path)?;
    if chain.head != pending.entry.prev {
        return Err(PublishError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(format!(
                "another entry was added while entry {} was being written: run one publish or takedown at a time, then try again",
                pending.entry.seq
            )),
        });
    }
    let Pending { entry, line } = pending;
    let io = |source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let line = line + "\n";
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    file.write_all(line.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(entry)
}

/// A log whose chain is whole and still holds every point an approval
/// signed.
#[derive(Debug)]
pub struct Anchored {
    pub chain: Chain,
    /// Each approval by a listed approver that signs a point of the
    /// chain (its file, relative to the site) with that point, by entry.
    pub anchors: Vec<(String, Head)>,
    /// Approvals made before approvals signed the log (approval v1):
    /// they anchor nothing.
    pub unanchored: usize,
}

impl Anchored {
    /// The last entry an approval anchors (0 when none does).
    pub fn anchored_to(&self) -> u64 {
        self.anchors.iter().map(|(_, h)| h.seq).max().unwrap_or(0)
    }
}

/// Checks the log of the site at `root` ([`verify`]), then that every
/// approval in `approvals/` signed by one of `approvers` names a point of
/// it: the entry it saw is still there, with the same hash. An edit to
/// any entry up to the last such point is found even when every hash
/// after it was recomputed.
pub fn verify_anchored(root: &Path, approvers: &[Approver]) -> Result<Anchored, PublishError> {
    let path = root.join(AUDIT_LOG);
    let chain = verify(&path)?;
    let mut signed: Vec<(String, Approval, Head)> = Vec::new();
    let mut unanchored = 0;
    for (file, parsed) in approval::load_all(root) {
        let Ok(a) = parsed else { continue };
        if a.verify(approvers).is_err() {
            // Not an approver's: it anchors nothing (and publish says
            // why when it matters).
            continue;
        }
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        match a.audit.clone() {
            Some(head) => signed.push((shown, a, head)),
            None => unanchored += 1,
        }
    }
    signed.sort_by(|a, b| a.2.seq.cmp(&b.2.seq).then_with(|| a.0.cmp(&b.0)));
    let mut anchors: Vec<(String, Head)> = Vec::new();
    for (shown, a, head) in signed {
        if let Err(why) = chain.holds(&head) {
            let after = match anchors.last() {
                Some((file, h)) if h.seq > 0 => format!(
                    "; entries up to {} are as {file} saw them, so the change is after entry {}",
                    h.seq, h.seq
                ),
                _ => String::new(),
            };
            return Err(PublishError::AuditBroken {
                path,
                line: usize::try_from(head.seq).unwrap_or(usize::MAX),
                why: format!(
                    "{shown}, signed by {} ({}) at {}, signs the log at {head}, and {why}{after}",
                    a.name, a.role, a.signed_at
                ),
            });
        }
        anchors.push((shown, head));
    }
    Ok(Anchored {
        chain,
        anchors,
        unanchored,
    })
}

impl Entry {
    pub fn new(event: &str, to: &Path) -> Entry {
        Entry {
            seq: 0,
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            event: event.to_string(),
            manifest: None,
            approver: None,
            to: to.display().to_string(),
            reasons: Vec::new(),
            prev: String::new(),
            takedown: None,
            dates: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_detects_edits_removals_and_truncation() {
        let dir = tempfile_dir();
        let log = dir.join("audit.log");
        for i in 0..3 {
            let mut e = Entry::new(
                if i == 1 { "refused" } else { "publish" },
                Path::new("/srv/www"),
            );
            e.manifest = Some(format!("digest{i}"));
            append(&log, e).unwrap();
        }
        let chain = verify(&log).unwrap();
        assert_eq!(chain.entries, 3);
        assert_eq!(chain.last_published.as_deref(), Some("digest2"));

        let text = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let broken_at = |t: String| match verify_text(&log, &t) {
            Err(PublishError::AuditBroken { line, .. }) => line,
            other => panic!("not broken: {other:?}"),
        };
        assert_eq!(broken_at(text.replacen("refused", "publish", 1)), 3);
        assert_eq!(broken_at(format!("{}\n{}\n", lines[0], lines[2])), 2);
        assert_eq!(broken_at(format!("{}\n{}\n", lines[1], lines[2])), 1);
        assert_eq!(broken_at(text[..text.len() - 5].to_string()), 3);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn entries_written_before_takedowns_still_verify() {
        let dir = std::env::temp_dir().join(format!("schoolsite-audit-old-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("audit.log");
        // A line exactly as the first version of the log wrote it.
        let old = format!(
            "{{\"seq\":1,\"time\":\"2026-11-23T09:00:00Z\",\"event\":\"publish\",\"manifest\":\"d1\",\"approver\":\"H (Headteacher)\",\"to\":\"/srv/www\",\"reasons\":[],\"prev\":\"{GENESIS}\"}}\n"
        );
        std::fs::write(&log, &old).unwrap();
        let mut e = Entry::new("takedown", Path::new("/srv/www"));
        e.manifest = Some("d2".to_string());
        e.takedown = Some(Takedown {
            id: "t1".to_string(),
            by: "A. Patel".to_string(),
            reason: "consent withdrawn".to_string(),
            people: vec!["1001".to_string()],
            photos: Vec::new(),
            files: Vec::new(),
            from: "d1".to_string(),
        });
        append(&log, e).unwrap();
        let chain = verify(&log).unwrap();
        assert_eq!(chain.entries, 2);
        assert_eq!(chain.last_published.as_deref(), Some("d1"));
        assert_eq!(chain.served, ["d1", "d2"]);
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.starts_with(&old));
        assert!(!text.lines().next().unwrap().contains("takedown"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_head_is_held_only_by_the_chain_it_was_taken_from() {
        let dir =
            std::env::temp_dir().join(format!("schoolsite-audit-head-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("audit.log");
        let empty = verify(&log).unwrap();
        assert_eq!(empty.holds(&empty.head()), Ok(()));
        for i in 0..3 {
            let mut e = Entry::new("publish", Path::new("/srv/www"));
            e.manifest = Some(format!("d{i}"));
            append(&log, e).unwrap();
        }
        let chain = verify(&log).unwrap();
        let second = Head {
            seq: 2,
            hash: chain.entry(2).unwrap().hash.clone(),
        };
        assert_eq!(chain.holds(&second), Ok(()));
        assert_eq!(chain.holds(&empty.head()), Ok(()));
        let wrong = Head {
            seq: 2,
            hash: chain.entry(3).unwrap().hash.clone(),
        };
        assert!(
            chain
                .holds(&wrong)
                .unwrap_err()
                .contains("entry 2 is no longer")
        );
        let beyond = Head {
            seq: 4,
            hash: chain.head.clone(),
        };
        assert!(chain.holds(&beyond).unwrap_err().contains("has only 3"));
        assert!(chain.entry(0).is_none() && chain.entry(u64::MAX).is_none());

        // A prepared entry knows the head it makes, and is not written
        // after another entry got in first.
        let pending = prepare(&log, Entry::new("publish", Path::new("/srv/www"))).unwrap();
        let head = pending.head();
        let late = pending.clone();
        commit(&log, pending).unwrap();
        assert_eq!(verify(&log).unwrap().head(), head);
        assert!(commit(&log, late).is_err());
        assert_eq!(verify(&log).unwrap().entries, 4);
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn verify_text(log: &Path, text: &str) -> Result<Chain, PublishError> {
        std::fs::write(log, text).unwrap();
        verify(log)
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("schoolsite-audit-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
