#!/usr/bin/env bash
# Times the .ci/run-equivalent on a fresh clone (empty target/, fresh venv), step by step, with
# the load average after each step; leaves out .ci/run's Slurm step (it needs root services)
# and its Chromium install. Also lists what `pip install ./python` compiled (the fingerprints
# it added to target/release/.fingerprint).
#
#   python/bench/fresh_ci.sh [REPO] [BRANCH]    defaults: this repository, its current branch
set -euo pipefail
SRC=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
BRANCH=${2:-$(git -C "$SRC" rev-parse --abbrev-ref HEAD)}
D=$(mktemp -d /tmp/leadsim-fresh.XXXXXX)
git clone -q --branch "$BRANCH" "$SRC" "$D"
cd "$D"
t() { local s=$SECONDS; "$@"; echo "STEP $((SECONDS - s)) s: $* | load $(cut -d' ' -f1-3 /proc/loadavg)"; }
echo "in $D, load $(cut -d' ' -f1-3 /proc/loadavg)"
t cargo test --release -q > cargo-test.log 2>&1
ls target/release/.fingerprint > fingerprints.before
t python3 -m venv .venv-ci
t .venv-ci/bin/pip install --quiet --disable-pip-version-check ./python -r notebooks/requirements.txt
ls target/release/.fingerprint > fingerprints.after
echo "compiled by pip install: $(comm -13 fingerprints.before fingerprints.after | sed 's/-[0-9a-f]*$//' | sort -u | tr '\n' ' ')"
t env LEADSIM_BIN="$PWD/target/release/leadsim" .venv-ci/bin/pytest -q python/tests
t .venv-ci/bin/pytest -q --nbmake notebooks/
echo "TOTAL $SECONDS s"
