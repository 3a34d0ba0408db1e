//! Synthetic lead histories whose true outcome model is known.
//!
//! [`Generator`] draws B2B-SaaS-like leads: engagement signals, firmographics, the channel they
//! came from, whether they became a sales-qualified lead (`converted`) and a deal value. The
//! covariates are correlated the way real funnels are (a latent engagement level drives all the
//! engagement signals; larger companies send more senior contacts; webinar leads attend
//! webinars), but the outcome is **exactly** a logistic regression in the features as leadsim's
//! trainer encodes them, so a correct trainer recovers [`Truth`] up to sampling error:
//!
//! `P(converted = 1) = sigmoid(intercept + sum_j beta_j x_j)`, on the original units, where
//! yes/no columns are 0/1, counts and `days_since_last_activity` enter linearly as written in
//! the CSV, and each categorical column is one-hot encoded against its most frequent level
//! (a missing `seniority` is the level `(missing)`).
//!
//! Determinism: lead `i` (0-based; id `L{i+1:06}`) is drawn from its own generator
//! [`lead_rng`]`(seed, i)`, and [`Generator::sample`] consumes exactly [`DRAWS_PER_LEAD`] 64-bit
//! words from it, so a file is a pure function of (preset, seed) and any prefix of leads is the
//! same whatever the number of leads requested.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::scoring::model::sigmoid;

/// A named family of synthetic populations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Preset {
    /// Inbound B2B software-as-a-service leads (marketing-qualified leads and whether sales
    /// accepted them as SQLs).
    #[serde(rename = "b2b-saas")]
    B2bSaas,
}

impl Preset {
    /// Every preset, in the order `--help` lists them.
    pub const ALL: &'static [Preset] = &[Preset::B2bSaas];

    /// The command-line name (`b2b-saas`).
    pub fn name(self) -> &'static str {
        match self {
            Preset::B2bSaas => "b2b-saas",
        }
    }

    /// A one-line description for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Preset::B2bSaas => {
                "inbound B2B SaaS leads: engagement, firmographics, channel; MQL-to-SQL outcome"
            }
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Preset::ALL
            .iter()
            .copied()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
                Error::InvalidParameter {
                    name: "preset".into(),
                    value: s.into(),
                    reason: format!(
                        "known presets: {}{}",
                        names.join(", "),
                        crate::text::did_you_mean(s, names.iter().copied())
                    ),
                }
            })
    }
}

/// Number of 64-bit words ([`RngCore::next_u64`]) that [`Generator::sample`] takes from its
/// generator for every lead, whatever the values drawn. In order:
///
/// | word | use |
/// |------|-----|
/// | 0 | `company_size` |
/// | 1 | `industry` |
/// | 2 | `seniority` (given company size) |
/// | 3 | `region` |
/// | 4 | `source` |
/// | 5, 6 | Box-Muller pair: latent engagement, noise of `days_since_last_activity` |
/// | 7 | `page_views` |
/// | 8 | `whitepaper_downloads` |
/// | 9 | `email_clicks` |
/// | 10 | `visited_pricing` |
/// | 11 | `webinar_attended` |
/// | 12 | `requested_demo` |
/// | 13 | `contact_sales_form` |
/// | 14, 15 | Box-Muller pair: `deal_value` noise (second value unused) |
/// | 16 | `converted` (converted iff uniform < probability) |
pub const DRAWS_PER_LEAD: usize = 17;

/// The generator for lead `index` (0-based) of a file drawn with `seed`: ChaCha8 seeded with
/// `seed_from_u64(seed)`, on stream `index`. Independent streams make every lead reproducible
/// on its own.
pub fn lead_rng(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// The `lead_id` of lead `index` (0-based): `L000001` for index 0.
pub fn lead_id(index: u64) -> String {
    format!("L{:06}", index + 1)
}

/// One synthetic lead.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticLead {
    /// The CSV fields in [`Generator::columns`] order, without the leading `lead_id`
    /// (so `converted` and `deal_value` are the last two).
    pub values: Vec<String>,
    /// The true log-odds of conversion.
    pub logit: f64,
    /// The true probability of conversion, `sigmoid(logit)`.
    pub probability: f64,
    /// The drawn outcome (became an SQL).
    pub converted: bool,
    /// The deal value (currency units, rounded to cents), drawn for every lead whether or not it
    /// converted: the value the opportunity would have. It depends only on company size and
    /// independent noise, so it carries no information about `converted` beyond the features.
    pub deal_value: f64,
}

/// The parts of a [`SyntheticLead`] a simulation uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatentLead {
    /// The true log-odds of conversion.
    pub logit: f64,
    /// The true probability of conversion, `sigmoid(logit)`.
    pub probability: f64,
    /// The deal value (currency units).
    pub deal_value: f64,
}

/// One named true coefficient, in the trainer's feature naming.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    /// Feature name: the column name, or `column=level` for a dummy.
    pub name: String,
    /// True coefficient on the original (unstandardised) scale.
    pub value: f64,
}

/// The true outcome model of a synthetic population, written next to the CSV as
/// `<stem>.truth.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// The preset drawn from.
    pub preset: Preset,
    /// The seed of the file, if this truth describes one.
    pub seed: Option<u64>,
    /// Number of leads in the file (0 if this truth describes no file).
    pub leads: usize,
    /// The outcome column.
    pub target: String,
    /// True intercept (the log-odds of a lead at every reference level with zero counts).
    pub intercept: f64,
    /// True coefficients in the trainer's feature order (file column order; dummies in
    /// byte-lexical order of level within their column).
    pub coefficients: Vec<Coefficient>,
    /// Reference (omitted) level of each categorical column.
    pub reference_levels: BTreeMap<String, String>,
    /// Number of converted leads in the file.
    pub conversions: Option<usize>,
    /// Realised conversion rate in the file (rounded to 6 decimals).
    pub base_rate: Option<f64>,
    /// Mean of the true conversion probabilities in the file (rounded to 6 decimals).
    pub mean_probability: Option<f64>,
    /// Human-readable description of the model and the columns.
    pub notes: Vec<String>,
}

impl Truth {
    /// The true coefficient of a feature, by trainer name (`"(intercept)"` gives the intercept).
    pub fn coefficient(&self, name: &str) -> Option<f64> {
        if name == "(intercept)" {
            return Some(self.intercept);
        }
        self.coefficients
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value)
    }
}

/// Draws synthetic leads of one preset.
#[derive(Debug, Clone)]
pub struct Generator {
    preset: Preset,
}

// ---------------------------------------------------------------------------------------------
// The b2b-saas preset. Level 0 of each table is listed first; `reference` is the intended most
// frequent level, whose coefficient is 0.

const COLUMNS: [&str; 16] = [
    "lead_id",
    "page_views",
    "visited_pricing",
    "whitepaper_downloads",
    "webinar_attended",
    "email_clicks",
    "requested_demo",
    "contact_sales_form",
    "days_since_last_activity",
    "company_size",
    "industry",
    "seniority",
    "region",
    "source",
    "converted",
    "deal_value",
];

/// A categorical column: levels, marginal probabilities (seniority's are given per size band
/// instead), coefficient per level (0 at the reference).
struct Categorical {
    column: &'static str,
    levels: &'static [&'static str],
    probs: &'static [f64],
    betas: &'static [f64],
    reference: usize,
}

const SIZE: Categorical = Categorical {
    column: "company_size",
    levels: &["1-10", "11-50", "51-200", "201-1000", "1000+"],
    probs: &[0.22, 0.30, 0.24, 0.15, 0.09],
    betas: &[-0.5, 0.0, 0.3, 0.5, 0.6],
    reference: 1,
};
/// Deal-value multiplier per size band: the median deal of a band is 25,000 x multiplier, and
/// the multipliers are set so that the median over all leads is about 25,000.
const SIZE_DEAL_MULTIPLIER: [f64; 5] = [0.3, 0.75, 1.35, 2.4, 4.5];

const INDUSTRY: Categorical = Categorical {
    column: "industry",
    levels: &[
        "software",
        "finance",
        "healthcare",
        "manufacturing",
        "retail",
        "education",
        "other",
    ],
    probs: &[0.32, 0.13, 0.11, 0.12, 0.10, 0.08, 0.14],
    betas: &[0.0, 0.2, -0.1, -0.25, -0.35, -0.5, -0.3],
    reference: 0,
};

/// Level 0 is a missing value (an empty CSV field; the trainer's level `(missing)`).
const SENIORITY: Categorical = Categorical {
    column: "seniority",
    levels: &["", "individual", "manager", "director", "vp", "c-level"],
    // Marginal over size bands: 0.08, 0.2246, 0.3034, 0.1854, 0.0914, 0.1152.
    probs: &[0.08, 0.2246, 0.3034, 0.1854, 0.0914, 0.1152],
    betas: &[-0.6, -0.4, 0.0, 0.35, 0.55, 0.45],
    reference: 2,
};
/// Seniority given size band: larger companies send more directors and VPs; the smallest send
/// founders (c-level). Missing is 8% everywhere.
const SENIORITY_BY_SIZE: [[f64; 6]; 5] = [
    [0.08, 0.20, 0.22, 0.12, 0.08, 0.30],
    [0.08, 0.24, 0.32, 0.18, 0.08, 0.10],
    [0.08, 0.24, 0.34, 0.20, 0.09, 0.05],
    [0.08, 0.22, 0.33, 0.23, 0.11, 0.03],
    [0.08, 0.20, 0.31, 0.25, 0.13, 0.03],
];

const REGION: Categorical = Categorical {
    column: "region",
    levels: &["north_america", "emea", "apac", "latam"],
    probs: &[0.45, 0.30, 0.17, 0.08],
    betas: &[0.0, -0.1, -0.3, -0.45],
    reference: 0,
};

const SOURCE: Categorical = Categorical {
    column: "source",
    levels: &[
        "organic_search",
        "paid_search",
        "referral",
        "webinar",
        "events",
        "email",
        "social",
    ],
    probs: &[0.28, 0.18, 0.10, 0.10, 0.08, 0.14, 0.12],
    betas: &[0.0, -0.15, 0.7, 0.25, 0.4, -0.2, -0.5],
    reference: 0,
};
const SOURCE_WEBINAR: usize = 3;
const SOURCE_EMAIL: usize = 5;
/// Shift of the latent engagement level by channel.
const SOURCE_ENGAGEMENT: [f64; 7] = [0.0, -0.1, 0.3, 0.3, 0.2, 0.1, -0.2];

const CATEGORICALS: [&Categorical; 5] = [&SIZE, &INDUSTRY, &SENIORITY, &REGION, &SOURCE];

/// Intercept: chosen so that about 14% of leads convert (MQL to SQL).
const INTERCEPT: f64 = -2.75;
/// Coefficients of the numeric and yes/no features, in column order.
const NUMERIC_BETAS: [(&str, f64); 8] = [
    ("page_views", 0.04),
    ("visited_pricing", 0.8),
    ("whitepaper_downloads", 0.15),
    ("webinar_attended", 0.5),
    ("email_clicks", 0.08),
    ("requested_demo", 1.8),
    ("contact_sales_form", 1.5),
    ("days_since_last_activity", -0.035),
];
/// Median deal value (currency units) before the size multiplier; log-scale sigma is 1.
const DEAL_MEDIAN: f64 = 25_000.0;
const DEAL_SIGMA: f64 = 1.0;
/// Latent engagement (standard normal plus channel shift) is clamped to this magnitude, which
/// keeps the Poisson means bounded.
const ENGAGEMENT_CLAMP: f64 = 4.5;

/// The drawn values of one lead, before formatting.
#[derive(Debug, Clone, Copy)]
struct Draw {
    page_views: u32,
    visited_pricing: bool,
    whitepaper_downloads: u32,
    webinar_attended: bool,
    email_clicks: u32,
    requested_demo: bool,
    contact_sales_form: bool,
    /// Rounded to one decimal, exactly as written.
    days: f64,
    size: usize,
    industry: usize,
    seniority: usize,
    region: usize,
    source: usize,
    logit: f64,
    probability: f64,
    converted: bool,
    /// Rounded to cents, exactly as written.
    deal_value: f64,
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

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

impl Generator {
    /// A generator for `preset`.
    pub fn new(preset: Preset) -> Self {
        Generator { preset }
    }

    /// The preset this generator draws from.
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// The CSV header, in order (starting with `lead_id`, ending with `converted`,
    /// `deal_value`).
    pub fn columns(&self) -> &[&str] {
        &COLUMNS
    }

    /// The outcome column (`converted`).
    pub fn target(&self) -> &str {
        "converted"
    }

    /// Draws one lead, taking exactly [`DRAWS_PER_LEAD`] words from `rng` (see there for their
    /// order).
    pub fn sample<R: RngCore + ?Sized>(&self, rng: &mut R) -> SyntheticLead {
        let d = self.draw(rng);
        let mut values = Vec::with_capacity(COLUMNS.len() - 1);
        let mut line = Vec::with_capacity(128);
        write_fields(&mut line, &d);
        // Every field is plain ASCII without commas or quotes.
        let text = String::from_utf8(line).expect("ASCII fields");
        values.extend(text.split(',').map(str::to_owned));
        SyntheticLead {
            values,
            logit: d.logit,
            probability: d.probability,
            converted: d.converted,
            deal_value: d.deal_value,
        }
    }

    /// Draws one lead like [`Generator::sample`] (the same [`DRAWS_PER_LEAD`] words, so the same
    /// lead for the same stream) but returns only what a simulation needs, without formatting
    /// any text: the funnel simulator calls this once per simulated lead.
    pub fn sample_latent<R: RngCore + ?Sized>(&self, rng: &mut R) -> LatentLead {
        let d = self.draw(rng);
        LatentLead {
            logit: d.logit,
            probability: d.probability,
            deal_value: d.deal_value,
        }
    }

    fn draw<R: RngCore + ?Sized>(&self, rng: &mut R) -> Draw {
        match self.preset {
            Preset::B2bSaas => {}
        }
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

    /// The true outcome model, in the trainer's naming, without file statistics (`seed`,
    /// `conversions`, `base_rate` and `mean_probability` are `None`, `leads` is 0).
    pub fn truth(&self) -> Truth {
        let mut coefficients: Vec<Coefficient> = NUMERIC_BETAS
            .iter()
            .map(|&(name, value)| Coefficient {
                name: name.to_string(),
                value,
            })
            .collect();
        let mut reference_levels = BTreeMap::new();
        for cat in CATEGORICALS {
            let mut dummies: Vec<Coefficient> = cat
                .levels
                .iter()
                .zip(cat.betas)
                .enumerate()
                .filter(|&(i, _)| i != cat.reference)
                .map(|(_, (level, &value))| Coefficient {
                    name: format!("{}={}", cat.column, trainer_level(level)),
                    value,
                })
                .collect();
            dummies.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
            coefficients.extend(dummies);
            reference_levels.insert(
                cat.column.to_string(),
                trainer_level(cat.levels[cat.reference]).to_string(),
            );
        }
        Truth {
            preset: self.preset,
            seed: None,
            leads: 0,
            target: self.target().to_string(),
            intercept: INTERCEPT,
            coefficients,
            reference_levels,
            conversions: None,
            base_rate: None,
            mean_probability: None,
            notes: vec![
                "P(converted = 1) = sigmoid(intercept + sum of coefficient * feature), features \
                 on their original units."
                    .into(),
                "yes/no columns are 0/1 features named by the column; counts and \
                 days_since_last_activity enter linearly, exactly as written in the CSV."
                    .into(),
                "Categorical columns are one-hot encoded against the reference levels listed; \
                 dummies are named column=level, and an empty seniority is the level (missing)."
                    .into(),
                "lead_id is an identifier and deal_value a second outcome (drawn for every lead \
                 from company size and independent lognormal noise: median 25000 x a size \
                 multiplier (0.3, 0.75, 1.35, 2.4, 4.5 from 1-10 to 1000+), sigma 1): \
                 neither is a feature; given the features, deal_value's true coefficient \
                 would be 0."
                    .into(),
                "Lead i (0-based) is drawn from ChaCha8Rng::seed_from_u64(seed) on stream i, so \
                 any prefix of a file is the same whatever the number of leads."
                    .into(),
            ],
        }
    }
}

/// The trainer's name for a level: an empty field is `(missing)`.
fn trainer_level(level: &str) -> &str {
    if level.is_empty() {
        "(missing)"
    } else {
        level
    }
}

/// Appends the CSV fields of `d` after `lead_id` (comma-separated, no newline).
fn write_fields(buf: &mut Vec<u8>, d: &Draw) {
    // Writing to a Vec<u8> cannot fail.
    let _ = write!(
        buf,
        "{},{},{},{},{},{},{},{:.1},{},{},{},{},{},{},{:.2}",
        d.page_views,
        yes_no(d.visited_pricing),
        d.whitepaper_downloads,
        yes_no(d.webinar_attended),
        d.email_clicks,
        yes_no(d.requested_demo),
        yes_no(d.contact_sales_form),
        d.days,
        SIZE.levels[d.size],
        INDUSTRY.levels[d.industry],
        SENIORITY.levels[d.seniority],
        REGION.levels[d.region],
        SOURCE.levels[d.source],
        u8::from(d.converted),
        d.deal_value,
    );
}

/// Where [`write_history`] puts the truth for `out`: the file name without `.gz` and without its
/// extension, plus `.truth.json`, in the same folder (`history.csv` and `history.csv.gz` both
/// give `history.truth.json`).
pub fn truth_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = strip_suffix_ignore_case(&name, ".gz").unwrap_or(&name);
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "history".into());
    out.with_file_name(format!("{stem}.truth.json"))
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

fn is_gzip_path(out: &Path) -> bool {
    out.file_name()
        .map(|n| strip_suffix_ignore_case(&n.to_string_lossy(), ".gz").is_some())
        .unwrap_or(false)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Writes `leads` synthetic leads of `preset` drawn with `seed` to `out` (CSV, comma-separated,
/// header [`Generator::columns`]; gzip-compressed at the fast level when `out` ends in `.gz`)
/// and the [`Truth`], with the file's realised statistics, to [`truth_path`]`(out)`. Both
/// files are written atomically; the CSV is committed first.
///
/// # Errors
/// [`Error::InvalidParameter`] if `leads` is 0; [`Error::Io`] if either file cannot be written.
pub fn write_history(out: &Path, preset: Preset, leads: usize, seed: u64) -> Result<Truth> {
    if leads == 0 {
        return Err(Error::InvalidParameter {
            name: "leads".into(),
            value: "0".into(),
            reason: "a history needs at least one lead".into(),
        });
    }
    let generator = Generator::new(preset);
    let tpath = truth_path(out);
    let io = |e: std::io::Error| Error::io(out, e);

    let mut file = AtomicFile::create(out)?;
    let (conversions, sum_p) = if is_gzip_path(out) {
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let stats = write_rows(&mut gz, &generator, leads, seed).map_err(io)?;
        file = gz.finish().map_err(io)?;
        stats
    } else {
        write_rows(&mut file, &generator, leads, seed).map_err(io)?
    };

    let mut truth = generator.truth();
    truth.seed = Some(seed);
    truth.leads = leads;
    truth.conversions = Some(conversions);
    truth.base_rate = Some(round6(conversions as f64 / leads as f64));
    truth.mean_probability = Some(round6(sum_p / leads as f64));
    let mut json = serde_json::to_vec_pretty(&truth)
        .map_err(|e| Error::io(&tpath, std::io::Error::other(e)))?;
    json.push(b'\n');
    let mut tfile = AtomicFile::create(&tpath)?;
    tfile.write_all(&json).map_err(|e| Error::io(&tpath, e))?;

    file.commit()?;
    tfile.commit()?;
    Ok(truth)
}

/// Writes the header and `leads` rows to `w`; returns (conversions, sum of true probabilities).
fn write_rows<W: Write>(
    w: &mut W,
    generator: &Generator,
    leads: usize,
    seed: u64,
) -> std::io::Result<(usize, f64)> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
    buf.extend_from_slice(COLUMNS.join(",").as_bytes());
    buf.push(b'\n');
    let mut conversions = 0usize;
    let mut sum_p = 0.0f64;
    for i in 0..leads {
        let mut rng = lead_rng(seed, i as u64);
        let d = generator.draw(&mut rng);
        conversions += usize::from(d.converted);
        sum_p += d.probability;
        write!(buf, "L{:06},", i + 1)?;
        write_fields(&mut buf, &d);
        buf.push(b'\n');
        if buf.len() >= (1 << 16) {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)?;
    Ok((conversions, sum_p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn leads(seed: u64, n: usize) -> Vec<SyntheticLead> {
        let g = Generator::new(Preset::B2bSaas);
        (0..n)
            .map(|i| g.sample(&mut lead_rng(seed, i as u64)))
            .collect()
    }

    /// The trainer's encoding of one row, in `truth.coefficients` order, built from the CSV
    /// fields and the coefficient names only.
    fn encode(truth: &Truth, columns: &[&str], values: &[String]) -> Vec<f64> {
        let field = |col: &str| {
            let j = columns[1..].iter().position(|c| *c == col).expect(col);
            values[j].as_str()
        };
        truth
            .coefficients
            .iter()
            .map(|c| match c.name.split_once('=') {
                Some((col, level)) => {
                    let v = field(col);
                    let v = if v.is_empty() { "(missing)" } else { v };
                    f64::from(u8::from(v == level))
                }
                None => match field(&c.name) {
                    "yes" => 1.0,
                    "no" => 0.0,
                    v => v.parse().expect("numeric"),
                },
            })
            .collect()
    }

    #[test]
    fn latent_sample_is_the_same_lead_as_the_full_sample() {
        let g = Generator::new(Preset::B2bSaas);
        for i in 0..200 {
            let full = g.sample(&mut lead_rng(5, i));
            let latent = g.sample_latent(&mut lead_rng(5, i));
            assert_eq!(latent.logit, full.logit);
            assert_eq!(latent.probability, full.probability);
            assert_eq!(latent.deal_value, full.deal_value);
        }
    }

    #[test]
    fn header_matches_columns() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("h.csv");
        write_history(&out, Preset::B2bSaas, 5, 1).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let g = Generator::new(Preset::B2bSaas);
        assert_eq!(text.lines().next().unwrap(), g.columns().join(","));
        assert_eq!(text.lines().count(), 6);
        for line in text.lines().skip(1) {
            assert_eq!(line.split(',').count(), g.columns().len());
        }
        assert!(text.lines().nth(1).unwrap().starts_with("L000001,"));
        assert_eq!(leads(1, 1)[0].values.len(), g.columns().len() - 1);
    }

    #[test]
    fn same_seed_same_bytes_other_seed_differs() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a.csv"),
            dir.path().join("b.csv"),
            dir.path().join("c.csv"),
        );
        let ta = write_history(&a, Preset::B2bSaas, 2000, 7).unwrap();
        let tb = write_history(&b, Preset::B2bSaas, 2000, 7).unwrap();
        write_history(&c, Preset::B2bSaas, 2000, 8).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert_eq!(
            std::fs::read(truth_path(&a)).unwrap(),
            std::fs::read(truth_path(&b)).unwrap()
        );
        assert_eq!(ta, tb);
        assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
    }

    #[test]
    fn any_prefix_is_the_same_whatever_the_length() {
        let dir = tempfile::tempdir().unwrap();
        let (short, long) = (dir.path().join("s.csv"), dir.path().join("l.csv"));
        write_history(&short, Preset::B2bSaas, 300, 11).unwrap();
        write_history(&long, Preset::B2bSaas, 1000, 11).unwrap();
        let s = std::fs::read_to_string(&short).unwrap();
        let l = std::fs::read_to_string(&long).unwrap();
        assert_eq!(s.lines().count(), 301);
        assert!(l.starts_with(&s));
        // And the library draw of lead i is row i of the file.
        let lead = &leads(11, 300)[299];
        assert_eq!(
            s.lines().nth(300).unwrap(),
            format!("{},{}", lead_id(299), lead.values.join(","))
        );
    }

    /// Counts every word taken from the inner generator.
    struct Counting<R> {
        inner: R,
        words: usize,
        other: usize,
    }
    impl<R: RngCore> RngCore for Counting<R> {
        fn next_u32(&mut self) -> u32 {
            self.other += 1;
            self.inner.next_u32()
        }
        fn next_u64(&mut self) -> u64 {
            self.words += 1;
            self.inner.next_u64()
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            self.other += 1;
            self.inner.fill_bytes(dest)
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> std::result::Result<(), rand::Error> {
            self.other += 1;
            self.inner.try_fill_bytes(dest)
        }
    }

    #[test]
    fn every_lead_takes_the_same_number_of_draws() {
        let g = Generator::new(Preset::B2bSaas);
        let mut rng = Counting {
            inner: lead_rng(3, 0),
            words: 0,
            other: 0,
        };
        for i in 1..=3000 {
            g.sample(&mut rng);
            assert_eq!(rng.words, i * DRAWS_PER_LEAD);
        }
        assert_eq!(rng.other, 0);
        // Leads drawn back to back from one stream are reproducible by position.
        let mut a = lead_rng(3, 0);
        let mut b = lead_rng(3, 0);
        g.sample(&mut a);
        let second = g.sample(&mut a);
        b.set_word_pos(2 * DRAWS_PER_LEAD as u128);
        assert_eq!(g.sample(&mut b), second);
    }

    #[test]
    fn realised_rate_is_within_three_standard_errors_of_the_true_mean() {
        let sample = leads(2024, 20_000);
        let n = sample.len() as f64;
        let mean_p = sample.iter().map(|l| l.probability).sum::<f64>() / n;
        let var = sample
            .iter()
            .map(|l| l.probability * (1.0 - l.probability))
            .sum::<f64>();
        let se = var.sqrt() / n;
        let rate = sample.iter().filter(|l| l.converted).count() as f64 / n;
        assert!(
            (rate - mean_p).abs() < 3.0 * se,
            "rate {rate}, mean p {mean_p}, se {se}"
        );
        assert!((0.10..=0.20).contains(&rate), "MQL-to-SQL rate {rate}");
        // The outcome column agrees with the flag, and the probability with the logit.
        for l in &sample[..100] {
            assert_eq!(l.values[13], if l.converted { "1" } else { "0" });
            assert!((l.probability - sigmoid(l.logit)).abs() < 1e-15);
        }
    }

    #[test]
    fn intended_reference_is_the_most_frequent_level() {
        let g = Generator::new(Preset::B2bSaas);
        let truth = g.truth();
        let sample = leads(5, 5000);
        let cols = g.columns();
        for cat in ["company_size", "industry", "seniority", "region", "source"] {
            let j = cols[1..].iter().position(|c| *c == cat).unwrap();
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for l in &sample {
                let v = l.values[j].as_str();
                *counts
                    .entry(if v.is_empty() { "(missing)" } else { v })
                    .or_default() += 1;
            }
            // The trainer's rule: most frequent, ties by lexical order.
            let mut levels: Vec<(&str, usize)> = counts.into_iter().collect();
            levels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            assert!(levels[0].1 > levels[1].1, "{cat}: tie {levels:?}");
            assert_eq!(
                levels[0].0, truth.reference_levels[cat],
                "{cat}: {levels:?}"
            );
            let rarest = levels.last().unwrap();
            assert!(
                rarest.1 >= 150,
                "{cat}: level {} has {} rows",
                rarest.0,
                rarest.1
            );
            // Exactly the other levels have coefficients.
            let mut dummies: Vec<String> = levels[1..]
                .iter()
                .map(|(l, _)| format!("{cat}={l}"))
                .collect();
            dummies.sort();
            let mut named: Vec<String> = truth
                .coefficients
                .iter()
                .filter(|c| c.name.starts_with(&format!("{cat}=")))
                .map(|c| c.name.clone())
                .collect();
            named.sort();
            assert_eq!(dummies, named);
        }
        let missing = sample.iter().filter(|l| l.values[10].is_empty()).count() as f64 / 5000.0;
        assert!((missing - 0.08).abs() < 3.0 * (0.08f64 * 0.92 / 5000.0).sqrt() + 1e-9);
    }

    #[test]
    fn truth_json_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("history.csv");
        let truth = write_history(&out, Preset::B2bSaas, 1500, 99).unwrap();
        let text = std::fs::read_to_string(dir.path().join("history.truth.json")).unwrap();
        let back: Truth = serde_json::from_str(&text).unwrap();
        assert_eq!(back, truth);
        assert_eq!(back.seed, Some(99));
        assert_eq!(back.leads, 1500);
        let csv = std::fs::read_to_string(&out).unwrap();
        let conversions = csv
            .lines()
            .skip(1)
            .filter(|l| l.split(',').nth(14) == Some("1"))
            .count();
        assert_eq!(back.conversions, Some(conversions));
        assert_eq!(back.coefficient("(intercept)"), Some(INTERCEPT));
        assert_eq!(back.coefficient("requested_demo"), Some(1.8));
        assert_eq!(back.coefficient("seniority=(missing)"), Some(-0.6));
        assert!(serde_json::to_string(&Preset::B2bSaas).unwrap() == "\"b2b-saas\"");
    }

    #[test]
    fn gzip_output_holds_the_same_csv() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("p.csv");
        let gz = dir.path().join("g.csv.gz");
        write_history(&plain, Preset::B2bSaas, 700, 5).unwrap();
        write_history(&gz, Preset::B2bSaas, 700, 5).unwrap();
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap())
            .read_to_end(&mut text)
            .unwrap();
        assert_eq!(text, std::fs::read(&plain).unwrap());
        assert!(dir.path().join("g.truth.json").exists());
        // Nothing but the four outputs (no temporary files left behind).
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
        assert_eq!(
            truth_path(Path::new("d/history.csv")),
            Path::new("d/history.truth.json")
        );
        assert_eq!(
            truth_path(Path::new("history.CSV.GZ")),
            Path::new("history.truth.json")
        );
        assert_eq!(
            truth_path(Path::new("history")),
            Path::new("history.truth.json")
        );
    }

    #[test]
    fn zero_leads_and_unknown_presets_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            write_history(&dir.path().join("x.csv"), Preset::B2bSaas, 0, 1),
            Err(Error::InvalidParameter { .. })
        ));
        assert_eq!("b2b-saas".parse::<Preset>().unwrap(), Preset::B2bSaas);
        assert_eq!(Preset::B2bSaas.to_string(), "b2b-saas");
        let err = "b2b-sas".parse::<Preset>().unwrap_err().to_string();
        assert!(err.contains("did you mean \"b2b-saas\""), "{err}");
    }

    #[test]
    fn logit_is_the_truth_applied_to_the_written_fields() {
        let g = Generator::new(Preset::B2bSaas);
        let truth = g.truth();
        for l in leads(17, 2000) {
            let x = encode(&truth, g.columns(), &l.values);
            let eta = truth.intercept
                + x.iter()
                    .zip(&truth.coefficients)
                    .map(|(x, c)| x * c.value)
                    .sum::<f64>();
            assert!((eta - l.logit).abs() < 1e-9, "{eta} vs {}", l.logit);
        }
    }

    /// Cholesky factor (lower) of a symmetric positive definite p x p matrix, row-major.
    fn cholesky(a: &[f64], p: usize) -> Vec<f64> {
        let mut l = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..=i {
                let s = a[i * p + j] - (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum::<f64>();
                l[i * p + j] = if i == j { s.sqrt() } else { s / l[j * p + j] };
            }
        }
        l
    }

    fn cholesky_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
        let mut y = b.to_vec();
        for i in 0..p {
            y[i] = (y[i] - (0..i).map(|k| l[i * p + k] * y[k]).sum::<f64>()) / l[i * p + i];
        }
        for i in (0..p).rev() {
            y[i] = (y[i] - (i + 1..p).map(|k| l[k * p + i] * y[k]).sum::<f64>()) / l[i * p + i];
        }
        y
    }

    #[test]
    fn maximum_likelihood_recovers_the_truth() {
        let g = Generator::new(Preset::B2bSaas);
        let truth = g.truth();
        let sample = leads(31, 20_000);
        let p = truth.coefficients.len() + 1;
        let rows: Vec<Vec<f64>> = sample
            .iter()
            .map(|l| {
                let mut x = vec![1.0];
                x.extend(encode(&truth, g.columns(), &l.values));
                x
            })
            .collect();
        let y: Vec<f64> = sample
            .iter()
            .map(|l| f64::from(u8::from(l.converted)))
            .collect();
        let mut beta = vec![0.0; p];
        let mut chol = Vec::new();
        for iter in 0.. {
            assert!(iter < 50, "Newton did not converge");
            let mut grad = vec![0.0; p];
            let mut hess = vec![0.0; p * p];
            for (x, &yi) in rows.iter().zip(&y) {
                let mu = sigmoid(x.iter().zip(&beta).map(|(a, b)| a * b).sum());
                let w = mu * (1.0 - mu);
                for i in 0..p {
                    grad[i] += x[i] * (yi - mu);
                    if x[i] != 0.0 {
                        for j in 0..=i {
                            hess[i * p + j] += w * x[i] * x[j];
                        }
                    }
                }
            }
            for i in 0..p {
                for j in 0..i {
                    hess[j * p + i] = hess[i * p + j];
                }
            }
            chol = cholesky(&hess, p);
            let step = cholesky_solve(&chol, p, &grad);
            beta.iter_mut().zip(&step).for_each(|(b, s)| *b += s);
            if step.iter().all(|s| s.abs() < 1e-10) {
                break;
            }
        }
        let names: Vec<&str> = std::iter::once("(intercept)")
            .chain(truth.coefficients.iter().map(|c| c.name.as_str()))
            .collect();
        let mut worst = (0.0f64, "");
        for (k, name) in names.iter().enumerate() {
            let mut e = vec![0.0; p];
            e[k] = 1.0;
            let se = cholesky_solve(&chol, p, &e)[k].sqrt();
            let z = (beta[k] - truth.coefficient(name).unwrap()) / se;
            if z.abs() > worst.0 {
                worst = (z.abs(), name);
            }
        }
        // 33 coefficients: P(max |z| > 4.5) is about 2e-4 under a correct truth.
        assert!(
            worst.0 < 4.5,
            "{} is {:.2} standard errors off",
            worst.1,
            worst.0
        );
    }
}
