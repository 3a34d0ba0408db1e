//! The grid of a `[sweep]` table: its axes and where each grid scenario sits on them.

use serde::{Deserialize, Serialize};

/// The grid of a `[sweep]` table: its axes and where each grid scenario sits on them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SweepGrid {
    /// One axis per swept field, in the file's order.
    pub axes: Vec<SweepAxis>,
    /// One point per grid scenario.
    pub points: Vec<SweepPoint>,
}

/// One swept field.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SweepAxis {
    /// Dotted path, e.g. `policy.threshold` or `pools.sdr.count`.
    pub path: String,
    /// The values as they read in scenario names (e.g. `0.2`, `[0.25, 4, 24, 48, 96]`).
    pub labels: Vec<String>,
    /// The values themselves, as JSON.
    pub values: Vec<serde_json::Value>,
}

/// Where one grid scenario sits.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SweepPoint {
    /// Index into the scenarios (of the file, and of the results).
    pub scenario: usize,
    /// Index into each axis's values, in axis order.
    pub coords: Vec<usize>,
}
