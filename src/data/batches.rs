//! A CSV stream parsed on a second thread: one thread splits the file into records and turns
//! them into parsed rows, batch by batch, while the calling thread consumes the batches in file
//! order. Reading is two stages of roughly equal cost (split and parse, then check and fold),
//! so on two cores it takes about half the time, and at most [`IN_FLIGHT`] batches exist at
//! once: memory stays bounded whatever the file's length.
//!
//! Errors keep their order. The parser stops at the first record it cannot parse and leaves the
//! failure in that batch, after the rows before it; a reading error of the stream itself (a
//! ragged row, bad gzip) travels as the batch's `error`, after its rows. The consumer checks
//! rows in order, so it reports whichever problem comes first in the file, exactly as reading
//! on one thread would.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{sync_channel, Receiver};

use crate::data::CsvStream;
use crate::error::Error;

/// Records per batch: enough that the channel costs nothing per record, few enough that a
/// batch is some hundred kilobytes.
pub(crate) const BATCH_ROWS: usize = 4096;

/// Batches parsed ahead of the consumer (the bound on memory).
pub(crate) const IN_FLIGHT: usize = 4;

/// Turns records into a table's rows (the first stage).
pub(crate) trait RecordParser: Send {
    /// What one batch of records becomes.
    type Batch: Default + Send;

    /// Parses one record into `batch`. Returns `false` to stop reading, after leaving the
    /// record's failure in the batch.
    fn parse(&mut self, record: &csv::ByteRecord, line: u64, batch: &mut Self::Batch) -> bool;
}

/// One batch of parsed records.
pub(crate) struct Batch<B> {
    /// The parsed rows (and the parser's failure, if it stopped).
    pub rows: B,
    /// The stream's own reading error after these rows, if any (the stream ends there).
    pub error: Option<Error>,
    /// Bytes read from the file when the batch was complete (compressed bytes for gzip).
    pub bytes_read: u64,
}

/// The batches, in file order.
pub(crate) struct Batches<B> {
    rx: Receiver<Batch<B>>,
}

impl<B> Iterator for Batches<B> {
    type Item = Batch<B>;

    fn next(&mut self) -> Option<Batch<B>> {
        self.rx.recv().ok()
    }
}

/// Reads `stream` on a second thread through `parser`, `batch_rows` records at a time, and
/// hands the batches to `consume` on this thread. Returns what `consume` returns and the parser
/// (with whatever it gathered). When `consume` returns before the end (an error, or it has
/// seen enough), the reading thread stops at its next batch.
pub(crate) fn parse_in_background<P, R>(
    mut stream: CsvStream,
    mut parser: P,
    batch_rows: usize,
    consume: impl FnOnce(Batches<P::Batch>) -> R,
) -> (R, P)
where
    P: RecordParser,
{
    let batch_rows = batch_rows.max(1);
    let (tx, rx) = sync_channel::<Batch<P::Batch>>(IN_FLIGHT);
    let counter = stream.bytes_counter();
    std::thread::scope(|s| {
        let reader = s.spawn(move || {
            loop {
                let mut rows = P::Batch::default();
                let mut error = None;
                let mut done = false;
                for _ in 0..batch_rows {
                    match stream.next_record() {
                        Ok(Some((record, line))) => {
                            if !parser.parse(record, line, &mut rows) {
                                done = true;
                                break;
                            }
                        }
                        Ok(None) => {
                            done = true;
                            break;
                        }
                        Err(e) => {
                            error = Some(e);
                            done = true;
                            break;
                        }
                    }
                }
                let batch = Batch {
                    rows,
                    error,
                    bytes_read: counter.load(Ordering::Relaxed),
                };
                // A closed channel means the consumer has stopped: so do we.
                if tx.send(batch).is_err() || done {
                    break;
                }
            }
            parser
        });
        let result = consume(Batches { rx });
        let parser = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (result, parser)
    })
}
