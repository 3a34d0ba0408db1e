//! Criterion bench of the evaluation `leadsim train` runs after the fit (issue 12): seeded
//! scores of 100k and 1M leads, distinct (a model with numeric inputs) and on a grid of 50
//! values (a model of flags and categoricals: tie groups cut by the decile edges). Measures
//! `metrics::evaluate` alone and the in-sample path, where the quantile bands and the
//! evaluation read one ranking (`RankedScores`). Run with `cargo bench --bench evaluate`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};

use leadsim::scoring::metrics::{evaluate, RankedScores, ScoreBands, DEFAULT_BANDS};

/// Probabilities of a logit spread over [-5, 3] (most leads unlikely to convert, as in the
/// benchmark data), rounded to `levels` values when given; outcomes drawn from them.
fn scores(n: usize, levels: Option<u32>) -> (Vec<f64>, Vec<bool>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
    let probs: Vec<f64> = (0..n)
        .map(|_| {
            let p = 1.0 / (1.0 + (5.0 - 8.0 * rng.gen::<f64>()).exp());
            match levels {
                Some(l) => (p * f64::from(l)).round() / f64::from(l),
                None => p,
            }
        })
        .collect();
    let labels = probs.iter().map(|&p| rng.gen_bool(p)).collect();
    (probs, labels)
}

fn evaluation(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate");
    group.sample_size(10);
    for &n in &[100_000usize, 1_000_000] {
        group.throughput(Throughput::Elements(n as u64));
        for (name, levels) in [("distinct", None), ("grid50", Some(50))] {
            let (probs, labels) = scores(n, levels);
            let bands = ScoreBands::from_quantiles(&probs, DEFAULT_BANDS).unwrap();
            group.bench_with_input(
                BenchmarkId::new(format!("{name}/evaluate"), n),
                &n,
                |b, _| b.iter(|| evaluate(&probs, &labels, &bands)),
            );
            group.bench_with_input(
                BenchmarkId::new(format!("{name}/in_sample"), n),
                &n,
                |b, _| {
                    b.iter(|| {
                        let ranked = RankedScores::new(&probs, &labels);
                        let bands = ranked.quantile_bands(DEFAULT_BANDS).unwrap();
                        ranked.evaluate(&bands)
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, evaluation);
criterion_main!(benches);
