//! Training on categorical designs kept as codes (issue 12), against the dense one-hot fit the
//! solver has always done: the same optimum, standard errors and errors, for the cases real
//! CRM data brings (rare levels, `(other)`, `(missing)`, a categorical whose every level but
//! one is rare, copied and coarsened categoricals, a level that separates the outcome), and the
//! same model for any thread count.

use linfa::traits::Fit;
use linfa::{Dataset, ParamGuard};
use ndarray::Array1;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use leadsim::data::{ColumnBuilder, Table};
use leadsim::scoring::design::Design;
use leadsim::scoring::train::{train_table, Silent, TrainOptions, TrainingSource};
use leadsim::scoring::{LogisticFit, LogisticParams, Model};
use leadsim::Error;

/// A level drawn with probability proportional to `1 / (k + 1)`: a long tail of rare levels.
fn long_tail(rng: &mut ChaCha8Rng, levels: usize) -> usize {
    let total: f64 = (0..levels).map(|k| 1.0 / (k + 1) as f64).sum();
    let mut u = rng.gen::<f64>() * total;
    for k in 0..levels {
        u -= 1.0 / (k + 1) as f64;
        if u <= 0.0 {
            return k;
        }
    }
    levels - 1
}

/// What the generated table holds besides the usual columns.
#[derive(Clone, Copy, Default)]
struct Extras {
    /// `region_copy`, an exact copy of `region`.
    copy: bool,
    /// `zone`, a coarsening of `region` (a function of it): collinear, not identical.
    zone: bool,
    /// `channel=leak` rows always convert.
    leak: bool,
}

/// A seeded CRM-like table: two numbers (one with gaps), a yes/no flag, `region` (40 levels,
/// long tail, some missing), `title` (120 levels, long tail, and one-offs), `rare` (one common
/// level, the rest a few rows each) and `channel`; `converted` from a logistic truth.
fn crm_table(rows: usize, seed: u64, extras: Extras) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let names = [
        "spend",
        "visits",
        "demo",
        "region",
        "title",
        "rare",
        "channel",
        "region_copy",
        "zone",
        "converted",
    ];
    let mut cols: Vec<ColumnBuilder> = names.iter().map(|n| ColumnBuilder::new(*n)).collect();
    let region_effect: Vec<f64> = (0..40).map(|k| 0.6 * ((k as f64) * 1.7).sin()).collect();
    let title_effect: Vec<f64> = (0..120).map(|k| 0.4 * ((k as f64) * 0.9).cos()).collect();
    for _ in 0..rows {
        let spend: f64 = rng.sample(StandardNormal);
        let visits = rng.gen_range(0..20);
        let demo = rng.gen_bool(0.3);
        let region = long_tail(&mut rng, 40);
        let region_missing = rng.gen_bool(0.03);
        let title = long_tail(&mut rng, 120);
        // One title in a hundred is a one-off: rare levels that fold into (other).
        let one_off = rng.gen_bool(0.01).then(|| rng.gen_range(0..5000));
        let rare = if rng.gen_bool(0.99) {
            0
        } else {
            1 + rng.gen_range(0..60)
        };
        let channel = rng.gen_range(0..4);
        let leak = extras.leak && channel == 3;
        let eta = -1.0 + 0.5 * spend - 0.05 * f64::from(visits)
            + 0.8 * f64::from(u8::from(demo))
            + if region_missing {
                0.3
            } else {
                region_effect[region]
            }
            + title_effect[title]
            + 0.2 * f64::from(u8::from(rare > 0));
        let y = leak || rng.gen::<f64>() < 1.0 / (1.0 + (-eta).exp());
        let region_text = if region_missing {
            String::new()
        } else {
            format!("r{region:02}")
        };
        if rng.gen_bool(0.05) {
            cols[0].push_missing();
        } else {
            cols[0].push_fmt(format_args!("{spend:.4}"));
        }
        cols[1].push_fmt(format_args!("{visits}"));
        cols[2].push(if demo { "yes" } else { "no" });
        cols[3].push(&region_text);
        match one_off {
            Some(k) => cols[4].push_fmt(format_args!("once{k}")),
            None => cols[4].push_fmt(format_args!("t{title:03}")),
        }
        cols[5].push_fmt(format_args!("k{rare:02}"));
        cols[6].push(["web", "event", "partner", "leak"][channel]);
        cols[7].push(&region_text);
        if region_missing {
            cols[8].push_missing();
        } else {
            cols[8].push_fmt(format_args!("z{}", region % 7));
        }
        cols[9].push(if y { "1" } else { "0" });
    }
    let keep = |n: &str| match n {
        "region_copy" => extras.copy,
        "zone" => extras.zone,
        _ => true,
    };
    let cols = cols.into_iter().filter(|c| keep(c.name())).collect();
    Table::from_columns("crm.csv", cols).unwrap()
}

fn options() -> TrainOptions {
    TrainOptions {
        holdout: 0.0,
        ..Default::default()
    }
}

fn fit(table: &Table, opts: &TrainOptions) -> leadsim::Result<Model> {
    let source = TrainingSource {
        file: "crm.csv".into(),
        load_seconds: 0.0,
        sha256: Box::new(|| Ok(String::new())),
    };
    train_table(table, source, opts, &Silent)
}

/// The model's training design rebuilt from its encoder (as scoring builds it) and the labels.
fn training_design(table: &Table, model: &Model) -> (Design, Array1<bool>) {
    let features: Vec<usize> = model
        .encoder
        .features
        .iter()
        .map(|f| table.headers().iter().position(|h| *h == f.column).unwrap())
        .collect();
    let rows: Vec<usize> = (0..table.rows()).collect();
    let built = Design::from_encoder(&model.encoder, table, &features, &rows).unwrap();
    let target = table
        .headers()
        .iter()
        .position(|h| h == "converted")
        .unwrap();
    let y = rows
        .iter()
        .map(|&r| table.value(r, target) == "1")
        .collect();
    (built.design, y)
}

fn dense_fit(design: &Design, y: &Array1<bool>) -> Result<LogisticFit, Error> {
    LogisticParams::new().fit(&Dataset::new(design.to_dense(), y.clone()))
}

fn codes_fit(design: &Design, y: &Array1<bool>) -> Result<LogisticFit, Error> {
    LogisticParams::new().check()?.fit_design(design, y.view())
}

/// Both fits run Newton to machine precision on the same objective, so they agree to the
/// rounding of their sums (~1e-13 relative here); 1e-9 is the contract. A coefficient
/// near zero is compared on the scale of its standard error.
fn assert_same_fit(codes: &LogisticFit, dense: &LogisticFit) {
    let (sc, sd) = (codes.standard_errors(), dense.standard_errors());
    let est = |f: &LogisticFit| -> Vec<f64> {
        std::iter::once(f.intercept)
            .chain(f.coef.iter().copied())
            .collect()
    };
    let (ec, ed) = (est(codes), est(dense));
    assert_eq!(ec.len(), ed.len());
    for j in 0..ec.len() {
        let scale = ed[j].abs().max(sd[j]);
        assert!(
            (ec[j] - ed[j]).abs() <= 1e-9 * scale,
            "coefficient {j}: {} vs {}",
            ec[j],
            ed[j]
        );
        assert!(
            (sc[j] - sd[j]).abs() <= 1e-9 * sd[j],
            "standard error {j}: {} vs {}",
            sc[j],
            sd[j]
        );
    }
    let rel = (codes.log_likelihood - dense.log_likelihood).abs() / dense.log_likelihood.abs();
    assert!(rel <= 1e-12, "log likelihood {rel:e}");
}

#[test]
fn codes_fit_agrees_with_the_dense_fit_on_a_wide_design() {
    let table = crm_table(20_000, 7, Extras::default());
    let model = fit(&table, &options()).unwrap();
    let (design, y) = training_design(&table, &model);
    // 2 numbers + spend's missing indicator + demo + 39 regions and (missing) + titles ...
    assert!(design.ncols() > 150, "{}", design.ncols());
    assert_eq!(design.categoricals().len(), 4);
    let codes = codes_fit(&design, &y).unwrap();
    let dense = dense_fit(&design, &y).unwrap();
    assert_same_fit(&codes, &dense);
    // The model trained end to end is that fit, mapped to original units.
    let se = dense.standard_errors();
    for (j, col) in model.encoder.columns.iter().enumerate() {
        let c = &model.coefficients[j + 1];
        assert_eq!(c.name, col.name);
        let want = dense.coef[j] / col.scale;
        assert!(
            (c.estimate - want).abs() <= 1e-9 * want.abs().max(se[j + 1] / col.scale),
            "{}: {} vs {want}",
            c.name,
            c.estimate
        );
        let want_se = se[j + 1] / col.scale;
        let got_se = c.std_error.unwrap();
        assert!(
            (got_se - want_se).abs() <= 1e-9 * want_se,
            "{}: {got_se} vs {want_se}",
            c.name
        );
    }
    let rel = (model.fit.log_likelihood - dense.log_likelihood).abs() / dense.log_likelihood.abs();
    assert!(rel <= 1e-12, "{rel:e}");
}

#[test]
fn rare_levels_other_and_missing() {
    let table = crm_table(20_000, 8, Extras::default());
    let model = fit(&table, &options()).unwrap();
    let names = model.encoder.column_names();
    for want in [
        "region=(missing)",
        "title=(other)",
        "rare=(other)",
        "spend=(missing)",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
    // `rare`: one common level (the reference) and sixty rare ones, every one of them folded
    // into (other), which is then its only column.
    let rare: Vec<&String> = names.iter().filter(|n| n.starts_with("rare=")).collect();
    assert_eq!(rare, ["rare=(other)"]);
    match &model.encoder.features[5].encoding {
        leadsim::scoring::encode::FeatureEncoding::Categorical {
            reference, folded, ..
        } => {
            assert_eq!(reference, "k00");
            let mut seen: Vec<&str> = (0..table.rows())
                .map(|r| table.value(r, 5))
                .filter(|v| *v != "k00")
                .collect();
            seen.sort_unstable();
            seen.dedup();
            assert!(seen.len() > 50, "{}", seen.len());
            assert_eq!(folded, &seen);
        }
        other => panic!("{other:?}"),
    }
    let (design, y) = training_design(&table, &model);
    assert_same_fit(
        &codes_fit(&design, &y).unwrap(),
        &dense_fit(&design, &y).unwrap(),
    );
}

#[test]
fn every_level_but_one_rare_without_enough_rows_for_other() {
    // 3,000 rows: `rare` has about 30 rows off its common level, over 60 levels, each below
    // the minimum count of 10 and together enough for (other); with a minimum count of 100
    // they are too few for it, fold into the reference, and `rare` has no column at all.
    let table = crm_table(3_000, 9, Extras::default());
    let mut opts = options();
    opts.encoder.min_level_count = 100;
    let model = fit(&table, &opts).unwrap();
    let names = model.encoder.column_names();
    assert!(!names.iter().any(|n| n.starts_with("rare=")), "{names:?}");
    let (design, y) = training_design(&table, &model);
    assert_same_fit(
        &codes_fit(&design, &y).unwrap(),
        &dense_fit(&design, &y).unwrap(),
    );
}

#[test]
fn copied_and_coarsened_categoricals_are_named_as_before() {
    let extras = Extras {
        copy: true,
        zone: true,
        ..Default::default()
    };
    let table = crm_table(20_000, 10, extras);
    let model = fit(&table, &options()).unwrap();
    let dropped = &model.training.dropped;
    // Every level of the copy is identical to the original's, and named after it.
    let copies: Vec<_> = dropped
        .iter()
        .filter(|d| d.name.starts_with("region_copy="))
        .collect();
    let regions = model
        .encoder
        .columns
        .iter()
        .filter(|c| c.name.starts_with("region="))
        .count();
    assert_eq!(copies.len(), regions, "{dropped:?}");
    for d in copies {
        let original = d.name.replacen("region_copy=", "region=", 1);
        assert_eq!(
            d.reason,
            format!("identical to \"{original}\" in the training rows")
        );
    }
    // Zones are sums of regions' indicators: zone=(missing) is region=(missing), the six
    // other zones besides the reference are collinear.
    let zones: Vec<_> = dropped
        .iter()
        .filter(|d| d.name.starts_with("zone="))
        .collect();
    assert_eq!(zones.len(), 7, "{zones:?}");
    for d in zones {
        let want = if d.name == "zone=(missing)" {
            "identical to \"region=(missing)\" in the training rows"
        } else {
            "collinear with the intercept and earlier columns"
        };
        assert_eq!(d.reason, want, "{}", d.name);
    }
    assert!(!model
        .encoder
        .column_names()
        .iter()
        .any(|n| n.starts_with("zone=") || n.starts_with("region_copy=")));
    // Without dropping, the dense solver names the same columns as collinear.
    let (design, y) = training_design(&table, &model);
    assert_same_fit(
        &codes_fit(&design, &y).unwrap(),
        &dense_fit(&design, &y).unwrap(),
    );
}

#[test]
fn a_separating_level_is_named_as_the_dense_solver_names_it() {
    let extras = Extras {
        leak: true,
        ..Default::default()
    };
    let table = crm_table(5_000, 11, extras);
    let err = fit(&table, &options()).unwrap_err();
    let Error::Separation { detail } = &err else {
        panic!("{err}");
    };
    assert!(detail.contains("\"channel=leak\""), "{detail}");
    // The dense solver, given the same standardised design and units, says the same words.
    let mut opts = options();
    opts.alpha = 1.0;
    let model = fit(&table, &opts).unwrap();
    let (design, y) = training_design(&table, &model);
    let units: Vec<(f64, f64)> = model
        .encoder
        .columns
        .iter()
        .map(|c| (c.mean, c.scale))
        .collect();
    let params = LogisticParams::new()
        .feature_names(model.encoder.column_names())
        .column_units(units);
    let dense = params
        .clone()
        .fit(&Dataset::new(design.to_dense(), y.clone()))
        .unwrap_err();
    let codes = params
        .check()
        .unwrap()
        .fit_design(&design, y.view())
        .unwrap_err();
    assert_eq!(dense.to_string(), codes.to_string());
    // Training says the same, and adds the likely leak it found before the fit.
    let (Error::Separation { detail: by_train }, Error::Separation { detail: by_solver }) =
        (&err, &codes)
    else {
        panic!("{err} / {codes}");
    };
    assert!(by_train.starts_with(by_solver.as_str()), "{by_train}");
    assert!(
        by_train.contains("likely leak: level \"leak\""),
        "{by_train}"
    );
}

#[test]
fn the_model_is_bit_identical_for_1_2_and_8_threads() {
    let table = crm_table(40_000, 12, Extras::default());
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let opts = TrainOptions {
            holdout: 0.25,
            ..Default::default()
        };
        let model = pool.install(|| fit(&table, &opts)).unwrap();
        let mut v = serde_json::to_value(&model).unwrap();
        for key in ["fit_seconds", "load_seconds"] {
            v["fit"].as_object_mut().unwrap().remove(key);
        }
        serde_json::to_string(&v).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(8));
}
