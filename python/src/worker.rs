//! Long calls run on a worker thread while the calling thread, the GIL released, waits in short
//! slices and checks for signals between them: Python stays responsive (other threads run) and
//! Ctrl-C raises `KeyboardInterrupt` at once. The worker gets a cancellation flag; work that
//! checks it (simulation, scoring, generation) stops within one unit, work that cannot
//! (training) runs to its end in the background and its result is dropped.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;

use crate::errors::{Failure, Outcome};

/// How often the waiting thread looks at pending signals: well below what a person notices.
const POLL: Duration = Duration::from_millis(50);

/// Runs `work` on a new thread, the GIL released, and returns its outcome as a Python result.
/// A signal handler's exception (`KeyboardInterrupt` for Ctrl-C) sets the flag `work` receives
/// and is raised without waiting for the worker.
pub fn run<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce(&AtomicBool) -> Outcome<T> + Send + 'static,
{
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let (tx, mut rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("leadsim".into())
        .spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| work(&flag))).unwrap_or_else(|p| {
                let what = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".into());
                Err(Failure::Internal(what))
            });
            // The caller may have left on Ctrl-C; then nobody listens and that is fine.
            let _ = tx.send(outcome);
        })
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    loop {
        // The receiver is not `Sync`, so it travels into the GIL-free closure and back.
        let (got, back) = py.detach(move || (rx.recv_timeout(POLL), rx));
        rx = back;
        match got {
            Ok(outcome) => return crate::errors::raise(py, outcome),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(e) = py.check_signals() {
                    cancel.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(
                    Failure::Internal("the worker thread stopped without a result".into())
                        .into_py_err(py),
                )
            }
        }
    }
}
