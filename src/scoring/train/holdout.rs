//! Predictions on rows a model was not fit on: the holdout (with the saved coefficients) and
//! the out-of-fold probabilities of `TrainOptions::folds`.

use ndarray::Array1;

use super::{checkpoint, fit_design, TrainOptions, TrainProgress};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::scoring::encode::{Encoder, RowEncoder};
use crate::scoring::solver::LogisticFit;

/// Out-of-fold probabilities: for each fold, an encoder and model learnt on the other folds.
#[allow(clippy::too_many_arguments)]
pub(super) fn out_of_fold(
    table: &Table,
    features: &[usize],
    labels: &[bool],
    fold_of: &[usize],
    k: usize,
    alpha: f64,
    opts: &TrainOptions,
    progress: &dyn TrainProgress,
) -> Result<Vec<f64>> {
    let mut probs = vec![0.0; labels.len()];
    let mut ignored = Vec::new();
    for f in 0..k {
        checkpoint(progress)?;
        let tr: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] != f).collect();
        let te: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] == f).collect();
        let mut learnt = Encoder::learn(table, features, &tr, &opts.encoder)?;
        learnt.drop_collinear();
        let names = learnt.encoder.column_names();
        let units: Vec<(f64, f64)> = learnt
            .encoder
            .columns
            .iter()
            .map(|c| (c.mean, c.scale))
            .collect();
        let y: Array1<bool> = tr.iter().map(|&i| labels[i]).collect();
        let fit = fit_design(&learnt.design, y.view(), alpha, opts, &names, &units, false)?;
        drop(learnt.design);
        let fold_model = FoldModel::new(&learnt.encoder, &fit);
        let p = fold_model.predict(table, features, &te, &mut ignored)?;
        for (i, v) in te.into_iter().zip(p) {
            probs[i] = v;
        }
    }
    Ok(probs)
}

/// A fitted model's coefficients on original units, for predicting rows of a table.
pub(super) struct FoldModel<'a> {
    pub encoder: &'a Encoder,
    pub intercept: f64,
    pub coef: Vec<f64>,
}

impl<'a> FoldModel<'a> {
    pub fn new(encoder: &'a Encoder, fit: &LogisticFit) -> Self {
        let mut intercept = fit.intercept;
        let coef: Vec<f64> = encoder
            .columns
            .iter()
            .zip(fit.coef.iter())
            .map(|(c, b)| {
                intercept -= b * c.mean / c.scale;
                b / c.scale
            })
            .collect();
        FoldModel {
            encoder,
            intercept,
            coef,
        }
    }

    pub fn predict(
        &self,
        table: &Table,
        features: &[usize],
        rows: &[usize],
        warnings: &mut Vec<String>,
    ) -> Result<Vec<f64>> {
        let mut enc = RowEncoder::new(self.encoder);
        let mut x = vec![0.0; self.coef.len()];
        let mut unseen = 0;
        let mut out = Vec::with_capacity(rows.len());
        for &r in rows {
            unseen += enc
                .encode(features.iter().map(|&c| table.value(r, c)), &mut x)
                .map_err(|(f, p)| Error::BadValue {
                    path: table.path().to_path_buf(),
                    line: table.line(r),
                    column: table.headers()[features[f]].clone(),
                    value: table.value(r, features[f]).to_string(),
                    reason: p.reason().into(),
                })?;
            let eta = self.intercept + x.iter().zip(&self.coef).map(|(a, b)| a * b).sum::<f64>();
            out.push(crate::scoring::model::sigmoid(eta));
        }
        if unseen > 0 {
            warnings.push(format!(
                "{unseen} values in evaluation rows were levels not seen in training; scored as (other)"
            ));
        }
        Ok(out)
    }
}
