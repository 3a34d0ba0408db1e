//! Input columns the fitted model does not use: a categorical column whose levels all folded
//! away (a unique text such as an email), and any column whose design columns were all dropped
//! (constant, duplicated, collinear, an empty trailing column). They leave the encoder, so
//! scoring does not ask for them.

use crate::scoring::encode::{Encoder, FeatureEncoding};

/// Removes from `encoder` (and from `features`, the matching table columns) every feature with
/// no kept design column; returns a warning for each categorical one whose levels all folded
/// into one (the other kinds were already named when their design columns were dropped).
pub(super) fn drop_unused_features(
    encoder: &mut Encoder,
    features: &mut Vec<usize>,
    min_level_count: usize,
) -> Vec<String> {
    let used: Vec<bool> = (0..encoder.features.len())
        .map(|f| encoder.columns.iter().any(|c| c.feature == f))
        .collect();
    let mut warnings = Vec::new();
    for (spec, _) in encoder.features.iter().zip(&used).filter(|(_, &u)| !u) {
        if let FeatureEncoding::Categorical { levels, folded, .. } = &spec.encoding {
            if levels.is_empty() && !folded.is_empty() {
                warnings.push(format!(
                    "column \"{}\" dropped: all of its {} distinct values have fewer than {min_level_count} training rows each, so they fold into one level and carry nothing (an id or free text?)",
                    spec.column,
                    folded.len()
                ));
            }
        }
    }
    // New index of each kept feature.
    let mut new_index = Vec::with_capacity(used.len());
    let mut next = 0;
    for &u in &used {
        new_index.push(next);
        next += usize::from(u);
    }
    for c in &mut encoder.columns {
        c.feature = new_index[c.feature];
    }
    let mut keep = used.iter();
    encoder.features.retain(|_| *keep.next().unwrap_or(&true));
    let mut keep = used.iter();
    features.retain(|_| *keep.next().unwrap_or(&true));
    warnings
}
