//! Where leads' (score, propensity, value) come from: a table of scored leads, a constant, or a
//! synthetic generator.
//!
//! **Stand-in generator.** `generator = "b2b-saas"` is meant to be the generator of
//! `leadsim generate` (`crate::generate::Generator`), which is being written elsewhere. Until it
//! lands, [`stand_in_b2b_saas`] plays its part: a latent logistic model with known coefficients
//! gives the true propensity, and the score is that logit seen through noise, i.e. a scoring
//! model of chosen quality. Switching to the real generator means replacing the body of
//! [`stand_in_b2b_saas`] only; it draws from the lead's attribute stream, so the rest of the
//! draw layout is unaffected.

use std::path::Path;

use rand_distr::{Distribution, StandardNormal};

use super::config::{LeadAttrs, Population};
use super::rng::SplitMix64;
use crate::error::{Error, Result};

/// Default noise of the stand-in's score on the logit scale (an AUC near 0.8 on this latent
/// model; an assumption, grade A).
pub const DEFAULT_SCORE_NOISE: f64 = 0.5;

/// Intercept and coefficients of the stand-in's latent model (assumption, grade A): a base rate
/// near 0.25 and four standard-normal features of decreasing weight.
const STAND_IN_INTERCEPT: f64 = -1.4;
const STAND_IN_COEF: [f64; 4] = [0.9, -0.6, 0.45, 0.3];

#[inline]
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The stand-in for `crate::generate::Generator::new(Preset::B2bSaas).sample(rng)`: a fixed
/// number of draws per lead (four features, one score error). The value is left to
/// `outcomes.deal_value` (lognormal, median 25,000, sigma 1 by default).
#[inline]
pub fn stand_in_b2b_saas(rng: &mut SplitMix64, score_noise: f64) -> LeadAttrs {
    let mut logit = STAND_IN_INTERCEPT;
    for b in STAND_IN_COEF {
        let x: f64 = StandardNormal.sample(rng);
        logit += b * x;
    }
    let e: f64 = StandardNormal.sample(rng);
    LeadAttrs {
        score: sigmoid(logit + score_noise * e),
        propensity: sigmoid(logit),
        value: None,
    }
}

/// A population ready to draw from.
#[derive(Clone, Debug)]
pub enum Source {
    /// The stand-in generator with its score noise.
    Generator(f64),
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
            Population::Generator { score_noise, .. } => Source::Generator(*score_noise),
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
            Source::Generator(noise) => stand_in_b2b_saas(rng, *noise),
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

/// Reads a CSV of scored leads, and with `time` their arrival hours. Scores and propensities
/// must lie in [0, 1]; values and times must not be negative.
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
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(std::io::BufReader::new(file));
    let csv_err = |e: csv::Error| Error::Csv {
        path: path.to_path_buf(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    let headers = rdr.headers().map_err(csv_err)?.clone();
    let col = |name: &str| -> Result<usize> {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| Error::UnknownColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
                hint: crate::text::did_you_mean(name, headers.iter()),
            })
    };
    let (si, pi) = (col(score)?, col(propensity)?);
    let vi = value.map(col).transpose()?;
    let ti = time.map(col).transpose()?;
    let mut rows = Vec::new();
    let mut times = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(csv_err)?;
        let line = rec.position().map_or(0, |p| p.line());
        let num = |i: usize, name: &str, lo: f64, hi: f64| -> Result<f64> {
            let text = rec.get(i).unwrap_or("").trim();
            let bad = |reason: &str| Error::BadValue {
                path: path.to_path_buf(),
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
        return Err(Error::HeaderOnly {
            path: path.to_path_buf(),
        });
    }
    Ok((rows, time.map(|_| times)))
}
