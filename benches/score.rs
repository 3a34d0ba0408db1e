//! Criterion bench of `leadsim score`'s library path: a model trained on a generated history
//! scores generated CSVs of 10k, 100k and 1M leads (with and without explanations).
//! Run with `cargo bench --bench score`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use leadsim::generate::{write_history, Preset};
use leadsim::scoring::score::{score_file, ScoreOptions};
use leadsim::scoring::train::{train, Silent, TrainOptions};

fn score(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.csv");
    write_history(&history, Preset::B2bSaas, 20_000, 7).unwrap();
    let model = train(
        &TrainOptions {
            data: history,
            ..Default::default()
        },
        &Silent,
    )
    .unwrap();
    let mut group = c.benchmark_group("score_b2b_saas");
    group.sample_size(10);
    for &n in &[10_000usize, 100_000, 1_000_000] {
        let data = dir.path().join(format!("leads{n}.csv"));
        write_history(&data, Preset::B2bSaas, n, 11).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        for explain in [0usize, 3] {
            let opts = ScoreOptions {
                data: data.clone(),
                out: dir.path().join("scored.csv"),
                explain,
                ..Default::default()
            };
            group.bench_with_input(
                BenchmarkId::new(format!("explain{explain}"), n),
                &opts,
                |b, o| b.iter(|| score_file(&model, o, &|_| {}).unwrap()),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, score);
criterion_main!(benches);
