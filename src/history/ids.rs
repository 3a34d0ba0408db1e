//! Lead identifiers: one text buffer for all ids and an open-addressing table of indices into
//! it, so a million ids cost about 50 bytes each instead of a heap string and a hash-map entry
//! apiece, and the five-million-row attempts table looks each one up without allocating.

/// Interned lead ids, numbered in order of first insertion.
#[derive(Debug, Clone, Default)]
pub struct IdIndex {
    text: String,
    ends: Vec<usize>,
    /// Slot values are `index + 1`; 0 marks an empty slot.
    table: Vec<u32>,
}

/// FxHash (the rustc hasher) over 8-byte words, then MurmurHash3's 64-bit finaliser so that
/// the low bits used for the slot depend on every byte (FxHash alone leaves ids that differ
/// only in their last characters, "L0000123", in one cluster). Ids are the user's own data, so
/// resistance to crafted collisions is not needed.
pub(crate) fn hash(s: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = 0;
    let mut bytes = s.as_bytes();
    while bytes.len() >= 8 {
        let w = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        bytes = &bytes[8..];
    }
    let mut tail = [0u8; 8];
    tail[..bytes.len()].copy_from_slice(bytes);
    h = (h.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    let mut h = (h.rotate_left(5) ^ s.len() as u64).wrapping_mul(K);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl IdIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The id with number `i`.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The number of `id`, if present.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.get_hashed(id, hash(id))
    }

    /// [`get`](Self::get) with the id's [`hash`] computed elsewhere (on a reading thread).
    pub(crate) fn get_hashed(&self, id: &str, hash: u64) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            match self.table[slot] {
                0 => return None,
                v if self.id(v as usize - 1) == id => return Some(v - 1),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// Adds `id` and returns its number, or `Err(existing number)` if it is already present.
    pub fn insert(&mut self, id: &str) -> Result<u32, u32> {
        if (self.ends.len() + 1) * 2 > self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let mut slot = hash(id) as usize & mask;
        loop {
            match self.table[slot] {
                0 => break,
                v if self.id(v as usize - 1) == id => return Err(v - 1),
                _ => slot = (slot + 1) & mask,
            }
        }
        let n = self.ends.len() as u32;
        self.text.push_str(id);
        self.ends.push(self.text.len());
        self.table[slot] = n + 1;
        Ok(n)
    }

    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(1024);
        let mut table = vec![0u32; size];
        let mask = size - 1;
        for i in 0..self.ends.len() {
            let mut slot = hash(self.id(i)) as usize & mask;
            while table[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            table[slot] = i as u32 + 1;
        }
        self.table = table;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_finds_and_rejects_duplicates() {
        let mut ix = IdIndex::new();
        for i in 0..5000 {
            assert_eq!(ix.insert(&format!("00Q{i:015}")), Ok(i));
        }
        assert_eq!(ix.insert("00Q000000000000042"), Err(42));
        assert_eq!(ix.get("00Q000000000004999"), Some(4999));
        assert_eq!(ix.get("missing"), None);
        assert_eq!(ix.id(7), "00Q000000000000007");
        assert_eq!(ix.len(), 5000);
        assert_eq!(ix.insert(""), Ok(5000));
        assert_eq!(ix.get(""), Some(5000));
    }

    #[test]
    fn sequential_ids_spread_over_the_table() {
        // Ids that differ only in their last characters must not pile into one run of slots:
        // with a load factor of at most 1/2, linear probing averages under 1.5 probes.
        let mut ix = IdIndex::new();
        for i in 0..100_000 {
            ix.insert(&format!("L{i:07}")).unwrap();
        }
        let mask = ix.table.len() - 1;
        let mut probes = 0usize;
        for i in 0..ix.len() {
            let mut slot = hash(ix.id(i)) as usize & mask;
            probes += 1;
            while ix.table[slot] as usize != i + 1 {
                slot = (slot + 1) & mask;
                probes += 1;
            }
        }
        let mean = probes as f64 / ix.len() as f64;
        assert!(mean < 2.0, "mean probes {mean}");
    }
}
