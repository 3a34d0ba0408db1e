//! What the reading thread of a table hands on (`data::batches`): each batch's lead ids in one
//! text buffer, the failure that stopped it, and the latest event seen. The checks that need
//! the whole leads table (duplicate ids, unknown leads) run on the consuming thread, in file
//! order, before the failure of the same row, so the first error is the one reading on a single
//! thread would report.

use std::path::Path;

use crate::error::Error;
use crate::history::leads::LastEvent;
use crate::history::time::Instant;

/// The lead ids of a batch, one after another in one buffer.
#[derive(Debug, Default)]
pub(crate) struct BatchIds {
    text: String,
    ends: Vec<u32>,
}

impl BatchIds {
    /// Appends an id.
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len() as u32);
    }

    /// The `i`-th id.
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// Why the reading thread stopped at a record.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The lead id itself could not be read: reported as it is.
    Id(Error),
    /// A later field of the record: reported after the id's own check (a duplicate lead, an
    /// unknown lead), which comes first on the record.
    Field {
        /// The record's lead id.
        id: String,
        /// The record's line.
        line: u64,
        /// What was wrong.
        error: Error,
    },
}

impl Failure {
    /// For [`RecordParser::parse`](crate::data::batches::RecordParser::parse): `true` to read
    /// on, or the failure left in `slot` and `false` to stop.
    pub fn keep(parsed: Result<(), Failure>, slot: &mut Option<Failure>) -> bool {
        match parsed {
            Ok(()) => true,
            Err(f) => {
                *slot = Some(f);
                false
            }
        }
    }
}

/// The latest event of a table, kept without allocating per row (exports sorted by date move
/// it on every row).
#[derive(Debug, Default)]
pub(crate) struct Latest {
    at: Option<Instant>,
    line: u64,
    column: String,
    value: String,
    moved: bool,
}

impl Latest {
    /// Starts from the latest event of the tables read before.
    pub fn after(previous: &Option<LastEvent>) -> Self {
        Latest {
            at: previous.as_ref().map(|e| e.at),
            ..Default::default()
        }
    }

    /// Offers an event; a later one replaces the latest (the first of equal times stays).
    #[inline]
    pub fn offer(&mut self, at: Instant, line: u64, column: &str, value: &str) {
        if self.at.map_or(true, |a| at > a) {
            self.at = Some(at);
            self.line = line;
            self.column.clear();
            self.column.push_str(column);
            self.value.clear();
            self.value.push_str(value);
            self.moved = true;
        }
    }

    /// Replaces `last` when this table had a later event.
    pub fn finish(self, path: &Path, last: &mut Option<LastEvent>) {
        if let (true, Some(at)) = (self.moved, self.at) {
            *last = Some(LastEvent {
                at,
                path: path.to_path_buf(),
                line: self.line,
                column: self.column,
                value: self.value,
            });
        }
    }
}
