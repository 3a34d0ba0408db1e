//! `generate`: the rows `leadsim generate` writes, as typed columns, and their truth.
//!
//! The library writes histories to files only (`generate::write_history`); the rows come from
//! the same public pieces it uses (`Generator::sample` on `lead_rng(seed, i)`, `lead_id`), and
//! the truth's file statistics are computed as `write_history` computes them.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use leadsim::data::{ColumnBuilder, Table};
use leadsim::generate::{lead_id, lead_rng, Generator, Preset, SyntheticLead, Truth};
use leadsim::Error;

use crate::errors::{Failure, Outcome};
use crate::frames::{Column, Columns};

/// Leads drawn together, in parallel (each lead has its own stream, so order is free).
const CHUNK: usize = 16_384;

/// `leads` leads of `preset` drawn with `seed`: the columns of the CSV `leadsim generate`
/// writes, typed as pandas reads that CSV, and the truth it writes beside it.
pub fn history(
    preset: &str,
    leads: usize,
    seed: u64,
    cancel: &AtomicBool,
) -> Outcome<(Columns, Truth)> {
    let preset: Preset = preset.parse()?;
    if leads == 0 {
        return Err(Error::ZeroLeads.into());
    }
    let generator = Generator::new(preset);
    let names = generator.columns();
    let mut columns: Vec<ColumnBuilder> = names.iter().map(|n| ColumnBuilder::new(*n)).collect();
    let (mut conversions, mut sum_p) = (0usize, 0.0f64);
    for start in (0..leads).step_by(CHUNK) {
        if cancel.load(Ordering::Relaxed) {
            return Err(Failure::Leadsim(Error::Cancelled));
        }
        let end = (start + CHUNK).min(leads);
        let drawn: Vec<SyntheticLead> = (start..end)
            .into_par_iter()
            .map(|i| generator.sample(&mut lead_rng(seed, i as u64)))
            .collect();
        for (i, lead) in (start..end).zip(drawn) {
            // In lead order, as `write_history` sums them.
            conversions += usize::from(lead.converted);
            sum_p += lead.probability;
            columns[0].push(&lead_id(i as u64));
            for (c, v) in columns[1..].iter_mut().zip(&lead.values) {
                c.push(v);
            }
        }
    }
    let table = Table::from_columns("<generate>", columns)?;
    let typed = (0..names.len())
        .map(|c| (names[c].to_string(), typed_column(&table, c)))
        .collect();
    let mut truth = generator.truth();
    truth.seed = Some(seed);
    truth.leads = leads;
    truth.conversions = Some(conversions);
    truth.base_rate = Some(round6(conversions as f64 / leads as f64));
    truth.mean_probability = Some(round6(sum_p / leads as f64));
    Ok((typed, truth))
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A column typed as `pandas.read_csv` types the CSV: whole numbers without gaps as
/// integers, numbers (with empty fields as NaN) as floats, anything else as text with empty
/// fields missing.
fn typed_column(table: &Table, c: usize) -> Column {
    let rows = 0..table.rows();
    let texts = || rows.clone().map(|r| table.value(r, c));
    if let Some(v) = texts().map(|t| t.parse::<i64>().ok()).collect() {
        return Column::I64(v);
    }
    let floats: Option<Vec<f64>> = texts()
        .map(|t| {
            if t.is_empty() {
                Some(f64::NAN)
            } else {
                t.parse::<f64>().ok()
            }
        })
        .collect();
    match floats {
        Some(v) => Column::F64(v),
        None => Column::Text(
            texts()
                .map(|t| (!t.is_empty()).then(|| t.to_string()))
                .collect(),
        ),
    }
}
