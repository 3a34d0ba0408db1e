//! Atomic output files: everything is written to a temporary file in the destination folder
//! and renamed into place only when complete, so a failed run never leaves a half-written file.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A buffered writer to a temporary file that becomes `path` on [`AtomicFile::commit`].
/// Dropping it without committing removes the temporary file.
pub struct AtomicFile {
    path: PathBuf,
    writer: Option<BufWriter<tempfile::NamedTempFile>>,
}

impl AtomicFile {
    /// Creates the temporary file next to `path` (same folder, so the rename is atomic),
    /// creating the folder first if it does not exist.
    ///
    /// # Errors
    /// [`Error::Io`] if the folder cannot be created or is not writable.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let tmp = tempfile::Builder::new()
            .prefix(".leadsim-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| Error::io(&path, e))?;
        Ok(AtomicFile {
            path,
            writer: Some(BufWriter::with_capacity(1 << 16, tmp)),
        })
    }

    /// The final path this file will have.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames the temporary file to its final path.
    ///
    /// # Errors
    /// [`Error::Io`] if flushing or renaming fails; the temporary file is then removed.
    pub fn commit(mut self) -> Result<()> {
        let writer = self.writer.take().expect("writer present until commit");
        let tmp = writer
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io(&self.path, e))?;
        // Temporary files are created private (0600); a finished output is an ordinary file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(|e| Error::io(&self.path, e))?;
        }
        tmp.persist(&self.path)
            .map_err(|e| Error::io(&self.path, e.error))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.as_mut().expect("not committed").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.as_mut().expect("not committed").flush()
    }
}

/// Writes `bytes` to `path` atomically.
///
/// # Errors
/// [`Error::Io`] on any I/O failure; `path` is then untouched.
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    let p = f.path().to_path_buf();
    f.write_all(bytes).map_err(|e| Error::io(p, e))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_file_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn committed_file_has_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        write_atomic(&target, b"a,b\n1,2\n").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"a,b\n1,2\n");
    }
}
