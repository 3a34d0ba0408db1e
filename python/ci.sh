#!/usr/bin/env bash
# python/ci.sh: the Python package's part of CI, on its own. Builds the workspace (the `leadsim`
# CLI the tests compare against, and the bindings), creates a fresh virtual environment,
# installs the package from source exactly as a user does (`pip install ./python`, which
# compiles the extension with maturin) plus pytest, and runs python/tests.
#
#   python/ci.sh                 from anywhere; PYTHON=python3.11 and VENV=python/.venv-ci by default
#
# The extension is a member of the repository's cargo workspace, so maturin builds in the
# repository's target/ with the release profile and the dependency features of
# `cargo test --release` (python/Cargo.toml): after the Rust tests only the bindings and pyo3
# compile. pip builds the wheel and installs it into the venv, so the tests import the
# installed package, not python/leadsim/.
set -euo pipefail

PY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$PY_DIR")
PYTHON=${PYTHON:-python3.11}
VENV=${VENV:-$PY_DIR/.venv-ci}
TARGET=${CARGO_TARGET_DIR:-$REPO/target}

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "cargo build --release (the CLI the tests compare against)"
(cd "$REPO" && cargo build --release)

step "fresh virtual environment: $VENV"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip

step "pip install ./python pytest (builds the extension from source)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PY_DIR" pytest

step "pytest python/tests"
# From the repository root, so that `import leadsim` is the installed package.
cd "$REPO"
LEADSIM_BIN="$TARGET/release/leadsim" "$VENV/bin/pytest" -q -rs "$PY_DIR/tests"

step "done"
