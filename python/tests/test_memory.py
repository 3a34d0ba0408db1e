"""1,000 small simulations in a loop do not leak: resident memory after them is what it was
before (python/README.md quotes the figure this test prints)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

import leadsim

from conftest import SCENARIOS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

CALLS = 1000


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def small_scenario() -> dict:
    """handover.toml's baseline alone, with 20 leads a day for 10 days."""
    with open(SCENARIOS / "handover.toml", "rb") as f:
        sc = tomllib.load(f)
    sc["arrivals"].update(rate_per_day=20, arrival_days=10, warmup_days=2)
    sc["scenario"] = sc["scenario"][:1]
    return sc


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_thousand_simulations_do_not_leak():
    sc = small_scenario()

    def one():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", leadsim.LeadsimWarning)
            r = leadsim.simulate(sc, replications=10)
        # Touch every conversion the results make, so that each is part of the loop.
        assert len(r.summary) > 0 and len(r.replications) == 10
        r.ranking, r.to_dict(), r.table()

    # Warm up: imports (pandas, numpy), the thread pool, allocator arenas.
    for _ in range(50):
        one()
    before = resident_kib()
    for _ in range(CALLS):
        one()
    after = resident_kib()
    growth = after - before
    print(f"\nresident memory: {before} KiB before {CALLS} calls, {after} KiB after ({growth:+d} KiB)")
    # A leak of a single results object (a few KiB) per call would add megabytes.
    assert growth < 2048, growth
