//! Reading on three threads in batches (`data::batches`) must not show: the same export read
//! with one record per batch, a few, or the default batch gives the same history, the same
//! warnings and the same first error; the progress reports move forward to each file's size.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use super::synth::{write_export, SynthParams};
use super::{read_in_batches, ReadOptions, ReadProgress, ReadStage};
use crate::data::batches::BATCH_ROWS;
use crate::error::Error;

/// One record per batch puts every row on a batch boundary; 2 and 3 put failures at the start,
/// middle and end of batches; the default is what users get.
const SIZES: [usize; 4] = [1, 2, 3, BATCH_ROWS];

fn small_export(dir: &Path, gzip: bool) -> super::synth::SynthExport {
    let p = SynthParams {
        arrival_days: 15,
        rate_per_day: 20.0,
        ..SynthParams::default()
    };
    write_export(dir, &p, 5, gzip).unwrap()
}

fn read(leads: &Path, attempts: &Path, batch: usize) -> Result<super::History, Error> {
    read_in_batches(
        leads,
        Some(attempts),
        &ReadOptions::default(),
        batch,
        &|_| {},
    )
}

/// The attempts file with its data rows in reverse order (out of time order for every lead with
/// two calls, so it is read a second time and sorted).
fn reversed(from: &Path, to: PathBuf) -> PathBuf {
    let text = std::fs::read_to_string(from).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    std::fs::write(&to, lines.join("\n") + "\n").unwrap();
    to
}

#[test]
fn batch_boundaries_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for gzip in [false, true] {
        let e = small_export(&dir.path().join(format!("gz{gzip}")), gzip);
        let whole = format!("{:?}", read(&e.leads, &e.attempts, BATCH_ROWS).unwrap());
        for batch in SIZES {
            let h = read(&e.leads, &e.attempts, batch).unwrap();
            assert!(!h.attempts.as_ref().unwrap().sorted_in_memory);
            assert_eq!(format!("{h:?}"), whole, "batches of {batch}, gzip {gzip}");
        }
    }
    // The sorting pass reads in batches too.
    let e = small_export(&dir.path().join("plain"), false);
    let back = reversed(&e.attempts, dir.path().join("reversed.csv"));
    let whole = format!("{:?}", read(&e.leads, &back, BATCH_ROWS).unwrap());
    for batch in SIZES {
        let h = read(&e.leads, &back, batch).unwrap();
        assert!(h.attempts.as_ref().unwrap().sorted_in_memory);
        assert_eq!(format!("{h:?}"), whole, "reversed, batches of {batch}");
    }
}

/// Reads with every batch size and checks that each gives `expected` (the variant and line).
fn same_first_error(leads: &Path, attempts: Option<&Path>, expected: impl Fn(&Error) -> bool) {
    for batch in SIZES {
        let e =
            read_in_batches(leads, attempts, &ReadOptions::default(), batch, &|_| {}).unwrap_err();
        assert!(expected(&e), "batches of {batch}: {e:?}");
    }
}

#[test]
fn the_first_error_in_the_leads_is_the_one_reported() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    // A record whose id repeats an earlier one and whose mql_at is bad: the id comes first on
    // the record, so the duplicate is reported (its check needs the ids before it).
    let l = write(
        "dup_then_bad.csv",
        "lead_id,mql_at,score\na,2026-03-02,0.1\nb,2026-03-02,0.2\na,yesterday,0.3\nc,2026-03-02,7\n",
    );
    same_first_error(&l, None, |e| {
        matches!(
            e,
            Error::DuplicateLead {
                line: 4,
                first_line: 2,
                ..
            }
        )
    });
    // A bad score before a duplicate: the score, on the earlier line.
    let l = write(
        "bad_then_dup.csv",
        "lead_id,mql_at,score\na,2026-03-02,0.1\nb,2026-03-02,1.5\na,2026-03-02,0.3\n",
    );
    same_first_error(&l, None, |e| matches!(e, Error::BadValue { line: 3, .. }));
    // A duplicate before a ragged row (an error of the CSV stream itself): the duplicate.
    let l = write(
        "dup_then_ragged.csv",
        "lead_id,mql_at,score\na,2026-03-02,0.1\na,2026-03-02,0.2\nb,2026-03-02\n",
    );
    same_first_error(&l, None, |e| {
        matches!(e, Error::DuplicateLead { line: 3, .. })
    });
    // The ragged row first.
    let l = write(
        "ragged_then_dup.csv",
        "lead_id,mql_at,score\na,2026-03-02,0.1\nb,2026-03-02\na,2026-03-02,0.2\n",
    );
    same_first_error(&l, None, |e| matches!(e, Error::RaggedRow { line: 3, .. }));
}

#[test]
fn the_first_error_in_the_attempts_is_the_one_reported() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let leads = write(
        "leads.csv",
        "lead_id,mql_at\na,2026-03-02T09:00:00Z\nb,2026-03-02T10:00:00Z\n",
    );
    let head = "lead_id,started_at,duration_minutes,connected\n";
    // An unknown lead whose start is also unreadable: the lead, checked first on its record.
    let c = write(
        "unknown_and_bad.csv",
        &format!("{head}a,2026-03-02T09:30:00Z,5,no\nzz,later,5,no\nb,soon,5,no\n"),
    );
    same_first_error(
        &leads,
        Some(&c),
        |e| matches!(e, Error::UnknownLead { line: 3, lead_id, .. } if lead_id == "zz"),
    );
    // A bad start before an unknown lead.
    let c = write(
        "bad_then_unknown.csv",
        &format!("{head}a,2026-03-02T09:30:00Z,5,no\nb,later,5,no\nzz,2026-03-02T11:00:00Z,5,no\n"),
    );
    same_first_error(
        &leads,
        Some(&c),
        |e| matches!(e, Error::BadTimestamp { line: 3, column, .. } if column == "started_at"),
    );
    // An unknown lead before a ragged row, and a bad connected value after a good one.
    let c = write(
        "unknown_then_ragged.csv",
        &format!("{head}a,2026-03-02T09:30:00Z,5,no\nzz,2026-03-02T10:30:00Z,5,no\nb,1\n"),
    );
    same_first_error(&leads, Some(&c), |e| {
        matches!(e, Error::UnknownLead { line: 3, .. })
    });
    let c = write(
        "bad_connected.csv",
        &format!("{head}a,2026-03-02T09:30:00Z,5,no\nb,2026-03-02T10:30:00Z,5,maybe\n"),
    );
    same_first_error(
        &leads,
        Some(&c),
        |e| matches!(e, Error::BadValue { line: 3, column, .. } if column == "connected"),
    );
    // An error in the leads wins over any in the attempts (the leads are read first).
    let bad_leads = write(
        "bad_leads.csv",
        "lead_id,mql_at\na,2026-03-02\na,2026-03-02\n",
    );
    same_first_error(&bad_leads, Some(&c), |e| {
        matches!(e, Error::DuplicateLead { line: 3, .. })
    });
}

#[test]
fn progress_moves_forward_to_each_files_size() {
    let dir = tempfile::tempdir().unwrap();
    for gzip in [false, true] {
        let e = small_export(&dir.path().join(format!("gz{gzip}")), gzip);
        let seen = RefCell::new(Vec::<ReadProgress>::new());
        read_in_batches(
            &e.leads,
            Some(&e.attempts),
            &ReadOptions::default(),
            64,
            &|p| seen.borrow_mut().push(p),
        )
        .unwrap();
        let seen = seen.into_inner();
        let size = |p: &Path| std::fs::metadata(p).unwrap().len();
        for (stage, path) in [
            (ReadStage::Leads, &e.leads),
            (ReadStage::Attempts, &e.attempts),
        ] {
            let of: Vec<_> = seen.iter().filter(|p| p.stage == stage).collect();
            // Several reports per file (batches of 64 records), never backwards, ending at
            // the size on disk (compressed for gzip).
            assert!(of.len() > 3, "{stage:?}: {} reports", of.len());
            assert!(of.windows(2).all(|w| w[0].bytes_read <= w[1].bytes_read));
            assert!(of.iter().all(|p| p.bytes_total == size(path)));
            assert_eq!(
                of.last().unwrap().bytes_read,
                size(path),
                "{stage:?} gzip {gzip}"
            );
        }
        // The leads come first, then the attempts.
        let first_attempt = seen.iter().position(|p| p.stage == ReadStage::Attempts);
        assert!(seen[first_attempt.unwrap()..]
            .iter()
            .all(|p| p.stage == ReadStage::Attempts));
    }
}
