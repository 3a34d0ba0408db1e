//! One calibrated knob: its value, 95% interval, the records it rests on, how it was found,
//! and whether it is an estimate, a documented default kept because the export cannot inform
//! it, or a value fixed openly because the data cannot separate it from another.

use serde::Serialize;

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Estimated from the export.
    Estimated,
    /// The documented default (docs/model.md section 3), kept because the export cannot
    /// inform this knob; `reason` says why.
    Default {
        /// Why the default was kept.
        reason: String,
    },
    /// Set by a stated rule because the data cannot tell it apart from another knob.
    Fixed {
        /// Which rule and why.
        reason: String,
    },
}

/// A calibrated value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The value, in the unit of the scenario knob.
    pub value: f64,
    /// Lower end of the 95% interval (`None` where no interval applies, e.g. a default).
    pub lo: Option<f64>,
    /// Upper end of the 95% interval.
    pub hi: Option<f64>,
    /// How many records (leads, calls, deals, gaps) it rests on.
    pub records: u64,
    /// How it was found, including how the interval was made.
    pub method: String,
    /// Estimated, default or fixed.
    pub source: Source,
    /// A caveat to print beside it.
    pub note: Option<String>,
}

impl Estimate {
    /// An estimate with its 95% interval.
    pub fn estimated(value: f64, interval: (f64, f64), records: u64, method: &str) -> Self {
        Estimate {
            value,
            lo: Some(interval.0),
            hi: Some(interval.1),
            records,
            method: method.to_string(),
            source: Source::Estimated,
            note: None,
        }
    }

    /// An estimate for which no interval is meaningful (a mode, a working-hours boundary).
    pub fn point(value: f64, records: u64, method: &str) -> Self {
        Estimate {
            value,
            lo: None,
            hi: None,
            records,
            method: method.to_string(),
            source: Source::Estimated,
            note: None,
        }
    }

    /// The documented default, kept for `reason`.
    pub fn default_value(value: f64, records: u64, reason: impl Into<String>) -> Self {
        Estimate {
            value,
            lo: None,
            hi: None,
            records,
            method: "default (docs/model.md section 3)".into(),
            source: Source::Default {
                reason: reason.into(),
            },
            note: None,
        }
    }

    /// A value fixed by a stated rule.
    pub fn fixed(value: f64, records: u64, reason: impl Into<String>) -> Self {
        Estimate {
            value,
            lo: None,
            hi: None,
            records,
            method: "fixed".into(),
            source: Source::Fixed {
                reason: reason.into(),
            },
            note: None,
        }
    }

    /// Adds a caveat.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Whether it was estimated (not a default, not fixed).
    pub fn is_estimated(&self) -> bool {
        self.source == Source::Estimated
    }

    /// Whether `x` lies in the 95% interval (false without one).
    pub fn covers(&self, x: f64) -> bool {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => lo <= x && x <= hi,
            _ => false,
        }
    }
}
