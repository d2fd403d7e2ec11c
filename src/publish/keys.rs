//! Approval keys: Ed25519 key pairs. The private key lives in a file
//! only its owner can read, outside the site's folder; the public key is
//! listed in `config.toml` under `[[approvers]]`.

use super::PublishError;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Deserialize;
use std::path::{Path, PathBuf};

const PUBLIC_PREFIX: &str = "ed25519:";
const PRIVATE_PREFIX: &str = "ed25519-private:";

/// A private key, read from its file.
pub struct PrivateKey {
    pub name: String,
    pub role: String,
    signing: SigningKey,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    name: String,
    role: String,
    private_key: String,
}

impl PrivateKey {
    /// A new random key for `name`.
    pub fn generate(name: &str, role: &str) -> Result<PrivateKey, PublishError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| {
            PublishError::Key(format!(
                "the system could not provide random numbers to make a key ({e})"
            ))
        })?;
        Ok(PrivateKey {
            name: name.to_string(),
            role: role.to_string(),
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// `ed25519:` and the public key in hex, as `config.toml` lists it.
    pub fn public_key(&self) -> String {
        format!(
            "{PUBLIC_PREFIX}{}",
            hex(self.signing.verifying_key().as_bytes())
        )
    }

    pub fn sign(&self, message: &[u8]) -> String {
        hex(&self.signing.sign(message).to_bytes())
    }

    /// Writes the key to `path`, readable by its owner only. Refuses a
    /// path inside the site (`root`) or an existing file.
    pub fn write(&self, path: &Path, root: &Path) -> Result<(), PublishError> {
        refuse_inside_site(path, root)?;
        let text = format!(
            "# A schoolsite approval key. Keep this file private and never put it in the\n\
             # site's folder: anyone who has it can approve the school's website.\n\
             name = {:?}\nrole = {:?}\nprivate_key = \"{PRIVATE_PREFIX}{}\"\n",
            self.name,
            self.role,
            hex(self.signing.as_bytes())
        );
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| PublishError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                PublishError::Key(format!(
                    "{} already exists; choose another file (an old key is never overwritten)",
                    path.display()
                ))
            } else {
                PublishError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|source| PublishError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a private key, refusing one inside the site or readable by
    /// anyone but its owner.
    pub fn load(path: &Path, root: &Path) -> Result<PrivateKey, PublishError> {
        refuse_inside_site(path, root)?;
        let meta = std::fs::metadata(path).map_err(|source| PublishError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(PublishError::Key(format!(
                    "{} can be read by other people on this computer (permissions {:o}); make it private with `chmod 600 {}` and keep using it only if nobody else could have copied it",
                    path.display(),
                    mode & 0o777,
                    path.display()
                )));
            }
        }
        let _ = meta;
        let text = std::fs::read_to_string(path).map_err(|source| PublishError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let bad = |why: &str| {
            PublishError::Key(format!(
                "{} is not a schoolsite private key ({why}); make one with `schoolsite keygen`",
                path.display()
            ))
        };
        let file: KeyFile = toml::from_str(&text).map_err(|e| bad(e.message()))?;
        let bytes = file
            .private_key
            .strip_prefix(PRIVATE_PREFIX)
            .and_then(unhex::<32>)
            .ok_or_else(|| bad("its private_key is not ed25519-private: and 64 hex digits"))?;
        Ok(PrivateKey {
            name: file.name,
            role: file.role,
            signing: SigningKey::from_bytes(&bytes),
        })
    }
}

/// Parses `ed25519:` and 64 hex digits.
pub fn parse_public(text: &str) -> Option<VerifyingKey> {
    let bytes = text
        .trim()
        .strip_prefix(PUBLIC_PREFIX)
        .and_then(unhex::<32>)?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// Whether `signature` (hex) is `key`'s signature of `message`.
pub fn verify(key: &VerifyingKey, message: &[u8], signature: &str) -> bool {
    let Some(bytes) = unhex::<64>(signature) else {
        return false;
    };
    key.verify(message, &Signature::from_bytes(&bytes)).is_ok()
}

/// Refuses a key file inside the site's folder, where it could be
/// committed or published.
fn refuse_inside_site(path: &Path, root: &Path) -> Result<(), PublishError> {
    let inside = match (absolute_existing(path), root.canonicalize()) {
        (Some(p), Ok(r)) => p.starts_with(&r),
        _ => false,
    };
    if inside {
        return Err(PublishError::Key(format!(
            "{} is inside the site's folder, where it could be committed or published; keep private keys elsewhere (for example in your home folder)",
            path.display()
        )));
    }
    Ok(())
}

/// `path` made absolute through its nearest existing ancestor, with
/// links resolved.
pub fn absolute_existing(path: &Path) -> Option<PathBuf> {
    let path = std::path::absolute(path).ok()?;
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        rest.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim();
    if text.len() != N * 2 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let key = PrivateKey::generate("A", "Headteacher").unwrap();
        let public = parse_public(&key.public_key()).unwrap();
        let sig = key.sign(b"hello");
        assert!(verify(&public, b"hello", &sig));
        assert!(!verify(&public, b"hellp", &sig));
        assert!(!verify(&public, b"hello", "00"));
        let other = PrivateKey::generate("B", "Chair").unwrap();
        assert!(!verify(
            &parse_public(&other.public_key()).unwrap(),
            b"hello",
            &sig
        ));
    }

    #[test]
    fn public_keys_parse_strictly() {
        assert!(parse_public("ed25519:zz").is_none());
        assert!(parse_public(&format!("ed25519:{}", "0".repeat(63))).is_none());
        assert!(parse_public(&format!("rsa:{}", "0".repeat(64))).is_none());
    }
}
