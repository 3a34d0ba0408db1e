//! The b2b-saas preset's constant tables: columns, level probabilities, coefficients and the
//! shape of the engagement signals. Level 0 of each table is listed first; `reference` is the
//! intended most frequent level, whose coefficient is 0.

pub(super) const COLUMNS: [&str; 16] = [
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
pub(super) struct Categorical {
    pub column: &'static str,
    pub levels: &'static [&'static str],
    pub probs: &'static [f64],
    pub betas: &'static [f64],
    pub reference: usize,
}

pub(super) const SIZE: Categorical = Categorical {
    column: "company_size",
    levels: &["1-10", "11-50", "51-200", "201-1000", "1000+"],
    probs: &[0.22, 0.30, 0.24, 0.15, 0.09],
    betas: &[-0.5, 0.0, 0.3, 0.5, 0.6],
    reference: 1,
};
/// Deal-value multiplier per size band: the median deal of a band is 25,000 x multiplier, and
/// the multipliers are set so that the median over all leads is about 25,000.
pub(super) const SIZE_DEAL_MULTIPLIER: [f64; 5] = [0.3, 0.75, 1.35, 2.4, 4.5];

pub(super) const INDUSTRY: Categorical = Categorical {
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
pub(super) const SENIORITY: Categorical = Categorical {
    column: "seniority",
    levels: &["", "individual", "manager", "director", "vp", "c-level"],
    // Marginal over size bands: 0.08, 0.2246, 0.3034, 0.1854, 0.0914, 0.1152.
    probs: &[0.08, 0.2246, 0.3034, 0.1854, 0.0914, 0.1152],
    betas: &[-0.6, -0.4, 0.0, 0.35, 0.55, 0.45],
    reference: 2,
};
/// Seniority given size band: larger companies send more directors and VPs; the smallest send
/// founders (c-level). Missing is 8% everywhere.
pub(super) const SENIORITY_BY_SIZE: [[f64; 6]; 5] = [
    [0.08, 0.20, 0.22, 0.12, 0.08, 0.30],
    [0.08, 0.24, 0.32, 0.18, 0.08, 0.10],
    [0.08, 0.24, 0.34, 0.20, 0.09, 0.05],
    [0.08, 0.22, 0.33, 0.23, 0.11, 0.03],
    [0.08, 0.20, 0.31, 0.25, 0.13, 0.03],
];

pub(super) const REGION: Categorical = Categorical {
    column: "region",
    levels: &["north_america", "emea", "apac", "latam"],
    probs: &[0.45, 0.30, 0.17, 0.08],
    betas: &[0.0, -0.1, -0.3, -0.45],
    reference: 0,
};

pub(super) const SOURCE: Categorical = Categorical {
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
pub(super) const SOURCE_WEBINAR: usize = 3;
pub(super) const SOURCE_EMAIL: usize = 5;
/// Shift of the latent engagement level by channel.
pub(super) const SOURCE_ENGAGEMENT: [f64; 7] = [0.0, -0.1, 0.3, 0.3, 0.2, 0.1, -0.2];

pub(super) const CATEGORICALS: [&Categorical; 5] = [&SIZE, &INDUSTRY, &SENIORITY, &REGION, &SOURCE];

/// Intercept: chosen so that about 14% of leads convert (MQL to SQL).
pub(super) const INTERCEPT: f64 = -2.75;
/// Coefficients of the numeric and yes/no features, in column order.
pub(super) const NUMERIC_BETAS: [(&str, f64); 8] = [
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
pub(super) const DEAL_MEDIAN: f64 = 25_000.0;
pub(super) const DEAL_SIGMA: f64 = 1.0;
/// Latent engagement (standard normal plus channel shift) is clamped to this magnitude, which
/// keeps the Poisson means bounded.
pub(super) const ENGAGEMENT_CLAMP: f64 = 4.5;
