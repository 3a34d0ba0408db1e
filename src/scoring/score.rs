//! `leadsim score` and `leadsim evaluate`: apply a saved model to a CSV, streamed in chunks so
//! that files of any length run in bounded memory. Chunks are encoded and scored in parallel
//! and written in input order, so the output does not depend on the thread count.
//!
//! [`table`] does the same for rows already in memory (a [`Table`](crate::data::Table)), with
//! the same per-row arithmetic ([`score_texts`]).

pub mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::atomic::AtomicFile;
use crate::data::source::field_str;
use crate::data::{CsvOptions, CsvStream};
use crate::error::{Error, Result};
use crate::scoring::encode::{RowEncoder, ValueProblem};
use crate::scoring::metrics::{self, Evaluation};
use crate::scoring::model::{sigmoid, Model, Target};

/// Records read and scored together; large enough to keep both cores busy, small enough that
/// memory stays flat.
const CHUNK_ROWS: usize = 16_384;

/// Settings of `leadsim score`.
#[derive(Debug, Clone, Default)]
pub struct ScoreOptions {
    pub data: PathBuf,
    pub out: PathBuf,
    pub csv: CsvOptions,
    /// Column carried to the output; the model's id column when present, else the line number.
    pub id: Option<String>,
    /// Strongest positive and negative factors to list per lead.
    pub explain: usize,
}

/// What a scoring run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreSummary {
    pub rows: u64,
    pub mean_score: Option<f64>,
    /// Leads per band, in band order (A first).
    pub bands: BTreeMap<String, u64>,
    /// Values of levels never seen in training, scored as `(other)`, by column.
    pub unseen_levels: BTreeMap<String, u64>,
    pub seconds: f64,
}

/// A model bound to the columns of one input file.
struct Bound<'m> {
    model: &'m Model,
    /// File column of each model feature.
    columns: Vec<usize>,
    /// Feature of each kept design column, to sum contributions per input column.
    feature_of: Vec<usize>,
}

impl<'m> Bound<'m> {
    /// The model bound to the columns `headers` of the file (or table) `path`.
    fn new(model: &'m Model, headers: &[String], path: &Path) -> Result<Self> {
        let columns = model
            .encoder
            .features
            .iter()
            .map(|f| {
                headers
                    .iter()
                    .position(|h| *h == f.column)
                    .ok_or_else(|| Error::MissingFeature {
                        path: path.to_path_buf(),
                        column: f.column.clone(),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let feature_of = model.encoder.columns.iter().map(|c| c.feature).collect();
        Ok(Bound {
            model,
            columns,
            feature_of,
        })
    }
}

/// One scored record.
struct Scored {
    probability: f64,
    /// The non-empty `up_*` then `down_*` explanation fields (none when `explain` is 0), built
    /// here on the worker threads because formatting them costs more than scoring; `ups` of
    /// them are up. The writer pads each group to K, so memory does not grow with K.
    factors: Vec<String>,
    ups: usize,
    unseen: usize,
}

/// Reads chunks of records and scores them in parallel, calling `sink` for each chunk in order
/// with the records and their scores.
fn for_each_chunk<F>(
    bound: &Bound,
    stream: &mut CsvStream,
    explain: usize,
    progress: &dyn Fn(u64),
    mut sink: F,
) -> Result<()>
where
    F: FnMut(&[(csv::ByteRecord, u64)], Vec<Scored>) -> Result<()>,
{
    let path = stream.path().to_path_buf();
    let headers = stream.headers().to_vec();
    // Records are copied into a reused buffer, so their allocations are made once.
    let mut buffer: Vec<(csv::ByteRecord, u64)> = Vec::with_capacity(CHUNK_ROWS);
    let mut done = false;
    while !done {
        let mut filled = 0;
        while filled < CHUNK_ROWS {
            match stream.next_record()? {
                Some((rec, line)) => {
                    if filled == buffer.len() {
                        buffer.push((rec.clone(), line));
                    } else {
                        buffer[filled].0.clone_from(rec);
                        buffer[filled].1 = line;
                    }
                    filled += 1;
                }
                None => {
                    done = true;
                    break;
                }
            }
        }
        if filled == 0 {
            break;
        }
        let chunk = &buffer[..filled];
        let scored: Vec<Scored> = chunk
            .par_iter()
            .map_init(
                || {
                    (
                        RowEncoder::new(&bound.model.encoder),
                        vec![0.0; bound.model.encoder.columns.len()],
                    )
                },
                |(enc, x), (rec, line)| {
                    score_record(bound, enc, x, rec, *line, explain, &path, &headers)
                },
            )
            .collect::<Result<Vec<_>>>()?;
        sink(chunk, scored)?;
        progress(stream.rows_read());
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn score_record(
    bound: &Bound,
    enc: &mut RowEncoder,
    x: &mut [f64],
    rec: &csv::ByteRecord,
    line: u64,
    explain: usize,
    path: &Path,
    headers: &[String],
) -> Result<Scored> {
    let mut texts = Vec::with_capacity(bound.columns.len());
    for &c in &bound.columns {
        texts.push(field_str(path, line, &headers[c], &rec[c])?);
    }
    let scored = score_texts(bound, enc, x, &texts, explain).map_err(|(f, p)| Error::BadValue {
        path: path.to_path_buf(),
        line,
        column: headers[bound.columns[f]].clone(),
        value: texts[f].to_string(),
        reason: p.reason().into(),
    })?;
    // Extreme values can make two contributions infinite with opposite signs; the probability
    // of `inf - inf` is no number, so the run stops here, naming the lead.
    if scored.probability.is_nan() {
        return Err(Error::NonFiniteScore {
            path: path.to_path_buf(),
            line,
            eta: f64::NAN,
        });
    }
    Ok(scored)
}

/// Scores one row given the texts of the model's features (in feature order): the
/// probability, the explanation fields and the count of unseen levels; or the failing
/// feature and its problem.
fn score_texts(
    bound: &Bound,
    enc: &mut RowEncoder,
    x: &mut [f64],
    texts: &[&str],
    explain: usize,
) -> std::result::Result<Scored, (usize, ValueProblem)> {
    let unseen = enc.encode(texts.iter().copied(), x)?;
    let coefs = &bound.model.coefficients;
    let mut eta = coefs[0].estimate;
    let mut contributions = vec![
        0.0;
        if explain > 0 {
            bound.model.encoder.features.len()
        } else {
            0
        }
    ];
    for (j, (v, col)) in x.iter().zip(&bound.model.encoder.columns).enumerate() {
        let beta = coefs[j + 1].estimate;
        eta += beta * v;
        if explain > 0 {
            contributions[bound.feature_of[j]] += beta * (v - col.mean);
        }
    }
    let (factors, ups) = if explain > 0 {
        let (mut up, down) = top_factors(bound.model, texts, &contributions, explain);
        let ups = up.len();
        up.extend(down);
        (up, ups)
    } else {
        (Vec::new(), 0)
    };
    Ok(Scored {
        probability: sigmoid(eta),
        factors,
        ups,
        unseen,
    })
}

/// Scores `opts.data` with `model` and writes `opts.out` (atomically): the id column (or
/// `line`), `score`, `band`, and with `explain = K` the columns `up_1..K` and `down_1..K`,
/// each like `requested_demo=yes +1.42` (log-odds contribution against the training mean).
///
/// # Errors
/// Input problems (missing feature column, bad values, ragged rows) name the file and line; the
/// output file is then not created.
pub fn score_file(
    model: &Model,
    opts: &ScoreOptions,
    progress: &dyn Fn(u64),
) -> Result<ScoreSummary> {
    let start = std::time::Instant::now();
    if opts.explain > crate::limits::MAX_EXPLAIN {
        return Err(Error::TooLarge {
            name: "explain",
            value: opts.explain.to_string(),
            what: None,
            max: crate::limits::MAX_EXPLAIN.to_string(),
            reason: "every row gets two columns per factor; a model has a few dozen inputs",
        });
    }
    let mut stream = CsvStream::open(&opts.data, &opts.csv)?;
    let bound = Bound::new(model, stream.headers(), stream.path())?;
    let id_col = match (&opts.id, &model.id_column) {
        (Some(name), _) => Some(stream.column_index(name)?),
        (None, Some(name)) => stream.headers().iter().position(|h| h == name),
        (None, None) => None,
    };
    let mut file = AtomicFile::create(&opts.out)?;
    let out_path = opts.out.clone();
    let k = opts.explain;
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut file);
        let io_err = |e: csv::Error| Error::io(&out_path, std::io::Error::other(e));
        let mut header = vec![match id_col {
            Some(c) => stream.headers()[c].clone(),
            None => "line".to_string(),
        }];
        header.push("score".into());
        header.push("band".into());
        for i in 1..=k {
            header.push(format!("up_{i}"));
        }
        for i in 1..=k {
            header.push(format!("down_{i}"));
        }
        w.write_record(&header).map_err(io_err)?;
        let mut summary = ScoreSummary {
            rows: 0,
            mean_score: None,
            bands: model
                .bands
                .labels()
                .iter()
                .map(|l| (l.clone(), 0))
                .collect(),
            unseen_levels: BTreeMap::new(),
            seconds: 0.0,
        };
        let mut sum = 0.0;
        let mut fields: Vec<String> = Vec::with_capacity(3 + 2 * k);
        let path = stream.path().to_path_buf();
        let headers = stream.headers().to_vec();
        for_each_chunk(&bound, &mut stream, k, progress, |records, scored| {
            for ((rec, line), s) in records.iter().zip(scored) {
                fields.clear();
                fields.push(match id_col {
                    Some(c) => field_str(&path, *line, &headers[c], &rec[c])?.to_string(),
                    None => line.to_string(),
                });
                fields.push(format!("{:.6}", s.probability));
                let band = model.bands.band_of(s.probability);
                fields.push(band.to_string());
                *summary.bands.entry(band.to_string()).or_default() += 1;
                sum += s.probability;
                summary.rows += 1;
                if s.unseen > 0 {
                    let text = |f: usize| {
                        std::str::from_utf8(&rec[bound.columns[f]])
                            .unwrap_or("")
                            .trim()
                    };
                    count_unseen(model, text, &mut summary.unseen_levels);
                }
                fields.extend(padded_factors(s.factors, s.ups, k));
                w.write_record(&fields).map_err(io_err)?;
            }
            Ok(())
        })?;
        w.flush().map_err(|e| Error::io(&out_path, e))?;
        summary.mean_score = (summary.rows > 0).then(|| sum / summary.rows as f64);
        drop(w);
        if summary.rows == 0 {
            return Err(Error::HeaderOnly { path });
        }
        file.commit()?;
        summary.seconds = start.elapsed().as_secs_f64();
        Ok(summary)
    }
}

/// Counts, by column, the features of a row whose value is a level never seen in training;
/// `text(f)` is the row's text of feature `f`.
fn count_unseen<'t>(
    model: &Model,
    text: impl Fn(usize) -> &'t str,
    counts: &mut BTreeMap<String, u64>,
) {
    // Rare path (only rows with unseen levels), so a small allocation per feature is fine.
    for (f, spec) in model.encoder.features.iter().enumerate() {
        let mut out = vec![0.0; spec.width()];
        if let Ok(crate::scoring::encode::ValueOutcome::Unseen) =
            spec.encode(text(f), &model.encoder.missing, &mut out)
        {
            *counts.entry(spec.column.clone()).or_default() += 1;
        }
    }
}

/// A row's `up_1..K` then `down_1..K` fields from its non-empty factors (`ups` of them up),
/// each group padded with empty strings to `k`.
fn padded_factors(factors: Vec<String>, ups: usize, k: usize) -> impl Iterator<Item = String> {
    let downs = factors.len() - ups;
    let mut factors = factors.into_iter();
    let up: Vec<String> = factors.by_ref().take(ups).collect();
    let empty = |n: usize| std::iter::repeat_n(String::new(), n);
    up.into_iter()
        .chain(empty(k - ups))
        .chain(factors)
        .chain(empty(k - downs))
}

/// The (at most) `k` largest positive and `k` most negative contributions, as
/// `name=value +x.xx`; `texts` are the row's feature texts.
fn top_factors(
    model: &Model,
    texts: &[&str],
    contributions: &[f64],
    k: usize,
) -> (Vec<String>, Vec<String>) {
    let mut order: Vec<usize> = (0..contributions.len()).collect();
    order.sort_by(|&a, &b| {
        contributions[b]
            .total_cmp(&contributions[a])
            .then(a.cmp(&b))
    });
    let describe = |f: usize| {
        let spec = &model.encoder.features[f];
        format!(
            "{} {:+.2}",
            spec.describe(texts[f], &model.encoder.missing),
            contributions[f]
        )
    };
    let up: Vec<String> = order
        .iter()
        .take_while(|&&f| contributions[f] > 0.0)
        .take(k)
        .map(|&f| describe(f))
        .collect();
    let down: Vec<String> = order
        .iter()
        .rev()
        .take_while(|&&f| contributions[f] < 0.0)
        .take(k)
        .map(|&f| describe(f))
        .collect();
    (up, down)
}

/// Settings of `leadsim evaluate`.
#[derive(Debug, Clone, Default)]
pub struct EvaluateOptions {
    pub data: PathBuf,
    pub csv: CsvOptions,
    /// Target column and positive value; the model's when `None`.
    pub target: Option<String>,
    pub positive: Option<String>,
}

/// Metrics of a saved model on labelled data, streamed.
///
/// # Errors
/// As [`score_file`], plus [`Error::UnknownColumn`] for a missing target and
/// [`Error::TargetValue`] for a value that is not an outcome.
pub fn evaluate_file(
    model: &Model,
    opts: &EvaluateOptions,
    progress: &dyn Fn(u64),
) -> Result<Evaluation> {
    let mut stream = CsvStream::open(&opts.data, &opts.csv)?;
    let bound = Bound::new(model, stream.headers(), stream.path())?;
    let target = Target {
        column: opts
            .target
            .clone()
            .unwrap_or_else(|| model.target.column.clone()),
        positive: opts
            .positive
            .clone()
            .or_else(|| model.target.positive.clone()),
    };
    let tc = stream.column_index(&target.column)?;
    let path = stream.path().to_path_buf();
    let mut probs = Vec::new();
    let mut labels = Vec::new();
    for_each_chunk(&bound, &mut stream, 0, progress, |records, scored| {
        for ((rec, line), s) in records.iter().zip(scored) {
            let text = field_str(&path, *line, &target.column, &rec[tc])?;
            let y = target.parse(text).ok_or_else(|| Error::TargetValue {
                path: path.clone(),
                line: *line,
                column: target.column.clone(),
                value: text.to_string(),
                expected: target.expected(),
            })?;
            probs.push(s.probability);
            labels.push(y);
        }
        Ok(())
    })?;
    if probs.is_empty() {
        return Err(Error::HeaderOnly { path });
    }
    Ok(metrics::evaluate(&probs, &labels, &model.bands))
}
