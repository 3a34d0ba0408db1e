//! Calibration on synthetic exports built to test one thing each: deals cut in flight by the
//! export date, a handover threshold, working hours, too few attempts to identify
//! contactability, the arrival calendar, thread-count independence.

use leadsim::calibrate::arrivals::Calendar;
use leadsim::calibrate::{calibrate, Calibration, Source};
use leadsim::history::synth::{write_export, SynthParams};
use leadsim::history::{read_history, ReadOptions};

fn run(p: &SynthParams, seed: u64) -> Calibration {
    let dir = tempfile::tempdir().unwrap();
    let export = write_export(dir.path(), p, seed, false).unwrap();
    let options = ReadOptions {
        as_of: Some(export.as_of.clone()),
        ..Default::default()
    };
    let h = read_history(&export.leads, Some(export.attempts.as_path()), &options).unwrap();
    calibrate(&h)
}

#[test]
fn an_export_date_that_cuts_deals_in_flight_still_recovers_win_rate_and_cycle() {
    // The export ends 30 days after the last arrival: most deals of the last months are open
    // (the cycle's median is 60 days), and lost deals close faster (median 30 days) than won
    // ones, so won / (won + lost) among closed deals is biased low.
    let p = SynthParams {
        as_of_days: 182.0 + 30.0,
        ..SynthParams::default()
    };
    let (mut checks, mut covered) = (0usize, 0usize);
    let (mut cure_err, mut closed_err) = (0.0, 0.0);
    for seed in 1..=8 {
        let c = run(&p, seed);
        let s = &c.sales;
        assert!(
            s.open > s.sqls / 10,
            "seed {seed}: only {} of {} open",
            s.open,
            s.sqls
        );
        for (e, truth) in [
            (&s.win_rate, p.win_rate),
            (&s.cycle_median_days, p.cycle.0),
            (&s.cycle_sigma, p.cycle.1),
        ] {
            assert!(e.is_estimated());
            checks += 1;
            covered += usize::from(e.covers(truth));
        }
        cure_err += (s.win_rate.value - p.win_rate).abs();
        closed_err += (s.closed_win_rate.as_ref().unwrap().value - p.win_rate).abs();
    }
    // 24 intervals: binomial sd of the coverage at 0.95 is 0.044; allow 3 sd.
    let rate = covered as f64 / checks as f64;
    assert!(
        rate > 0.95 - 3.0 * (0.95 * 0.05 / checks as f64).sqrt(),
        "coverage {rate}"
    );
    assert!(
        cure_err < closed_err,
        "censoring: mean error {cure_err} of the cure model against {closed_err} of closed deals"
    );
}

#[test]
fn the_implied_threshold_and_the_handover_share() {
    let p = SynthParams {
        threshold: 0.3,
        arrival_days: 60,
        ..SynthParams::default()
    };
    let c = run(&p, 3);
    let t = c.handover.threshold.as_ref().unwrap();
    assert!(t.covers(0.3), "{t:?}");
    assert!((t.value - 0.3).abs() < 0.01);
    assert_eq!(c.handover.agreement, Some(1.0));
    // P(Beta(2, 5) >= 0.3) = 1 - I_0.3(2, 5) = 0.420175 (the regularised incomplete beta,
    // computed in closed form: sum_{j=2}^{6} C(6, j) 0.3^j 0.7^(6-j) = 0.579825).
    assert!(c.handover.share.covers(0.420_175), "{:?}", c.handover.share);
    // Retained leads are nurtured from their MQL.
    assert!(c.nurture.nurtured > c.funnel.mqls / 2);
}

#[test]
fn working_days_and_hours_come_from_the_call_starts() {
    let p = SynthParams {
        hours: Some((9.0, 17.0, [true, true, true, true, true, false, false])),
        arrival_days: 60,
        ..SynthParams::default()
    };
    let c = run(&p, 5);
    let pool = &c.pools[0];
    assert_eq!(pool.days_text, "mon-fri");
    assert_eq!((pool.start_hour.value, pool.end_hour.value), (9.0, 17.0));
    assert!(!pool.always);
    assert_eq!(pool.inside_share, 1.0);
    // Around the clock, every day and hour qualifies.
    let c = run(
        &SynthParams {
            arrival_days: 60,
            weekday_profile: [1.0; 7],
            ..SynthParams::default()
        },
        5,
    );
    assert!(c.pools[0].always, "{:?}", c.pools[0].calls_by_hour);
}

#[test]
fn two_attempts_per_lead_cannot_separate_contactability_from_reach() {
    let p = SynthParams {
        max_attempts: 2,
        arrival_days: 60,
        ..SynthParams::default()
    };
    let c = run(&p, 7);
    let contact = c.contact.as_ref().unwrap();
    assert!(!contact.identified);
    match &contact.contactable.source {
        Source::Fixed { reason } => {
            assert!(reason.contains("at most 2 attempts"), "{reason}");
            assert!(reason.contains("fixed at the default 0.6"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Given contactable = 0.6 (the truth here), the two hazards are still estimated.
    assert!(contact.reach[0].covers(0.39), "{:?}", contact.reach[0]);
    assert!(contact.reach[1].covers(0.54), "{:?}", contact.reach[1]);
}

#[test]
fn the_arrival_calendar_follows_the_weekends() {
    let business = run(
        &SynthParams {
            arrival_days: 60,
            ..SynthParams::default()
        },
        9,
    );
    assert_eq!(business.arrivals.calendar, Calendar::Business);
    assert_eq!(business.arrivals.weekend_ratio.value, 0.0);
    let always = run(
        &SynthParams {
            arrival_days: 60,
            weekday_profile: [1.0; 7],
            ..SynthParams::default()
        },
        9,
    );
    assert_eq!(always.arrivals.calendar, Calendar::Always);
    assert!(always.arrivals.weekend_ratio.covers(1.0));
    assert!(always.arrivals.rate_per_day.covers(110.0));
}

#[test]
fn speed_to_lead_table_starts_at_one_and_never_rises() {
    let c = run(&SynthParams::default(), 11);
    let t = &c.speed_to_lead.table;
    assert_eq!(t[0], (0.0, 1.0));
    assert!(
        t.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 <= w[0].1),
        "{t:?}"
    );
    assert!(c.speed_to_lead.adjusted_for_score);
    assert!(c.speed_to_lead.warning.contains("observational"));
    // The score predicts SQLs, so the top decile converts more than the bottom one.
    assert_eq!(c.deciles.len(), 10);
    assert!(c.deciles[9].sql_rate.value > 2.0 * c.deciles[0].sql_rate.value);
}

#[test]
fn the_same_export_calibrates_identically_on_1_2_and_8_threads() {
    let dir = tempfile::tempdir().unwrap();
    let p = SynthParams {
        arrival_days: 60,
        ..SynthParams::default()
    };
    let export = write_export(dir.path(), &p, 13, false).unwrap();
    let options = ReadOptions {
        as_of: Some(export.as_of.clone()),
        ..Default::default()
    };
    // Read inside the pool too: reading runs on threads of its own (a splitter and a parser
    // beside the caller), whatever the pool's size.
    let json = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let h = read_history(&export.leads, Some(export.attempts.as_path()), &options).unwrap();
            serde_json::to_string(&calibrate(&h)).unwrap()
        })
    };
    let one = json(1);
    assert_eq!(one, json(2));
    assert_eq!(one, json(8));
}
