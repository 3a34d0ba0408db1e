//! Sampling one lead: the drawn values before formatting, and the few inversions they are drawn
//! by. Every lead takes exactly [`DRAWS_PER_LEAD`] uniforms, whatever the values drawn.

use rand::RngCore;

use super::b2b_saas::*;
use super::DRAWS_PER_LEAD;
use crate::scoring::model::sigmoid;

/// The drawn values of one lead, before formatting.
#[derive(Debug, Clone, Copy)]
pub(super) struct Draw {
    pub page_views: u32,
    pub visited_pricing: bool,
    pub whitepaper_downloads: u32,
    pub webinar_attended: bool,
    pub email_clicks: u32,
    pub requested_demo: bool,
    pub contact_sales_form: bool,
    /// Rounded to one decimal, exactly as written.
    pub days: f64,
    pub size: usize,
    pub industry: usize,
    pub seniority: usize,
    pub region: usize,
    pub source: usize,
    pub logit: f64,
    pub probability: f64,
    pub converted: bool,
    /// Rounded to cents, exactly as written.
    pub deal_value: f64,
}

/// A uniform in [0, 1) from one 64-bit word (53 random bits).
fn unit(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Two independent standard normals from two uniforms in [0, 1) (Box-Muller).
fn box_muller(u1: f64, u2: f64) -> (f64, f64) {
    let r = (-2.0 * (1.0 - u1).ln()).sqrt();
    let (sin, cos) = (std::f64::consts::TAU * u2).sin_cos();
    (r * cos, r * sin)
}

/// The first normal of a Box-Muller pair alone (the simulator calls the generator once per
/// lead, so the unused sine is worth skipping).
fn box_muller_first(u1: f64, u2: f64) -> f64 {
    (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The index whose cumulative probability first exceeds `u`.
fn pick(u: f64, probs: &[f64]) -> usize {
    let mut cum = 0.0;
    for (i, p) in probs.iter().enumerate() {
        cum += p;
        if u < cum {
            return i;
        }
    }
    probs.len() - 1
}

/// Poisson(lambda) by inversion of one uniform; lambda is bounded (< 100) by construction.
fn poisson(u: f64, lambda: f64) -> u32 {
    let mut k = 0u32;
    let mut pmf = (-lambda).exp();
    let mut cdf = pmf;
    while u >= cdf {
        k += 1;
        pmf *= lambda / f64::from(k);
        cdf += pmf;
        if f64::from(k) > lambda && pmf <= cdf * 1e-17 {
            break;
        }
    }
    k
}

fn bernoulli(u: f64, logit: f64) -> bool {
    u < sigmoid(logit)
}

/// One b2b-saas lead from the next [`DRAWS_PER_LEAD`] words of `rng`, in the order the table
/// at [`DRAWS_PER_LEAD`] lists.
// Inlined into the simulator's per-lead draw, as it was before this function had its own file:
// a call here costs the simulation about 16% more instructions (callgrind).
#[inline]
pub(super) fn b2b_saas<R: RngCore + ?Sized>(rng: &mut R) -> Draw {
    let mut u = [0.0f64; DRAWS_PER_LEAD];
    for x in &mut u {
        *x = unit(rng.next_u64());
    }

    let size = pick(u[0], SIZE.probs);
    let industry = pick(u[1], INDUSTRY.probs);
    let seniority = pick(u[2], &SENIORITY_BY_SIZE[size]);
    let region = pick(u[3], REGION.probs);
    let source = pick(u[4], SOURCE.probs);

    let (z_engagement, z_days) = box_muller(u[5], u[6]);
    let engagement =
        (z_engagement + SOURCE_ENGAGEMENT[source]).clamp(-ENGAGEMENT_CLAMP, ENGAGEMENT_CLAMP);
    let size_f = size as f64;

    let page_views = poisson(u[7], (1.5 + 0.55 * engagement).exp());
    let whitepaper_downloads = poisson(u[8], (-1.0 + 0.6 * engagement).exp());
    let email_boost = if source == SOURCE_EMAIL { 0.7 } else { 0.0 };
    let email_clicks = poisson(u[9], (0.2 + 0.45 * engagement + email_boost).exp());
    let visited_pricing = bernoulli(
        u[10],
        -1.2 + 0.9 * engagement + 0.04 * f64::from(page_views),
    );
    let webinar_boost = if source == SOURCE_WEBINAR { 2.6 } else { 0.0 };
    let webinar_attended = bernoulli(u[11], -2.2 + 0.5 * engagement + webinar_boost);
    let requested_demo = bernoulli(
        u[12],
        -3.2 + 0.8 * engagement + if visited_pricing { 1.0 } else { 0.0 } + 0.15 * size_f,
    );
    let contact_sales_form = bernoulli(u[13], -3.4 + 0.6 * engagement + 0.25 * size_f);
    let days_raw = (2.4 - 0.45 * engagement + 0.8 * z_days).exp().min(365.0);
    let days = (days_raw * 10.0).round() / 10.0;

    let z_deal = box_muller_first(u[14], u[15]);
    let deal_raw = DEAL_MEDIAN * SIZE_DEAL_MULTIPLIER[size] * (DEAL_SIGMA * z_deal).exp();
    let deal_value = (deal_raw * 100.0).round() / 100.0;

    let b = |flag: bool| if flag { 1.0 } else { 0.0 };
    let x = [
        f64::from(page_views),
        b(visited_pricing),
        f64::from(whitepaper_downloads),
        b(webinar_attended),
        f64::from(email_clicks),
        b(requested_demo),
        b(contact_sales_form),
        days,
    ];
    let mut logit = INTERCEPT;
    for (xi, (_, beta)) in x.iter().zip(NUMERIC_BETAS.iter()) {
        logit += beta * xi;
    }
    logit += SIZE.betas[size]
        + INDUSTRY.betas[industry]
        + SENIORITY.betas[seniority]
        + REGION.betas[region]
        + SOURCE.betas[source];
    let probability = sigmoid(logit);
    let converted = u[16] < probability;

    Draw {
        page_views,
        visited_pricing,
        whitepaper_downloads,
        webinar_attended,
        email_clicks,
        requested_demo,
        contact_sales_form,
        days,
        size,
        industry,
        seniority,
        region,
        source,
        logit,
        probability,
        converted,
        deal_value,
    }
}
