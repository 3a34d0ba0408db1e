//! Writes the 1,000,000-lead export of `benches/calibrate.rs` (same parameters) into
//! `$LEADSIM_SCALE_DIR`, to time the whole `leadsim calibrate` process on it
//! (docs/calibrate.md, "Performance"). Ignored: run with
//! `LEADSIM_SCALE_DIR=/tmp/scale cargo test --release --test calibrate_scale -- --ignored`.

use leadsim::history::synth::{write_export, SynthParams};

#[test]
#[ignore]
fn write_the_million_lead_export() {
    let dir = std::env::var("LEADSIM_SCALE_DIR").expect("set LEADSIM_SCALE_DIR");
    let p = SynthParams {
        arrival_days: 182,
        rate_per_day: 1_000_000.0 / 130.0,
        contactable: 0.4,
        max_attempts: 7,
        gap_hours: vec![1.0, 24.0, 48.0, 96.0, 168.0, 168.0],
        ..SynthParams::default()
    };
    let e = write_export(std::path::Path::new(&dir), &p, 1, false).unwrap();
    println!(
        "{} leads, {} attempts, as of {}",
        e.lead_count, e.attempt_count, e.as_of
    );
    assert!(e.lead_count > 990_000 && e.attempt_count > 4_500_000);
}
