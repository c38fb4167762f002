//! The secret key a demo keeps for itself (in a file beside its database) when
//! `SWITCHYARD_SECRET_KEY` is not set.

use std::path::PathBuf;

use anyhow::{Context, bail};

/// Where a demo keeps the secret key it made: beside the SQLite database, or in the
/// working directory for PostgreSQL (or an in-memory database).
pub fn key_file(database_url: &str) -> PathBuf {
    const NAME: &str = "switchyard-secret.key";
    let sqlite_path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|p| !p.is_empty() && !p.contains(":memory:"));
    match sqlite_path.and_then(|p| std::path::Path::new(p).parent()) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(NAME),
        _ => PathBuf::from(NAME),
    }
}

/// The key in `path`, made (random, readable by its owner only) if the file is not there.
pub(super) fn read_or_create_key(path: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            let key = random_key();
            file.write_all(format!("{key}\n").as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write the secret key to {}", path.display()))?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let key = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the secret key in {}", path.display()))?
                .trim()
                .to_owned();
            if key.len() < 32 {
                bail!(
                    "{} must hold a secret key of at least 32 characters",
                    path.display()
                );
            }
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| {
            format!(
                "cannot create {} to keep the secret key; set SWITCHYARD_SECRET_KEY",
                path.display()
            )
        }),
    }
}

pub(super) fn random_key() -> String {
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    hex::encode(key)
}
