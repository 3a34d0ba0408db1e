//! A 4-ary min-heap with the keys in their own array. The engine's heap holds attempts in
//! progress (at most one per rep), so the keys fit in the first-level cache, and a 4-ary heap
//! halves the depth of a binary one: a pop is a few levels of four key comparisons.

/// Items with distinct `u128` keys, popped in increasing key order.
pub struct Heap4<T> {
    keys: Vec<u128>,
    items: Vec<T>,
}

impl<T: Copy> Heap4<T> {
    /// An empty heap.
    pub fn new() -> Self {
        Heap4 {
            keys: Vec::new(),
            items: Vec::new(),
        }
    }

    /// Number of items (the property test compares it with a reference heap).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.keys.len()
    }

    /// The smallest key.
    #[inline]
    pub fn peek_key(&self) -> Option<u128> {
        self.keys.first().copied()
    }

    /// Adds an item.
    #[inline]
    pub fn push(&mut self, key: u128, item: T) {
        let mut i = self.keys.len();
        self.keys.push(key);
        self.items.push(item);
        while i > 0 {
            let parent = (i - 1) / 4;
            if self.keys[parent] <= key {
                break;
            }
            self.keys[i] = self.keys[parent];
            self.items[i] = self.items[parent];
            i = parent;
        }
        self.keys[i] = key;
        self.items[i] = item;
    }

    /// Removes the item with the smallest key.
    ///
    /// Floyd's bottom-up variant: the hole left at the root sinks along the smallest children
    /// to the bottom, then the last item rises from there (usually not at all, since it came
    /// from the bottom). The smallest of four children is chosen by a branch-free tournament:
    /// which child wins is unpredictable, and mispredicted branches dominated the cost.
    #[inline]
    pub fn pop(&mut self) -> Option<(u128, T)> {
        let n = self.keys.len();
        if n == 0 {
            return None;
        }
        let top = (self.keys[0], self.items[0]);
        let key = self.keys[n - 1];
        let item = self.items[n - 1];
        self.keys.pop();
        self.items.pop();
        let n = n - 1;
        if n == 0 {
            return Some(top);
        }
        let keys = &mut self.keys;
        let items = &mut self.items;
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            let c = if first + 4 <= n {
                let (k0, k1, k2, k3) = (
                    keys[first],
                    keys[first + 1],
                    keys[first + 2],
                    keys[first + 3],
                );
                let (x, kx) = if k1 < k0 {
                    (first + 1, k1)
                } else {
                    (first, k0)
                };
                let (y, ky) = if k3 < k2 {
                    (first + 3, k3)
                } else {
                    (first + 2, k2)
                };
                if ky < kx {
                    y
                } else {
                    x
                }
            } else if first < n {
                let mut c = first;
                for j in first + 1..n {
                    if keys[j] < keys[c] {
                        c = j;
                    }
                }
                c
            } else {
                break;
            };
            keys[i] = keys[c];
            items[i] = items[c];
            i = c;
        }
        // Sift the last item up from the hole.
        while i > 0 {
            let parent = (i - 1) / 4;
            if keys[parent] <= key {
                break;
            }
            keys[i] = keys[parent];
            items[i] = items[parent];
            i = parent;
        }
        keys[i] = key;
        items[i] = item;
        Some(top)
    }
}

impl<T: Copy> Default for Heap4<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::engine::rng::SplitMix64;
    use rand::RngCore;

    #[test]
    fn pops_in_the_order_of_a_binary_heap() {
        let mut rng = SplitMix64::new(3);
        let mut heap = Heap4::new();
        let mut reference = std::collections::BinaryHeap::new();
        let mut seq = 0u64;
        for _ in 0..20_000 {
            if rng.next_u64() % 3 != 0 || reference.is_empty() {
                seq += 1;
                let k = (u128::from(rng.next_u64() % 1000) << 64) | u128::from(seq);
                heap.push(k, seq);
                reference.push(std::cmp::Reverse((k, seq)));
            } else {
                assert_eq!(heap.peek_key(), reference.peek().map(|r| r.0 .0));
                assert_eq!(heap.pop().unwrap(), reference.pop().unwrap().0);
            }
            assert_eq!(heap.len(), reference.len());
        }
    }
}
