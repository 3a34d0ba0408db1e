//! Conservation, reproducibility across thread counts, common random numbers, monotonicity and
//! value stability.

use std::path::Path;

use leadsim::sim::{run, Results, RunOptions, ScenarioFile};

/// A file that sets nearly every key, for the invariants (tests/fixtures/ says why it is not
/// the bundled example); value stability pins the bundled example itself.
const EXAMPLE: &str = include_str!("fixtures/validation-base.toml");
const SHIPPED: &str = include_str!("../data/scenarios/handover.toml");

fn load(text: &str) -> ScenarioFile {
    ScenarioFile::from_toml_str(text, Path::new("test.toml")).unwrap()
}

fn opts(reps: usize, threads: Option<usize>) -> RunOptions<'static> {
    RunOptions {
        seed: Some(11),
        replications: Some(reps),
        threads,
        progress: None,
    }
}

fn small(text: &str) -> String {
    text.replace("arrival_days = 90", "arrival_days = 40")
}

fn get(r: &Results, sc: usize, rep: usize, metric: &str) -> f64 {
    let s = &r.scenarios[sc];
    s.values[rep][s.metrics.iter().position(|m| m == metric).unwrap()]
}

#[test]
fn every_mql_ends_in_exactly_one_exit_state() {
    let with_patience = small(EXAMPLE).replace("# patience_hours = 48.0", "patience_hours = 6.0");
    // Cold leads leave stale entries behind in every kind of queue.
    let by_score = with_patience.replace("discipline = \"fifo\"", "discipline = \"score\"");
    let newest_first = with_patience.replace("discipline = \"fifo\"", "discipline = \"lifo\"");
    for text in [small(EXAMPLE), with_patience, by_score, newest_first] {
        let r = run(&load(&text), &opts(3, None)).unwrap();
        for (si, sc) in r.scenarios.iter().enumerate() {
            for rep in 0..3 {
                let m = |name| get(&r, si, rep, name);
                let exits = m("retained") + m("sqls") + m("rejected") + m("unreached") + m("cold");
                assert_eq!(exits, m("mqls"), "{}: exits", sc.name);
                assert_eq!(m("handed_over") + m("retained"), m("mqls"));
                assert_eq!(m("attempted"), m("sqls") + m("rejected") + m("unreached"));
                assert_eq!(m("attempted") + m("cold"), m("handed_over"));
                assert_eq!(m("reached"), m("sqls") + m("rejected"));
                assert!(m("won") <= m("sqls"));
            }
        }
        if text.contains("patience_hours = 6.0") {
            assert!(
                get(&r, 0, 0, "cold") > 0.0,
                "patience should make some leads cold"
            );
        }
    }
}

#[test]
fn results_are_bit_identical_for_1_2_and_8_threads() {
    let text = small(EXAMPLE).replace("# patience_hours = 48.0", "patience_hours = 24.0");
    let file = load(&text);
    let one = run(&file, &opts(4, Some(1))).unwrap();
    for threads in [2, 8] {
        let other = run(&file, &opts(4, Some(threads))).unwrap();
        for (a, b) in one.scenarios.iter().zip(&other.scenarios) {
            for (ra, rb) in a.values.iter().zip(&b.values) {
                let bits = |v: &Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(ra), bits(rb), "{} with {threads} threads", a.name);
            }
        }
    }
}

#[test]
fn identical_scenarios_pair_exactly_and_shared_leads_are_shared() {
    let text = small(EXAMPLE) + "\n[[scenario]]\nname = \"today again\"\n";
    let r = run(&load(&text), &opts(5, None)).unwrap();
    for s in &r
        .summary("today again", "net_revenue")
        .into_iter()
        .collect::<Vec<_>>()
    {
        let d = s.diff.unwrap();
        assert_eq!(
            (d.mean, d.sd),
            (0.0, 0.0),
            "a copy of the baseline must pair to zero"
        );
    }
    // Every scenario sees the same arrivals: MQL counts pair exactly.
    for name in [
        "lower threshold, two more reps",
        "call back within 15 minutes",
    ] {
        let d = r.summary(name, "mqls").unwrap().diff.unwrap();
        assert_eq!((d.mean, d.sd), (0.0, 0.0));
    }
    // Common random numbers make the paired difference tighter than the spread of a level.
    let s = r.summary("call back within 15 minutes", "sqls").unwrap();
    assert!(s.diff.unwrap().sd < s.value.sd, "{:?}", s);
}

#[test]
fn more_reps_never_raise_mean_response_in_expectation() {
    let mut text = small(EXAMPLE);
    text = text.split("[[scenario]]").next().unwrap().to_string();
    text.push_str("[[scenario]]\nname = \"3 reps\"\n[scenario.pools.sdr]\ncount = 3\n");
    for n in [4, 5, 8] {
        text.push_str(&format!(
            "[[scenario]]\nname = \"{n} reps\"\n[scenario.pools.sdr]\ncount = {n}\n"
        ));
    }
    let r = run(&load(&text), &opts(8, None)).unwrap();
    let mut previous = f64::INFINITY;
    for name in ["4 reps", "5 reps", "8 reps"] {
        let s = r.summary(name, "response_mean_h").unwrap();
        let d = s.diff.unwrap();
        // Paired against 3 reps: the mean response must not rise significantly, and the
        // means fall as reps are added.
        assert!(d.mean <= 3.0 * d.se(), "{name}: {:?}", d);
        assert!(
            s.value.mean <= previous,
            "{name}: {} after {previous}",
            s.value.mean
        );
        previous = s.value.mean;
    }
}

#[test]
fn a_threshold_of_one_hands_nothing_over() {
    let text = small(EXAMPLE).replace("threshold = 0.3", "threshold = 1.0");
    let file = load(&text);
    let r = run(&file, &opts(2, None)).unwrap();
    for rep in 0..2 {
        assert_eq!(get(&r, 0, rep, "handed_over"), 0.0);
        assert_eq!(get(&r, 0, rep, "retained"), get(&r, 0, rep, "mqls"));
        assert!(
            get(&r, 0, rep, "acceptance").is_nan(),
            "no denominator: NaN"
        );
    }
    let s = r.summary("today", "acceptance").unwrap();
    assert_eq!(s.value.n, 0);
}

/// Pinned outputs of the bundled example for seed 11: any change to the random streams, the
/// draw layout or the event order shows up here. Update only for a deliberate change, and say
/// so in the commit.
#[test]
fn value_stability_for_a_fixed_seed() {
    let r = run(&load(SHIPPED), &opts(2, Some(1))).unwrap();
    let got: Vec<f64> = [
        "mqls",
        "sqls",
        "won",
        "won_revenue_12m",
        "response_p90_h",
        "peak_queue_sdr",
    ]
    .iter()
    .flat_map(|m| [get(&r, 0, 0, m), get(&r, 2, 1, m)])
    .collect();
    let pinned: [f64; 12] = PINNED;
    assert_eq!(got, pinned, "got {got:?}");
}

/// Recorded from this implementation (x86_64 Linux); floating-point functions of another
/// platform's libm may move the revenue and hour figures in their last digits. Re-pinned for
/// issue 9: the example became "today" = the historical process (every MQL handed to four
/// SDRs), with the reshaped generator calibrated under it.
const PINNED: [f64; 12] = [
    1238.0,
    1225.0,
    224.0,
    262.0,
    53.0,
    60.0,
    1881984.1775869841,
    2526719.205470604,
    14.125273482649003,
    13.897775690327629,
    106.0,
    93.0,
];

/// Regression: zero-length attempts end at the instant they start, so an event is scheduled at
/// the current time with a higher priority than the one being handled.
#[test]
fn zero_length_attempts_and_same_instant_bursts() {
    let text = small(EXAMPLE)
        .replace(
            "{ dist = \"lognormal\", mean = 8.0, cv = 0.5 }",
            "{ dist = \"fixed\", value = 0 }",
        )
        .replace(
            "{ dist = \"lognormal\", mean = 20.0, cv = 0.5 }",
            "{ dist = \"fixed\", value = 0 }",
        );
    let r = run(&load(&text), &opts(2, Some(1))).unwrap();
    for rep in 0..2 {
        let m = |name| get(&r, 0, rep, name);
        assert_eq!(
            m("retained") + m("sqls") + m("rejected") + m("unreached"),
            m("mqls")
        );
        assert_eq!(m("utilisation_sdr"), 0.0);
    }
}

#[test]
fn score_bands_route_leads_to_their_pool() {
    let base = small(EXAMPLE)
        .split("[[scenario]]")
        .next()
        .unwrap()
        .replace("band = [0.0, 1.0]", "band = [0.0, 0.25]")
        .replace("threshold = 0.3", "threshold = 0.0");
    // The generator's scores run from about 0.15 to 0.35 (docs/model.md section 8.4): the top
    // fifth or so goes to the account executives.
    let text = format!("{base}\n[pools.ae]\ncount = 2\ncost_per_hour = 72\nband = [0.25, 1.0]\ndiscipline = \"score\"\n");
    let r = run(&load(&text), &opts(2, None)).unwrap();
    assert!(get(&r, 0, 0, "utilisation_sdr") > 0.0 && get(&r, 0, 0, "utilisation_ae") > 0.0);
    let only_high = text.replace(
        "generator = \"b2b-saas\"",
        "constant = { score = 0.8, propensity = 0.3 }",
    );
    let r = run(&load(&only_high), &opts(2, None)).unwrap();
    assert_eq!(get(&r, 0, 0, "utilisation_sdr"), 0.0);
    assert!(get(&r, 0, 0, "utilisation_ae") > 0.0);
    // A score equal to the top band's upper end belongs to it.
    let top = text.replace(
        "generator = \"b2b-saas\"",
        "constant = { score = 1.0, propensity = 0.3 }",
    );
    let r = run(&load(&top), &opts(1, None)).unwrap();
    assert_eq!(get(&r, 0, 0, "handed_over"), get(&r, 0, 0, "mqls"));
    assert!(get(&r, 0, 0, "utilisation_ae") > 0.0);
}

/// Regression: with absurdly long attempts the run used to be kept alive by an endless chain
/// of shift starts; it must finish, and every lead must still end in one exit state.
#[test]
fn absurdly_long_attempts_still_finish() {
    let text = small(EXAMPLE).replace(
        "{ dist = \"lognormal\", mean = 8.0, cv = 0.5 }",
        "{ dist = \"lognormal\", median = 1e15, sigma = 1.0 }",
    );
    let r = run(&load(&text), &opts(1, Some(1))).unwrap();
    let m = |name| get(&r, 0, 0, name);
    assert_eq!(
        m("retained") + m("sqls") + m("rejected") + m("unreached") + m("cold"),
        m("mqls")
    );
}
