//! `[sweep]` grids, `--precision` batches, and the objective ranking with its cost frontier.

mod util;

use std::path::Path;

use leadsim::error::ConfigProblem;
use leadsim::sim::run::rank::frontier;
use leadsim::sim::{
    run, run_with, Analysis, PrecisionTarget, Results, RunOptions, ScenarioFile, Warning,
};
use leadsim::Error;

const EXAMPLE: &str = include_str!("../data/scenarios/handover.toml");
const SWEEP_EXAMPLE: &str = include_str!("../data/scenarios/sweep.toml");

/// The example's settings without its scenarios, on a shorter horizon so that tests run fast.
fn settings() -> String {
    let cut = EXAMPLE.find("[[scenario]]").unwrap();
    EXAMPLE[..cut].replace("arrival_days = 90", "arrival_days = 40")
}

fn parse(text: &str) -> leadsim::Result<ScenarioFile> {
    ScenarioFile::from_toml_str(text, Path::new("s.toml"))
}

/// The field path and the problem of the config error `text` gives.
fn config_problem(text: &str) -> (String, ConfigProblem) {
    match parse(text) {
        Err(Error::Config { field, problem, .. }) => (field, problem),
        other => panic!("expected a config error, got {other:?}"),
    }
}

/// The field path and the message of the config error `text` gives.
fn config_error(text: &str) -> (String, String) {
    let (field, problem) = config_problem(text);
    (field, problem.to_string())
}

fn opts(reps: usize) -> RunOptions<'static> {
    RunOptions {
        replications: Some(reps),
        seed: Some(5),
        ..Default::default()
    }
}

fn names(f: &ScenarioFile) -> Vec<&str> {
    f.scenarios.iter().map(|s| s.name.as_str()).collect()
}

#[test]
fn grid_expands_in_file_order_last_axis_fastest() {
    // pools before policy: not the keys' sorted order, so file order is really followed.
    let text = settings()
        + "[sweep]\n\"pools.sdr.count\" = [3, 6]\n\"policy.threshold\" = [0, 0.25, 1]\n\
           \"policy.gap_hours\" = [[0.25, 4.0, 24.0, 48.0, 96.0]]\n";
    let f = parse(&text).unwrap();
    assert_eq!(f.scenarios.len(), 1 + 2 * 3);
    let g = "gap_hours=[0.25, 4.0, 24.0, 48.0, 96.0]";
    assert_eq!(
        names(&f),
        [
            "baseline".to_string(),
            format!("sdr.count=3, threshold=0, {g}"),
            format!("sdr.count=3, threshold=0.25, {g}"),
            format!("sdr.count=3, threshold=1, {g}"),
            format!("sdr.count=6, threshold=0, {g}"),
            format!("sdr.count=6, threshold=0.25, {g}"),
            format!("sdr.count=6, threshold=1, {g}"),
        ]
    );
    // Values reach their fields (integer literals included); everything else is the file's.
    let s = &f.scenarios[5];
    assert_eq!(s.pools[0].count, 6);
    assert_eq!(s.policy.threshold, 0.25);
    assert_eq!(s.policy.gap_hours, vec![0.25, 4.0, 24.0, 48.0, 96.0]);
    assert_eq!(s.policy.max_attempts, 6);
    assert_eq!(s.arrivals.rate_per_day, 40.0);
    assert_eq!(f.scenarios[3].policy.threshold, 1.0);
    // The baseline is the file's settings, untouched.
    assert_eq!(f.scenarios[0].pools[0].count, 4);
    assert_eq!(f.scenarios[0].policy.threshold, 0.3);

    let grid = f.sweep.as_ref().unwrap();
    let paths: Vec<&str> = grid.axes.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(
        paths,
        ["pools.sdr.count", "policy.threshold", "policy.gap_hours"]
    );
    assert_eq!(grid.axes[1].labels, ["0", "0.25", "1"]);
    assert_eq!(grid.axes[0].values[1], serde_json::json!(6));
    assert_eq!(grid.points.len(), 6);
    assert_eq!(grid.points[4].scenario, 5);
    assert_eq!(grid.points[4].coords, vec![1, 1, 0]);
}

#[test]
fn explicit_scenarios_stay_and_the_first_is_the_baseline() {
    let text = settings()
        + "[[scenario]]\nname = \"today\"\n[[scenario]]\nname = \"six\"\n[scenario.pools.sdr]\ncount = 6\n\
           [sweep]\n\"policy.threshold\" = [0.2, 0.4]\n";
    let f = parse(&text).unwrap();
    assert_eq!(
        names(&f),
        ["today", "six", "threshold=0.2", "threshold=0.4"]
    );
    // Grid points vary the file's settings, not the explicit scenarios'.
    assert_eq!(f.scenarios[3].pools[0].count, 4);
    assert_eq!(f.sweep.as_ref().unwrap().points[0].scenario, 2);
}

#[test]
fn sweep_errors_name_the_axis_and_the_grid_scenario() {
    let s = settings();
    let (field, problem) = config_problem(&(s.clone() + "[sweep]\n\"policy.treshold\" = [0.2]\n"));
    assert_eq!(
        problem,
        ConfigProblem::SweepUnknownField {
            path: "policy.treshold".into(),
            suggestion: Some("policy.threshold".into())
        }
    );
    let message = problem.to_string();
    assert_eq!(field, "sweep.\"policy.treshold\"");
    assert!(
        message.contains("did you mean \"policy.threshold\""),
        "{message}"
    );
    let (field, message) = config_error(&(s.clone() + "[sweep]\n\"polcy.threshold\" = [0.2]\n"));
    assert_eq!(field, "sweep.\"polcy.threshold\"");
    assert!(
        message.contains("did you mean \"policy.threshold\""),
        "{message}"
    );
    let (field, message) = config_error(&(s.clone() + "[sweep]\n\"pools.sdrr.count\" = [2]\n"));
    assert_eq!(field, "sweep.\"pools.sdrr.count\"");
    assert!(
        message.contains("did you mean \"pools.sdr.count\""),
        "{message}"
    );
    let (field, message) = config_error(&(s.clone() + "[sweep]\n\"policy.threshold\" = []\n"));
    assert_eq!(field, "sweep.\"policy.threshold\"");
    assert!(message.contains("at least one value"), "{message}");
    let (field, message) =
        config_error(&(s.clone() + "[sweep]\n\"policy.threshold\" = [0.2, 0.2]\n"));
    assert_eq!(field, "sweep.\"policy.threshold\"[1]");
    assert!(message.contains("twice"), "{message}");
    // A value out of range: the axis and index, and the grid scenario's name.
    let (field, problem) = config_problem(
        &(s.clone() + "[sweep]\n\"pools.sdr.count\" = [3]\n\"policy.threshold\" = [0.2, 1.5]\n"),
    );
    assert!(
        matches!(&problem, ConfigProblem::AtSweepValue { scenario, .. } if scenario == "sdr.count=3, threshold=1.5"),
        "{problem:?}"
    );
    assert!(
        matches!(problem.root(), ConfigProblem::OutOfRange { value, .. } if *value == 1.5),
        "{problem:?}"
    );
    let message = problem.to_string();
    assert_eq!(field, "sweep.\"policy.threshold\"[1]");
    assert!(message.contains("found 1.5"), "{message}");
    assert!(
        message.contains("grid scenario \"sdr.count=3, threshold=1.5\""),
        "{message}"
    );
    // Values fine alone, wrong together with the file: eight attempts need seven gaps.
    let (field, message) = config_error(&(s + "[sweep]\n\"policy.max_attempts\" = [6, 8]\n"));
    assert_eq!(field, "policy.gap_hours");
    assert!(
        message.contains("in grid scenario \"max_attempts=8\""),
        "{message}"
    );
}

/// A run without a precision target has no shortfall to warn about.
fn plain_warnings_without_shortfall(f: &ScenarioFile) -> bool {
    !run(f, &opts(2))
        .unwrap()
        .warnings()
        .iter()
        .any(|w| matches!(w, Warning::PrecisionShortfall { .. }))
}

/// Bit-for-bit comparison of two runs' per-replication values.
fn same_values(a: &Results, b: &Results) -> bool {
    a.scenarios.len() == b.scenarios.len()
        && a.scenarios.iter().zip(&b.scenarios).all(|(x, y)| {
            x.values.len() == y.values.len()
                && x.values.iter().zip(&y.values).all(|(r, s)| {
                    r.iter()
                        .zip(s)
                        .all(|(u, v)| u.to_bits() == v.to_bits() || (u.is_nan() && v.is_nan()))
                })
        })
}

#[test]
fn a_grid_point_equal_to_the_baseline_differs_by_exactly_zero() {
    let text = settings() + "[sweep]\n\"policy.threshold\" = [0.2, 0.3]\n";
    let r = run(&parse(&text).unwrap(), &opts(4)).unwrap();
    assert_eq!(r.scenarios[2].name, "threshold=0.3");
    for m in &r.scenarios[2].summary {
        let d = m.diff.unwrap();
        if d.n > 0 {
            assert_eq!((d.mean, d.sd), (0.0, 0.0), "{}", m.metric);
        }
    }
    // The other grid point does differ, and the baseline's values come out unchanged by the
    // grid around it (common random numbers across all grid points).
    let sqls = r.summary("threshold=0.2", "sqls").unwrap().diff.unwrap();
    assert!(sqls.mean > 0.0);
    let alone = run(&parse(&settings()).unwrap(), &opts(4)).unwrap();
    assert_eq!(alone.scenarios[0].values, r.scenarios[0].values);
}

#[test]
fn precision_adds_batches_until_the_target_is_met() {
    let text = settings() + "[sweep]\n\"policy.threshold\" = [0.1, 0.3]\n";
    let f = parse(&text).unwrap();
    let target = 0.004;
    let analysis = Analysis {
        precision: Some(PrecisionTarget {
            metric: "mql_to_sql".into(),
            half_width: target,
        }),
        ..Default::default()
    };
    let r = run_with(&f, &opts(3), &analysis).unwrap();
    let p = r.precision.as_ref().unwrap();
    assert!(p.unmet.is_empty(), "{p:?}");
    assert!(
        p.batches.len() > 1,
        "three replications should not suffice: {p:?}"
    );
    assert_eq!(*p.batches.last().unwrap(), r.replications);
    assert_eq!(p.max_replications, 30);
    for sc in &r.scenarios {
        let s = sc
            .summary
            .iter()
            .find(|m| m.metric == "mql_to_sql")
            .unwrap();
        let half = (s.value.ci_high - s.value.ci_low) / 2.0;
        assert!(half <= target, "{}: ±{half}", sc.name);
    }
    // Identical to a plain run with as many replications.
    let plain = run(&f, &opts(r.replications)).unwrap();
    assert!(same_values(&r, &plain));
    assert_eq!(r.table().lines().nth(1), plain.table().lines().nth(1));
}

#[test]
fn precision_reports_the_scenarios_that_miss_the_target_at_the_cap() {
    let text = settings() + "[sweep]\n\"policy.threshold\" = [0.1, 0.3]\n";
    let f = parse(&text).unwrap();
    let analysis = Analysis {
        precision: Some(PrecisionTarget {
            metric: "net_revenue".into(),
            half_width: 1.0,
        }),
        max_replications: Some(5),
        ..Default::default()
    };
    let r = run_with(&f, &opts(3), &analysis).unwrap();
    let p = r.precision.as_ref().unwrap();
    assert_eq!(r.replications, 5);
    assert_eq!(p.batches, vec![3, 5]);
    assert_eq!(p.unmet, names(&f));
    assert!(r.table().contains("did not reach"));
    // Each shortfall is a warning the CLI prints, carrying what was reached.
    // (A two-value axis has no inside: the best point is on its edge, warned after these.)
    let w = r.warnings();
    assert_eq!(w.len(), p.unmet.len() + 1);
    assert!(matches!(w.last(), Some(Warning::SweepOptimumOnEdge { .. })));
    for (w, (name, h)) in w.iter().zip(p.unmet.iter().zip(&p.half_widths)) {
        assert!(
            matches!(w, Warning::PrecisionShortfall { scenario, max_replications: 5, reached, .. }
                if scenario == name && reached == h && reached.is_some()),
            "{w:?}"
        );
    }
    assert!(plain_warnings_without_shortfall(&f));
    // Bad targets and caps are refused before anything runs.
    type Check = fn(&Error) -> bool;
    let cases: [(&str, f64, Option<usize>, Check); 3] = [
        (
            "mql_to_sq",
            0.01,
            None,
            |e| matches!(e, Error::UnknownMetric { option: "precision-metric", suggestion: Some(s), .. } if s == "mql_to_sql"),
        ),
        (
            "mql_to_sql",
            0.0,
            None,
            |e| matches!(e, Error::InvalidPrecision { half_width } if *half_width == 0.0),
        ),
        ("mql_to_sql", 0.01, Some(2), |e| {
            matches!(
                e,
                Error::ReplicationCapTooLow {
                    cap: 2,
                    replications: 3
                }
            )
        }),
    ];
    for (metric, width, cap, expected) in cases {
        let a = Analysis {
            precision: Some(PrecisionTarget {
                metric: metric.into(),
                half_width: width,
            }),
            max_replications: cap,
            ..Default::default()
        };
        let e = run_with(&f, &opts(3), &a).unwrap_err();
        assert!(expected(&e), "{e}");
    }
}

#[test]
fn ranking_orders_by_the_objective_and_flags_significance() {
    let text = settings() + "[sweep]\n\"policy.threshold\" = [0.05, 0.3, 0.6]\n";
    let f = parse(&text).unwrap();
    let a = Analysis {
        objective: Some("mql_to_sql".into()),
        ..Default::default()
    };
    let r = run_with(&f, &opts(12), &a).unwrap();
    let rk = r.ranking.as_ref().unwrap();
    assert_eq!(rk.objective, "mql_to_sql");
    assert_eq!(rk.ranked.len(), 4);
    assert!(rk.ranked.windows(2).all(|w| w[0].mean >= w[1].mean));
    // Handing over far more leads converts more of them: a clear effect, many standard errors
    // wide, so the lowest threshold ranks first and its difference is significant.
    let d = r
        .summary("threshold=0.05", "mql_to_sql")
        .unwrap()
        .diff
        .unwrap();
    assert!(d.mean > 4.0 * d.se(), "{d:?}");
    assert_eq!(rk.ranked[0].name, "threshold=0.05");
    assert!(rk.ranked[0].significant);
    // The copy of the baseline is not significantly different from it, and neither is the
    // baseline itself.
    for p in &rk.ranked {
        if p.name == "threshold=0.3" || p.scenario == 0 {
            assert!(!p.significant, "{p:?}");
        }
    }
    // Frontier: no member is dominated, every other scenario is dominated by some member.
    let pts: Vec<(f64, f64)> = (0..r.scenarios.len())
        .map(|i| {
            let p = rk.ranked.iter().find(|p| p.scenario == i).unwrap();
            (p.mean, p.rep_cost)
        })
        .collect();
    let dominates = |j: usize, i: usize| {
        pts[j].0 >= pts[i].0 && pts[j].1 <= pts[i].1 && (pts[j].0 > pts[i].0 || pts[j].1 < pts[i].1)
    };
    for i in 0..pts.len() {
        let on = rk.frontier.contains(&i);
        assert_eq!(on, !(0..pts.len()).any(|j| dominates(j, i)), "{i}: {pts:?}");
    }
    // Unknown objectives are refused with a suggestion.
    let bad = Analysis {
        objective: Some("net_revenu".into()),
        ..Default::default()
    };
    let e = run_with(&f, &opts(2), &bad).unwrap_err();
    assert!(
        e.to_string().contains("did you mean \"net_revenue\""),
        "{e}"
    );
    assert!(matches!(
        e,
        Error::UnknownMetric {
            option: "objective",
            ..
        }
    ));
}

#[test]
fn frontier_of_a_hand_made_example() {
    // (objective, cost). 0 is beaten by 1 on both; 3 by 2; 2 and 4 tie exactly and both stay.
    let pts = [
        (1.0, 10.0),
        (2.0, 5.0),
        (6.0, 20.0),
        (4.0, 30.0),
        (6.0, 20.0),
        (9.0, 40.0),
    ];
    assert_eq!(frontier(&pts, true), vec![1, 2, 4, 5]);
}

#[test]
fn the_example_sweep_runs_from_the_command_line() {
    let f = parse(SWEEP_EXAMPLE).unwrap();
    assert_eq!(f.scenarios.len(), 26);
    let dir = util::Dir::new();
    let file = util::root().join("data/scenarios/sweep.toml");
    let file = file.to_str().unwrap();
    let run = dir.run(&[
        "simulate",
        file,
        "--out",
        "out",
        "--replications",
        "3",
        "--quiet",
    ]);
    run.ok();
    assert!(
        run.stdout.contains("best policies by net_revenue"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("frontier:"));
    assert!(run
        .stdout
        .contains("the baseline and the 15 best of 26 scenarios"));
    let json: serde_json::Value = serde_json::from_str(&dir.read("out/summary.json")).unwrap();
    assert_eq!(json["sweep"]["points"].as_array().unwrap().len(), 25);
    assert_eq!(json["ranking"]["ranked"].as_array().unwrap().len(), 26);

    let run = dir.run(&[
        "simulate",
        file,
        "--out",
        "out2",
        "--replications",
        "3",
        "--quiet",
        "--precision",
        "0.00001",
        "--max-replications",
        "4",
    ]);
    run.ok();
    assert!(
        run.stderr
            .contains("warning: scenario \"today\" did not reach ±0.00001 on mql_to_sql"),
        "{}",
        run.stderr
    );
    dir.run(&[
        "simulate",
        file,
        "--out",
        "out3",
        "--objective",
        "net_revnue",
    ])
    .fails_with(&["did you mean \"net_revenue\""]);
    // A usage error: clap's exit code 2.
    let run = dir.run(&["simulate", file, "--precision-metric", "net_revenue"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("NAME=WIDTH"), "{}", run.stderr);
}

/// A headcount sweep on leads that all reach the threshold (40 a business day, an average of
/// about three attempts each): one rep is swamped, sixty cost far more than they win.
fn headcount_sweep(counts: &str) -> ScenarioFile {
    let text = settings().replace(
        "generator = \"b2b-saas\"",
        "constant = { score = 0.8, propensity = 0.3 }",
    ) + &format!("[sweep]\n\"pools.sdr.count\" = {counts}\n");
    parse(&text).unwrap()
}

fn edges(r: &Results) -> Vec<Warning> {
    r.warnings()
        .into_iter()
        .filter(|w| matches!(w, Warning::SweepOptimumOnEdge { .. }))
        .collect()
}

#[test]
fn a_sweep_whose_best_point_is_on_an_edge_says_which_way_to_extend() {
    // Rep cost (lower is better) is least at the fewest reps, whatever the luck; the values
    // are out of order, so the edge is the smallest value, not the first.
    let f = headcount_sweep("[6, 1, 60]");
    let analysis = Analysis {
        objective: Some("rep_cost".into()),
        ..Default::default()
    };
    let r = run_with(&f, &opts(2), &analysis).unwrap();
    let w = edges(&r);
    assert_eq!(w.len(), 1, "{w:?}");
    match &w[0] {
        Warning::SweepOptimumOnEdge {
            scenario,
            objective,
            axis,
            value,
            direction,
        } => {
            assert_eq!(scenario, &r.ranking.as_ref().unwrap().ranked[0].name);
            assert_eq!(objective, "rep_cost");
            assert_eq!(axis, "pools.sdr.count");
            assert_eq!(value, "1");
            assert_eq!(*direction, leadsim::sim::run::Extend::Lower);
        }
        other => panic!("{other:?}"),
    }
    let message = w[0].to_string();
    assert!(
        message.contains("extend pools.sdr.count below 1"),
        "{message}"
    );
    // The same grid ranked by net revenue: sixty reps cost about 0.3M more than six for no
    // more SQLs, one rep leaves leads waiting for weeks; the best is inside, no warning.
    let r = run_with(&f, &opts(4), &Analysis::default()).unwrap();
    let best = &r.ranking.as_ref().unwrap().ranked[0].name;
    assert!(best.contains('6') && !best.contains("60"), "best {best}");
    assert!(edges(&r).is_empty(), "{:?}", edges(&r));
}
