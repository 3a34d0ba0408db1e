//! A CSV stream read in three stages on three threads: one splits the file into records, one
//! turns them into a table's parsed rows, and the calling thread checks and folds the rows, in
//! file order. The stages cost unequal shares (parsing is the largest), and three of them on
//! two cores keep both cores busy, so a large file reads in about half the single-thread time.
//! At most [`IN_FLIGHT`] batches wait between two stages, so memory stays bounded whatever the
//! file's length.
//!
//! Errors keep their order. The parser stops at the first record it cannot parse and leaves the
//! failure in that batch, after the rows before it; a reading error of the stream itself (a
//! ragged row, bad gzip) travels as the batch's `error`, after its rows. The consumer checks
//! rows in order, so it reports whichever problem comes first in the file, exactly as reading
//! on one thread would.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{channel, sync_channel, Receiver};

use crate::data::CsvStream;
use crate::error::Error;

/// Records per batch: enough that the channels cost nothing per record, few enough that a
/// batch is some hundred kilobytes.
pub(crate) const BATCH_ROWS: usize = 4096;

/// Batches waiting between two stages (the bound on memory).
pub(crate) const IN_FLIGHT: usize = 4;

/// Turns records into a table's rows (the middle stage).
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

/// Records as split from the file, before parsing; the buffers go back to the splitter.
#[derive(Default)]
struct Split {
    records: Vec<csv::ByteRecord>,
    lines: Vec<u64>,
    /// Records filled (the buffers beyond are spare).
    len: usize,
    error: Option<Error>,
    bytes_read: u64,
}

/// Reads `stream` on two more threads (splitting, then `parser`), `batch_rows` records at a
/// time, and hands the batches to `consume` on this thread. Returns what `consume` returns and
/// the parser (with whatever it gathered). When `consume` returns before the end (an error, or
/// it has seen enough), the other threads stop at their next batch.
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
    let (split_tx, split_rx) = sync_channel::<Split>(IN_FLIGHT);
    // Parsed-out buffers return to the splitter, so records are allocated once per slot.
    let (spare_tx, spare_rx) = channel::<Split>();
    let (tx, rx) = sync_channel::<Batch<P::Batch>>(IN_FLIGHT);
    let counter = stream.bytes_counter();
    std::thread::scope(|s| {
        s.spawn(move || loop {
            let mut split = spare_rx.try_recv().unwrap_or_default();
            split.len = 0;
            split.lines.clear();
            let mut done = false;
            while split.len < batch_rows {
                if split.records.len() == split.len {
                    split.records.push(csv::ByteRecord::new());
                }
                match stream.read_into(&mut split.records[split.len]) {
                    Ok(Some(line)) => {
                        split.lines.push(line);
                        split.len += 1;
                    }
                    Ok(None) => {
                        done = true;
                        break;
                    }
                    Err(e) => {
                        split.error = Some(e);
                        done = true;
                        break;
                    }
                }
            }
            split.bytes_read = counter.load(Ordering::Relaxed);
            // A closed channel means the parser has stopped: so do we.
            if split_tx.send(split).is_err() || done {
                break;
            }
        });
        let reader = s.spawn(move || {
            for mut split in split_rx {
                let mut rows = P::Batch::default();
                let mut stopped = false;
                for (record, &line) in split.records[..split.len].iter().zip(&split.lines) {
                    if !parser.parse(record, line, &mut rows) {
                        stopped = true;
                        break;
                    }
                }
                let batch = Batch {
                    rows,
                    error: if stopped { None } else { split.error.take() },
                    bytes_read: split.bytes_read,
                };
                if tx.send(batch).is_err() || stopped {
                    break;
                }
                // The splitter may have finished; then the buffers are not needed.
                let _ = spare_tx.send(split);
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
