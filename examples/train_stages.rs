//! `leadsim train`'s stages timed one by one, for profiling the whole command (issue 12):
//!
//! ```text
//! cargo build --release --example train_stages
//! target/release/examples/train_stages DATA.csv TARGET [MIN_LEVEL_COUNT]
//! ```
//!
//! Prints the seconds from start to the beginning of each stage, then to the model and the
//! report written to a temporary directory (`--holdout 0`, as `benches/compare_fit.py` runs).

use std::sync::Mutex;
use std::time::Instant;

use leadsim::scoring::train::{train, TrainOptions, TrainProgress};

struct Stages {
    start: Instant,
    last: Mutex<Option<(String, f64)>>,
}

impl Stages {
    fn mark(&self, name: &str) {
        let now = self.start.elapsed().as_secs_f64();
        let mut last = self.last.lock().unwrap();
        if let Some((prev, t)) = last.take() {
            eprintln!("{prev:<20} {:>7.3} s", now - t);
        }
        *last = Some((name.to_string(), now));
    }
}

impl TrainProgress for Stages {
    fn stage(&self, name: &str) {
        self.mark(name);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let stages = Stages {
        start: Instant::now(),
        last: Mutex::new(None),
    };
    let mut opts = TrainOptions {
        data: args[1].clone().into(),
        target: Some(args[2].clone()),
        holdout: 0.0,
        ..Default::default()
    };
    if let Some(m) = args.get(3) {
        opts.encoder.min_level_count = m.parse().unwrap();
    }
    let model = train(&opts, &stages).unwrap();
    stages.mark("writing");
    let dir = tempfile::tempdir().unwrap();
    leadsim::scoring::save_model(&model, &dir.path().join("m.json")).unwrap();
    stages.mark("done");
    eprintln!(
        "total {:>7.3} s; log likelihood {}",
        stages.start.elapsed().as_secs_f64(),
        model.fit.log_likelihood
    );
}
