#!/usr/bin/env bash
# Rewrite the locks of the Python environments from their ranges, after a range changed (commit both):
#   requirements-test.txt (with requirements.txt)  ->  requirements-test.lock
#   tools/checkov-requirements.txt                 ->  tools/checkov-requirements.lock
#   tools/uv-requirements.txt                      ->  tools/uv-requirements.lock (the installer itself)
# Each lock pins the newest versions the ranges allow, with the hashes of every file PyPI has for them
# (any platform), so `uv pip install --require-hashes` (scripts/lib/venvs.sh) installs exactly those.
# pip-tools runs from a throwaway venv: a tool of this script only, not a dependency of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install -q --disable-pip-version-check pip-tools==7.7.0
compile() {
  # --allow-unsafe: pin setuptools and pip too when something needs them; no index or find-links
  # lines from this machine's pip settings in the lock. pip-tools 7.7 takes the command named in the
  # lock's header from CUSTOM_COMPILE_COMMAND (it has no option for it).
  CUSTOM_COMPILE_COMMAND=scripts/lock.sh "$tools/bin/pip-compile" -q --generate-hashes --allow-unsafe \
    --strip-extras --no-emit-index-url --no-emit-find-links --upgrade --output-file "$2" "$1"
}
compile requirements-test.txt requirements-test.lock
compile tools/checkov-requirements.txt tools/checkov-requirements.lock
compile tools/uv-requirements.txt tools/uv-requirements.lock
echo "locks written: requirements-test.lock tools/checkov-requirements.lock tools/uv-requirements.lock"
