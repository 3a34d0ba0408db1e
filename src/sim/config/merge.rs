//! Deep merge of a scenario's overrides into the file's settings.

use toml::{Table, Value};

/// Keys whose table value is one thing (a distribution, a curve, a calendar): an override
/// replaces it whole, since merging a lognormal's `cv` into an exponential makes no sense.
const WHOLE: &[&str] = &[
    "handle_minutes",
    "talk_minutes",
    "hours",
    "speed_to_lead",
    "sales_cycle_days",
    "deal_value",
    "decision",
    "constant",
];

/// The population's sources exclude each other: naming one in an override drops the others.
const SOURCES: &[&str] = &["generator", "table", "constant"];

/// Merges `over` into `base`: tables merge key by key, everything else (and the tables in
/// `WHOLE`) is replaced.
pub fn deep_merge(base: &mut Table, over: &Table) {
    merge_at(base, over, "");
}

fn merge_at(base: &mut Table, over: &Table, parent: &str) {
    if parent == "population" && over.keys().any(|k| SOURCES.contains(&k.as_str())) {
        base.retain(|k, _| !SOURCES.contains(&k));
    }
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(Value::Table(b)), Value::Table(o)) if !WHOLE.contains(&k.as_str()) => {
                merge_at(b, o, k);
            }
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_merge_and_values_replace() {
        let mut base: Table = toml::from_str(
            "[policy]\nthreshold = 0.3\nreach = [0.5]\n[pools.a]\ncount = 1\nhours = { days = \"mon\", start = 9, end = 17 }",
        )
        .unwrap();
        let over: Table =
            toml::from_str("[policy]\nthreshold = 0.2\n[pools.a]\nhours = \"always\"").unwrap();
        deep_merge(&mut base, &over);
        assert_eq!(base["policy"]["threshold"].as_float(), Some(0.2));
        assert!(base["policy"].get("reach").is_some());
        assert_eq!(base["pools"]["a"]["hours"].as_str(), Some("always"));
        assert_eq!(base["pools"]["a"]["count"].as_integer(), Some(1));
    }
}
