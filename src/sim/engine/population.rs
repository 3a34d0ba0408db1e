//! Where the engine's leads come from: rows of a population table, a constant, or the synthetic
//! generator (the table itself is read by `config::table`).
//!
//! **Generator.** `generator = "b2b-saas"` is the generator of `leadsim generate`
//! ([`crate::generate::Generator`]), so the loop generate -> train -> score -> simulate closes:
//! the lead's true propensity is the generator's `sigmoid(b . x)`, and its score is that logit
//! seen through noise, `sigmoid(logit + score_noise * e)` with `e` standard normal, i.e. a
//! scoring model of chosen quality (`score_noise = 0` is a perfect model). The deal value comes
//! from `outcomes.deal_value`, like every population without a value column, so the scenario
//! file stays the one place that sets it.

use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use std::sync::OnceLock;

use super::rng::{mean_propensity_stream, SplitMix64};
use crate::generate::{Generator, Preset};
use crate::sim::model::{LeadAttrs, Population};

/// The logistic function as `1 / (1 + exp(-x))` for every `x`. Not `scoring::model::sigmoid`:
/// that one computes `exp(x) / (1 + exp(x))` for negative `x` (stable far in the tail), which
/// rounds differently for about half of all negative inputs (up to 4 ulp, measured over a
/// million draws in [-8, 0)), and most generated logits are negative; switching would move
/// every score and with it the value-stability pins of `tests/sim_invariants.rs`. Both forms
/// are accurate to a few ulp, and this one needs no branch: `exp(-x)` overflowing to infinity
/// gives 0, not NaN.
#[inline]
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// One lead from the b2b-saas generator: its [`crate::generate::DRAWS_PER_LEAD`] draws, then one
/// draw for the score's error, all from the lead's attribute stream.
#[inline]
pub fn generated_lead(generator: &Generator, rng: &mut SplitMix64, score_noise: f64) -> LeadAttrs {
    let lead = generator.sample_latent(rng);
    let e: f64 = StandardNormal.sample(rng);
    LeadAttrs {
        score: sigmoid(lead.logit + score_noise * e),
        propensity: lead.probability,
        value: None,
    }
}

/// Leads in the fixed sample that estimates a generator's mean propensity `q_bar`. The
/// b2b-saas propensities have a standard deviation of 0.18 around a mean of 0.144 (measured
/// by the test below), so the estimate's standard error is 0.001, 0.7% of it: an error that
/// scales every nurtured lead's buy probability by one common factor, well inside any run's
/// noise. Drawn once per process, in parallel blocks summed in a fixed order (the same value
/// for any thread count); about 50 ms of one core.
pub const MEAN_PROPENSITY_SAMPLE: u64 = 1 << 15;

/// Leads per block of that sample.
const MEAN_PROPENSITY_BLOCK: u64 = 1 << 12;

/// The b2b-saas generator's mean propensity over [`MEAN_PROPENSITY_SAMPLE`] leads of its own
/// stream ([`mean_propensity_stream`]), computed once per process: it depends on the preset
/// only (the score noise moves scores, not propensities).
fn generator_mean_propensity(generator: &Generator) -> f64 {
    static B2B_SAAS: OnceLock<f64> = OnceLock::new();
    let cell = match generator.preset() {
        Preset::B2bSaas => &B2B_SAAS,
    };
    *cell.get_or_init(|| {
        let blocks: Vec<f64> = (0..MEAN_PROPENSITY_SAMPLE / MEAN_PROPENSITY_BLOCK)
            .into_par_iter()
            .map(|b| {
                (b * MEAN_PROPENSITY_BLOCK..(b + 1) * MEAN_PROPENSITY_BLOCK)
                    .map(|i| {
                        generator
                            .sample_latent(&mut mean_propensity_stream(i))
                            .probability
                    })
                    .sum()
            })
            .collect();
        blocks.iter().sum::<f64>() / MEAN_PROPENSITY_SAMPLE as f64
    })
}

/// A population ready to draw from.
#[derive(Clone, Debug)]
pub enum Source {
    /// The synthetic generator with its score noise.
    Generator(Generator, f64),
    /// Rows sampled with replacement, propensity already scaled and capped.
    Table(std::sync::Arc<Vec<LeadAttrs>>, f64),
    /// One kind of lead.
    Constant(LeadAttrs),
}

impl Source {
    /// Row `i` of a table with its propensity scaled (replayed arrivals).
    #[inline]
    pub fn row(&self, i: usize) -> LeadAttrs {
        match self {
            Source::Table(rows, scale) => {
                let mut a = rows[i];
                a.propensity = (a.propensity * scale).min(1.0);
                a
            }
            _ => unreachable!("replay is validated to need a table"),
        }
    }

    /// Compiles a validated population.
    pub fn new(p: &Population) -> Self {
        match p {
            Population::Generator { score_noise, .. } => {
                Source::Generator(Generator::new(Preset::B2bSaas), *score_noise)
            }
            Population::Table {
                data,
                propensity_scale,
                ..
            } => Source::Table(data.clone(), *propensity_scale),
            Population::Constant { constant } => Source::Constant(*constant),
        }
    }

    /// The population's mean propensity `q_bar`, the reference of the nurture law
    /// (docs/model.md section 2.9: a nurtured lead buys with probability
    /// `min(1, share * lift * (q / q_bar)^elasticity)`): the mean over a table's rows of the
    /// propensity the engine uses (scaled and capped), over the generator's fixed sample
    /// ([`MEAN_PROPENSITY_SAMPLE`]), or a constant's own propensity (so constant populations buy
    /// at `share * lift` whatever the elasticity, and the analytic oracles hold).
    ///
    /// This is the one place `q_bar` is computed; [`super::Compiled`] stores it beside the
    /// source. Anything that changes the propensities a source draws (a calibration to a
    /// history, say) must recompute `q_bar` from the changed source, so that the law keeps
    /// `share` as the population-average share.
    pub fn mean_propensity(&self) -> f64 {
        match self {
            Source::Generator(generator, _) => generator_mean_propensity(generator),
            Source::Table(rows, scale) => {
                let sum: f64 = rows.iter().map(|a| (a.propensity * scale).min(1.0)).sum();
                sum / rows.len() as f64
            }
            Source::Constant(a) => a.propensity,
        }
    }

    /// One lead's attributes from its attribute stream.
    #[inline]
    pub fn draw(&self, rng: &mut SplitMix64) -> LeadAttrs {
        match self {
            Source::Generator(generator, noise) => generated_lead(generator, rng, *noise),
            Source::Table(rows, scale) => {
                let i = ((rng.u01() * rows.len() as f64) as usize).min(rows.len() - 1);
                let mut a = rows[i];
                a.propensity = (a.propensity * scale).min(1.0);
                a
            }
            Source::Constant(a) => *a,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::engine::rng::population_probe_stream;

    /// The fixed sample's mean agrees with an independent sample of the same size (the load
    /// probe's stream) within four standard errors of their difference, and its own relative
    /// standard error is below 1%, as the docs of [`MEAN_PROPENSITY_SAMPLE`] say.
    #[test]
    fn the_generator_mean_propensity_is_precise() {
        let source = Source::new(&Population::Generator {
            generator: "b2b-saas".into(),
            score_noise: 0.5,
        });
        let q_bar = source.mean_propensity();
        let n = MEAN_PROPENSITY_SAMPLE;
        let other: Vec<f64> = (0..n)
            .map(|i| source.draw(&mut population_probe_stream(i)).propensity)
            .collect();
        let mean = other.iter().sum::<f64>() / n as f64;
        let sd = (other.iter().map(|q| (q - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        let se = sd / (n as f64).sqrt();
        eprintln!("q_bar {q_bar:.5}, independent sample {mean:.5}, sd {sd:.4}, se {se:.5}");
        assert!((q_bar - mean).abs() <= 4.0 * se * 2f64.sqrt());
        assert!(se / q_bar < 0.01, "relative se {}", se / q_bar);
    }
}
