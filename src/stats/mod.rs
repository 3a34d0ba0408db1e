//! Statistics shared by every part of leadsim: quantiles and medians (one estimator
//! everywhere), Student's t, and the mean-with-interval summary of a sample.

mod interval;
mod quantile;
mod student_t;

pub use interval::{Interval, LEVEL};
pub use quantile::{
    median, median_by_selection, order_statistics, quantile_in_place, quantile_of_finite,
    quantile_sorted, quantiles_at_ranks, quantiles_by_selection,
};
pub use student_t::{t_cdf, t_quantile};
