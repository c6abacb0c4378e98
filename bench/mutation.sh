#!/usr/bin/env bash
# Mutation testing of the clock engine and the working-day calendar (mutmut 3, by hand: ~15 min
# on 2 cores). Runs in a scratch copy so the repository is never touched; appends the score to
# bench/results/mutation.txt.   bench/mutation.sh [MODULE.py ...] (default: the clock engine)
# MUTATION_TESTS="path ..." chooses the tests (default fazhi/law/tests/), e.g. for the workflow
# mechanism: MUTATION_TESTS="fazhi/registers/framework/tests/test_workflow_definition.py
# fazhi/reports/tests/test_report_audit.py ..." bench/mutation.sh fazhi/registers/framework/workflow.py
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGETS=("${@:-fazhi/law/clocks.py fazhi/law/workdays.py}")
SCRATCH=$(mktemp -d /tmp/fazhi-mutation.XXXXXX)
git archive HEAD | tar -x -C "$SCRATCH"
ln -s "$ROOT/.venv" "$SCRATCH/.venv"
cd "$SCRATCH"
paths=$(printf '"%s", ' ${TARGETS[*]}); paths=${paths%, }
tests=$(printf '"%s", ' ${MUTATION_TESTS:-fazhi/law/tests/}); tests=${tests%, }
cat >> pyproject.toml <<TOML

[tool.mutmut]
paths_to_mutate = [$paths]
tests_dir = [$tests]
also_copy = ["config", "definitions", "conftest.py", "fazhi", "manage.py"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]
TOML
FAZHI_TEST_DB="$SCRATCH/test.sqlite3" .venv/bin/mutmut run --max-children "$(nproc)" >/dev/null 2>&1 || true
results=$(.venv/bin/mutmut results --all true 2>/dev/null)
total=$(echo "$results" | grep -c ': ' || true)
survived=$(echo "$results" | grep -c ': survived' || true)
killed=$(echo "$results" | grep -c -E ': (killed|timeout)' || true)
{
  echo "# bench/mutation.sh — $(date +%F) — $(uname -m), $(nproc) CPUs — mutmut $(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("mutmut"))') — ${TARGETS[*]}"
  echo "mutants: $total; killed or timed out: $killed; survived: $survived; score $(( 100 * killed / (total > 0 ? total : 1) )) %"
  echo "$results" | grep ': survived' | sed -E 's/__mutmut_[0-9]+: survived//' | sort | uniq -c | sort -rn | sed 's/^/  survivors in /'
} | tee -a "$ROOT/bench/results/mutation.txt"
rm -rf "$SCRATCH"
