"""python/Cargo.lock pins every crate the CLI also uses to the CLI's version (../Cargo.lock),
so that the package computes with exactly the code the CLI does. After changing the root lock:
`cp Cargo.lock python/Cargo.lock` and build python/ once (cargo adds pyo3, drops dev-only
crates)."""

from __future__ import annotations

import sys

import pytest

from conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")


def versions(path):
    with open(path, "rb") as f:
        lock = tomllib.load(f)
    out = {}
    for p in lock["package"]:
        out.setdefault(p["name"], set()).add(p["version"])
    return out


def test_shared_crates_have_the_clis_versions():
    cli = versions(REPO / "Cargo.lock")
    package = versions(REPO / "python" / "Cargo.lock")
    # A crate may come in fewer versions here (dev-only users dropped), never in another one.
    drift = {name: (v, cli[name]) for name, v in package.items() if name in cli and not v <= cli[name]}
    assert drift == {}
    assert "pyo3" in package and "leadsim" in package
