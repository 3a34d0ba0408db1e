//! Writing a history: the CSV (plain or gzip) and its truth beside it, both atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::b2b_saas::{COLUMNS, INDUSTRY, REGION, SENIORITY, SIZE, SOURCE};
use super::draw::Draw;
use super::{lead_rng, Generator, Preset, Truth};
use crate::atomic::AtomicFile;
use crate::error::{Error, Result};

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Appends the CSV fields of `d` after `lead_id` (comma-separated, no newline).
pub(super) fn write_fields(buf: &mut Vec<u8>, d: &Draw) {
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
/// [`Error::ZeroLeads`] if `leads` is 0; [`Error::Io`] if either file cannot be written.
pub fn write_history(out: &Path, preset: Preset, leads: usize, seed: u64) -> Result<Truth> {
    if leads == 0 {
        return Err(Error::ZeroLeads);
    }
    if leads > crate::limits::MAX_GENERATED_LEADS {
        return Err(Error::TooLarge {
            name: "leads",
            value: leads.to_string(),
            what: None,
            max: crate::limits::MAX_GENERATED_LEADS.to_string(),
            reason: "about 100 GB of CSV, more than training can hold in memory",
        });
    }
    let generator = Generator::new(preset);
    let io = |e: std::io::Error| Error::io(out, e);
    // The history and its truth are moved into place together: neither remains alone.
    let staged = crate::atomic::StagedDir::new(out.parent().unwrap_or(Path::new("")))?;
    let name = out
        .file_name()
        .ok_or_else(|| io(std::io::Error::other("not a file name")))?;
    let truth_name = truth_path(out)
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    let tpath = staged.stage(&truth_name);

    let mut file = AtomicFile::create(staged.stage(name))?;
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
    staged.commit(&[Path::new(name), Path::new(&truth_name)])?;
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
    use super::super::b2b_saas::INTERCEPT;
    use super::super::lead_id;
    use super::super::tests::leads;
    use super::*;

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

    /// Value stability: the exact bytes of `leadsim generate --leads 6 --seed 11`, and the
    /// SHA-256 of 2,000 leads with seed 11 and of both truth files, as written at commit 7d6ba93
    /// (before the generator was split into files, checked with `sha256sum`). Any change to a
    /// draw, a table or a format shows here; re-pin only for an intended change, and say so.
    #[test]
    fn output_is_pinned_for_a_fixed_seed() {
        const SMALL: &str = "\
lead_id,page_views,visited_pricing,whitepaper_downloads,webinar_attended,email_clicks,requested_demo,contact_sales_form,days_since_last_activity,company_size,industry,seniority,region,source,converted,deal_value
L000001,5,yes,2,no,0,no,no,44.6,11-50,software,manager,emea,organic_search,0,85596.89
L000002,7,no,1,no,3,no,no,7.0,11-50,finance,manager,apac,email,0,11910.85
L000003,8,yes,2,no,1,yes,no,8.7,1000+,software,director,apac,organic_search,1,126856.10
L000004,10,yes,1,yes,2,yes,no,5.2,51-200,software,manager,north_america,events,0,26551.39
L000005,10,yes,0,no,1,no,no,11.2,51-200,healthcare,individual,north_america,events,0,106810.06
L000006,1,no,0,no,0,no,no,46.8,1000+,finance,director,north_america,social,0,527937.80
";
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.csv");
        write_history(&small, Preset::B2bSaas, 6, 11).unwrap();
        assert_eq!(std::fs::read_to_string(&small).unwrap(), SMALL);
        let sha = |p: &Path| crate::data::sha256_file(p).unwrap();
        assert_eq!(
            sha(&truth_path(&small)),
            "2df8e69b1368520ae88b9fa3e6b321e1bbb75843bb41b460a50f3a96ea82e4a3"
        );
        let big = dir.path().join("big.csv");
        let truth = write_history(&big, Preset::B2bSaas, 2000, 11).unwrap();
        assert_eq!(
            sha(&big),
            "4b1d133ac28f2be2c80cb76f29f13ee4eb97046adc3a6f0fcfd310a4f40c13c8"
        );
        assert_eq!(
            sha(&truth_path(&big)),
            "6811d573d12ce0a1d3f18db461042e893d7a0676292549d1a93f22f34397e47b"
        );
        assert_eq!(
            (truth.conversions, truth.base_rate, truth.mean_probability),
            (Some(265), Some(0.1325), Some(0.139705))
        );
    }
}
