#!/usr/bin/env bash
# The Python environments of the verify gate, the tiers and the benchmarks, installed from the locks
# (every package at an exact version, with its hashes), so a new machine gets the versions CI had:
#   scripts/lib/venvs.sh            .venv: requirements-test.lock (the program's dependencies, the test tools)
#   scripts/lib/venvs.sh checkov    also .venv-checkov: tools/checkov-requirements.lock (the manifest
#                                   scanner, in a venv of its own: its pins clash with the program's)
# The ranges are in requirements-test.txt, requirements.txt and tools/checkov-requirements.txt;
# scripts/lock.sh rewrites the locks from them (a unit test fails while a lock does not match its ranges).
set -euo pipefail
cd "$(dirname "$0")/../.."

# venv DIR LOCK: create DIR if needed and install LOCK into it (quick when it is up to date).
venv() {
  local dir="$1" lock="$2"
  [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check --require-hashes -r "$lock"
}

venv .venv requirements-test.lock
[ "${1:-}" != checkov ] || venv .venv-checkov tools/checkov-requirements.lock
