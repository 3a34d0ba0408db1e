//! The README's analyst walkthrough reproduces as written: every `$ leadsim ...` command of the
//! section "An analyst's walkthrough" runs in a fresh folder (with the bundled data at
//! `data/`), and every line printed under it in the README appears in the output, in order and
//! adjacent except where the README writes `...`. Timings (`0.027 s`) are masked on both sides.
//! The out-of-time block on the bank data has its own test (tests/readme_time.rs).

mod util;

use util::Dir;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// `(command, expected output lines)` of every `$ ` line in the walkthrough's code blocks.
fn commands(readme: &str) -> Vec<(String, Vec<String>)> {
    let start = readme
        .find("## An analyst's walkthrough")
        .expect("the walkthrough section");
    let end = start + readme[start..].find("**Out-of-time validation.**").unwrap();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_block = false;
    // Whether the lines seen belong to a command of this block (a block without `$ ` lines
    // shows a command to type, not one with its output).
    let mut open = false;
    for line in readme[start..end].lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            open = false;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push((cmd.to_string(), Vec::new()));
            open = true;
        } else if let (true, Some((_, expected))) = (open, out.last_mut()) {
            expected.push(line.to_string());
        }
    }
    out
}

/// Seconds vary from run to run.
fn mask(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(" s") {
        let (head, tail) = rest.split_at(i);
        let digits = head
            .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(0, |j| j + 1);
        if digits < head.len() && head[digits..].contains('.') {
            out.push_str(&head[..digits]);
            out.push('T');
        } else {
            out.push_str(head);
        }
        out.push_str(" s");
        rest = &tail[2..];
    }
    out.push_str(rest);
    out
}

/// Checks that `expected` (with `...` for any run of lines) matches `actual` line by line.
fn assert_prints(cmd: &str, expected: &[String], actual: &[String]) {
    let mut at = 0;
    let mut skip = false;
    for want in expected {
        if want == "..." {
            skip = true;
            continue;
        }
        let want = mask(want);
        let found = if skip {
            actual[at..]
                .iter()
                .position(|a| mask(a) == want)
                .map(|i| at + i)
        } else {
            (at < actual.len() && mask(&actual[at]) == want).then_some(at)
        };
        match found {
            Some(i) => at = i + 1,
            None => panic!(
                "`{cmd}`: the README's line\n  {want}\nis not {} in the output:\n{}",
                if skip {
                    "anywhere after the lines before it"
                } else {
                    "next"
                },
                actual.join("\n")
            ),
        }
        skip = false;
    }
}

#[test]
fn the_analyst_walkthrough_reproduces_as_written() {
    let d = Dir::new();
    std::fs::create_dir(d.path("data")).unwrap();
    let bundled = concat!(env!("CARGO_MANIFEST_DIR"), "/data/b2b-saas-history.csv");
    std::fs::copy(bundled, d.path("data/b2b-saas-history.csv")).unwrap();
    let steps = commands(&readme());
    assert!(
        steps.len() >= 6,
        "the walkthrough lost its commands: {steps:?}"
    );
    for (cmd, expected) in &steps {
        let words: Vec<&str> = cmd.split_whitespace().collect();
        let actual: Vec<String> = match words[0] {
            "leadsim" => {
                let r = d.run(&words[1..]);
                r.ok();
                // Warnings (stderr) come first in the README, as at a terminal.
                r.stderr
                    .lines()
                    .chain(r.stdout.lines())
                    .map(str::to_string)
                    .collect()
            }
            "head" => {
                assert_eq!(words[1], "-3", "{cmd}");
                let text = std::fs::read_to_string(d.path(words[2])).unwrap();
                text.lines().take(3).map(str::to_string).collect()
            }
            other => panic!("the walkthrough runs `{other}`, which this test does not know"),
        };
        assert_prints(cmd, expected, &actual);
    }
}

#[test]
fn the_matcher_can_fail() {
    let actual: Vec<String> = ["a", "b 0.5 s", "c"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let exp = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_prints("x", &exp(&["a", "b 0.7 s", "c"]), &actual);
    assert_prints("x", &exp(&["a", "...", "c"]), &actual);
    for wrong in [
        exp(&["a", "c"]),
        exp(&["b 0.5 s", "a"]),
        exp(&["a", "...", "d"]),
    ] {
        let r = std::panic::catch_unwind(|| assert_prints("x", &wrong, &actual));
        assert!(r.is_err(), "{wrong:?} matched");
    }
}
