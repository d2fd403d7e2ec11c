//! The audit log: one JSON line per publish, takedown or refusal, each carrying
//! the BLAKE3 hash of the line before it, so any edit, deletion or
//! reordering of past entries breaks the chain (`schoolsite audit
//! verify`).

use super::PublishError;
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
}

/// Checks the whole log at `path` (an absent log is an empty chain).
pub fn verify(path: &Path) -> Result<Chain, PublishError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Chain {
                entries: 0,
                head: GENESIS.to_string(),
                last_published: None,
                served: Vec::new(),
            });
        }
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
    let mut chain = Chain {
        entries: 0,
        head: GENESIS.to_string(),
        last_published: None,
        served: Vec::new(),
    };
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
    }
    Ok(chain)
}

/// Appends an entry to the log at `path`, after checking the chain so
/// far. Fills in `seq` and `prev`.
pub fn append(path: &Path, mut entry: Entry) -> Result<Entry, PublishError> {
    let chain = verify(path)?;
    entry.seq = chain.entries + 1;
    entry.prev = chain.head;
    let io = |source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let line = serde_json::to_string(&entry).unwrap_or_default() + "\n";
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    file.write_all(line.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(entry)
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
