//! Progress displays on stderr, shown only on a terminal and when not silenced.

use std::io::IsTerminal;
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
