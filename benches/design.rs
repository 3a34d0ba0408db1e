//! Criterion benches of the wide CRM design of issue 12 with categoricals as codes (100k and
//! 1M leads, 738 coefficients): one Newton pass (loss, gradient and Hessian; loss only), and a
//! whole fit to convergence with standard errors, as `leadsim train` runs it after encoding.
//! Run with `cargo bench --bench design`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use linfa::ParamGuard;
use ndarray::Array1;

use leadsim::scoring::LogisticParams;

#[path = "common/wide.rs"]
mod wide;

fn pass(c: &mut Criterion) {
    let mut group = c.benchmark_group("design_pass_wide_738");
    group.sample_size(10);
    for &n in &[100_000usize, 1_000_000] {
        let (design, y) = wide::wide_design(n, 12);
        let beta = wide::point(&design, &y);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("full", n), &n, |b, _| {
            b.iter(|| design.pass(&y, beta.view(), None, true))
        });
        group.bench_with_input(BenchmarkId::new("loss_only", n), &n, |b, _| {
            b.iter(|| design.pass(&y, beta.view(), None, false))
        });
    }
    group.finish();
}

fn fit(c: &mut Criterion) {
    let mut group = c.benchmark_group("design_fit_wide_738");
    group.sample_size(10);
    let params = LogisticParams::new().check().unwrap();
    for &n in &[100_000usize, 1_000_000] {
        let (design, y) = wide::wide_design(n, 12);
        let y = Array1::from(y);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("newton", n), &n, |b, _| {
            b.iter(|| params.fit_design(&design, y.view()).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, pass, fit);
criterion_main!(benches);
