//! Score bands: letter grades (A highest) cut from the score, at training quantiles or at given
//! cut points, and the rows and conversions in each.

use serde::{Deserialize, Serialize};

use super::rows::{check_lengths, ratio, ScoreOrder};
use crate::error::{BandsProblem, Error, Result};
use crate::stats::{quantiles_at_ranks, quantiles_by_selection};

/// Number of score bands when none are given (quartiles, A to D).
pub const DEFAULT_BANDS: usize = 4;
/// Most bands a [`ScoreBands`] can have: one per letter.
pub const MAX_BANDS: usize = 26;

/// Letter grades for scores: band A holds the highest scores.
///
/// `cuts` are ascending; `n` cuts make `n + 1` bands, and a score equal to a cut belongs to the
/// band above it (bands are `[lower, upper)`, the top one closed at 1), so "B or better" means
/// "score `>=` B's lower cut". Fields are private so that `cuts` and `labels` always agree;
/// deserialisation checks the same invariant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawScoreBands")]
pub struct ScoreBands {
    cuts: Vec<f64>,
    labels: Vec<String>,
}

#[derive(Deserialize)]
struct RawScoreBands {
    cuts: Vec<f64>,
    labels: Vec<String>,
}

impl TryFrom<RawScoreBands> for ScoreBands {
    type Error = Error;

    fn try_from(raw: RawScoreBands) -> Result<Self> {
        let problem = if raw.labels.len() != raw.cuts.len() + 1 {
            Some(BandsProblem::LabelCount {
                labels: raw.labels.len(),
                cuts: raw.cuts.len(),
            })
        } else if !strictly_increasing(&raw.cuts) {
            Some(BandsProblem::NotIncreasing)
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Error::InvalidBands {
                cuts: raw.cuts,
                problem,
            });
        }
        Ok(ScoreBands {
            cuts: raw.cuts,
            labels: raw.labels,
        })
    }
}

fn strictly_increasing(cuts: &[f64]) -> bool {
    cuts.iter().all(|c| c.is_finite()) && cuts.windows(2).all(|w| w[0] < w[1])
}

/// [`Error::BandCount`] unless `n_bands` is in `2..=26`.
pub(super) fn check_band_count(n_bands: usize) -> Result<()> {
    if (2..=MAX_BANDS).contains(&n_bands) {
        Ok(())
    } else {
        Err(Error::BandCount { bands: n_bands })
    }
}

/// The quantile levels `j / n_bands`, `j < n_bands`, whose values make the cuts (the first is
/// the lowest score).
fn band_levels(n_bands: usize) -> Vec<f64> {
    (0..n_bands).map(|j| j as f64 / n_bands as f64).collect()
}

fn band_labels(n_bands: usize) -> Vec<String> {
    (b'A'..)
        .take(n_bands)
        .map(|c| char::from(c).to_string())
        .collect()
}

impl ScoreBands {
    /// Bands with equal shares of the training scores: cuts at the `j / n_bands` quantiles
    /// (type 7, see [`quantile_sorted`](crate::stats::quantile_sorted)). When heavy ties make quantiles coincide (or fall on the lowest
    /// score), those cuts are dropped, giving fewer bands rather than empty ones.
    ///
    /// # Errors
    /// [`Error::BandCount`] if `n_bands` is outside `2..=26`; [`Error::BandScores`] if
    /// `train_probs` is empty or holds a non-finite value.
    pub fn from_quantiles(train_probs: &[f64], n_bands: usize) -> Result<Self> {
        check_band_count(n_bands)?;
        let non_finite = train_probs.iter().filter(|p| !p.is_finite()).count();
        if train_probs.is_empty() || non_finite > 0 {
            return Err(Error::BandScores {
                scores: train_probs.len(),
                non_finite,
            });
        }
        // The few order statistics the cuts need, by selection rather than a full sort.
        let mut scratch = train_probs.to_vec();
        let quantiles = quantiles_by_selection(&mut scratch, &band_levels(n_bands));
        Ok(ScoreBands::from_quantile_values(&quantiles))
    }

    /// [`ScoreBands::from_quantiles`] of scores already ranked ascending (non-empty, finite,
    /// the band count checked): the same cuts, read off the ranking.
    pub(super) fn from_ranked(asc: &impl ScoreOrder, n_bands: usize) -> Self {
        let quantiles = quantiles_at_ranks(asc.len(), &band_levels(n_bands), |r| asc.score(r));
        ScoreBands::from_quantile_values(&quantiles)
    }

    /// Bands from the training quantiles at [`band_levels`].
    fn from_quantile_values(quantiles: &[f64]) -> Self {
        let lowest = quantiles[0];
        let mut cuts = quantiles[1..].to_vec();
        cuts.dedup();
        // A cut at the lowest training score would leave the bottom band empty on training data.
        cuts.retain(|&c| c > lowest);
        let labels = band_labels(cuts.len() + 1);
        ScoreBands { cuts, labels }
    }

    /// Bands from explicit cut points (`TrainOptions::bands`).
    ///
    /// # Errors
    /// [`Error::InvalidBands`] unless there are 1 to 25 cuts, strictly increasing and strictly
    /// inside (0, 1).
    pub fn from_cuts(cuts: Vec<f64>) -> Result<Self> {
        let problem = if cuts.is_empty() || cuts.len() >= MAX_BANDS {
            Some(BandsProblem::Count)
        } else if !cuts.iter().all(|&c| c > 0.0 && c < 1.0) {
            Some(BandsProblem::OutsideUnitInterval)
        } else if !strictly_increasing(&cuts) {
            Some(BandsProblem::NotIncreasing)
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Error::InvalidBands { cuts, problem });
        }
        let labels = band_labels(cuts.len() + 1);
        Ok(ScoreBands { cuts, labels })
    }

    /// Cut points, ascending.
    pub fn cuts(&self) -> &[f64] {
        &self.cuts
    }

    /// Band labels, highest band ("A") first.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Number of bands.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always false: a `ScoreBands` has at least one band.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Index into [`ScoreBands::labels`] of the band holding `score` (0 = "A").
    pub fn band_index(&self, score: f64) -> usize {
        // The number of cuts at or below the score counts bands from the bottom, so a score
        // equal to a cut lands in the higher band.
        self.cuts.len() - self.cuts.partition_point(|&c| c <= score)
    }

    /// Label of the band holding `score`; a score equal to a cut goes to the higher band.
    pub fn band_of(&self, score: f64) -> &str {
        &self.labels[self.band_index(score)]
    }

    /// Score range `[lower, upper)` of band `index` (0 = "A"); the outer bounds are 0 and 1.
    fn bounds(&self, index: usize) -> (f64, f64) {
        let from_bottom = self.cuts.len() - index;
        let lower = if from_bottom == 0 {
            0.0
        } else {
            self.cuts[from_bottom - 1]
        };
        let upper = self.cuts.get(from_bottom).copied().unwrap_or(1.0);
        (lower, upper)
    }
}

/// Outcomes within one score band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandRow {
    pub band: String,
    /// Lowest score in the band (inclusive).
    pub lower: f64,
    /// Highest score in the band (exclusive, except 1 for band A).
    pub upper: f64,
    pub rows: usize,
    pub conversions: usize,
    /// `None` when the band is empty.
    pub conversion_rate: Option<f64>,
}

/// Rows and conversions per band, band A first.
pub fn band_table(probs: &[f64], labels: &[bool], bands: &ScoreBands) -> Vec<BandRow> {
    check_lengths(probs, labels);
    let mut rows = vec![0usize; bands.len()];
    let mut conversions = vec![0usize; bands.len()];
    for (&p, &y) in probs.iter().zip(labels) {
        let b = bands.band_index(p);
        rows[b] += 1;
        conversions[b] += usize::from(y);
    }
    band_rows(bands, &rows, &conversions)
}

/// [`band_table`] from a ranking without NaN scores: a band's rows are those scoring at least
/// its lower cut but not its upper one, so two binary searches per cut instead of a pass.
pub(super) fn band_table_ranked(order: &impl ScoreOrder, bands: &ScoreBands) -> Vec<BandRow> {
    // Rows and converters scoring >= each cut, highest cut first; "at least 1.0 above the
    // top" is nobody, "at least the bottom" is everybody.
    let n_cuts = bands.cuts.len();
    let at_least: Vec<(usize, usize)> = std::iter::once((0, 0))
        .chain(bands.cuts.iter().rev().map(|&c| order.at_least(c)))
        .chain([(order.len(), order.total_positives())])
        .collect();
    debug_assert_eq!(at_least.len(), n_cuts + 2);
    let rows: Vec<usize> = at_least.windows(2).map(|w| w[1].0 - w[0].0).collect();
    let conversions: Vec<usize> = at_least.windows(2).map(|w| w[1].1 - w[0].1).collect();
    band_rows(bands, &rows, &conversions)
}

/// The table from each band's rows and conversions (band A first).
fn band_rows(bands: &ScoreBands, rows: &[usize], conversions: &[usize]) -> Vec<BandRow> {
    (0..bands.len())
        .map(|b| {
            let (lower, upper) = bands.bounds(b);
            BandRow {
                band: bands.labels[b].clone(),
                lower,
                upper,
                rows: rows[b],
                conversions: conversions[b],
                conversion_rate: ratio(conversions[b], rows[b]),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn quantile_bands_have_equal_counts() {
        let mut rng = ChaCha8Rng::seed_from_u64(41);
        let train: Vec<f64> = (0..10_000).map(|_| rng.gen()).collect();
        let bands = ScoreBands::from_quantiles(&train, DEFAULT_BANDS).unwrap();
        assert_eq!(bands.labels(), ["A", "B", "C", "D"]);
        let labels: Vec<bool> = train.iter().map(|&p| rng.gen_bool(p)).collect();
        let table = band_table(&train, &labels, &bands);
        assert_eq!(table[0].band, "A");
        // Distinct scores and cuts strictly between order statistics: exactly 2500 per band.
        assert!(table.iter().all(|r| r.rows == 2500), "{table:?}");
        assert!(table.windows(2).all(|w| w[0].lower == w[1].upper));
        assert!(table[0].conversion_rate.unwrap() > table[3].conversion_rate.unwrap());

        // Heavy ties collapse coinciding cuts instead of leaving empty bands.
        let tied = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9];
        assert_eq!(ScoreBands::from_quantiles(&tied, 4).unwrap().len(), 2);
        assert!(matches!(
            ScoreBands::from_quantiles(&[], 4),
            Err(Error::BandScores {
                scores: 0,
                non_finite: 0
            })
        ));
        assert!(matches!(
            ScoreBands::from_quantiles(&[0.2, f64::NAN], 4),
            Err(Error::BandScores {
                scores: 2,
                non_finite: 1
            })
        ));
        assert!(matches!(
            ScoreBands::from_quantiles(&train, 1),
            Err(Error::BandCount { bands: 1 })
        ));
    }

    #[test]
    fn cut_bands_validate_and_break_ties_upward() {
        let bands = ScoreBands::from_cuts(vec![0.2, 0.5, 0.8]).unwrap();
        let got: Vec<&str> = [0.0, 0.1, 0.2, 0.49, 0.5, 0.8, 1.0]
            .iter()
            .map(|&s| bands.band_of(s))
            .collect();
        assert_eq!(got, ["D", "D", "C", "C", "B", "A", "A"]);
        let table = band_table(&[0.5], &[true], &bands);
        assert_eq!(
            (table[1].lower, table[1].upper, table[1].rows),
            (0.5, 0.8, 1)
        );
        assert_eq!((table[3].lower, table[0].upper), (0.0, 1.0));

        for (bad, expected) in [
            (vec![], BandsProblem::Count),
            (vec![0.5; MAX_BANDS], BandsProblem::Count),
            (vec![0.3, 0.2], BandsProblem::NotIncreasing),
            (vec![0.2, 0.2], BandsProblem::NotIncreasing),
            (vec![0.0, 0.5], BandsProblem::OutsideUnitInterval),
            (vec![0.5, 1.0], BandsProblem::OutsideUnitInterval),
            (vec![f64::NAN], BandsProblem::OutsideUnitInterval),
        ] {
            let err = ScoreBands::from_cuts(bad.clone()).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidBands { cuts, problem } if *problem == expected && cuts.len() == bad.len()),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn bands_round_trip_and_reject_inconsistent_json() {
        let bands = ScoreBands::from_cuts(vec![0.1, 0.4]).unwrap();
        let json = serde_json::to_string(&bands).unwrap();
        assert_eq!(serde_json::from_str::<ScoreBands>(&json).unwrap(), bands);
        let bad = r#"{"cuts":[0.1,0.4],"labels":["A","B"]}"#;
        let err = serde_json::from_str::<ScoreBands>(bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("2 labels for 2 cuts"), "{err}");
        let bad = r#"{"cuts":[0.4,0.1],"labels":["A","B","C"]}"#;
        let err = serde_json::from_str::<ScoreBands>(bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("strictly increasing"), "{err}");
    }
}
