//! Keyed random streams: every lead owns its draws, addressed by (seed, replication, lead index,
//! slot), so that the draws do not depend on the order in which events happen, on the scenario,
//! or on the thread that runs the replication (common random numbers, docs/model.md section 5).
//!
//! The generator is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
//! generators", OOPSLA 2014): a 64-bit counter advanced by the golden-ratio increment and passed
//! through a bijective finaliser. Its finaliser also derives the keys, so a stream is a pure
//! function of its key and is cheap to open (one multiply-xorshift round).

use rand::RngCore;

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function (a bijection on u64 with good avalanche).
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Folds one more key part into a key. Distinct part sequences give unrelated keys.
#[inline]
pub fn combine(key: u64, part: u64) -> u64 {
    mix64(key ^ mix64(part.wrapping_add(GOLDEN_GAMMA)))
}

/// The SplitMix64 generator. Implements [`RngCore`] so rand_distr samplers can draw from it.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose first output is `mix64(state + gamma)`, as in the reference code.
    #[inline]
    pub fn new(state: u64) -> Self {
        SplitMix64 { state }
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    #[inline]
    pub fn u01(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

impl RngCore for SplitMix64 {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// Domains keep the streams of different purposes apart even when their indices coincide.
const DOMAIN_LEAD: u64 = 1;
const DOMAIN_ARRIVALS: u64 = 2;
const DOMAIN_POPULATION: u64 = 3;
const DOMAIN_MEAN_PROPENSITY: u64 = 4;

/// The draw layout of one lead: one stream per slot, so adding attempts or switching a feature
/// on never shifts another draw.
pub mod slot {
    /// Population attributes (score, propensity, features, table row).
    pub const ATTRIBUTES: u64 = 0;
    /// Contactable or not (drawn once).
    pub const CONTACTABLE: u64 = 1;
    /// Patience time.
    pub const PATIENCE: u64 = 2;
    /// Qualification when reached.
    pub const QUALIFY: u64 = 3;
    /// Sales cycle length.
    pub const CYCLE: u64 = 4;
    /// Won or lost.
    pub const WIN: u64 = 5;
    /// Nurture: decides or not, decision time, buys from us or not (three draws in this order).
    pub const NURTURE: u64 = 6;
    /// Deal value when the population does not supply one.
    pub const VALUE: u64 = 7;
    /// Attempt `k` (0-based) uses `ATTEMPT0 + 3k` (handling), `+1` (talk), `+2` (reach).
    pub const ATTEMPT0: u64 = 16;
}

/// The key of one lead's draws.
#[inline]
pub fn lead_key(seed: u64, replication: u64, lead: u64) -> u64 {
    combine(
        combine(combine(mix64(seed), DOMAIN_LEAD), replication),
        lead,
    )
}

/// The stream of one slot of one lead.
#[inline]
pub fn lead_stream(key: u64, slot: u64) -> SplitMix64 {
    SplitMix64::new(combine(key, slot))
}

/// The stream for the arrivals of one period (a day or an hour) of one replication.
pub fn arrival_stream(seed: u64, replication: u64, period: u64) -> SplitMix64 {
    SplitMix64::new(combine(
        combine(combine(mix64(seed), DOMAIN_ARRIVALS), replication),
        period,
    ))
}

/// A stream for load estimates at configuration time (independent of any run's draws).
pub fn population_probe_stream(index: u64) -> SplitMix64 {
    SplitMix64::new(combine(combine(0, DOMAIN_POPULATION), index))
}

/// The stream of lead `index` of the fixed sample that estimates a generator's mean propensity
/// (independent of any run's draws and of the seed, so `q_bar` is a property of the population).
pub fn mean_propensity_stream(index: u64) -> SplitMix64 {
    SplitMix64::new(combine(combine(0, DOMAIN_MEAN_PROPENSITY), index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_reference_vector() {
        // Outputs of the reference C implementation (Vigna's splitmix64.c) seeded with 1234567.
        let mut g = SplitMix64::new(1234567);
        let got: Vec<u64> = (0..5).map(|_| g.next_u64()).collect();
        assert_eq!(
            got,
            [
                6457827717110365317,
                3203168211198807973,
                9817491932198370423,
                4593380528125082431,
                16408922859458223821
            ]
        );
    }

    #[test]
    fn streams_differ_by_slot_and_lead() {
        let k = lead_key(42, 0, 0);
        assert_ne!(lead_stream(k, 0).next_u64(), lead_stream(k, 1).next_u64());
        assert_ne!(lead_key(42, 0, 1), lead_key(42, 1, 0));
    }
}
