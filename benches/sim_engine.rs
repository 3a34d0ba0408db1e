//! Criterion benchmark of the simulation engine: one replication of the shipped handover
//! example and of a larger, always-handed-over funnel, reported as leads per second.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use leadsim::sim::engine::{simulate, Compiled};
use leadsim::sim::ScenarioFile;

fn scenario(rate: u32) -> ScenarioFile {
    let text = include_str!("../data/scenarios/bench.toml")
        .replace("rate_per_day = 10800", &format!("rate_per_day = {rate}"))
        .replace(
            "count = 1400",
            &format!("count = {}", (rate as f64 * 1400.0 / 10800.0).ceil() as u32),
        );
    ScenarioFile::from_toml_str(&text, Path::new("bench.toml")).expect("bench scenario")
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate_one_replication");
    group.sample_size(10);
    for rate in [1_080u32, 10_800] {
        let file = scenario(rate);
        let compiled = Compiled::new(&file.scenarios[0]);
        let leads = simulate(&compiled, 1, 0)[0];
        group.throughput(Throughput::Elements(leads as u64));
        group.bench_with_input(
            BenchmarkId::new("leads_per_business_day", rate),
            &compiled,
            |b, compiled| b.iter(|| simulate(compiled, 1, 0)),
        );
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
