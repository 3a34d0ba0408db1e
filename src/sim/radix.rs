//! A monotone priority queue (radix heap): valid when every key pushed is at least the last key
//! popped, which holds in a discrete-event simulation since nothing is scheduled in the past.
//! Cheaper than a binary heap for the engine's event keys: a push is an append, and each item
//! moves down between buckets a handful of times over its life.
//!
//! Keys are 128-bit (time bits, then priority and sequence), all distinct, so ties on the time
//! are split by the bucket structure too: a burst of events at the same instant (every rep
//! starting at 9:00 with a fixed handling time) costs no more than any other.

/// Items with distinct `u128` keys, popped in increasing key order.
pub struct RadixHeap<T> {
    last: u128,
    buckets: Vec<Vec<(u128, T)>>,
    len: usize,
    /// Bit `i % 64` of word `i / 64` set when bucket `i` is not empty.
    occupied: [u64; 3],
    /// Cached smallest key, when known.
    min: Option<u128>,
    /// Items pushed below `last` (same time, higher priority than the event being handled,
    /// e.g. a zero-length attempt ending at the instant it starts): all smaller than anything
    /// in the buckets, and rare, so a plain list.
    early: Vec<(u128, T)>,
}

#[inline]
fn bucket(x: u128, last: u128) -> usize {
    (128 - (x ^ last).leading_zeros()) as usize
}

impl<T: Copy> RadixHeap<T> {
    /// An empty queue.
    pub fn new() -> Self {
        RadixHeap { last: 0, buckets: (0..129).map(|_| Vec::new()).collect(), len: 0, occupied: [0; 3], min: None, early: Vec::new() }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn mark(&mut self, b: usize) {
        self.occupied[b / 64] |= 1 << (b % 64);
    }

    #[inline]
    fn first_occupied(&self) -> usize {
        for (w, bits) in self.occupied.iter().enumerate() {
            if *bits != 0 {
                return 64 * w + bits.trailing_zeros() as usize;
            }
        }
        unreachable!("first_occupied on an empty heap")
    }

    /// Adds an item. Keys must be distinct.
    #[inline]
    pub fn push(&mut self, key: u128, item: T) {
        if key < self.last {
            self.early.push((key, item));
            self.len += 1;
            self.min = None;
            return;
        }
        let b = bucket(key, self.last);
        self.buckets[b].push((key, item));
        self.mark(b);
        self.len += 1;
        if let Some(m) = self.min {
            if key < m {
                self.min = Some(key);
            }
        }
    }

    /// The smallest key.
    #[inline]
    pub fn peek_key(&mut self) -> Option<u128> {
        if self.len == 0 {
            return None;
        }
        if let Some(k) = self.early.iter().map(|(k, _)| *k).min() {
            return Some(k);
        }
        if self.min.is_none() {
            let b = &self.buckets[self.first_occupied()];
            self.min = b.iter().map(|(k, _)| *k).min();
        }
        self.min
    }

    /// Removes the item with the smallest key.
    pub fn pop(&mut self) -> Option<(u128, T)> {
        if self.len == 0 {
            return None;
        }
        if !self.early.is_empty() {
            let j = (0..self.early.len()).min_by_key(|&j| self.early[j].0).expect("non-empty");
            self.len -= 1;
            self.min = None;
            return Some(self.early.swap_remove(j));
        }
        let i = self.first_occupied();
        let mut items = std::mem::take(&mut self.buckets[i]);
        self.occupied[i / 64] &= !(1 << (i % 64));
        let j = (0..items.len()).min_by_key(|&j| items[j].0).expect("occupied bucket");
        let it = items.swap_remove(j);
        self.last = it.0;
        // Everything left in the bucket is above the new `last` and goes to a lower bucket.
        for x in &items {
            let b = bucket(x.0, self.last);
            self.buckets[b].push(*x);
            self.mark(b);
        }
        items.clear();
        if self.buckets[i].is_empty() {
            // Keep the allocation for reuse.
            self.buckets[i] = items;
        }
        self.len -= 1;
        self.min = None;
        Some(it)
    }
}

impl<T: Copy> Default for RadixHeap<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::SplitMix64;
    use rand::RngCore;

    #[test]
    fn pops_in_the_order_of_a_binary_heap() {
        let mut rng = SplitMix64::new(3);
        let mut radix = RadixHeap::new();
        let mut reference = std::collections::BinaryHeap::new();
        let mut now = 0u64;
        let mut seq = 0u64;
        for _ in 0..20_000 {
            if rng.next_u64() % 3 != 0 || reference.is_empty() {
                // Many ties on the time, some far-future keys.
                let t = now + match rng.next_u64() % 4 { 0 => 0, 1 => rng.next_u64() % 8, 2 => rng.next_u64() % 100_000, _ => rng.next_u64() >> 20 };
                seq += 1;
                let k = (u128::from(t) << 64) | u128::from((rng.next_u64() % 3) << 56 | seq);
                radix.push(k, seq);
                reference.push(std::cmp::Reverse((k, seq)));
            } else {
                assert_eq!(radix.peek_key(), reference.peek().map(|r| r.0 .0));
                let a = radix.pop().unwrap();
                let b = reference.pop().unwrap().0;
                assert_eq!(a, b);
                now = (a.0 >> 64) as u64;
            }
            assert_eq!(radix.len(), reference.len());
        }
    }
}
