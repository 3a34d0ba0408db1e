//! Where leads' (score, propensity, value) come from: a table of scored leads, a constant, or a
//! synthetic generator.
//!
//! **Generator.** `generator = "b2b-saas"` is the generator of `leadsim generate`
//! ([`crate::generate::Generator`]), so the loop generate -> train -> score -> simulate closes:
//! the lead's true propensity is the generator's `sigmoid(b . x)`, and its score is that logit
//! seen through noise, `sigmoid(logit + score_noise * e)` with `e` standard normal, i.e. a
//! scoring model of chosen quality (`score_noise = 0` is a perfect model). The deal value comes
//! from `outcomes.deal_value`, like every population without a value column, so the scenario
//! file stays the one place that sets it.

use std::path::Path;

use rand_distr::{Distribution, StandardNormal};

use super::model::{LeadAttrs, Population};
use super::rng::SplitMix64;
use crate::data::{source::field_str, CsvOptions, CsvStream};
use crate::error::{Error, Result};
use crate::generate::{Generator, Preset};

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

/// Reads a CSV of scored leads (any file `leadsim score` or another tool wrote: delimiter
/// sniffed, gzip, BOM and CRLF handled), and with `time` their arrival hours. Scores and
/// propensities must lie in [0, 1]; values and times must not be negative.
///
/// # Errors
/// [`Error::Io`], [`Error::Csv`], [`Error::HeaderOnly`], [`Error::UnknownColumn`] (with a
/// suggestion) and [`Error::BadValue`] naming the line and column.
#[allow(clippy::type_complexity)]
pub fn read_table(
    path: &Path,
    score: &str,
    propensity: &str,
    value: Option<&str>,
    time: Option<&str>,
) -> Result<(Vec<LeadAttrs>, Option<Vec<f64>>)> {
    let mut stream = CsvStream::open(path, &CsvOptions::default())?;
    let (si, pi) = (
        stream.column_index(score)?,
        stream.column_index(propensity)?,
    );
    let vi = value.map(|v| stream.column_index(v)).transpose()?;
    let ti = time.map(|t| stream.column_index(t)).transpose()?;
    let path = stream.path().to_path_buf();
    let mut rows = Vec::new();
    let mut times = Vec::new();
    while let Some((rec, line)) = stream.next_record()? {
        let num = |i: usize, name: &str, lo: f64, hi: f64| -> Result<f64> {
            let text = field_str(&path, line, name, &rec[i])?;
            let bad = |reason: &str| Error::BadValue {
                path: path.clone(),
                line,
                column: name.to_string(),
                value: text.to_string(),
                reason: reason.to_string(),
            };
            let x: f64 = text.parse().map_err(|_| bad("not a number"))?;
            if !x.is_finite() || x < lo || x > hi {
                return Err(bad(&format!("must be a number in [{lo}, {hi}]")));
            }
            Ok(x)
        };
        rows.push(LeadAttrs {
            score: num(si, score, 0.0, 1.0)?,
            propensity: num(pi, propensity, 0.0, 1.0)?,
            value: match (vi, value) {
                (Some(i), Some(name)) => Some(num(i, name, 0.0, f64::MAX)?),
                _ => None,
            },
        });
        if let (Some(i), Some(name)) = (ti, time) {
            times.push(num(i, name, 0.0, f64::MAX)?);
        }
    }
    if rows.is_empty() {
        return Err(Error::HeaderOnly { path });
    }
    Ok((rows, time.map(|_| times)))
}
