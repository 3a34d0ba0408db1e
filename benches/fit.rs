//! Criterion benches of the scoring pipeline's two hot paths: fitting (Newton/IRLS, and
//! linfa-logistic's L-BFGS at the smallest size) on n x 20 standardised features, and
//! scoring a CSV with a saved model. Run with `cargo bench --bench fit`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use linfa::traits::Fit;
use linfa::{Dataset, ParamGuard};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use leadsim::scoring::solver::{LogisticParams, SolverKind};

const FEATURES: usize = 20;

/// Standard-normal features and outcomes from a known logistic model, fixed seed.
fn problem(n: usize) -> (Array2<f64>, Array1<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let beta: Vec<f64> = (0..FEATURES)
        .map(|j| 0.4 * ((j as f64) * 0.7).sin())
        .collect();
    let x = Array2::from_shape_fn((n, FEATURES), |_| rng.sample::<f64, _>(StandardNormal));
    let y = x
        .rows()
        .into_iter()
        .map(|row| {
            let eta = -1.5 + row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
            rng.gen::<f64>() < 1.0 / (1.0 + (-eta).exp())
        })
        .collect();
    (x, y)
}

fn fit(c: &mut Criterion) {
    let mut group = c.benchmark_group("fit_20_features");
    group.sample_size(10);
    for &n in &[10_000usize, 100_000, 1_000_000] {
        let (x, y) = problem(n);
        let data = Dataset::new(x, y);
        group.throughput(Throughput::Elements(n as u64));
        let newton = LogisticParams::new().check().unwrap();
        group.bench_with_input(BenchmarkId::new("newton", n), &data, |b, d| {
            b.iter(|| newton.fit(d).unwrap())
        });
        if n == 10_000 {
            let lbfgs = LogisticParams::new()
                .solver(SolverKind::Lbfgs)
                .check()
                .unwrap();
            group.bench_with_input(BenchmarkId::new("lbfgs", n), &data, |b, d| {
                b.iter(|| lbfgs.fit(d).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, fit);
criterion_main!(benches);
