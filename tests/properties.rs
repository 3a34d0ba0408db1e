//! Property tests (proptest) of the three readers of hostile input: the CSV reader, the TOML
//! scenario reader and the model loader. Whatever the input, each returns a value or an error
//! of bounded length, and never panics; a valid input reads back what was written.

use std::path::Path;

use proptest::prelude::*;

use leadsim::data::{CsvOptions, Table};
use leadsim::scoring::model::Model;
use leadsim::sim::ScenarioFile;

const MAX_MESSAGE: usize = 1500;

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9 ]{0,8}",
        "-?[0-9]{1,400}(\\.[0-9]{0,5})?(e-?[0-9]{1,4})?",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        "\"[^\"]{0,6}\"",
        "[,;\"\\t\\r\\n\\x00]{1,3}",
        "\\PC{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Any grid of cells, with any of the delimiters, reads or fails with a short message; a
    /// table of plain cells reads back its shape.
    #[test]
    fn csv_reader_never_panics_and_reads_plain_tables(
        rows in prop::collection::vec(prop::collection::vec(cell(), 1..5), 1..6),
        delim in prop::sample::select(vec![b',', b';', b'\t']),
        raw in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let d = char::from(delim).to_string();
        let text: String = rows.iter().map(|r| r.join(&d) + "\n").collect();
        for bytes in [text.as_bytes(), &raw[..]] {
            let p = dir.path().join("x.csv");
            std::fs::write(&p, bytes).unwrap();
            if let Err(e) = Table::load(&p, &CsvOptions::default(), None) {
                prop_assert!(e.to_string().len() <= MAX_MESSAGE, "{} bytes", e.to_string().len());
            }
        }
        // Plain cells: a header of distinct names and rows of that width read back whole.
        let width = rows[0].len();
        let header: Vec<String> = (0..width).map(|j| format!("c{j}")).collect();
        let body: Vec<String> = rows
            .iter()
            .map(|r| (0..width).map(|j| format!("v{}", r.get(j).map_or(0, String::len))).collect::<Vec<_>>().join(","))
            .collect();
        let p = dir.path().join("plain.csv");
        std::fs::write(&p, format!("{}\n{}\n", header.join(","), body.join("\n"))).unwrap();
        let t = Table::load(&p, &CsvOptions::default(), None).unwrap();
        prop_assert_eq!(t.rows(), rows.len());
    }

    /// Any text made of TOML-ish pieces parses or fails with a short message.
    #[test]
    fn scenario_reader_never_panics(
        pieces in prop::collection::vec(prop_oneof![
            Just("[population]\ngenerator = \"b2b-saas\"\n".to_string()),
            Just("[arrivals]\nrate_per_day = 5\narrival_days = 10\n".to_string()),
            Just("[pools.sdr]\ncount = 2\n".to_string()),
            Just("[[scenario]]\nname = \"a\"\n".to_string()),
            Just("[sweep]\n\"policy.threshold\" = [0.1, 0.2]\n".to_string()),
            "[a-z_.]{1,12} = (-?[0-9]{1,30}|\"[a-z]{0,5}\"|\\[[0-9, ]{0,10}\\]|nan|inf)\n",
            "\\PC{0,20}\n",
        ], 0..12),
    ) {
        let text: String = pieces.concat();
        if let Err(e) = ScenarioFile::from_toml_str(&text, Path::new("p.toml")) {
            prop_assert!(e.to_string().len() <= MAX_MESSAGE, "{} bytes", e.to_string().len());
        }
    }

    /// A model file with any one value replaced (by a number, huge or NaN-like, a string, a
    /// list) loads or fails with a short message; what loads can be used without panicking.
    #[test]
    fn model_loader_never_panics(
        path_seed in any::<u64>(),
        value in prop_oneof![
            any::<i64>().prop_map(serde_json::Value::from),
            prop::num::f64::ANY.prop_map(|x| serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)),
            "\\PC{0,300}".prop_map(serde_json::Value::from),
            Just(serde_json::json!([])),
            Just(serde_json::json!({})),
            Just(serde_json::Value::Null),
        ],
    ) {
        let model = model_json();
        let mut m = model.clone();
        replace_some_value(&mut m, path_seed, value);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.json");
        std::fs::write(&p, serde_json::to_vec(&m).unwrap()).unwrap();
        match Model::load(&p) {
            Ok(model) => {
                let row = vec![0.5; model.encoder.columns.len()];
                let _ = model.probability(&row);
                let _ = leadsim::scoring::encode::RowEncoder::new(&model.encoder);
            }
            Err(e) => prop_assert!(e.to_string().len() <= MAX_MESSAGE, "{} bytes", e.to_string().len()),
        }
    }
}

/// A small trained model's JSON, trained once.
fn model_json() -> serde_json::Value {
    static MODEL: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("model.json");
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let st = std::process::Command::new(env!("CARGO_BIN_EXE_leadsim"))
                .args(["train", "--quiet", "--target", "converted", "--data"])
                .arg(root.join("data/b2b-saas-history.csv"))
                .arg("--out")
                .arg(&out)
                .output()
                .unwrap();
            assert!(st.status.success());
            serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
        })
        .clone()
}

/// Replaces the value at a pseudo-random place of `v` (walking down by `seed`'s bits).
fn replace_some_value(v: &mut serde_json::Value, mut seed: u64, with: serde_json::Value) {
    let mut cur = v;
    loop {
        let n = match &*cur {
            serde_json::Value::Object(o) => o.len(),
            serde_json::Value::Array(a) => a.len(),
            _ => 0,
        };
        if n == 0 || seed % 5 == 0 {
            *cur = with;
            return;
        }
        let i = (seed / 5) as usize % n;
        seed = seed.rotate_right(7) ^ 0x9e37_79b9_7f4a_7c15;
        cur = match cur {
            serde_json::Value::Object(o) => o.values_mut().nth(i).unwrap(),
            serde_json::Value::Array(a) => &mut a[i],
            _ => unreachable!(),
        };
    }
}
