//! Working calendars compiled for the engine, and the arrival process. Time is in hours from
//! Monday 00:00; day `d` (from 0) is a weekday when `d % 7 < 5`.

use rand_distr::{Distribution, Poisson};

use super::rng::{arrival_stream, SplitMix64};
use crate::sim::model::{ArrivalCalendar, Arrivals, Hours, DAY_NAMES};

/// The compiled form of [`Hours`].
#[derive(Clone, Copy, Debug)]
pub struct Shift {
    always: bool,
    works: [bool; 7],
    start: f64,
    end: f64,
}

impl Shift {
    /// Compiles validated hours.
    pub fn new(hours: &Hours) -> Self {
        match hours {
            Hours::Always(_) => Shift {
                always: true,
                works: [true; 7],
                start: 0.0,
                end: 24.0,
            },
            Hours::Weekly { days, start, end } => {
                let mut works = [false; 7];
                for d in days {
                    if let Some(i) = DAY_NAMES.iter().position(|n| n == d) {
                        works[i] = true;
                    }
                }
                Shift {
                    always: false,
                    works,
                    start: *start,
                    end: *end,
                }
            }
        }
    }

    /// Whether the pool is on shift at time `t`.
    #[inline]
    pub fn on_shift(&self, t: f64) -> bool {
        if self.always {
            return true;
        }
        // Simulation times are never negative, so truncation is the floor (and avoids a libm
        // call on baseline x86-64).
        debug_assert!(t >= 0.0);
        let day = (t / 24.0) as u64;
        let h = t - 24.0 * day as f64;
        self.works[(day % 7) as usize] && h >= self.start && h < self.end
    }

    /// The first shift start strictly after `t` (`None` when always on duty).
    pub fn next_start_after(&self, t: f64) -> Option<f64> {
        if self.always || !self.works.iter().any(|&w| w) {
            return None;
        }
        let first = (t / 24.0).floor() as i64;
        // Eight days always hold a working day; the bound also ends the search at times so
        // large that a day no longer registers in an f64 (only absurd inputs get there).
        (first..first.saturating_add(8))
            .map(|day| (day, 24.0 * day as f64 + self.start))
            .find(|&(day, s)| s > t && self.works[day.rem_euclid(7) as usize])
            .map(|(_, s)| s)
    }

    /// Working hours inside `[a, b)`.
    pub fn working_hours(&self, a: f64, b: f64) -> f64 {
        if b <= a {
            return 0.0;
        }
        if self.always {
            return b - a;
        }
        let first = (a / 24.0).floor() as i64;
        let last = (b / 24.0).ceil() as i64;
        let mut total = 0.0;
        for day in first..=last {
            if self.works[day.rem_euclid(7) as usize] {
                let s = (24.0 * day as f64 + self.start).max(a);
                let e = (24.0 * day as f64 + self.end).min(b);
                if e > s {
                    total += e - s;
                }
            }
        }
        total
    }

    /// Working hours in an average week.
    pub fn weekly_hours(&self) -> f64 {
        self.working_hours(0.0, 168.0)
    }
}

/// The arrival times of one replication, generated period by period so memory stays small.
/// Each period (day or hour) draws from its own keyed stream.
pub struct ArrivalStream {
    calendar: ArrivalCalendar,
    rate_per_day: f64,
    weekday: [f64; 7],
    /// Cumulative hour weights, normalised to end at 24.
    hours_cum: [f64; 25],
    hour_mult: [f64; 24],
    seed: u64,
    replication: u64,
    period: u64,
    periods: u64,
    buffer: Vec<f64>,
    scratch: Vec<f64>,
    next: usize,
}

impl ArrivalStream {
    /// Arrivals over `[0, 24 * days)` at `rate_per_day`, shaped by a weekday profile
    /// (multipliers, Monday first) and an hour-of-day profile (relative weights).
    pub fn new(a: &Arrivals, seed: u64, replication: u64) -> Self {
        let total: f64 = a.hour_profile.iter().sum();
        let mut hours_cum = [0.0; 25];
        let mut hour_mult = [0.0; 24];
        for h in 0..24 {
            hours_cum[h + 1] = hours_cum[h] + 24.0 * a.hour_profile[h] / total;
            hour_mult[h] = 24.0 * a.hour_profile[h] / total;
        }
        hours_cum[24] = 24.0;
        ArrivalStream {
            calendar: a.calendar,
            rate_per_day: a.rate_per_day,
            weekday: a.weekday_profile,
            hours_cum,
            hour_mult,
            seed,
            replication,
            period: 0,
            periods: match a.calendar {
                ArrivalCalendar::Business => u64::from(a.arrival_days),
                ArrivalCalendar::Always => 24 * u64::from(a.arrival_days),
            },
            buffer: Vec::new(),
            scratch: Vec::new(),
            next: 0,
        }
    }

    /// The hour of the day (fractional) at which a uniform draw `u` places an arrival: the
    /// inverse of the piecewise-uniform distribution the hour weights define. With flat
    /// weights this is `24 u`.
    #[inline]
    fn place_in_day(&self, u: f64) -> f64 {
        let x = 24.0 * u;
        let c = &self.hours_cum;
        let mut h = (x as usize).min(23);
        while h > 0 && c[h] > x {
            h -= 1;
        }
        while h < 23 && c[h + 1] <= x {
            h += 1;
        }
        let width = c[h + 1] - c[h];
        if width <= 0.0 {
            return h as f64;
        }
        h as f64 + (x - c[h]) / width
    }

    fn fill(&mut self) -> bool {
        while self.period < self.periods {
            let p = self.period;
            self.period += 1;
            let width = match self.calendar {
                ArrivalCalendar::Business => 24.0,
                ArrivalCalendar::Always => 1.0,
            };
            let (mean, origin) = match self.calendar {
                ArrivalCalendar::Business => {
                    if p % 7 >= 5 {
                        continue;
                    }
                    (
                        self.rate_per_day * self.weekday[(p % 7) as usize],
                        24.0 * p as f64,
                    )
                }
                ArrivalCalendar::Always => {
                    let day = p / 24;
                    (
                        self.rate_per_day / 24.0
                            * self.weekday[(day % 7) as usize]
                            * self.hour_mult[(p % 24) as usize],
                        p as f64,
                    )
                }
            };
            if mean <= 0.0 {
                continue;
            }
            let mut rng: SplitMix64 = arrival_stream(self.seed, self.replication, p);
            let n = Poisson::new(mean).expect("validated rate").sample(&mut rng) as usize;
            self.buffer.clear();
            match self.calendar {
                ArrivalCalendar::Business => {
                    for _ in 0..n {
                        let u = rng.u01();
                        self.buffer.push(origin + self.place_in_day(u));
                    }
                }
                ArrivalCalendar::Always => self.buffer.extend((0..n).map(|_| origin + rng.u01())),
            }
            sort_uniform(&mut self.buffer, &mut self.scratch, origin, width);
            self.next = 0;
            if n > 0 {
                return true;
            }
        }
        false
    }
}

/// Sorts values spread over `[origin, origin + width)` in linear expected time: a counting sort
/// into as many buckets as values, then an insertion sort that only fixes order within
/// buckets. The result is the same sorted sequence any sort gives.
fn sort_uniform(x: &mut Vec<f64>, scratch: &mut Vec<f64>, origin: f64, width: f64) {
    let n = x.len();
    if n < 64 {
        x.sort_unstable_by(f64::total_cmp);
        return;
    }
    let scale = n as f64 / width;
    let bucket = |v: f64| (((v - origin) * scale) as usize).min(n - 1);
    let mut start = vec![0usize; n + 1];
    for &v in x.iter() {
        start[bucket(v) + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    scratch.clear();
    scratch.resize(n, 0.0);
    for &v in x.iter() {
        let b = bucket(v);
        scratch[start[b]] = v;
        start[b] += 1;
    }
    for i in 1..n {
        let v = scratch[i];
        let mut j = i;
        while j > 0 && scratch[j - 1] > v {
            scratch[j] = scratch[j - 1];
            j -= 1;
        }
        scratch[j] = v;
    }
    std::mem::swap(x, scratch);
}

impl Iterator for ArrivalStream {
    type Item = f64;
    #[inline]
    fn next(&mut self) -> Option<f64> {
        if self.next >= self.buffer.len() && !self.fill() {
            return None;
        }
        let t = self.buffer[self.next];
        self.next += 1;
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nine_to_five() -> Shift {
        Shift::new(&Hours::Weekly {
            days: DAY_NAMES[..5].iter().map(|s| s.to_string()).collect(),
            start: 9.0,
            end: 17.0,
        })
    }

    #[test]
    fn shift_boundaries_are_half_open() {
        let s = nine_to_five();
        assert!(s.on_shift(9.0));
        assert!(!s.on_shift(17.0));
        assert!(!s.on_shift(5.0 * 24.0 + 10.0)); // Saturday
        assert_eq!(s.next_start_after(9.0), Some(33.0));
        assert_eq!(
            s.next_start_after(4.0 * 24.0 + 10.0),
            Some(7.0 * 24.0 + 9.0)
        );
        assert_eq!(s.weekly_hours(), 40.0);
        assert_eq!(s.working_hours(10.0, 34.0), 8.0);
    }

    #[test]
    fn business_arrivals_skip_weekends_and_are_sorted() {
        let mut a = Arrivals {
            rate_per_day: 50.0,
            arrival_days: 14,
            warmup_days: 0,
            calendar: ArrivalCalendar::Business,
            weekday_profile: [1.0; 7],
            hour_profile: [1.0; 24],
            replay: None,
        };
        let times: Vec<f64> = ArrivalStream::new(&a, 1, 0).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(times.iter().all(|t| ((t / 24.0).floor() as i64) % 7 < 5));
        assert!(times.len() > 300 && times.len() < 700);
        // Office hours only, and no Fridays.
        a.hour_profile = [0.0; 24];
        a.hour_profile[9..17].fill(1.0);
        a.weekday_profile[4] = 0.0;
        let times: Vec<f64> = ArrivalStream::new(&a, 1, 0).collect();
        assert!(times.iter().all(|t| {
            let h = t % 24.0;
            (9.0..17.0).contains(&h)
        }));
        assert!(times.iter().all(|t| ((t / 24.0) as i64) % 7 < 4));
        assert!(times.len() > 250 && times.len() < 550);
    }
}
