//! Progress displays on stderr, shown only on a terminal and when not silenced.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner on stderr when it is a terminal and not silenced.
pub fn spinner(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}").expect("static template"),
    );
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A bar of bytes read of a file's size (on stderr, only on a terminal and when not silenced),
/// then a spinner for the stages that follow. Cleared when dropped, so that neither an error
/// nor the printed results ever share a line with it.
pub struct FileProgress {
    bar: ProgressBar,
    /// Whether the bar shows bytes (else a spinner); atomic so that the display can be moved on
    /// from worker threads through `&self`.
    on_bytes: AtomicBool,
}

impl FileProgress {
    /// A hidden display when `quiet` or when stderr is not a terminal.
    pub fn new(quiet: bool) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0)
        };
        FileProgress {
            bar,
            on_bytes: AtomicBool::new(false),
        }
    }

    /// Moves the bar to `read` of `total` bytes of the file `what` names.
    pub fn bytes(&self, what: &str, read: u64, total: u64) {
        if !self.on_bytes.swap(true, Ordering::Relaxed) {
            self.bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {binary_bytes}/{binary_total_bytes} {msg} ({eta} left)",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            self.bar.disable_steady_tick();
        }
        if self.bar.length() != Some(total) {
            self.bar.set_length(total);
            self.bar.reset_eta();
        }
        if self.bar.message() != what {
            self.bar.set_message(what.to_string());
        }
        self.bar.set_position(read.min(total));
    }

    /// Shows a stage without a known length (a spinner and its message).
    pub fn stage(&self, message: impl Into<String>) {
        if self.on_bytes.swap(false, Ordering::Relaxed) || self.bar.length().is_some() {
            self.bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                    .expect("static template"),
            );
            self.bar.unset_length();
            self.bar.enable_steady_tick(Duration::from_millis(120));
        }
        self.bar.set_message(message.into());
    }

    /// Removes the display.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for FileProgress {
    fn drop(&mut self) {
        self.clear();
    }
}
