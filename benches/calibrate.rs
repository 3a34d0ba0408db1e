//! Calibration of a large export: 1,000,000 leads and about 5,000,000 attempts (a synthetic
//! export of `history::synth`, written once per run), read and calibrated end to end:
//! `read_history` (CSV parsing, checks, the streamed attempts digest) plus `calibrate`.
//! The target is under 10 s on the 2-core machine in bounded memory; the bench prints
//! the peak resident memory of the process (VmHWM) after the runs. Reading runs on three
//! threads (`data::batches`), so the one-run line's read wall time against its CPU time shows
//! how much of the second core the reading got.
//!
//! `cargo bench --bench calibrate`. Measured 2026-12-01 (docs/calibrate.md, "Memory" and
//! "Performance of `leadsim calibrate`"), with another helper's compiler holding most of one
//! core: read + calibrate 6.71 s (95% 6.61 to 6.82 s) over 10 samples; one run read 5.45 s
//! wall / 5.40 s CPU, read + calibrate 6.97 s wall / 6.75 s CPU; peak resident memory 280 MB.

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
        contactable: 0.4,
        max_attempts: 7,
        gap_hours: vec![1.0, 24.0, 48.0, 96.0, 168.0, 168.0],
        ..SynthParams::default()
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("calibrate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(90));
    {
        let leads = 1_000_000.0;
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
    // One more run timed by the clock and by the process's CPU time (user + system, from
    // /proc/self/stat), to tell the work from the waiting on a shared machine.
    let export =
        write_export(&dir.path().join("again"), &params(1_000_000.0), 1, false).expect("export");
    let options = ReadOptions {
        as_of: Some(export.as_of.clone()),
        ..Default::default()
    };
    let (wall, cpu) = (std::time::Instant::now(), cpu_seconds());
    let h = read_history(&export.leads, Some(export.attempts.as_path()), &options).expect("read");
    let (read_wall, read_cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let c = calibrate(&h);
    eprintln!(
        "one run: read {read_wall:.2} s wall / {read_cpu:.2} s CPU; read + calibrate {:.2} s wall \
         / {:.2} s CPU ({} leads, {} attempts, {} warnings)",
        wall.elapsed().as_secs_f64(),
        cpu_seconds() - cpu,
        export.lead_count,
        export.attempt_count,
        c.warnings.len()
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status.lines().filter(|l| l.starts_with("VmHWM")) {
            eprintln!("peak resident memory: {line}");
        }
    }
}

/// User + system CPU seconds of this process so far (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // The kernel's USER_HZ is 100 on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

criterion_group!(benches, bench);
criterion_main!(benches);
