#!/usr/bin/env bash
# The Python environments of the verify gate, the tiers and the benchmarks, installed from the locks
# (every package at an exact version, with its hashes), so a new machine gets the versions CI had:
#   scripts/lib/venvs.sh            .venv: requirements-test.lock (the program's dependencies, the test tools)
#   scripts/lib/venvs.sh checkov    also .venv-checkov: tools/checkov-requirements.lock (the manifest
#                                   scanner, in a venv of its own: its pins clash with the program's)
#   scripts/lib/venvs.sh uv         only prints the path of the uv binary (tools/pulumi/engine.sh uses it)
# The ranges are in requirements-test.txt, requirements.txt and tools/checkov-requirements.txt;
# scripts/lock.sh rewrites the locks from them (a unit test fails while a lock does not match its ranges).
#
# uv installs them (tools/uv-requirements.lock), not pip: this machine's package proxy lets pip cache
# nothing, so every fresh clone downloaded every package again (109 s for the two venvs), where uv
# installs from its own cache (~/.cache/uv) in seconds. uv itself is installed once per machine, by pip
# from its lock, into the build cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"

uv_version="$(sed -n 's/^uv==\([^ ]*\).*/\1/p' tools/uv-requirements.lock)"
uv="$cache/uv-$uv_version/bin/uv"
if ! [ -x "$uv" ]; then
  mkdir -p "$cache"
  # One install at a time: on a new machine the verify gate and the background builds (the engine's venv)
  # both get here at once; the second waits and then finds uv there.
  exec 9>"$cache/uv-$uv_version.lock"
  flock 9
  if ! [ -x "$uv" ]; then
    rm -rf "$cache/uv-$uv_version.tmp"
    python3 -m venv "$cache/uv-$uv_version.tmp" >&2
    "$cache/uv-$uv_version.tmp/bin/pip" install -q --disable-pip-version-check --require-hashes \
      -r tools/uv-requirements.lock >&2
    # Renamed only when complete, so an interrupted install is redone rather than half-used. A venv's
    # scripts name its python by absolute path: uv is a binary, and the move leaves it working.
    mv "$cache/uv-$uv_version.tmp" "$cache/uv-$uv_version"
  fi
  exec 9>&-
fi
if [ "${1:-}" = uv ]; then
  echo "$uv"
  exit 0
fi

# venv DIR LOCK: create DIR if needed and install LOCK into it (quick when it is up to date). The
# system's python3 only: uv must never download an interpreter of its own.
venv() {
  local dir="$1" lock="$2"
  [ -x "$dir/bin/python" ] || UV_PYTHON_DOWNLOADS=never "$uv" venv -q --python "$(command -v python3)" "$dir"
  UV_PYTHON_DOWNLOADS=never "$uv" pip install -q --python "$dir/bin/python" --require-hashes -r "$lock"
}

venv .venv requirements-test.lock
[ "${1:-}" != checkov ] || venv .venv-checkov tools/checkov-requirements.lock
