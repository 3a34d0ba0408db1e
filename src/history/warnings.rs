//! Warnings about an export: counted by kind and named once with the first place they occur,
//! never one line per row.

use std::collections::BTreeMap;

use serde::Serialize;

/// What was odd about some rows (none of it stops a calibration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Leads whose score column is empty.
    ScoreMissing,
    /// Attempts with no duration (or no `ended_at`).
    AttemptNoDuration,
    /// Attempts of length zero.
    AttemptZeroDuration,
    /// Attempts whose `connected` field is empty.
    ConnectedMissing,
    /// Attempts that start before their lead's `mql_at`.
    AttemptBeforeMql,
    /// Attempts after the lead was first reached (follow-up calls).
    AttemptAfterContact,
    /// Attempts that start before the previous attempt of the same lead ended.
    AttemptOverlap,
    /// Attempts of retained leads (no `handed_over_at`).
    RetainedWithAttempts,
    /// The attempts file is not in time order per lead, so it was sorted in memory.
    AttemptsSorted,
    /// Purchases recorded on leads that became SQLs (a purchase is a recovery of a non-SQL).
    PurchaseBySql,
    /// Purchases dated before the lead entered nurture.
    PurchaseBeforeExit,
    /// SQLs with attempts but no connected attempt.
    SqlWithoutContact,
    /// Deal or purchase amounts of zero or less.
    NonPositiveAmount,
    /// Won deals with no amount.
    WonWithoutAmount,
}

impl WarningKind {
    /// What `count` rows of this kind mean for the calibration.
    pub fn describe(self, count: u64) -> String {
        let (what, consequence) = match self {
            WarningKind::ScoreMissing => (
                "leads have no score",
                "they count everywhere except the score-decile table, the threshold and the \
                 speed-to-lead adjustment",
            ),
            WarningKind::AttemptNoDuration => (
                "attempts have no duration",
                "they count for contact and cadence (as if they had length zero) but not for \
                 handling or talk time",
            ),
            WarningKind::AttemptZeroDuration => (
                "attempts last zero seconds",
                "they count for contact and cadence but not for the handling or talk time fits",
            ),
            WarningKind::ConnectedMissing => (
                "attempts have an empty connected field",
                "they are read as not connected",
            ),
            WarningKind::AttemptBeforeMql => (
                "attempts start before their lead's mql_at",
                "they count for rep hours but not as attempts of the lead",
            ),
            WarningKind::AttemptAfterContact => (
                "attempts come after their lead was first reached (follow-up calls)",
                "they count for rep hours and reps per week, not for contact, cadence, \
                 handling or talk time",
            ),
            WarningKind::AttemptOverlap => (
                "attempts start before the previous attempt of the same lead ended",
                "their gap is taken as zero",
            ),
            WarningKind::RetainedWithAttempts => (
                "leads were called although they have no handed_over_at",
                "they count as attempted leads",
            ),
            WarningKind::AttemptsSorted => (
                "attempts were out of time order for their lead",
                "the attempts file was read a second time and sorted in memory (about 24 bytes \
                 per attempt)",
            ),
            WarningKind::PurchaseBySql => (
                "leads that became SQLs also have a purchased_at",
                "a purchase counts as a recovery only for leads that were not SQLs; these are \
                 ignored",
            ),
            WarningKind::PurchaseBeforeExit => (
                "purchases are dated before their lead entered nurture",
                "their time to purchase is taken as zero",
            ),
            WarningKind::SqlWithoutContact => (
                "SQLs have attempts but none connected",
                "they count as SQLs but not in the speed-to-lead bins",
            ),
            WarningKind::NonPositiveAmount => (
                "amounts are zero or negative",
                "they are left out of the deal-value fits",
            ),
            WarningKind::WonWithoutAmount => (
                "won deals have no amount",
                "they count for the win rate and cycle, not for deal value",
            ),
        };
        format!("{count} {what}: {consequence}")
    }
}

/// One kind of warning with its count and where it first occurred.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// The kind.
    pub kind: WarningKind,
    /// How many rows.
    pub count: u64,
    /// The first occurrence, e.g. `calls.csv line 17`.
    pub first: String,
    /// The sentence to print.
    pub message: String,
}

/// Counts of warnings by kind.
#[derive(Debug, Clone, Default)]
pub struct Warnings {
    counts: BTreeMap<WarningKind, (u64, String)>,
}

impl Warnings {
    /// No warnings yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one row of `kind`; `first` (where it is) is called only for the first.
    pub fn add(&mut self, kind: WarningKind, first: impl FnOnce() -> String) {
        self.add_many(kind, 1, first);
    }

    /// Counts `n` rows of `kind` at once.
    pub fn add_many(&mut self, kind: WarningKind, n: u64, first: impl FnOnce() -> String) {
        if n == 0 {
            return;
        }
        self.counts
            .entry(kind)
            .and_modify(|(c, _)| *c += n)
            .or_insert_with(|| (n, first()));
    }

    /// Adds the warnings gathered elsewhere (a reading thread) from rows after these ones:
    /// counts add up, the first place stays the earlier one.
    pub(crate) fn merge(&mut self, later: Warnings) {
        for (kind, (n, first)) in later.counts {
            self.add_many(kind, n, || first);
        }
    }

    /// How many rows of `kind` were counted.
    pub fn count(&self, kind: WarningKind) -> u64 {
        self.counts.get(&kind).map_or(0, |c| c.0)
    }

    /// Drops every warning of `kind` (used when a pass is repeated).
    pub fn clear(&mut self, kinds: &[WarningKind]) {
        for k in kinds {
            self.counts.remove(k);
        }
    }

    /// The warnings in a fixed order, each with its sentence.
    pub fn list(&self) -> Vec<Warning> {
        self.counts
            .iter()
            .map(|(&kind, (count, first))| Warning {
                kind,
                count: *count,
                first: first.clone(),
                message: format!("{} (first: {first})", kind.describe(*count)),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_names_once() {
        let mut w = Warnings::new();
        let mut calls = 0;
        for line in 2..19 {
            w.add(WarningKind::AttemptNoDuration, || {
                calls += 1;
                format!("calls.csv line {line}")
            });
        }
        assert_eq!(calls, 1);
        let list = w.list();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].count, 17);
        assert!(list[0].message.starts_with("17 attempts have no duration"));
        assert!(list[0].message.contains("calls.csv line 2"));
    }
}
