//! One Newton pass on the wide CRM design of issue 12, for instruction counts and short
//! timings (`benches/design.rs` is the criterion bench):
//!
//! ```text
//! cargo build --release --example wide_pass
//! target/release/examples/wide_pass design 500000 [REPEATS]   # the design's pass
//! target/release/examples/wide_pass dense 20000                # today's dense Newton pass
//! valgrind --tool=callgrind --toggle-collect='*pass_with_leaves*' \
//!     target/release/examples/wide_pass design 500000
//! valgrind --tool=callgrind --toggle-collect='*newton*block_pass*' \
//!     target/release/examples/wide_pass dense 20000
//! ```
//!
//! `dense` expands the design into the dense standardised matrix and runs the dense solver for
//! one iteration (it then reports non-convergence, which is expected): two passes, each
//! counted by `block_pass` under callgrind.

use std::time::Instant;

use linfa::traits::Fit;
use linfa::Dataset;
use ndarray::Array1;

use leadsim::scoring::solver::LogisticParams;

#[path = "../benches/common/wide.rs"]
mod wide;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("design");
    let rows: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500_000);
    let repeats: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let t = Instant::now();
    let (design, y) = wide::wide_design(rows, 12);
    eprintln!(
        "generated {rows} x {} in {:.2} s",
        design.ncols(),
        t.elapsed().as_secs_f64()
    );
    let beta = wide::point(&design, &y);
    let mut times = Vec::new();
    match mode {
        "design" => {
            for _ in 0..repeats {
                let t = Instant::now();
                let full = std::env::var("LOSS_ONLY").is_err();
                let st = design.pass(&y, beta.view(), None, full);
                times.push(t.elapsed().as_secs_f64());
                std::hint::black_box(st);
            }
        }
        "dense" => {
            let x = design.to_dense();
            let data = Dataset::new(x, Array1::from(y.clone()));
            for _ in 0..repeats {
                let t = Instant::now();
                let r = LogisticParams::new().max_iter(1).fit(&data);
                times.push(t.elapsed().as_secs_f64());
                std::hint::black_box(r.err());
            }
        }
        other => panic!("mode {other}: expected design or dense"),
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{mode} {rows} rows, {} threads: min {:.4} s, median {:.4} s over {repeats}",
        rayon::current_num_threads(),
        times[0],
        times[times.len() / 2]
    );
}
