//! The field's figures (docs/model.md section 8.4): the bundled example's baseline ("today" of
//! `data/scenarios/handover.toml`, the historical process of the bundled history) reproduces
//! each within its band, and `docs/field-figures.md` is the table this test computes.
//!
//! The table is written by the test, never typed: `LEADSIM_WRITE_DOCS=1 cargo test --release
//! --test field_figures` rewrites it; without the variable the test fails when the file differs
//! from what the code computes, so the page cannot drift from the defaults.
//!
//! Intervals: a per-replication metric gets the run's own 95% Student-t interval; a share of
//! simulated leads (deciding within 12 months) a 95% normal interval of a proportion of that
//! many leads. The bands are those of `shared/MODEL.md` section 8.4.

use std::path::Path;

use leadsim::sim::calibration::calibrate;
use leadsim::sim::engine::{simulate_traced, Outcome, Trace};
use leadsim::sim::{run, RunOptions, ScenarioFile};
use leadsim::stats::Interval;

mod util;
use util::root;

/// "today" of the bundled example, with `edit` applied to the file's text.
fn example(edit: impl Fn(&str) -> String) -> ScenarioFile {
    let path = root().join("data/scenarios/handover.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = edit(&text);
    // Only the baseline: the figures are about "today".
    let cut = text
        .find("[[scenario]]\nname = \"raise")
        .unwrap_or(text.len());
    ScenarioFile::from_toml_str(&text[..cut], &path).unwrap()
}

/// The per-replication values of `metric` in scenario 0.
fn values(r: &leadsim::sim::Results, metric: &str) -> Vec<f64> {
    let sc = &r.scenarios[0];
    let m = sc.metrics.iter().position(|x| x == metric).unwrap();
    sc.values.iter().map(|v| v[m]).collect()
}

/// The keys of the counted leads of one replication that sales rejected.
#[derive(Default)]
struct Rejected {
    w0: f64,
    arrivals: Vec<(u64, f64)>,
    rejected: Vec<u64>,
}

impl Trace for Rejected {
    fn arrival(
        &mut self,
        lead: u64,
        key: u64,
        t: f64,
        _score: f64,
        _propensity: f64,
        _value: f64,
        _pool: Option<usize>,
    ) {
        assert_eq!(lead as usize, self.arrivals.len());
        self.arrivals.push((key, t));
    }
    fn exit(&mut self, lead: u64, _t: f64, how: Outcome) {
        let (key, t) = self.arrivals[lead as usize];
        if how == Outcome::Rejected && t >= self.w0 {
            self.rejected.push(key);
        }
    }
}

/// Of the leads sales rejected in the first `reps` replications, the share whose nurture
/// decision comes within `months`, with a 95% interval; and how many leads it rests on.
fn deciding_within(file: &ScenarioFile, reps: u64, months: f64) -> (f64, f64, f64, usize) {
    let cals = calibrate(file, file.seed, None).unwrap();
    let compiled = cals.compile(file);
    let mut keys = Vec::new();
    for r in 0..reps {
        let mut t = Rejected {
            w0: 24.0 * f64::from(file.scenarios[0].arrivals.warmup_days),
            ..Default::default()
        };
        simulate_traced(&compiled[0], file.seed, r, None, &mut t);
        keys.extend(t.rejected);
    }
    let n = keys.len();
    let k = keys
        .iter()
        .filter(|key| compiled[0].nurture_outcome(**key, 0.5).months <= months)
        .count();
    let p = k as f64 / n as f64;
    let h = 1.96 * (p * (1.0 - p) / n as f64).sqrt();
    (p, p - h, p + h, n)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn interval_pct(i: &Interval) -> String {
    format!("{} ({} to {})", pct(i.mean), pct(i.ci_low), pct(i.ci_high))
}

#[test]
fn the_default_world_reproduces_the_fields_figures() {
    let file = example(|t| t.to_string());
    let r = run(&file, &RunOptions::default()).unwrap();
    let reps = r.replications;
    let mql_to_sql = Interval::of(values(&r, "mql_to_sql"));
    let contact = Interval::of(values(&r, "contact_rate"));
    let dials = values(&r, "dials");
    let handed = values(&r, "handed_over");
    let unreached = values(&r, "unreached");
    let dials_per_lead = Interval::of(dials.iter().zip(&handed).map(|(d, h)| d / h));
    let won = values(&r, "won_revenue_12m");
    let away = values(&r, "recovered_revenue_12m_turned_away");
    let ratio = Interval::of(away.iter().zip(&won).map(|(a, w)| a / w));
    let unreached_share = Interval::of(unreached.iter().zip(&handed).map(|(u, h)| u / h));
    let max_attempts = file.scenarios[0].policy.max_attempts;

    let rejected80 = example(|t| {
        t.replace(
            "decision = { pi = 0.62, scale_months = 9.8, shape = 1.26 }",
            "decision = { preset = \"rejected-80\" }",
        )
    });
    let (r80, r80_lo, r80_hi, r80_n) = deciding_within(&rejected80, reps as u64, 12.0);
    let (d3, d3_lo, d3_hi, d_n) = deciding_within(&file, reps as u64, 3.0);
    let (d12, d12_lo, d12_hi, _) = deciding_within(&file, reps as u64, 12.0);

    // The bands of docs/model.md section 8.4.
    assert!(
        (0.15..=0.28).contains(&mql_to_sql.mean),
        "MQL-to-SQL {mql_to_sql:?}"
    );
    assert!(
        (0.10..=0.22).contains(&contact.mean),
        "contact per dial {contact:?}"
    );
    assert!(
        (0.76..=0.84).contains(&r80),
        "rejected-80 deciding within 12 months {r80}"
    );
    assert!(
        ratio.ci_high < 1.0,
        "recovered from turned-away leads / won {ratio:?}"
    );

    let rows = [
        (
            "MQL-to-SQL, every MQL handed over",
            "\"79% of all marketing leads are never converted to sales\" (\"Why sales rejects marketing leads\", a demand-generation blog; F)",
            "15% to 28%",
            interval_pct(&mql_to_sql),
            "the generator's intercept (-1.40, `src/generate/b2b_saas.rs`): the label rate of the history the example is calibrated to",
        ),
        (
            "Dials that reach a person",
            "\"85 percent of calls go to voice mail and are unreturned\" (\"Top three obstacles to converting MQLs to SQLs\", a lead-generation firm; F)",
            "10% to 22%",
            interval_pct(&contact),
            "`policy.contactable` (0.6) and `policy.reach` (0.39, 0.54, 0.39, 0.29, 0.25, 0.25)",
        ),
        (
            "Touches per lead",
            "\"80% of prospects take more than four touches to close, but only 8% of salespeople touch a prospect more than four times\" (\"What to Do When Sales Hates Your MQLs\", citing Robert Clay, Marketing Wizdom; F)",
            "state the dials",
            format!(
                "{max_attempts} dials to every lead never reached ({} of handed-over leads); {:.2} dials per handed-over lead on average ({:.2} to {:.2})",
                interval_pct(&unreached_share),
                dials_per_lead.mean,
                dials_per_lead.ci_low,
                dials_per_lead.ci_high
            ),
            "`policy.max_attempts` (6) and `policy.gap_hours` (1, 24, 48, 96, 168)",
        ),
        (
            "Rejected leads deciding within 12 months, preset `rejected-80`",
            "\"nearly 80 percent of MQLs rejected by sales make a buying decision within 12 months\" (\"Top three obstacles to converting MQLs to SQLs\"; F)",
            "76% to 84%",
            format!("{} ({} to {}; {r80_n} rejected leads)", pct(r80), pct(r80_lo), pct(r80_hi)),
            "`outcomes.decision = { preset = \"rejected-80\" }` (pi 0.95, scale 6.5 months, shape 1)",
        ),
        (
            "Deciding within 3 and within 12 months, default law",
            "\"63% of people who request information won't purchase for three months, and 20% take more than a year\" (\"What to Do When Sales Hates Your MQLs\"; F)",
            "state what the default gives",
            format!(
                "{} decide within 3 months ({} to {}), so {} do not; {} within 12 months ({} to {}), so {} take longer or never decide ({d_n} rejected leads)",
                pct(d3), pct(d3_lo), pct(d3_hi), pct(1.0 - d3), pct(d12), pct(d12_lo), pct(d12_hi), pct(1.0 - d12)
            ),
            "`outcomes.decision` (default `rule-of-45`: pi 0.62, scale 9.8 months, shape 1.26)",
        ),
        (
            "Revenue recovered from leads sales turned away, per unit of revenue won by sales",
            "assumption (A)",
            "below 1",
            format!("{:.2} ({:.2} to {:.2})", ratio.mean, ratio.ci_low, ratio.ci_high),
            "`outcomes.share` (0.08) x `nurture.lift` (1.5) x `(q / q_bar)^share_elasticity` (elasticity 1): a turned-away lead buys at its decision with probability 0.12 x q / q_bar, and under half decide within 12 months; an SQL is won with probability `win_rate` (0.25)",
        ),
    ];
    let mut md = String::from(
        "# The field's figures in the default world\n\n\
         Generated by `tests/field_figures.rs` from the baseline (\"today\") of \
         `data/scenarios/handover.toml`: every MQL handed to four SDRs, the historical process \
         of the bundled history (docs/model.md section 8). Do not edit by hand; \
         `LEADSIM_WRITE_DOCS=1 cargo test --release --test field_figures` rewrites it, and the \
         test fails when this page and the code disagree. Grades as in docs/model.md section 3; \
         the bands are those of `shared/MODEL.md` section 8.4.\n\n",
    );
    md.push_str(&format!(
        "Simulated: {reps} replications of seed {}, 95% intervals (Student t over \
         replications; for shares of leads, a normal interval of a proportion over the \
         rejected leads of every replication).\n\n",
        r.seed
    ));
    md.push_str(
        "| figure | source | band | simulated | the knob behind it |\n|---|---|---|---|---|\n",
    );
    for (figure, source, band, value, knob) in rows {
        md.push_str(&format!(
            "| {figure} | {source} | {band} | {value} | {knob} |\n"
        ));
    }
    md.push_str(
        "\nWhy recovered revenue stays below won revenue: sales wins a quarter of its SQLs at \
         once, while a lead sales turned away buys from us only if it decides within the year \
         (45% under the default law: `pi (1 - exp(-(12 / scale)^shape))` = 0.449) and then picks us (8% x 1.5 for an average lead, less \
         for the weak leads that make up most of the turned-away ones, by the elasticity law \
         of docs/model.md section 2).\n",
    );
    let path = root().join("docs/field-figures.md");
    if std::env::var_os("LEADSIM_WRITE_DOCS").is_some() {
        std::fs::write(&path, &md).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == md,
        "{} is out of date; run LEADSIM_WRITE_DOCS=1 cargo test --release --test field_figures\n\n{md}",
        Path::new("docs/field-figures.md").display()
    );
}
