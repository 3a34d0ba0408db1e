//! The true outcome model of a synthetic population: what a correct trainer recovers, in the
//! trainer's naming, written beside every generated file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::b2b_saas::{CATEGORICALS, INTERCEPT, NUMERIC_BETAS};
use super::{Generator, Preset};

/// One named true coefficient, in the trainer's feature naming.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    /// Feature name: the column name, or `column=level` for a dummy.
    pub name: String,
    /// True coefficient on the original (unstandardised) scale.
    pub value: f64,
}

/// The true outcome model of a synthetic population, written next to the CSV as
/// `<stem>.truth.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// The preset drawn from.
    pub preset: Preset,
    /// The seed of the file, if this truth describes one.
    pub seed: Option<u64>,
    /// Number of leads in the file (0 if this truth describes no file).
    pub leads: usize,
    /// The outcome column.
    pub target: String,
    /// True intercept (the log-odds of a lead at every reference level with zero counts).
    pub intercept: f64,
    /// True coefficients in the trainer's feature order (file column order; dummies in
    /// byte-lexical order of level within their column).
    pub coefficients: Vec<Coefficient>,
    /// Reference (omitted) level of each categorical column.
    pub reference_levels: BTreeMap<String, String>,
    /// Number of converted leads in the file.
    pub conversions: Option<usize>,
    /// Realised conversion rate in the file (rounded to 6 decimals).
    pub base_rate: Option<f64>,
    /// Mean of the true conversion probabilities in the file (rounded to 6 decimals).
    pub mean_probability: Option<f64>,
    /// Human-readable description of the model and the columns.
    pub notes: Vec<String>,
}

impl Truth {
    /// The true coefficient of a feature, by trainer name (`"(intercept)"` gives the intercept).
    pub fn coefficient(&self, name: &str) -> Option<f64> {
        if name == "(intercept)" {
            return Some(self.intercept);
        }
        self.coefficients
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value)
    }
}

impl Generator {
    /// The true outcome model, in the trainer's naming, without file statistics (`seed`,
    /// `conversions`, `base_rate` and `mean_probability` are `None`, `leads` is 0).
    pub fn truth(&self) -> Truth {
        let mut coefficients: Vec<Coefficient> = NUMERIC_BETAS
            .iter()
            .map(|&(name, value)| Coefficient {
                name: name.to_string(),
                value,
            })
            .collect();
        let mut reference_levels = BTreeMap::new();
        for cat in CATEGORICALS {
            let mut dummies: Vec<Coefficient> = cat
                .levels
                .iter()
                .zip(cat.betas)
                .enumerate()
                .filter(|&(i, _)| i != cat.reference)
                .map(|(_, (level, &value))| Coefficient {
                    name: format!("{}={}", cat.column, trainer_level(level)),
                    value,
                })
                .collect();
            dummies.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
            coefficients.extend(dummies);
            reference_levels.insert(
                cat.column.to_string(),
                trainer_level(cat.levels[cat.reference]).to_string(),
            );
        }
        Truth {
            preset: self.preset,
            seed: None,
            leads: 0,
            target: self.target().to_string(),
            intercept: INTERCEPT,
            coefficients,
            reference_levels,
            conversions: None,
            base_rate: None,
            mean_probability: None,
            notes: vec![
                "P(converted = 1) = sigmoid(intercept + sum of coefficient * feature), features \
                 on their original units."
                    .into(),
                "yes/no columns are 0/1 features named by the column; counts and \
                 days_since_last_activity enter linearly, exactly as written in the CSV."
                    .into(),
                "Categorical columns are one-hot encoded against the reference levels listed; \
                 dummies are named column=level, and an empty seniority is the level (missing)."
                    .into(),
                "lead_id is an identifier and deal_value a second outcome (drawn for every lead \
                 from company size and independent lognormal noise: median 25000 x a size \
                 multiplier (0.3, 0.75, 1.35, 2.4, 4.5 from 1-10 to 1000+), sigma 1): \
                 neither is a feature; given the features, deal_value's true coefficient \
                 would be 0."
                    .into(),
                "Lead i (0-based) is drawn from ChaCha8Rng::seed_from_u64(seed) on stream i, so \
                 any prefix of a file is the same whatever the number of leads."
                    .into(),
            ],
        }
    }
}

/// The trainer's name for a level: an empty field is `(missing)`.
fn trainer_level(level: &str) -> &str {
    if level.is_empty() {
        "(missing)"
    } else {
        level
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::leads;
    use super::*;
    use crate::scoring::model::sigmoid;
    use std::collections::HashMap;

    /// The trainer's encoding of one row, in `truth.coefficients` order, built from the CSV
    /// fields and the coefficient names only.
    fn encode(truth: &Truth, columns: &[&str], values: &[String]) -> Vec<f64> {
        let field = |col: &str| {
            let j = columns[1..].iter().position(|c| *c == col).expect(col);
            values[j].as_str()
        };
        truth
            .coefficients
            .iter()
            .map(|c| match c.name.split_once('=') {
                Some((col, level)) => {
                    let v = field(col);
                    let v = if v.is_empty() { "(missing)" } else { v };
                    f64::from(u8::from(v == level))
                }
                None => match field(&c.name) {
                    "yes" => 1.0,
                    "no" => 0.0,
                    v => v.parse().expect("numeric"),
                },
            })
            .collect()
    }

    #[test]
    fn intended_reference_is_the_most_frequent_level() {
        let g = Generator::new(Preset::B2bSaas);
        let truth = g.truth();
        let sample = leads(5, 5000);
        let cols = g.columns();
        for cat in ["company_size", "industry", "seniority", "region", "source"] {
            let j = cols[1..].iter().position(|c| *c == cat).unwrap();
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for l in &sample {
                let v = l.values[j].as_str();
                *counts
                    .entry(if v.is_empty() { "(missing)" } else { v })
                    .or_default() += 1;
            }
            // The trainer's rule: most frequent, ties by lexical order.
            let mut levels: Vec<(&str, usize)> = counts.into_iter().collect();
            levels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            assert!(levels[0].1 > levels[1].1, "{cat}: tie {levels:?}");
            assert_eq!(
                levels[0].0, truth.reference_levels[cat],
                "{cat}: {levels:?}"
            );
            let rarest = levels.last().unwrap();
            assert!(
                rarest.1 >= 150,
                "{cat}: level {} has {} rows",
                rarest.0,
                rarest.1
            );
            // Exactly the other levels have coefficients.
            let mut dummies: Vec<String> = levels[1..]
                .iter()
                .map(|(l, _)| format!("{cat}={l}"))
                .collect();
            dummies.sort();
            let mut named: Vec<String> = truth
                .coefficients
                .iter()
                .filter(|c| c.name.starts_with(&format!("{cat}=")))
                .map(|c| c.name.clone())
                .collect();
            named.sort();
            assert_eq!(dummies, named);
        }
        let missing = sample.iter().filter(|l| l.values[10].is_empty()).count() as f64 / 5000.0;
        assert!((missing - 0.08).abs() < 3.0 * (0.08f64 * 0.92 / 5000.0).sqrt() + 1e-9);
    }

    #[test]
    fn logit_is_the_truth_applied_to_the_written_fields() {
        let g = Generator::new(Preset::B2bSaas);
        let truth = g.truth();
        for l in leads(17, 2000) {
            let x = encode(&truth, g.columns(), &l.values);
            let eta = truth.intercept
                + x.iter()
                    .zip(&truth.coefficients)
                    .map(|(x, c)| x * c.value)
                    .sum::<f64>();
            assert!((eta - l.logit).abs() < 1e-9, "{eta} vs {}", l.logit);
        }
    }

    /// Cholesky factor (lower) of a symmetric positive definite p x p matrix, row-major.
    fn cholesky(a: &[f64], p: usize) -> Vec<f64> {
        let mut l = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..=i {
                let s = a[i * p + j] - (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum::<f64>();
                l[i * p + j] = if i == j { s.sqrt() } else { s / l[j * p + j] };
            }
        }
        l
    }

    fn cholesky_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
        let mut y = b.to_vec();
        for i in 0..p {
            y[i] = (y[i] - (0..i).map(|k| l[i * p + k] * y[k]).sum::<f64>()) / l[i * p + i];
        }
        for i in (0..p).rev() {
            y[i] = (y[i] - (i + 1..p).map(|k| l[k * p + i] * y[k]).sum::<f64>()) / l[i * p + i];
        }
        y
    }

    #[test]
    fn maximum_likelihood_recovers_the_truth() {
        let g = Generator::new(Preset::B2bSaas);
        let truth = g.truth();
        let sample = leads(31, 20_000);
        let p = truth.coefficients.len() + 1;
        let rows: Vec<Vec<f64>> = sample
            .iter()
            .map(|l| {
                let mut x = vec![1.0];
                x.extend(encode(&truth, g.columns(), &l.values));
                x
            })
            .collect();
        let y: Vec<f64> = sample
            .iter()
            .map(|l| f64::from(u8::from(l.converted)))
            .collect();
        let mut beta = vec![0.0; p];
        let mut chol = Vec::new();
        for iter in 0.. {
            assert!(iter < 50, "Newton did not converge");
            let mut grad = vec![0.0; p];
            let mut hess = vec![0.0; p * p];
            for (x, &yi) in rows.iter().zip(&y) {
                let mu = sigmoid(x.iter().zip(&beta).map(|(a, b)| a * b).sum());
                let w = mu * (1.0 - mu);
                for i in 0..p {
                    grad[i] += x[i] * (yi - mu);
                    if x[i] != 0.0 {
                        for j in 0..=i {
                            hess[i * p + j] += w * x[i] * x[j];
                        }
                    }
                }
            }
            for i in 0..p {
                for j in 0..i {
                    hess[j * p + i] = hess[i * p + j];
                }
            }
            chol = cholesky(&hess, p);
            let step = cholesky_solve(&chol, p, &grad);
            beta.iter_mut().zip(&step).for_each(|(b, s)| *b += s);
            if step.iter().all(|s| s.abs() < 1e-10) {
                break;
            }
        }
        let names: Vec<&str> = std::iter::once("(intercept)")
            .chain(truth.coefficients.iter().map(|c| c.name.as_str()))
            .collect();
        let mut worst = (0.0f64, "");
        for (k, name) in names.iter().enumerate() {
            let mut e = vec![0.0; p];
            e[k] = 1.0;
            let se = cholesky_solve(&chol, p, &e)[k].sqrt();
            let z = (beta[k] - truth.coefficient(name).unwrap()) / se;
            if z.abs() > worst.0 {
                worst = (z.abs(), name);
            }
        }
        // 33 coefficients: P(max |z| > 4.5) is about 2e-4 under a correct truth.
        assert!(
            worst.0 < 4.5,
            "{} is {:.2} standard errors off",
            worst.1,
            worst.0
        );
    }
}
