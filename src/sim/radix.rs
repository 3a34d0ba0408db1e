//! A monotone priority queue (radix heap): valid when every key pushed is at least the last key
//! popped, which holds in a discrete-event simulation since nothing is scheduled in the past.
//! Cheaper than a binary heap for the engine's event keys: a push is an append, and each item
//! moves between buckets at most 64 times over its life, usually a handful.
//!
//! Keys are `(primary, secondary)`; buckets go by the primary only, and ties on the primary are
//! resolved by the secondary, so the order is exactly that of the pair.

/// Items with keys `(u64, u64)`, popped in increasing key order.
pub struct RadixHeap<T> {
    last: u64,
    buckets: Vec<Vec<((u64, u64), T)>>,
    len: usize,
    /// Bit `i` set when bucket `i` is not empty.
    occupied: u128,
    /// Cached smallest key, when known.
    min: Option<(u64, u64)>,
}

#[inline]
fn bucket(x: u64, last: u64) -> usize {
    (64 - (x ^ last).leading_zeros()) as usize
}

impl<T: Copy> RadixHeap<T> {
    /// An empty queue whose keys must be at least `(0, 0)`.
    pub fn new() -> Self {
        RadixHeap { last: 0, buckets: (0..65).map(|_| Vec::new()).collect(), len: 0, occupied: 0, min: None }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds an item. `key.0` must not be below the primary key of the last item popped.
    #[inline]
    pub fn push(&mut self, key: (u64, u64), item: T) {
        debug_assert!(key.0 >= self.last, "radix heap keys must not decrease");
        let b = bucket(key.0, self.last);
        self.buckets[b].push((key, item));
        self.occupied |= 1 << b;
        self.len += 1;
        if let Some(m) = self.min {
            if key < m {
                self.min = Some(key);
            }
        }
    }

    /// The smallest key.
    #[inline]
    pub fn peek_key(&mut self) -> Option<(u64, u64)> {
        if self.len == 0 {
            return None;
        }
        if self.min.is_none() {
            let b = &self.buckets[self.occupied.trailing_zeros() as usize];
            self.min = b.iter().map(|(k, _)| *k).min();
        }
        self.min
    }

    /// Removes the item with the smallest key.
    pub fn pop(&mut self) -> Option<((u64, u64), T)> {
        if self.len == 0 {
            return None;
        }
        if self.occupied & 1 == 0 {
            let i = self.occupied.trailing_zeros() as usize;
            let items = std::mem::take(&mut self.buckets[i]);
            self.occupied &= !(1 << i);
            self.last = items.iter().map(|(k, _)| k.0).min().expect("non-empty");
            for it in &items {
                let b = bucket(it.0 .0, self.last);
                self.buckets[b].push(*it);
                self.occupied |= 1 << b;
            }
            // Keep the emptied bucket's allocation for reuse.
            let mut items = items;
            items.clear();
            if self.buckets[i].is_empty() {
                self.buckets[i] = items;
            }
        }
        let b0 = &mut self.buckets[0];
        let j = (0..b0.len()).min_by_key(|&j| b0[j].0).expect("bucket 0 non-empty");
        let it = b0.swap_remove(j);
        if b0.is_empty() {
            self.occupied &= !1;
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
                // Some ties on the primary key, some far-future keys.
                let k0 = now + match rng.next_u64() % 4 { 0 => 0, 1 => rng.next_u64() % 8, 2 => rng.next_u64() % 100_000, _ => rng.next_u64() >> 20 };
                seq += 1;
                let k1 = (rng.next_u64() % 3) << 56 | seq;
                radix.push((k0, k1), seq);
                reference.push(std::cmp::Reverse(((k0, k1), seq)));
            } else {
                assert_eq!(radix.peek_key(), reference.peek().map(|r| r.0 .0));
                let a = radix.pop().unwrap();
                let b = reference.pop().unwrap().0;
                assert_eq!(a, b);
                now = a.0 .0;
            }
            assert_eq!(radix.len(), reference.len());
        }
    }
}
