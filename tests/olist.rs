//! The Olist marketing funnel (8,000 MQLs, 842 closed deals; CC BY-NC-SA 4.0, so it is read
//! from ../shared/data and never copied into the repository): the reader takes it through a
//! mapping, and calibration says what it supports. Run with
//! `cargo test --release --test olist -- --ignored --nocapture`.
//!
//! The join (documented in docs/calibrate.md): one row per MQL of
//! `olist_marketing_qualified_leads_dataset.csv` (`mql_id`, `first_contact_date`, `origin`),
//! with `won_date` from `olist_closed_deals_dataset.csv` where the MQL closed, mapped as
//! `lead_id = mql_id`, `mql_at = first_contact_date`, `won_at = won_date`, `segment = origin`;
//! Olist records no SQL date, so `sql_at = won_date` too (a closed deal was an SQL by then).

use std::io::Write;
use std::path::{Path, PathBuf};

use leadsim::calibrate::{calibrate, Source};
use leadsim::history::{read_history, ColumnMap, ReadOptions};
use leadsim::Error;

fn olist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/olist-marketing-funnel")
}

/// Writes the joined leads table, leaving out the MQLs in `skip`.
fn join(out: &Path, skip: &[String]) -> usize {
    let mut won = std::collections::HashMap::new();
    let mut deals = csv::Reader::from_path(olist().join("olist_closed_deals_dataset.csv")).unwrap();
    for r in deals.records() {
        let r = r.unwrap();
        won.insert(r[0].to_string(), r[4].to_string());
    }
    let mut mqls =
        csv::Reader::from_path(olist().join("olist_marketing_qualified_leads_dataset.csv"))
            .unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    writeln!(f, "mql_id,first_contact_date,origin,won_date").unwrap();
    let mut n = 0;
    for r in mqls.records() {
        let r = r.unwrap();
        if skip.iter().any(|s| s == &r[0]) {
            continue;
        }
        let w = won.get(&r[0]).map_or("", String::as_str);
        writeln!(f, "{},{},{},{}", &r[0], &r[1], &r[3], w).unwrap();
        n += 1;
    }
    n
}

fn options() -> ReadOptions {
    let columns = ColumnMap::from_toml_str(
        r#"
        [leads]
        lead_id = "mql_id"
        mql_at = "first_contact_date"
        sql_at = "won_date"
        won_at = "won_date"
        segment = "origin"
        "#,
        "olist mapping",
    )
    .unwrap();
    ReadOptions {
        columns,
        ..Default::default()
    }
}

#[test]
#[ignore = "reads ../shared/data/olist-marketing-funnel (CC BY-NC-SA; not in the repository)"]
fn olist_reads_through_a_mapping_and_supports_arrivals_share_won_and_time_to_win() {
    let dir = tempfile::tempdir().unwrap();
    let leads = dir.path().join("olist-leads.csv");
    assert_eq!(join(&leads, &[]), 8000);
    // One closed deal is dated two days before its MQL's first contact (a quirk noted in
    // SOURCES.md): the reader refuses it and names it.
    let bad = match read_history(&leads, None, &options()) {
        Err(Error::EventOrder {
            line,
            lead_id,
            field,
            ..
        }) => {
            eprintln!("refused: line {line}, lead {lead_id}, {field}");
            assert!(field.starts_with("sql_at"), "{field}");
            lead_id
        }
        other => panic!("expected the -2 day deal to be refused: {other:?}"),
    };
    assert_eq!(join(&leads, &[bad]), 7999);
    let h = read_history(&leads, None, &options()).unwrap();
    let c = calibrate(&h);
    let a = &c.arrivals;
    eprintln!(
        "arrivals: {} to {} ({} days), calendar {:?}: {}",
        a.first_day, a.last_day, a.days, a.calendar, a.evidence
    );
    eprintln!(
        "rate per day {:.2} (95% {:.2} to {:.2}), dispersion {:.1}",
        a.rate_per_day.value,
        a.rate_per_day.lo.unwrap(),
        a.rate_per_day.hi.unwrap(),
        a.dispersion
    );
    eprintln!(
        "weekday profile: {:?}",
        a.weekday_profile
            .iter()
            .map(|e| (e.value * 100.0).round() / 100.0)
            .collect::<Vec<_>>()
    );
    eprintln!(
        "MQLs {}, won {}, share won {:.4} (95% {:.4} to {:.4})",
        c.funnel.mqls,
        c.funnel.won,
        c.funnel.mql_to_sql.value,
        c.funnel.mql_to_sql.lo.unwrap(),
        c.funnel.mql_to_sql.hi.unwrap()
    );
    let km = &c.curves.mql_to_won;
    for days in [14.0, 30.0, 90.0, 180.0, 365.0] {
        eprintln!(
            "won within {days} days of first contact: {:.4}",
            1.0 - km.survival_at(days)
        );
    }
    eprintln!(
        "segment | MQLs | won | share won (95%) | won within 365 d (95%) | median days to win"
    );
    for s in &c.segments {
        eprintln!(
            "{} | {} | {} | {:.3} ({:.3} to {:.3}) | {:.3} ({:.3} to {:.3}) | {}",
            if s.segment.is_empty() {
                "(blank)"
            } else {
                &s.segment
            },
            s.mqls,
            s.won,
            s.won_share.value,
            s.won_share.lo.unwrap(),
            s.won_share.hi.unwrap(),
            s.won_within_365d.value,
            s.won_within_365d.lo.unwrap_or(f64::NAN),
            s.won_within_365d.hi.unwrap_or(f64::NAN),
            s.median_days_to_win
                .map_or("-".into(), |d| format!("{d:.0}"))
        );
    }
    for (name, e) in [
        ("win_rate", &c.sales.win_rate),
        ("sales_cycle", &c.sales.cycle_median_days),
        ("deal_value", &c.sales.deal_median),
        ("pi_share", &c.nurture.pi_share),
    ] {
        if let Source::Default { reason } = &e.source {
            eprintln!("{name}: default kept: {reason}");
        }
    }
    // What the export supports, checked against SOURCES.md's counts: 841 of the 7,999 kept
    // MQLs closed (10.5%), a business-hours B2B funnel over about a year, a median of 14 days
    // from first contact to won.
    assert_eq!((c.funnel.mqls, c.funnel.won), (7999, 841));
    assert!(c.funnel.mql_to_sql.covers(841.0 / 7999.0));
    assert!(a.days > 300);
    assert!(c.segments.len() >= 10);
    let paid = c
        .segments
        .iter()
        .find(|s| s.segment == "paid_search")
        .unwrap();
    let email = c.segments.iter().find(|s| s.segment == "email").unwrap();
    assert!(paid.won_share.lo.unwrap() > email.won_share.hi.unwrap());
    // What it cannot inform keeps its default, saying why: sql_at equals won_at, so there is
    // no cycle; there are no amounts and no purchases.
    assert!(matches!(
        c.sales.cycle_median_days.source,
        Source::Default { .. }
    ));
    assert!(matches!(c.sales.deal_median.source, Source::Default { .. }));
    assert!(matches!(c.nurture.pi_share.source, Source::Default { .. }));
    assert!(c.contact.is_none() && c.pools.is_empty());
}
