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

use super::rng::SplitMix64;
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
