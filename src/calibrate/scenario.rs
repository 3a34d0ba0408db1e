//! The calibrated scenario: a complete, runnable `scenario.toml` whose baseline is the
//! historical process, with a comment beside every value (estimate, 95% interval, records and
//! method, or "default" and why), and its population table (`population.csv`: the export's
//! leads with their scores and arrival hours).
//!
//! **Population.** The table has a score column and no propensity column: under docs/model.md section 8.2 a
//! scored table without `propensity_column` is calibrated per score decile so that simulating
//! the historical process reproduces the history's SQL rate. Without scores every lead gets
//! the export's SQL rate as its score (a calibrated score without information is the base
//! rate). The `mql_hours` column holds each lead's arrival in hours since the run's start
//! (Monday 00:00 of the first MQL's week, in the export's zone), so that
//! `arrivals.replay = "mql_hours"` replays the history's own arrivals.
//!
//! **Observed outcomes.** With an `sql_at` column the table also holds `sql`, each lead's
//! observed outcome (1: an SQL by the export date, 0: not), and the scenario sets
//! `label_column = "sql"`: each score decile is calibrated to its observed SQL rate rather than
//! its mean score, which a real CRM's scores need not equal. **Choice** (censoring): a lead
//! whose MQL is less than [`PROCESS_DAYS`] before the export date is too young for its call
//! process to be over, and its `sql` is left empty (not observed), SQL or not, so the young
//! leads neither count as failures nor only as successes; these are the leads the back-test
//! leaves out of its SQL rates for the same reason (docs/calibrate.md).
//!
//! **Choices** where the export is silent (each also said in a comment of the file): queue
//! discipline `fifo`, `skill = 1` (not separable from propensity), no patience (a lead that
//! went cold looks like one never called), rep cost at its default, the SLA at its default,
//! `nurture.enabled = false` (the purchases observed already include whatever nurturing was
//! done, so `share` is the observed one, with no lift on top).

use std::fmt::Write as _;

use crate::calibrate::backtest::PROCESS_DAYS;
use crate::calibrate::estimate::{Estimate, Source};
use crate::calibrate::Calibration;
use crate::history::time::{weekday_of_day, DAY, HOUR};
use crate::history::History;
use crate::sim::model::defaults as sim;

/// The population table's file name, beside `scenario.toml`.
pub const POPULATION_FILE: &str = "population.csv";
/// The baseline scenario's name.
pub const BASELINE: &str = "history";
/// Warm-up days of the calibrated scenario (the export does not show the queue it started
/// with; two weeks cover the default cadence).
pub const WARMUP_DAYS: u32 = 14;

/// Four significant digits, without trailing zeros.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "nan".into();
    }
    if x == 0.0 {
        return "0.0".into();
    }
    let digits = (4 - 1 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

/// The short comment beside a value: `estimate (95% lo to hi), N records` or `default: why`.
pub fn brief(e: &Estimate) -> String {
    let mut s = match &e.source {
        Source::Estimated => match (e.lo, e.hi) {
            (Some(lo), Some(hi)) => format!(
                "estimate {} (95% {} to {}), {} records",
                num(e.value),
                num(lo),
                num(hi),
                e.records
            ),
            _ => format!("estimate {}, {} records", num(e.value), e.records),
        },
        Source::Default { reason } => format!("default: {reason}"),
        Source::Fixed { reason } => format!("fixed: {reason}"),
    };
    if let Some(n) = &e.note {
        let _ = write!(s, "; {n}");
    }
    s
}

/// The method line above a value (none for defaults: their reason is beside the value).
fn method(out: &mut String, e: &Estimate) {
    if e.is_estimated() {
        let _ = writeln!(out, "# method: {}", e.method);
    }
}

fn line(out: &mut String, key: &str, value: &str, e: &Estimate) {
    method(out, e);
    let _ = writeln!(out, "{key} = {value}  # {}", brief(e));
}

fn array(out: &mut String, key: &str, es: &[Estimate], values: &[f64]) {
    let _ = writeln!(out, "{key} = [");
    for (i, (e, v)) in es.iter().zip(values).enumerate() {
        let _ = writeln!(out, "  {},  # [{i}] {}", num(*v), brief(e));
    }
    if let Some(e) = es.first() {
        if e.is_estimated() {
            let _ = writeln!(out, "  # method: {}", e.method);
        }
    }
    let _ = writeln!(out, "]");
}

/// The run's hour 0: Monday 00:00 (local) of the week of the first MQL, as an instant.
pub fn run_origin(h: &History) -> i64 {
    let first = h.leads.mql_at.iter().copied().min().unwrap_or(h.as_of);
    let local_day = h.zone.local(first).day;
    let monday = local_day - weekday_of_day(local_day) as i64;
    // The instant of local midnight that day: shift by the zone's offset there.
    let guess = monday * DAY;
    guess - h.zone.offset_at(guess)
}

/// Hours since the run's origin.
pub fn hours_since(origin: i64, t: i64) -> f64 {
    (t - origin) as f64 / HOUR as f64
}

/// The population table's column of observed outcomes.
pub const LABEL_COLUMN: &str = "sql";

/// Whether lead `i`'s SQL outcome is observed in full at the export date: its MQL is at least
/// [`PROCESS_DAYS`] before it.
fn observed(h: &History, i: usize) -> bool {
    h.leads.mql_at[i] + (PROCESS_DAYS * DAY as f64) as i64 <= h.as_of
}

/// The leads whose outcome the population's [`LABEL_COLUMN`] gives: every lead old enough
/// ([`observed`]) when the export has an `sql_at` column, else none (then the table has no
/// label column).
pub fn labelled_leads(h: &History) -> usize {
    if !h.leads.sql_at.is_mapped() {
        return 0;
    }
    (0..h.leads.len()).filter(|&i| observed(h, i)).count()
}

/// The population table: `lead_id, score, mql_hours`, and `sql` (1, 0, or empty while too
/// young) when [`labelled_leads`] is positive.
pub fn population_csv(h: &History, c: &Calibration) -> String {
    let l = &h.leads;
    let origin = run_origin(h);
    let base = c.funnel.mql_to_sql.value;
    let labels = labelled_leads(h) > 0;
    let mut s = String::with_capacity(l.len() * 34);
    s.push_str("lead_id,score,mql_hours");
    s.push_str(if labels { ",sql\n" } else { "\n" });
    for i in 0..l.len() {
        let score = if l.score.is_mapped() {
            l.score.get(i).unwrap_or(base)
        } else {
            base
        };
        let id = l.ids.id(i);
        let id = if id.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", id.replace('"', "\"\""))
        } else {
            id.to_string()
        };
        let _ = write!(s, "{id},{score:.6},{:.4}", hours_since(origin, l.mql_at[i]));
        if labels {
            s.push_str(match (observed(h, i), l.sql_at.get(i).is_some()) {
                (false, _) => ",",
                (true, true) => ",1",
                (true, false) => ",0",
            });
        }
        s.push('\n');
    }
    s
}

/// Score bands of the pools: pools ordered by their leads' median score, each boundary
/// halfway between neighbours' medians (one pool: `[0, 1]`).
fn bands(h: &History) -> Vec<[f64; 2]> {
    let l = &h.leads;
    let n = l.pool.names.len();
    if n <= 1 || !l.score.is_mapped() {
        return vec![[0.0, 1.0]; n.max(1)];
    }
    let mut medians: Vec<(f64, usize)> = (0..n)
        .map(|p| {
            let mut s: Vec<f64> = (0..l.len())
                .filter(|&i| l.pool.of_lead[i] as usize == p)
                .filter_map(|i| l.score.get(i))
                .collect();
            (crate::stats::median(&mut s).unwrap_or(0.5), p)
        })
        .collect();
    medians.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = vec![[0.0, 1.0]; n];
    for (k, &(_, p)) in medians.iter().enumerate() {
        let lo = if k == 0 {
            0.0
        } else {
            (medians[k - 1].0 + medians[k].0) / 2.0
        };
        let hi = if k + 1 == n {
            1.0
        } else {
            (medians[k].0 + medians[k + 1].0) / 2.0
        };
        out[p] = [lo, hi];
    }
    out
}

/// The text of `scenario.toml`. `source` names the export in the header.
pub fn scenario_toml(h: &History, c: &Calibration, source: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Calibrated by `leadsim calibrate` from {source}, export date {}, zone {}.\n\
         # The baseline scenario \"{BASELINE}\" is the historical process. Every value carries a \
         comment:\n# the estimate with its 95% interval and the records it rests on (the \
         method above it), or\n# \"default\" and why the export cannot inform it. Add \
         [[scenario]] tables below to compare policies.\n",
        c.as_of, c.zone
    );
    let _ = writeln!(o, "name = \"Calibrated: {}\"", source.replace('"', "'"));
    let _ = writeln!(o, "seed = {}", sim::DEFAULT_SEED);
    let _ = writeln!(o, "replications = 50\n");

    // Population.
    let _ = writeln!(o, "[population]");
    let _ = writeln!(
        o,
        "# the export's {} leads with their scores{}; no propensity_column: the propensity is \
         calibrated per\n# score decile so that the historical process reproduces the \
         history's SQL rate (docs/model.md section 8.2)",
        h.leads.len(),
        if h.leads.score.is_mapped() {
            ""
        } else {
            " (the export has none: every lead gets the SQL rate as its score)"
        }
    );
    let _ = writeln!(o, "table = \"{POPULATION_FILE}\"");
    let labelled = labelled_leads(h);
    if labelled > 0 {
        let _ = writeln!(o, "score_column = \"score\"");
        let young = h.leads.len() - labelled;
        let _ = writeln!(
            o,
            "# label_column: each lead's observed outcome, 1 an SQL by the export date, 0 not; {}",
            if young == 0 {
                format!(
                    "every MQL is at least\n# {PROCESS_DAYS:.0} days before the export date, so \
                     every outcome is observed in full"
                )
            } else {
                format!(
                    "empty for the {young} leads\n# whose MQL is less than {PROCESS_DAYS:.0} days \
                     before the export date (too young to be observed in full)"
                )
            }
        );
        let _ = writeln!(
            o,
            "label_column = \"{LABEL_COLUMN}\"  # each score decile is calibrated to its observed \
             SQL rate ({labelled} leads), not to its mean score\n"
        );
    } else {
        let _ = writeln!(
            o,
            "score_column = \"score\"  # no label_column: {}\n",
            if h.leads.sql_at.is_mapped() {
                format!(
                    "no lead's MQL is {PROCESS_DAYS:.0} days before the export date, so no \
                     outcome is observed in full"
                )
            } else {
                "the export has no sql_at column".to_string()
            }
        );
    }

    // Arrivals.
    let a = &c.arrivals;
    let origin = run_origin(h);
    let last = h.leads.mql_at.iter().copied().max().unwrap_or(h.as_of);
    let days = ((last - origin) / DAY + 1).max(1) as u32;
    let _ = writeln!(o, "[arrivals]");
    line(
        &mut o,
        "rate_per_day",
        &num(a.rate_per_day.value),
        &a.rate_per_day,
    );
    let _ = writeln!(
        o,
        "arrival_days = {days}  # the export's span: from Monday {} to its last MQL ({})",
        a.first_day, a.last_day
    );
    let _ = writeln!(
        o,
        "warmup_days = {}  # default: the export does not show the queue it started with",
        WARMUP_DAYS.min(days.saturating_sub(1))
    );
    let cal = match a.calendar {
        crate::calibrate::arrivals::Calendar::Business => "business",
        crate::calibrate::arrivals::Calendar::Always => "always",
    };
    let _ = writeln!(o, "calendar = \"{cal}\"  # {}", a.evidence);
    let wv: Vec<f64> = a.weekday_profile.iter().map(|e| e.value).collect();
    array(&mut o, "weekday_profile", &a.weekday_profile, &wv);
    let hv: Vec<f64> = a.hour_profile.iter().map(|e| e.value).collect();
    array(&mut o, "hour_profile", &a.hour_profile, &hv);
    let _ = writeln!(
        o,
        "# replay = \"mql_hours\"  # uncomment to replay the history's own arrival times\n"
    );

    // Pools.
    let band = bands(h);
    let names = &h.leads.pool.names;
    for (k, name) in names.iter().enumerate() {
        let _ = writeln!(o, "[pools.{}]", toml_key(name));
        match c.pools.iter().find(|p| &p.name == name) {
            Some(p) => {
                line(
                    &mut o,
                    "count",
                    &format!("{}", p.reps.value.round().max(1.0)),
                    &p.reps,
                );
                if p.always {
                    let _ = writeln!(o, "hours = \"always\"  # calls around the clock");
                } else {
                    let days: Vec<String> = p
                        .days
                        .iter()
                        .zip(crate::sim::model::DAY_NAMES)
                        .filter(|(w, _)| **w)
                        .map(|(_, d)| format!("\"{d}\""))
                        .collect();
                    let days = if days.is_empty() {
                        vec!["\"mon\"".to_string()]
                    } else {
                        days
                    };
                    let (start, end) = (
                        p.start_hour.value,
                        p.end_hour.value.max(p.start_hour.value + 0.25),
                    );
                    let _ = writeln!(
                        o,
                        "# hours: {}; start {}; end {}",
                        p.days_text,
                        brief(&p.start_hour),
                        brief(&p.end_hour)
                    );
                    let _ = writeln!(
                        o,
                        "hours = {{ days = [{}], start = {}, end = {} }}  # {:.0}% of calls fall inside",
                        days.join(", "),
                        num(start),
                        num(end.min(24.0)),
                        100.0 * p.inside_share
                    );
                }
                let _ = writeln!(
                    o,
                    "# handle_minutes: mean {}; cv {}",
                    brief(&p.handle_mean),
                    brief(&p.handle_cv)
                );
                method(&mut o, &p.handle_mean);
                let _ = writeln!(
                    o,
                    "handle_minutes = {{ dist = \"lognormal\", mean = {}, cv = {} }}",
                    num(p.handle_mean.value),
                    num(p.handle_cv.value)
                );
                let _ = writeln!(
                    o,
                    "# talk_minutes: mean {}; cv {}",
                    brief(&p.talk_mean),
                    brief(&p.talk_cv)
                );
                method(&mut o, &p.talk_mean);
                let _ = writeln!(
                    o,
                    "talk_minutes = {{ dist = \"lognormal\", mean = {}, cv = {} }}",
                    num(p.talk_mean.value),
                    num(p.talk_cv.value.max(0.01))
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "count = 4  # default: no attempts table, so the reps cannot be counted\n\
                     hours = {{ days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"], start = {}, end = {} }}  # default: no attempts table\n\
                     handle_minutes = {{ dist = \"lognormal\", mean = 8.0, cv = 0.5 }}  # default: no attempts table\n\
                     talk_minutes = {{ dist = \"lognormal\", mean = 20.0, cv = 0.5 }}  # default: no attempts table",
                    num(sim::DEFAULT_SHIFT_START),
                    num(sim::DEFAULT_SHIFT_END)
                );
            }
        }
        let _ = writeln!(
            o,
            "skill = 1.0  # default: a pool's skill cannot be told apart from the leads' propensity"
        );
        let _ = writeln!(
            o,
            "cost_per_hour = {}  # default: the export has no costs",
            num(sim::DEFAULT_COST_PER_HOUR)
        );
        let _ = writeln!(
            o,
            "discipline = \"fifo\"  # default: the export does not show the queue order"
        );
        let _ = writeln!(
            o,
            "band = [{}, {}]  # {}\n",
            num(band[k][0]),
            num(band[k][1]),
            if names.len() == 1 {
                "one pool serves every score".to_string()
            } else {
                "pools ordered by their leads' median score, bounds halfway between".to_string()
            }
        );
    }

    // Policy.
    let _ = writeln!(o, "[policy]");
    match &c.handover.threshold {
        Some(t) => line(&mut o, "threshold", &num(t.value), t),
        None => {
            let _ = writeln!(
                o,
                "threshold = 0.0  # every lead is handed over: share handed over {}",
                brief(&c.handover.share)
            );
        }
    }
    let why = "no attempts table";
    let (cap_est, mut gaps, contactable, reach) = match (&c.cadence, &c.contact) {
        (Some(cd), Some(ct)) => (
            Some(cd.max_attempts.clone()),
            cd.gaps.clone(),
            ct.contactable.clone(),
            ct.reach.clone(),
        ),
        _ => (
            None,
            Vec::new(),
            Estimate::default_value(sim::DEFAULT_CONTACTABLE, 0, why),
            sim::DEFAULT_REACH
                .iter()
                .map(|&r| Estimate::default_value(r, 0, why))
                .collect::<Vec<_>>(),
        ),
    };
    let cap = cap_est
        .as_ref()
        .map_or(sim::DEFAULT_MAX_ATTEMPTS as usize, |e| {
            e.value.max(1.0) as usize
        });
    gaps.truncate(cap - 1);
    while gaps.len() < cap - 1 {
        let k = gaps.len();
        gaps.push(Estimate::default_value(
            sim::DEFAULT_GAPS[k.min(sim::DEFAULT_GAPS.len() - 1)],
            0,
            format!("no gap observed after attempt {}", k + 1),
        ));
    }
    match &cap_est {
        Some(e) => line(&mut o, "max_attempts", &cap.to_string(), e),
        None => {
            let _ = writeln!(o, "max_attempts = {cap}  # default: {why}");
        }
    }
    let gv: Vec<f64> = gaps.iter().map(|e| e.value).collect();
    if gaps.is_empty() {
        let _ = writeln!(o, "gap_hours = []  # one attempt per lead");
    } else {
        array(&mut o, "gap_hours", &gaps, &gv);
    }
    line(&mut o, "contactable", &num(contactable.value), &contactable);
    let mut reach = reach;
    while reach.len() < cap {
        let last = reach.last().cloned().unwrap_or_else(|| {
            Estimate::default_value(sim::DEFAULT_REACH[0], 0, "no attempts table")
        });
        reach.push(last);
    }
    let rv: Vec<f64> = reach.iter().map(|e| e.value.clamp(0.0, 1.0)).collect();
    array(&mut o, "reach", &reach, &rv);
    let st = &c.speed_to_lead;
    let _ = writeln!(
        o,
        "# speed_to_lead: {}{}\n# WARNING: {}",
        st.method,
        st.default_reason
            .as_ref()
            .map(|r| format!(" (default: {r})"))
            .unwrap_or_default(),
        st.warning
    );
    for b in &st.bins {
        let _ = writeln!(
            o,
            "#   delay {} to {} h (median {} h): {} reached, multiplier {}",
            num(b.lo_hours),
            if b.hi_hours.is_finite() {
                num(b.hi_hours)
            } else {
                "more".into()
            },
            num(b.median_hours),
            b.reached,
            brief(&b.multiplier)
        );
    }
    let pts: Vec<String> = st
        .table
        .iter()
        .map(|(hh, m)| format!("[{}, {}]", num(*hh), num(*m)))
        .collect();
    let _ = writeln!(o, "speed_to_lead = {{ table = [{}] }}", pts.join(", "));
    let _ = writeln!(
        o,
        "sla_hours = {}  # default: a response target is a policy, not a fact of the export",
        num(sim::DEFAULT_SLA_HOURS)
    );
    let _ = writeln!(
        o,
        "# no patience_hours: a lead that went cold looks like one that was never called"
    );
    let _ = writeln!(
        o,
        "nurture = {{ enabled = false, lift = 1.0, cost_per_lead_month = 0.0 }}  # the observed \
         purchases already include whatever nurturing was done\n"
    );

    // Outcomes.
    let s = &c.sales;
    let n = &c.nurture;
    let _ = writeln!(o, "[outcomes]");
    line(&mut o, "win_rate", &num(s.win_rate.value), &s.win_rate);
    let _ = writeln!(
        o,
        "# sales_cycle_days: median {}; sigma {}",
        brief(&s.cycle_median_days),
        brief(&s.cycle_sigma)
    );
    method(&mut o, &s.cycle_median_days);
    let _ = writeln!(
        o,
        "sales_cycle_days = {{ dist = \"lognormal\", median = {}, sigma = {} }}",
        num(s.cycle_median_days.value),
        num(s.cycle_sigma.value)
    );
    let _ = writeln!(
        o,
        "# deal_value: median {}; sigma {}",
        brief(&s.deal_median),
        brief(&s.deal_sigma)
    );
    method(&mut o, &s.deal_median);
    let _ = writeln!(
        o,
        "deal_value = {{ dist = \"lognormal\", median = {}, sigma = {} }}",
        num(s.deal_median.value),
        num(s.deal_sigma.value)
    );
    let _ = writeln!(o, "# decision: {}", n.note);
    let _ = writeln!(
        o,
        "#   pi {}\n#   scale_months {}\n#   shape {}\n#   pi * share {}",
        brief(&n.pi),
        brief(&n.scale_months),
        brief(&n.shape),
        brief(&n.pi_share)
    );
    let _ = writeln!(
        o,
        "decision = {{ pi = {}, scale_months = {}, shape = {} }}",
        num(n.pi.value),
        num(n.scale_months.value),
        num(n.shape.value)
    );
    line(
        &mut o,
        "share",
        &num(n.share.value.clamp(0.0, 1.0)),
        &n.share,
    );
    let _ = writeln!(
        o,
        "\n[[scenario]]\nname = \"{BASELINE}\"  # the historical process"
    );
    o
}

/// A pool name as a TOML key.
fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
