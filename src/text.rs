//! Small text helpers shared by error messages: "did you mean" suggestions.

/// Levenshtein edit distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = diag + usize::from(ca != cb);
            diag = row[j + 1];
            row[j + 1] = sub.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Names longer than this get no suggestion (and candidates longer than it are never offered).
pub const MAX_SUGGEST_CHARS: usize = 200;

/// The candidate closest to `name` (case-insensitive edit distance), if it is close enough to be
/// a plausible typo: at most a third of the longer name's length, and at least one edit allowed.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let len = name.chars().count();
    // A name this long is no typo of a key; comparing it would cost its length squared per
    // candidate (a 100,000-character key against 100,000-character candidates).
    if len > MAX_SUGGEST_CHARS {
        return None;
    }
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let clen = c.chars().count();
        // The edit distance is at least the difference in length, so a candidate whose length
        // alone rules it out is not compared.
        if clen > MAX_SUGGEST_CHARS || clen.abs_diff(len) > (len.max(clen) / 3).max(1) {
            continue;
        }
        let d = edit_distance(&lower, &c.to_lowercase());
        if best.map_or(true, |(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.and_then(|(d, c)| {
        let limit = (name.chars().count().max(c.chars().count()) / 3).max(1);
        (d <= limit).then_some(c)
    })
}

/// A ready-to-append hint: `; did you mean "x"?`, or empty when nothing is close.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match closest(name, candidates) {
        Some(c) => format!("; did you mean \"{c}\"?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn suggests_near_names_only() {
        let cols = ["converted", "deal_value", "region"];
        assert_eq!(closest("Converted", cols), Some("converted"));
        assert_eq!(closest("convrted", cols), Some("converted"));
        assert_eq!(closest("xyz", cols), None);
    }
}
