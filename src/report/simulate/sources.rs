//! Where each default of the scenario file comes from, with its grade: docs/model.md section 3
//! in our own words, for the assumptions section.

/// Where a default of the scenario file comes from (docs/model.md section 3, and section 6 for
/// the choices the contract leaves open), in our own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultSource {
    /// Dotted knob path; `*` stands for any pool name.
    pub knob: &'static str,
    /// S (primary study or vendor documentation), S- (primary, vendor-run), F (folklore: a
    /// repeated claim of unclear origin), A (our own assumption).
    pub grade: &'static str,
    /// The evidence behind the default.
    pub source: &'static str,
}

const fn src(knob: &'static str, grade: &'static str, source: &'static str) -> DefaultSource {
    DefaultSource {
        knob,
        grade,
        source,
    }
}

/// The sources of the defaults (presets of `speed_to_lead` and `decision` are in
/// [`preset_source`]).
pub const SOURCES: &[DefaultSource] = &[
    src("population.score_noise", "A", "Our choice: a score model with an AUC near 0.8, like the models train fits on the generator's histories."),
    src("arrivals.warmup_days", "A", "Our choice: no warm-up unless asked (the shipped example uses 14 days)."),
    src(
        "arrivals.replay",
        "A",
        "Our choice: Poisson arrivals unless a table's own arrival times are replayed.",
    ),
    src("arrivals.calendar", "A", "Our choice: arrivals on business days only."),
    src("arrivals.weekday_profile", "A", "Our choice: every day of the week alike."),
    src("arrivals.hour_profile", "A", "Our choice: arrivals spread evenly over the day."),
    src("pools.*.hours", "A", "Our choice: Monday to Friday, 9:00 to 17:00."),
    src("pools.*.handle_minutes", "A", "Our assumption for one dial-and-log attempt: about 8 minutes."),
    src("pools.*.talk_minutes", "A", "Our assumption for a first conversation: about 20 minutes more."),
    src("pools.*.skill", "A", "Our choice: reps qualify as the propensity says."),
    src("pools.*.cost_per_hour", "A", "Our assumption: an SDR's loaded cost of about 75K a year (an account executive's, 150K, is 72 per hour)."),
    src("pools.*.discipline", "A", "Our choice: oldest lead first."),
    src("pools.*.band", "A", "Our choice: one pool serves every score."),
    src("policy.threshold", "A", "Our choice of a neutral middle score."),
    src("policy.max_attempts", "A", "Our choice, matching the six attempts of the reach table."),
    src("policy.gap_hours", "A", "Our cadence, shaped by Velocify's advice to make six attempts."),
    src("policy.contactable", "S-", "InsideSales (vendor) research: four to six attempts reach roughly 55% of B2B leads."),
    src("policy.reach", "S-", "Leads360 / Velocify (vendor) attempt studies: 39% reached on the first call, 93% by the sixth."),
    src("policy.sla_hours", "A", "Our choice: a one-hour response target."),
    src("policy.patience_hours", "A", "Our choice: leads wait for ever (no abandonment)."),
    src("policy.nurture.enabled", "A", "Our choice: the nurture programme runs."),
    src("policy.nurture.lift", "F", "A widely repeated claim that nurtured leads give 50% more sales-ready leads at a third lower cost; origin unclear."),
    src("policy.nurture.cost_per_lead_month", "A", "Our assumption: the model names a nurture cost but not its size (docs/model.md section 3)."),
    src("outcomes.win_rate", "F", "SiriusDecisions demand-waterfall folklore: 20 to 30% of opportunities are won."),
    src("outcomes.sales_cycle_days", "A", "Our assumption: a median of 60 days; the spread is our choice too."),
    src("outcomes.deal_value", "S-", "Pacific Crest SaaS surveys (vendor-run): median annual contract value 21K in 2015, 25K in 2016."),
    src("outcomes.share", "A", "Our assumption: 15% of nurtured leads that decide buy from us."),
    src("outcomes.share_elasticity", "A", "Our assumption: the buy probability in nurture is proportional to the lead's propensity (elasticity 1), so weak leads come back as buyers less often than strong ones."),
];

/// The grade and source of a `speed_to_lead` or `decision` preset.
pub fn preset_source(preset: &str) -> Option<(&'static str, &'static str)> {
    Some(match preset {
        "default" => ("A", "Our curve: a moderate decay between the published studies, which are observational and likely overstate the effect."),
        "hbr-2011" => ("S-", "Oldroyd, McElheran and Elkington, HBR 2011: firms answering within an hour were about 7 times as likely to qualify a lead as an hour later, over 60 times as a day later; observational."),
        "lrm-2007" => ("S-", "Lead Response Management study, 2007: calling within 5 rather than 30 minutes raised the odds to qualify 21-fold; observational, vendor-linked."),
        "velocify-2012" => ("S-", "Velocify 2012, 3.5 million leads: calls in the first minute converted 391% better than later ones; observational, vendor-run."),
        "rule-of-45" => ("S-", "A fit to Obermayer's \"Rule of 45\" surveys: about 12% of rejected leads decide within 3 months, 45% within 12."),
        "rejected-80" => ("F", "A repeated claim that nearly 80% of MQLs rejected by sales buy within 12 months; origin unclear."),
        _ => return None,
    })
}
