//! Atomic output files: everything is written to a temporary file in the destination folder
//! and renamed into place only when complete, so a failed run never leaves a half-written file.
//!
//! A run that writes several files (a simulation's four outputs, a model and its report, a
//! history and its truth) writes them all into a [`StagedDir`], a temporary folder inside the
//! destination folder, and moves them into place only once every one is complete: a failure
//! before then leaves none of them, so an output set is all or nothing.

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

/// A temporary folder inside `dir` (same file system, so moving a file out of it is a rename)
/// that collects a set of output files; [`StagedDir::commit`] moves them into `dir` together.
/// Dropped without committing (an error, a panic unwinding), it is removed with everything in
/// it. Files are written into it through [`StagedDir::stage`] paths by any writer, atomic or
/// not, since nothing in it is visible as an output.
pub struct StagedDir {
    dir: PathBuf,
    tmp: tempfile::TempDir,
}

impl StagedDir {
    /// Creates `dir` if missing and the staging folder `.leadsim-*.tmp` inside it.
    ///
    /// # Errors
    /// [`Error::Io`] if either folder cannot be created.
    pub fn new(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = match dir.as_ref() {
            p if p.as_os_str().is_empty() => PathBuf::from("."),
            p => p.to_path_buf(),
        };
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let tmp = tempfile::Builder::new()
            .prefix(".leadsim-")
            .suffix(".tmp")
            .tempdir_in(&dir)
            .map_err(|e| Error::io(&dir, e))?;
        Ok(StagedDir { dir, tmp })
    }

    /// Where to write the output that will be `dir/name`.
    pub fn stage(&self, name: impl AsRef<Path>) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The destination folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Moves every staged `names` into the destination folder, in order, and removes the
    /// staging folder; returns the final paths. When a move fails (the name is taken by a
    /// folder, say), the files already moved are removed again, so none of the set remains.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file that could not be moved (or was never staged).
    pub fn commit<S: AsRef<Path>>(self, names: &[S]) -> Result<Vec<PathBuf>> {
        let mut moved: Vec<PathBuf> = Vec::with_capacity(names.len());
        for name in names {
            let from = self.stage(name);
            let to = self.dir.join(name);
            if let Err(e) = std::fs::rename(&from, &to) {
                for p in &moved {
                    let _ = std::fs::remove_file(p);
                }
                return Err(Error::io(to, e));
            }
            moved.push(to);
        }
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staged_set_appears_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("results");
        // Dropped after writing two of three files: nothing remains but the (empty) folder.
        {
            let set = StagedDir::new(&out).unwrap();
            write_atomic(set.stage("a.csv"), b"a").unwrap();
            write_atomic(set.stage("b.csv"), b"b").unwrap();
        }
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
        // Committed: every file in place, the staging folder gone.
        let set = StagedDir::new(&out).unwrap();
        write_atomic(set.stage("a.csv"), b"a").unwrap();
        write_atomic(set.stage("b.csv"), b"b").unwrap();
        let paths = set.commit(&["a.csv", "b.csv"]).unwrap();
        assert_eq!(paths, vec![out.join("a.csv"), out.join("b.csv")]);
        assert_eq!(std::fs::read(out.join("b.csv")).unwrap(), b"b");
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2);
    }

    #[test]
    fn a_failed_move_takes_back_the_files_already_moved() {
        let dir = tempfile::tempdir().unwrap();
        // "b.csv" is a non-empty folder, so moving a file onto it fails.
        std::fs::create_dir_all(dir.path().join("b.csv/x")).unwrap();
        let set = StagedDir::new(dir.path()).unwrap();
        write_atomic(set.stage("a.csv"), b"a").unwrap();
        write_atomic(set.stage("b.csv"), b"b").unwrap();
        assert!(matches!(
            set.commit(&["a.csv", "b.csv"]),
            Err(Error::Io { .. })
        ));
        assert!(!dir.path().join("a.csv").exists());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("b.csv")]);
    }

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
