//! Seeded, stratified splits of the rows: a holdout share or K folds, each keeping the class
//! balance of the whole file.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Per-row fold ids, stratified by class: each class is shuffled with the seed and dealt round
/// robin, so every fold has the same class balance to within one row.
pub(super) fn stratified_folds(labels: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fold = vec![0; labels.len()];
    let mut offset = 0;
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        idx.shuffle(&mut rng);
        for (j, &i) in idx.iter().enumerate() {
            fold[i] = (offset + j) % k;
        }
        offset += idx.len();
    }
    fold
}

/// Training and holdout rows (each sorted), the holdout taking `share` of each class.
pub(super) fn stratified_holdout(
    labels: &[bool],
    share: f64,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut train = Vec::new();
    let mut hold = Vec::new();
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        idx.shuffle(&mut rng);
        let h = (share * idx.len() as f64).round() as usize;
        hold.extend_from_slice(&idx[..h]);
        train.extend_from_slice(&idx[h..]);
    }
    train.sort_unstable();
    hold.sort_unstable();
    (train, hold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_holdout_keeps_class_shares() {
        let labels: Vec<bool> = (0..1000).map(|i| i % 10 == 0).collect();
        let (tr, ho) = stratified_holdout(&labels, 0.2, 7);
        assert_eq!(ho.len(), 200);
        assert_eq!(ho.iter().filter(|&&i| labels[i]).count(), 20);
        assert_eq!(tr.len() + ho.len(), 1000);
        let (tr2, _) = stratified_holdout(&labels, 0.2, 7);
        assert_eq!(tr, tr2, "same seed, same split");
        let (tr3, _) = stratified_holdout(&labels, 0.2, 8);
        assert_ne!(tr, tr3, "another seed, another split");
    }

    #[test]
    fn stratified_folds_balance_classes() {
        let labels: Vec<bool> = (0..103).map(|i| i % 4 == 0).collect();
        let fold = stratified_folds(&labels, 5, 1);
        for f in 0..5 {
            let rows = fold.iter().filter(|&&x| x == f).count();
            let pos = (0..103).filter(|&i| fold[i] == f && labels[i]).count();
            assert!((20..=21).contains(&rows), "fold {f} has {rows} rows");
            assert!((5..=6).contains(&pos), "fold {f} has {pos} positives");
        }
    }
}
