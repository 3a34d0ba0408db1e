//! The bundled example asks one question per scenario (issue 9): "today" is the historical
//! process, and each alternative changes one thing and does what its name says. The checks are
//! paired differences against "today" over the example's own replications: "does what its
//! name says" means the difference's 95% interval lies on the named side of zero.

use std::collections::BTreeMap;

use leadsim::sim::{run, Results, RunOptions, ScenarioFile};
use serde_json::Value;

mod util;
use util::root;

/// Every leaf of a resolved configuration by its dotted path.
fn leaves(v: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(x, &p, out);
            }
        }
        Value::Array(a) => {
            for (k, x) in a.iter().enumerate() {
                leaves(x, &format!("{path}.{k}"), out);
            }
        }
        other => {
            out.insert(path.to_string(), other.clone());
        }
    }
}

/// The knobs in which scenario `i` differs from the baseline, grouped: the cadence (attempts,
/// gaps and reach per attempt) is one knob.
fn changed(r: &Results, i: usize) -> Vec<String> {
    let flat = |k: usize| {
        let mut m = BTreeMap::new();
        let mut v = serde_json::to_value(&r.scenarios[k].config).unwrap();
        v.as_object_mut().unwrap().remove("name");
        leaves(&v, "", &mut m);
        m
    };
    let (base, this) = (flat(0), flat(i));
    let mut out: Vec<String> = this
        .iter()
        .filter(|(k, v)| base.get(*k) != Some(v))
        .map(|(k, _)| {
            let cadence = ["policy.max_attempts", "policy.gap_hours", "policy.reach"];
            if cadence.iter().any(|c| k.starts_with(c)) {
                "the cadence".to_string()
            } else {
                k.clone()
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The paired difference of `metric` against "today": (mean, low, high) of its 95% interval.
fn diff(r: &Results, scenario: &str, metric: &str) -> (f64, f64, f64) {
    let d = r.summary(scenario, metric).unwrap().diff.unwrap();
    (d.mean, d.ci_low, d.ci_high)
}

fn level(r: &Results, scenario: &str, metric: &str) -> f64 {
    r.summary(scenario, metric).unwrap().value.mean
}

#[test]
fn each_alternative_changes_one_thing_and_does_what_its_name_says() {
    let file = ScenarioFile::load(root().join("data/scenarios/handover.toml")).unwrap();
    let r = run(&file, &RunOptions::default()).unwrap();
    let names: Vec<&str> = r.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "today",
            "raise the bar to 0.2, nurture the rest",
            "call new leads within 5 minutes",
            "two more reps",
            "eight touches"
        ]
    );
    // "today" is the historical process: every MQL handed over, and no [history] table, so the
    // calibration ran under today's own settings.
    assert_eq!(r.scenarios[0].config.policy.threshold, 0.0);
    assert_eq!(
        level(&r, "today", "handed_over"),
        level(&r, "today", "mqls")
    );
    assert_eq!(r.calibration.len(), 1);

    let one = |i: usize, knob: &str| {
        assert_eq!(
            changed(&r, i),
            [knob],
            "{} changes more than one thing",
            names[i]
        );
    };
    one(1, "policy.threshold");
    one(2, "pools.0.discipline");
    one(3, "pools.0.count");
    one(4, "the cadence");

    // Raise the bar: fewer leads handed over, the rest retained and nurtured, and sales accepts
    // a larger share of what it gets.
    let (_, _, hi) = diff(&r, names[1], "handed_over");
    assert!(hi < 0.0);
    assert!(level(&r, names[1], "retained") > 0.0);
    let (_, lo, _) = diff(&r, names[1], "acceptance");
    assert!(lo > 0.0, "acceptance should rise when the bar does");

    // Within 5 minutes: the median first response moves under five minutes from well above.
    assert!(level(&r, "today", "response_p50_h") > 5.0 / 60.0);
    assert!(level(&r, names[2], "response_p50_h") < 5.0 / 60.0);
    let (_, lo, _) = diff(&r, names[2], "sqls");
    assert!(
        lo > 0.0,
        "speed should win SQLs under the speed-to-lead curve"
    );

    // Two more reps: 6 instead of 4, each busy less of the time.
    assert_eq!(r.scenarios[3].config.pools[0].count, 6);
    let (_, _, hi) = diff(&r, names[3], "utilisation_sdr");
    assert!(hi < 0.0);

    // Eight touches: more dials per handed-over lead and fewer leads never reached.
    assert_eq!(r.scenarios[4].config.policy.max_attempts, 8);
    let (_, lo, _) = diff(&r, names[4], "dials");
    assert!(lo > 0.0);
    let (_, _, hi) = diff(&r, names[4], "unreached");
    assert!(hi < 0.0);
}
