//! Reading a history export: every bad input is a typed error naming where it is; the shipped
//! Salesforce and HubSpot mappings read their example files; timestamps with offsets, dates
//! alone and time-zone conversion; dispositions; warnings counted once; files out of order.

use std::path::{Path, PathBuf};

use leadsim::calibrate::calibrate;
use leadsim::history::{read_history, ColumnMap, History, ReadOptions, WarningKind, Zone};
use leadsim::Error;

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Self {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

const LEADS: &str = "lead_id,mql_at,score,sql_at,won_at\n\
    a,2026-03-02T09:00:00Z,0.5,2026-03-03,2026-04-01\n\
    b,2026-03-02T10:00:00Z,0.2,,\n\
    c,2026-03-03 11:00,0.7,,\n";

const CALLS: &str = "lead_id,started_at,duration_minutes,connected\n\
    a,2026-03-02T09:30:00Z,5,no\n\
    a,2026-03-02T11:30:00Z,20,yes\n\
    b,2026-03-02T12:00:00Z,3,no\n";

fn read(leads: &Path, calls: Option<&Path>, options: &ReadOptions) -> Result<History, Error> {
    read_history(leads, calls, options)
}

fn read_default(leads: &Path, calls: Option<&Path>) -> Result<History, Error> {
    read(leads, calls, &ReadOptions::default())
}

#[test]
fn a_clean_export_reads_and_counts() {
    let f = Files::new();
    let h = read_default(&f.write("l.csv", LEADS), Some(&f.write("c.csv", CALLS))).unwrap();
    assert_eq!(h.leads.len(), 3);
    let a = h.attempts.as_ref().unwrap();
    assert_eq!(a.rows, 3);
    assert_eq!(a.leads.count, vec![2, 1, 0]);
    assert_eq!(a.leads.first_contact, vec![2, 0, 0]);
    // The export date defaults to the last event: won_at 2026-04-01 00:00 UTC.
    assert_eq!(h.zone.format(h.as_of), "2026-04-01T00:00:00+00:00");
    // Gap after attempt 1: 11:30 - (09:30 + 5 min) = 1h55.
    let gaps = &a.pools[0].gaps[0];
    assert_eq!(gaps.len(), 1);
    assert!((gaps.quantile(0.5) - 115.0 / 60.0).abs() < 0.01);
}

#[test]
fn unparseable_timestamps_name_file_line_column_and_value() {
    let f = Files::new();
    let leads = f.write(
        "l.csv",
        "lead_id,mql_at\na,2026-03-02\nb,03/02/2026 10:00\n",
    );
    match read_default(&leads, None) {
        Err(Error::BadTimestamp {
            path,
            line,
            column,
            value,
            ..
        }) => {
            assert_eq!(path, leads);
            assert_eq!(
                (line, column.as_str(), value.as_str()),
                (3, "mql_at", "03/02/2026 10:00")
            );
        }
        other => panic!("{other:?}"),
    }
    let calls = f.write("c.csv", "lead_id,started_at\na,2026-03-02T25:00\n");
    let leads = f.write("l2.csv", "lead_id,mql_at\na,2026-03-02\n");
    let e = read_default(&leads, Some(&calls)).unwrap_err();
    assert!(matches!(e, Error::BadTimestamp { line: 2, .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("c.csv, line 2, column \"started_at\""),
        "{e}"
    );
}

#[test]
fn events_before_the_mql_and_deals_without_an_sql_are_errors() {
    let f = Files::new();
    let cases = [
        ("lead_id,mql_at,sql_at\na,2026-03-02,2026-03-01\n", "sql_at"),
        (
            "lead_id,mql_at,sql_at,won_at\na,2026-03-02,2026-03-02,2026-03-01\n",
            "won_at",
        ),
        (
            "lead_id,mql_at,sql_at,won_at\na,2026-03-02,2026-03-05,2026-03-04\n",
            "won_at",
        ),
    ];
    for (text, field) in cases {
        match read_default(&f.write("l.csv", text), None) {
            Err(Error::EventOrder {
                line: 2,
                field: got,
                lead_id,
                ..
            }) => {
                assert!(got.starts_with(field), "{got}");
                assert_eq!(lead_id, "a");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    let e = read_default(
        &f.write(
            "l.csv",
            "lead_id,mql_at,sql_at,won_at\na,2026-03-02,,\nb,2026-03-02,,2026-04-01\n",
        ),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::DealWithoutSql { line: 3, ref lead_id, .. } if lead_id == "b"),
        "{e:?}"
    );
}

#[test]
fn duplicate_and_unknown_leads_are_errors() {
    let f = Files::new();
    let e = read_default(
        &f.write(
            "l.csv",
            "lead_id,mql_at\na,2026-03-02\nb,2026-03-02\na,2026-03-03\n",
        ),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::DuplicateLead { line: 4, first_line: 2, ref lead_id, .. } if lead_id == "a"),
        "{e:?}"
    );
    let leads = f.write("l2.csv", LEADS);
    let calls = f.write(
        "c.csv",
        "lead_id,started_at,duration_minutes,connected\na,2026-03-02T09:30:00Z,5,no\nzz,2026-03-02T09:40:00Z,5,no\n",
    );
    let e = read_default(&leads, Some(&calls)).unwrap_err();
    assert!(
        matches!(e, Error::UnknownLead { line: 3, ref lead_id, .. } if lead_id == "zz"),
        "{e:?}"
    );
}

#[test]
fn an_export_date_before_the_last_event_is_an_error() {
    let f = Files::new();
    let leads = f.write("l.csv", LEADS);
    let calls = f.write("c.csv", CALLS);
    let early = |as_of: &str| ReadOptions {
        as_of: Some(as_of.into()),
        ..Default::default()
    };
    // The won_at of lead a (line 2) is the last event.
    match read(&leads, Some(&calls), &early("2026-03-20")) {
        Err(Error::AsOfBeforeEvent {
            line: 2,
            column,
            value,
            ..
        }) => {
            assert_eq!((column.as_str(), value.as_str()), ("won_at", "2026-04-01"));
        }
        other => panic!("{other:?}"),
    }
    // A date alone means the end of that day, so the day's own events are inside.
    let h = read(&leads, Some(&calls), &early("2026-04-01")).unwrap();
    assert_eq!(h.zone.format(h.as_of), "2026-04-02T00:00:00+00:00");
    assert!(matches!(
        read(&leads, None, &early("yesterday")),
        Err(Error::InvalidParameter { .. })
    ));
    // The last call counts too.
    let leads = f.write("l2.csv", "lead_id,mql_at\na,2026-03-02\n");
    let calls = f.write("c2.csv", "lead_id,started_at\na,2026-03-09T10:00:00Z\n");
    assert!(matches!(
        read(&leads, Some(&calls), &early("2026-03-05")),
        Err(Error::AsOfBeforeEvent { line: 2, .. })
    ));
}

#[test]
fn a_mapping_that_names_a_missing_column_is_an_error() {
    let f = Files::new();
    let leads = f.write("l.csv", LEADS);
    let mut columns = ColumnMap::new();
    columns.apply_override("sql_at=ConvertedDate").unwrap();
    let options = ReadOptions {
        columns,
        ..Default::default()
    };
    match read(&leads, None, &options) {
        Err(Error::MappedColumnMissing { field, column, .. }) => {
            assert_eq!(
                (field.as_str(), column.as_str()),
                (
                    "leads.sql_at (override sql_at=ConvertedDate)",
                    "ConvertedDate"
                )
            );
        }
        other => panic!("{other:?}"),
    }
    // Without a mapping, a required field needs a column of its own name.
    let e = read_default(&f.write("l2.csv", "leadid,mql_at\na,2026-03-02\n"), None).unwrap_err();
    assert!(
        matches!(e, Error::RequiredColumnMissing { ref field, .. } if field == "leads.lead_id"),
        "{e:?}"
    );
    assert!(e.to_string().contains("did you mean"), "{e}");
}

#[test]
fn offsets_dates_and_time_zones() {
    let f = Files::new();
    // 23:30 UTC on Monday is 01:30 on Tuesday in Berlin; a date alone is local midnight; a
    // time without offset is Berlin time.
    let leads = f.write(
        "l.csv",
        "lead_id,mql_at\na,2026-06-29T23:30:00Z\nb,2026-06-30\nc,2026-06-30 14:05\n",
    );
    let options = ReadOptions {
        zone: Zone::named("Europe/Berlin").unwrap(),
        ..Default::default()
    };
    let h = read(&leads, None, &options).unwrap();
    let z = &h.zone;
    let local: Vec<_> = h.leads.mql_at.iter().map(|&t| z.local(t)).collect();
    assert_eq!(
        local
            .iter()
            .map(|l| (l.weekday(), l.hour()))
            .collect::<Vec<_>>(),
        vec![(1, 1), (1, 0), (1, 14)]
    );
    assert_eq!(z.format(h.leads.mql_at[2]), "2026-06-30T14:05:00+02:00");
    let c = calibrate(&h);
    assert_eq!(c.arrivals.by_weekday[1], 3);
    assert_eq!(c.arrivals.by_hour[1], 1);
    // The same file in UTC puts lead a on Monday 23:00.
    let h = read_default(&leads, None).unwrap();
    assert_eq!(h.zone.local(h.leads.mql_at[0]).weekday(), 0);
}

#[test]
fn dispositions_need_a_mapping_unless_yes_no() {
    let f = Files::new();
    let leads = f.write("l.csv", LEADS);
    let calls = f.write(
        "c.csv",
        "lead_id,started_at,duration_minutes,connected\n\
         a,2026-03-02T09:30:00Z,5,Left voicemail\n\
         a,2026-03-02T11:30:00Z,20,Connected\n\
         b,2026-03-02T12:00:00Z,3,No answer\n",
    );
    match read_default(&leads, Some(&calls)) {
        Err(Error::BadValue { line: 2, value, .. }) => assert_eq!(value, "Left voicemail"),
        other => panic!("{other:?}"),
    }
    let mut columns = ColumnMap::new();
    columns.set_connected_values(vec!["connected".into()]);
    let options = ReadOptions {
        columns,
        ..Default::default()
    };
    let h = read(&leads, Some(&calls), &options).unwrap();
    let a = h.attempts.unwrap();
    assert_eq!(a.leads.first_contact, vec![2, 0, 0]);
    let mut d = a.dispositions.clone();
    d.sort();
    assert_eq!(
        d,
        vec![
            ("Connected".to_string(), 1, true),
            ("Left voicemail".to_string(), 1, false),
            ("No answer".to_string(), 1, false)
        ]
    );
}

#[test]
fn warnings_are_counted_and_named_once() {
    let f = Files::new();
    let leads = f.write("l.csv", LEADS);
    let calls = f.write(
        "c.csv",
        "lead_id,started_at,duration_minutes,connected\n\
         a,2026-03-02T09:30:00Z,,no\n\
         a,2026-03-02T10:30:00Z,,no\n\
         a,2026-03-02T11:30:00Z,20,yes\n\
         a,2026-03-02T13:30:00Z,30,yes\n\
         b,2026-03-02T12:00:00Z,,\n",
    );
    let h = read_default(&leads, Some(&calls)).unwrap();
    assert_eq!(h.warnings.count(WarningKind::AttemptNoDuration), 3);
    assert_eq!(h.warnings.count(WarningKind::ConnectedMissing), 1);
    assert_eq!(h.warnings.count(WarningKind::AttemptAfterContact), 1);
    let list = h.warnings.list();
    let w = list
        .iter()
        .find(|w| w.kind == WarningKind::AttemptNoDuration)
        .unwrap();
    assert!(
        w.message.starts_with("3 attempts have no duration"),
        "{}",
        w.message
    );
    assert!(w.message.contains("c.csv line 2"), "{}", w.message);
}

#[test]
fn an_attempts_file_out_of_order_gives_the_same_digest_as_a_sorted_one() {
    let f = Files::new();
    let leads = f.write("l.csv", LEADS);
    let sorted = f.write("s.csv", CALLS);
    let shuffled = f.write(
        "u.csv",
        "lead_id,started_at,duration_minutes,connected\n\
         a,2026-03-02T11:30:00Z,20,yes\n\
         b,2026-03-02T12:00:00Z,3,no\n\
         a,2026-03-02T09:30:00Z,5,no\n",
    );
    let a = read_default(&leads, Some(&sorted)).unwrap();
    let b = read_default(&leads, Some(&shuffled)).unwrap();
    let (da, db) = (a.attempts.unwrap(), b.attempts.unwrap());
    assert!(!da.sorted_in_memory && db.sorted_in_memory);
    assert_eq!(da.leads.count, db.leads.count);
    assert_eq!(da.leads.first_contact, db.leads.first_contact);
    assert_eq!(da.pools[0].gaps, db.pools[0].gaps);
    assert_eq!(da.pools[0].handling, db.pools[0].handling);
    assert_eq!(b.warnings.count(WarningKind::AttemptsSorted), 1);
}

#[test]
fn gzip_and_semicolons_read_like_plain_csv() {
    use std::io::Write;
    let f = Files::new();
    let p = f.dir.path().join("l.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(LEADS.replace(',', ";").as_bytes()).unwrap();
    std::fs::write(&p, gz.finish().unwrap()).unwrap();
    let h = read_default(&p, None).unwrap();
    assert_eq!(h.leads.len(), 3);
    assert_eq!(h.leads.sql_at.count(), 1);
}

#[test]
fn a_tiny_export_keeps_the_defaults_and_says_why() {
    let f = Files::new();
    let h = read_default(&f.write("l.csv", LEADS), Some(&f.write("c.csv", CALLS))).unwrap();
    let c = calibrate(&h);
    for (name, e) in [
        ("win_rate", &c.sales.win_rate),
        ("cycle", &c.sales.cycle_median_days),
        ("deal", &c.sales.deal_median),
        ("handle", &c.pools[0].handle_mean),
        ("talk", &c.pools[0].talk_mean),
        ("pi_share", &c.nurture.pi_share),
        ("cap", &c.cadence.as_ref().unwrap().max_attempts),
    ] {
        match &e.source {
            leadsim::calibrate::Source::Default { reason } => {
                assert!(!reason.is_empty(), "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(c.sales.win_rate.value, 0.25);
    assert!(c.speed_to_lead.default_reason.is_some());
    let contact = c.contact.as_ref().unwrap();
    assert!(!contact.identified);
}

fn shipped(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/history")
        .join(dir)
}

#[test]
fn the_salesforce_mapping_reads_its_example_files() {
    let d = shipped("salesforce");
    let options = ReadOptions {
        columns: ColumnMap::from_toml_file(d.join("columns.toml")).unwrap(),
        as_of: Some("2026-06-30".into()),
        ..Default::default()
    };
    let h = read(&d.join("leads.csv"), Some(&d.join("tasks.csv")), &options).unwrap();
    let l = &h.leads;
    assert_eq!(l.len(), 6);
    assert_eq!(l.ids.id(0), "00Q5e00000A1b2CEAR");
    assert_eq!(
        (l.sql_at.count(), l.won_at.count(), l.lost_at.count()),
        (3, 1, 1)
    );
    assert_eq!(l.disqualified_at.count(), 1);
    // Lead E has no Handed_To_Sales__c: retained.
    assert!(!l.handed_over(2));
    assert_eq!(l.amount.get(0), Some(24_000.0));
    assert_eq!(
        l.segment.names,
        vec!["Web", "Webinar", "Partner Referral", "Trade Show"]
    );
    let a = h.attempts.as_ref().unwrap();
    assert_eq!(a.rows, 10);
    // Lead D: no answer, voicemail, then connected on attempt 3; F meets on attempt 2.
    assert_eq!(a.leads.first_contact[1], 3);
    assert_eq!(a.leads.first_contact[3], 2);
    assert_eq!(a.reps.len(), 2);
    assert_eq!(h.warnings.count(WarningKind::AttemptNoDuration), 1);
    assert_eq!(h.warnings.count(WarningKind::ConnectedMissing), 1);
    // CallDurationInSeconds 41 is an unanswered call of 41/60 minutes.
    assert!(a.pools[0].handling.n >= 1);
    let c = calibrate(&h);
    assert_eq!(c.funnel.sqls, 3);
    assert_eq!(c.segments.len(), 4);
}

#[test]
fn the_hubspot_mapping_reads_its_example_files() {
    let d = shipped("hubspot");
    let options = ReadOptions {
        columns: ColumnMap::from_toml_file(d.join("columns.toml")).unwrap(),
        zone: Zone::named("America/New_York").unwrap(),
        as_of: Some("2026-06-30".into()),
        ..Default::default()
    };
    let h = read(
        &d.join("contacts.csv"),
        Some(&d.join("calls.csv")),
        &options,
    )
    .unwrap();
    let l = &h.leads;
    assert_eq!(l.len(), 5);
    assert_eq!((l.sql_at.count(), l.won_at.count()), (3, 1));
    // Local New York time (EST, UTC-5, before the 8 March change): 08:05 is 13:05 UTC.
    assert_eq!(h.zone.format(l.mql_at[0]), "2026-03-02T08:05:00-05:00");
    let a = h.attempts.as_ref().unwrap();
    assert_eq!(a.rows, 7);
    assert_eq!(a.leads.first_contact[2], 2);
    // "0:18:30" is read as clock text: 18.5 minutes, an answered call.
    assert_eq!(a.pools[0].answered.n, 3);
    assert!((a.pools[0].answered.s[0] - (21.0 + 18.5 + 1490.0 / 60.0)).abs() < 1e-9);
    assert!(!l.handed_over_at.is_mapped());
}
