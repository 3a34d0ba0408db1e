//! Which units a shard runs: shard `I` of `N` holds the contiguous global units
//! `[(I - 1) T / N, I T / N)` of `T`, numbered replication-major (see the module docs of
//! [`super`]).

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Shard `index` of `count`, 1-based; always valid (`1 <= index <= count`).
///
/// ```
/// let s: leadsim::sim::Shard = "3/8".parse().unwrap();
/// assert_eq!((s.index(), s.count()), (3, 8));
/// assert_eq!(s.units(100), 25..37);
/// assert!("0/8".parse::<leadsim::sim::Shard>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawShard", into = "RawShard")]
pub struct Shard {
    index: usize,
    count: usize,
}

#[derive(Serialize, Deserialize)]
struct RawShard {
    index: usize,
    count: usize,
}

impl TryFrom<RawShard> for Shard {
    type Error = Error;
    fn try_from(r: RawShard) -> Result<Self> {
        Shard::new(r.index, r.count)
    }
}

impl From<Shard> for RawShard {
    fn from(s: Shard) -> Self {
        RawShard {
            index: s.index,
            count: s.count,
        }
    }
}

impl Shard {
    /// Shard `index` (1-based) of `count`.
    ///
    /// # Errors
    /// [`Error::InvalidShard`] for `count == 0`, `index == 0` or `index > count`.
    pub fn new(index: usize, count: usize) -> Result<Self> {
        let bad = |reason: String| Error::InvalidShard {
            text: format!("{index}/{count}"),
            reason,
        };
        if count == 0 {
            return Err(bad("the number of shards N must be at least 1".into()));
        }
        if index == 0 {
            return Err(bad("shards are numbered from 1 to N".into()));
        }
        if count > crate::limits::MAX_SHARDS {
            return Err(Error::TooLarge {
                name: "shard",
                value: format!("{index}/{count}"),
                what: None,
                max: format!("{} shards", crate::limits::MAX_SHARDS),
                reason: "a merge lists every shard it lacks; no cluster runs more jobs",
            });
        }
        if index > count {
            return Err(bad(format!(
                "shard {index} does not exist: shards are numbered from 1 to {count}"
            )));
        }
        Ok(Shard { index, count })
    }

    /// The 1-based index `I`.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The number of shards `N`.
    pub fn count(&self) -> usize {
        self.count
    }

    /// This shard's global unit indices out of `total`: `[(I-1) T / N, I T / N)`.
    pub fn units(&self, total: usize) -> Range<usize> {
        let at = |i: usize| (i as u128 * total as u128 / self.count as u128) as usize;
        at(self.index - 1)..at(self.index)
    }

    /// The partial result's file name, `shard-I-of-N.json`.
    pub fn file_name(&self) -> String {
        format!("shard-{}-of-{}.json", self.index, self.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = Error;

    /// Parses `I/N`, e.g. `3/8`.
    fn from_str(s: &str) -> Result<Self> {
        let parsed = s
            .split_once('/')
            .and_then(|(i, n)| Some((i.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
        match parsed {
            Some((i, n)) => Shard::new(i, n),
            None => Err(Error::InvalidShard {
                text: s.into(),
                reason: "expected I/N with whole numbers, e.g. 3/8 for the third of eight shards"
                    .into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_units_exactly_once() {
        for total in [0usize, 1, 5, 12, 97, 1000] {
            for n in 1..=13 {
                let mut next = 0;
                for i in 1..=n {
                    let r = Shard::new(i, n).unwrap().units(total);
                    assert_eq!(r.start, next, "contiguous: total {total}, {i}/{n}");
                    assert!(r.len() <= total / n + 1 && r.len() >= total / n);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
        // Large counts do not overflow.
        let s = Shard::new(7, 8).unwrap();
        assert_eq!(
            s.units(usize::MAX).end,
            usize::MAX / 8 * 7 + (usize::MAX % 8) * 7 / 8
        );
    }

    #[test]
    fn shard_text_is_checked() {
        assert_eq!("3/8".parse::<Shard>().unwrap(), Shard::new(3, 8).unwrap());
        for bad in [
            "0/3", "4/3", "1/0", "0/0", "abc", "3", "3/", "/3", "-1/3", "1/3/5", " 1/3", "1.5/3",
        ] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(matches!(&e, Error::InvalidShard { .. }), "{bad}: {e}");
        }
        assert!("4/3"
            .parse::<Shard>()
            .unwrap_err()
            .to_string()
            .contains("numbered from 1 to 3"));
    }
}
