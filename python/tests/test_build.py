"""The extension's build resolves every dependency it shares with the library with the same
features as `cargo test --release` does, so that `pip install ./python` after the Rust tests
reuses their compiled dependencies instead of compiling them a second time (see
python/Cargo.toml: the features the library's dev-dependencies switch on are asked for there
too). `cargo tree` resolves without compiling."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import REPO


def features(*args):
    """{package: feature list} as `cargo tree` resolves them for `args`."""
    out = subprocess.run(
        ["cargo", "tree", "--quiet", "-f", "{p}|{f}", "--prefix", "none", "--no-dedupe", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    resolved = {}
    for line in out.splitlines():
        if "|" not in line:
            continue
        package, feats = line.split("|", 1)
        package = package.replace(" (*)", "").split(" (")[0].strip()
        resolved.setdefault(package, set()).add(feats.strip())
    return resolved


@pytest.mark.skipif(shutil.which("cargo") is None, reason="needs cargo")
def test_the_extension_resolves_shared_dependencies_as_cargo_test_does():
    # `cargo test --release` at the root: both default members, with the dev-dependencies.
    tests = features("--workspace", "-e", "normal,build,dev")
    # maturin builds the extension's package alone, without dev-dependencies.
    extension = features("-p", "leadsim-python", "-e", "normal,build")
    shared = set(tests) & set(extension)
    assert any(p.startswith("leadsim v") for p in shared) and any(p.startswith("rayon v") for p in shared)
    drift = {p: (tests[p], extension[p]) for p in shared if tests[p] != extension[p]}
    assert drift == {}, "add these features to python/Cargo.toml's workspace-hack block"
    assert any(p.startswith("pyo3 ") for p in extension)
