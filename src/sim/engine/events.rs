//! The engine's small types: event keys and payloads, queue entries, and the lead record.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// How far down a retry FIFO to prefetch leads.
pub(super) const PREFETCH_AHEAD: usize = 4;

/// A cache hint; no effect on results.
#[inline(always)]
pub(super) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint that never faults, and the pointer comes from a reference.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

// Order of events at the same instant: a rep that finishes at t is free for work that falls due
// at t; a shift that starts at t takes work due at t; patience expires last, so a lead whose
// first attempt starts exactly at a + T is served (docs/model.md section 6).
pub(super) const PRIO_END: u8 = 0;
pub(super) const PRIO_SHIFT: u8 = 1;
pub(super) const PRIO_WINDOW: u8 = 2;
pub(super) const PRIO_ARRIVAL: u8 = 3;
pub(super) const PRIO_DUE: u8 = 4;
pub(super) const PRIO_PATIENCE: u8 = 5;

/// Event order: time, then priority, then creation order. Times are never negative, so the bit
/// pattern of a time orders like the time itself, and the whole key is one integer.
pub(super) type Key = u128;

#[inline]
pub(super) fn key(t: f64, prio: u8, seq: u64) -> Key {
    debug_assert!(t >= 0.0);
    (u128::from(t.to_bits()) << 64) | u128::from((u64::from(prio) << 56) | seq)
}

#[inline]
pub(super) fn key_time(k: Key) -> f64 {
    f64::from_bits((k >> 64) as u64)
}

#[inline]
pub(super) fn key_prio(k: Key) -> u8 {
    (k >> 56) as u8
}

/// A scheduled event's payload; its key lives in the heap.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ev {
    /// The lead's slot (end, patience) or the pool (shift start).
    pub(super) slot: u32,
    /// The lead's id (patience), to recognise a reused slot.
    pub(super) id: u32,
}

#[derive(Clone, Copy)]
pub(super) struct Due {
    pub(super) k: Key,
    pub(super) slot: u32,
}

#[derive(Clone, Copy)]
pub(super) struct Entry {
    pub(super) slot: u32,
    pub(super) id: u32,
}

#[derive(Clone, Copy)]
pub(super) struct ScoreEntry {
    pub(super) score: f64,
    pub(super) due: f64,
    pub(super) seq: u64,
    pub(super) slot: u32,
    pub(super) id: u32,
}
impl PartialEq for ScoreEntry {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for ScoreEntry {}
impl PartialOrd for ScoreEntry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for ScoreEntry {
    // Highest score on top, then earliest due time, then first queued.
    fn cmp(&self, o: &Self) -> Ordering {
        self.score
            .total_cmp(&o.score)
            .then(o.due.total_cmp(&self.due))
            .then(o.seq.cmp(&self.seq))
    }
}

pub(super) enum Queue {
    Fifo(VecDeque<Entry>),
    Lifo(Vec<Entry>),
    Score(BinaryHeap<ScoreEntry>),
}

/// One cache line per lead: a retry touches its lead hours after the last touch, so the lead
/// is rarely in cache, and a lead split across two lines would cost two misses.
#[derive(Clone, Copy, Default)]
#[repr(align(64))]
pub(super) struct Lead {
    pub(super) arrival: f64,
    pub(super) score: f64,
    pub(super) p: f64,
    pub(super) value: f64,
    pub(super) key: u64,
    pub(super) start: f64,
    pub(super) id: u32,
    pub(super) pool: u32,
    pub(super) attempt: u32,
    pub(super) reached: bool,
    pub(super) contactable: bool,
    pub(super) counted: bool,
    pub(super) in_queue: bool,
}
