//! The HTML reports as a reader sees them: each is rendered in headless Chromium, its DOM must
//! hold every chart's `<svg>`, and its screenshot must show them (not blank, chart ink present).
//!
//! Chromium is looked up as `chromium`, `chromium-browser` or `google-chrome` on `PATH`. Without
//! it the test is skipped with a note, except under CI (`CI` set), where it fails: CI must
//! install it (`.ci/run` does). Set `LEADSIM_SCREENSHOTS=DIR` to keep the screenshots.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use leadsim::report::train::train_report;
use leadsim::scoring::train::{train, Silent, TrainOptions};
use leadsim::sim::{run, write_outputs, RunOptions, ScenarioFile};

/// Chromium gets this long per run before it is killed.
const TIMEOUT: Duration = Duration::from_secs(60);
const WINDOW: (u32, u32) = (1200, 2000);

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Chromium, or `None` after printing why the test is skipped; panics under CI.
fn chromium_or_skip() -> Option<PathBuf> {
    match find_chromium() {
        Some(c) => Some(c),
        None if std::env::var_os("CI").is_some() => panic!(
            "CI is set but no chromium, chromium-browser or google-chrome is on PATH: \
             install it (apt-get install chromium) so the reports can be checked in a browser"
        ),
        None => {
            eprintln!("note: no Chromium on PATH; skipping the browser check of the reports");
            None
        }
    }
}

/// Runs headless Chromium on `page` with `extra` flags in a fresh profile; stdout goes to
/// `stdout`. Killed after [`TIMEOUT`].
fn chromium(browser: &Path, page: &Path, extra: &[String], stdout: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(stdout).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "chromium exited with {status} on {}",
                page.display()
            );
            return;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took over {TIMEOUT:?} on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Pixels of a screenshot as RGB.
struct Shot {
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

fn decode(path: &Path) -> Shot {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "8-bit screenshot");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected colour type {other:?}"),
    };
    let rgb = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    Shot {
        width: info.width as usize,
        height: info.height as usize,
        rgb,
    }
}

impl Shot {
    fn share(&self, keep: impl Fn(&[u8; 3]) -> bool) -> f64 {
        self.rgb.iter().filter(|p| keep(p)).count() as f64 / self.rgb.len() as f64
    }
}

/// Not white.
fn inked(p: &[u8; 3]) -> bool {
    p.iter().any(|&c| c < 235)
}

/// Dark: text, axes, outlines, dark bars.
fn dark(p: &[u8; 3]) -> bool {
    p.iter().all(|&c| c < 110)
}

/// Coloured: chart fills, lines and markers (text and tables are neutral grey).
fn coloured(p: &[u8; 3]) -> bool {
    let (lo, hi) = (p.iter().min().unwrap(), p.iter().max().unwrap());
    hi - lo > 40
}

/// Renders `page` and checks it: `svgs` `<svg>` elements in the DOM, and a screenshot with ink,
/// dark pixels and chart colour. Returns the screenshot's path.
fn check_page(browser: &Path, page: &Path, svgs: usize, work: &Path, name: &str) -> PathBuf {
    let dom = work.join(format!("{name}.dom.html"));
    chromium(browser, page, &["--dump-dom".to_string()], &dom);
    let dom = std::fs::read_to_string(dom).unwrap();
    assert_eq!(
        dom.matches("<svg").count(),
        svgs,
        "{name}: <svg> elements in the DOM"
    );
    assert!(dom.contains("</html>"), "{name}: the whole page was parsed");

    let png = work.join(format!("{name}.png"));
    let shot_png = png.display().to_string();
    chromium(
        browser,
        page,
        &[
            format!("--screenshot={shot_png}"),
            format!("--window-size={},{}", WINDOW.0, WINDOW.1),
        ],
        &work.join(format!("{name}.stdout")),
    );
    let shot = decode(&png);
    assert_eq!(
        (shot.width, shot.height),
        (WINDOW.0 as usize, WINDOW.1 as usize)
    );
    let ink = shot.share(inked);
    let dark_pixels = shot.rgb.iter().filter(|p| dark(p)).count();
    let colour = shot.rgb.iter().filter(|p| coloured(p)).count();
    eprintln!(
        "{name}: {:.1}% ink, {dark_pixels} dark pixels, {colour} pixels of chart colour",
        100.0 * ink
    );
    assert!(ink > 0.03, "{name}: the screenshot is nearly blank ({ink})");
    assert!(
        dark_pixels > 20_000,
        "{name}: too little text and axes ({dark_pixels})"
    );
    // Charts are the only coloured things on the page (curves, markers, bars): they were
    // drawn, on screen.
    assert!(
        colour > 2_000,
        "{name}: no chart visible in the screenshot ({colour} coloured pixels)"
    );
    // The lower half (charts below the first tables) has ink too.
    let half = shot.rgb.len() / 2;
    let lower = shot.rgb[half..].iter().filter(|p| inked(p)).count() as f64 / half as f64;
    assert!(lower > 0.03, "{name}: the lower half is blank ({lower})");
    if let Some(dir) = std::env::var_os("LEADSIM_SCREENSHOTS") {
        let keep = Path::new(&dir).join(format!("{name}.png"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&png, &keep).unwrap();
    }
    png
}

#[test]
fn reports_render_with_their_charts_in_chromium() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();

    // The training report, from a model trained on the bundled history.
    let model = train(
        &TrainOptions {
            data: Path::new(env!("CARGO_MANIFEST_DIR")).join("data/b2b-saas-history.csv"),
            ..Default::default()
        },
        &Silent,
    )
    .unwrap();
    let train_dir = work.path().join("train");
    std::fs::create_dir_all(&train_dir).unwrap();
    let train_page = train_dir.join("report.html");
    std::fs::write(&train_page, train_report(&model)).unwrap();
    // ROC, precision-recall, calibration, gains, lift, coefficients.
    check_page(&browser, &train_page, 6, work.path(), "train");

    // The simulation report, as `simulate --out` writes it.
    let file = ScenarioFile::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/scenarios/handover.toml"
    ))
    .unwrap();
    let opts = RunOptions {
        seed: Some(42),
        replications: Some(5),
        threads: Some(2),
        progress: None,
    };
    let results = run(&file, &opts).unwrap();
    let sim_dir = work.path().join("sim");
    write_outputs(&results, &sim_dir).unwrap();
    // Two funnels, two level bars, two forest plots, the frontier, response times, utilisation.
    check_page(
        &browser,
        &sim_dir.join("report.html"),
        9,
        work.path(),
        "simulate",
    );
    // The funnels alone, on a page of their own: drawn, with ink, text and the bars' colour.
    let report = std::fs::read_to_string(sim_dir.join("report.html")).unwrap();
    let funnels: String = ["chart-funnel-baseline", "chart-funnel-best"]
        .iter()
        .map(|id| {
            let start = report
                .find(&format!("<figure id=\"{id}\""))
                .unwrap_or_else(|| panic!("{id} missing"));
            let end = start + report[start..].find("</figure>").unwrap() + "</figure>".len();
            report[start..end].to_string()
        })
        .collect();
    let funnel_page = sim_dir.join("funnels.html");
    std::fs::write(
        &funnel_page,
        // Each as wide as the window, so the two fill it from top to bottom.
        format!("<!doctype html><html><head><style>body{{margin:0}} figure{{margin:0}} svg{{width:100%;height:auto;display:block}}</style></head><body>{funnels}</body></html>"),
    )
    .unwrap();
    check_page(&browser, &funnel_page, 2, work.path(), "funnels");

    // A sweep adds its heat map.
    let file = ScenarioFile::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/scenarios/sweep.toml"
    ))
    .unwrap();
    let results = run(
        &file,
        &RunOptions {
            replications: Some(2),
            ..opts
        },
    )
    .unwrap();
    let sweep_dir = work.path().join("sweep");
    write_outputs(&results, &sweep_dir).unwrap();
    check_page(
        &browser,
        &sweep_dir.join("report.html"),
        10,
        work.path(),
        "sweep",
    );
}
