//! How a metric's values are scaled onto a chart axis: shares in percent (differences in points),
//! money in thousands or millions, with the unit in the axis title.

use super::format::*;
use crate::format::Unit;
use crate::report::charts::{Axis, TickFormat};

/// How a metric's values are scaled onto a chart axis.
pub(super) struct AxisScale {
    pub(super) factor: f64,
    /// Unit words for the axis title, e.g. "thousands".
    unit: &'static str,
    pub(super) format: TickFormat,
}

impl AxisScale {
    /// For levels of `metric` spanning `values`.
    pub(super) fn level(metric: &str, values: impl Iterator<Item = f64>) -> Self {
        let top = values
            .filter(|v| v.is_finite())
            .fold(0.0_f64, |a, v| a.max(v.abs()));
        match unit(metric) {
            Unit::Share => AxisScale {
                factor: 1.0,
                unit: "%",
                format: TickFormat::Percent,
            },
            Unit::Hours => AxisScale {
                factor: 1.0,
                unit: "hours",
                format: TickFormat::Auto,
            },
            Unit::Count => AxisScale {
                factor: 1.0,
                unit: "count",
                format: TickFormat::Auto,
            },
            Unit::Money if top >= 1e6 => AxisScale {
                factor: 1e-6,
                unit: "millions",
                format: TickFormat::Auto,
            },
            Unit::Money if top >= 1e3 => AxisScale {
                factor: 1e-3,
                unit: "thousands",
                format: TickFormat::Auto,
            },
            Unit::Money => AxisScale {
                factor: 1.0,
                unit: "currency units",
                format: TickFormat::Auto,
            },
        }
    }

    /// For paired differences of `metric` spanning `values`; shares in percentage points.
    pub(super) fn difference(metric: &str, values: impl Iterator<Item = f64>) -> Self {
        match unit(metric) {
            Unit::Share => AxisScale {
                factor: 100.0,
                unit: "percentage points",
                format: TickFormat::Auto,
            },
            _ => Self::level(metric, values),
        }
    }

    pub(super) fn suffix(&self) -> String {
        format!(" ({})", self.unit)
    }

    pub(super) fn axis(&self, metric: &str) -> Axis {
        Axis::new(format!("{}{}", metric_title(metric), self.suffix())).format(self.format)
    }

    pub(super) fn diff_axis(&self, metric: &str) -> Axis {
        Axis::new(format!(
            "Difference in {}{}",
            lower(&metric_title(metric)),
            self.suffix()
        ))
        .format(self.format)
    }
}
