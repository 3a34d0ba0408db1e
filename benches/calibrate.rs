//! Calibration of a large export: 1,000,000 leads and about 5,000,000 attempts (a synthetic
//! export of `history::synth`, written once per run), read and calibrated end to end:
//! `read_history` (CSV parsing, checks, the streamed attempts digest) plus `calibrate`.
//! The target is under 10 s on the 2-core machine in bounded memory; the bench prints
//! the peak resident memory of the process (VmHWM) after the runs.
//!
//! `cargo bench --bench calibrate`

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use leadsim::calibrate::calibrate;
use leadsim::history::synth::{write_export, SynthParams};
use leadsim::history::{read_history, ReadOptions};

fn params(leads: f64) -> SynthParams {
    SynthParams {
        arrival_days: 182,
        // 130 weekdays with a mean multiplier of 1.
        rate_per_day: leads / 130.0,
        // Fewer reachable leads and a longer cadence: about five calls per lead.
        contactable: 0.35,
        max_attempts: 8,
        gap_hours: vec![1.0, 24.0, 48.0, 96.0, 168.0, 168.0, 168.0],
        ..SynthParams::default()
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("calibrate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(90));
    for leads in [1_000_000.0] {
        let export = write_export(dir.path(), &params(leads), 1, false).expect("export");
        eprintln!(
            "export: {} leads, {} attempts",
            export.lead_count, export.attempt_count
        );
        let options = ReadOptions {
            as_of: Some(export.as_of.clone()),
            ..Default::default()
        };
        group.bench_with_input(
            BenchmarkId::new("read+calibrate", export.lead_count),
            &export,
            |b, e| {
                b.iter(|| {
                    let h =
                        read_history(&e.leads, Some(e.attempts.as_path()), &options).expect("read");
                    calibrate(&h)
                })
            },
        );
    }
    group.finish();
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status.lines().filter(|l| l.starts_with("VmHWM")) {
            eprintln!("peak resident memory: {line}");
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
