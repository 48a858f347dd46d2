#!/usr/bin/env bash
# run_tests.sh - what `make test` runs after the build: every C test binary
# given (exit 0 = passed, 77 = skipped with the reason it printed, anything
# else = failed), then pytest on tests/ (or on the test files and folders
# the pytest arguments name). Both always run; exits non-zero if
# either failed. pytest's exit 5 (no tests collected) counts as a failure, so
# an empty run can never pass silently.
#
#   scripts/run_tests.sh build/test_a build/test_b -- [pytest args...]
#
# Environment: PYTHON (the venv's python), C_TEST_TIMEOUT and TEST_TIMEOUT
# (seconds, per C test and for the whole pytest run).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

PYTHON=${PYTHON:-.venv/bin/python}
C_TEST_TIMEOUT=${C_TEST_TIMEOUT:-300}
TEST_TIMEOUT=${TEST_TIMEOUT:-3000}

c_tests=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do c_tests+=("$1"); shift; done
[ $# -gt 0 ] && shift   # the "--"

# Without a GPU the compiler tests run on the host backend's C++ compiler;
# NVRTC (needing no GPU) gets a second run of them when it is installed
# (the run says SKIP where it is not).
runs=()
for t in "${c_tests[@]+"${c_tests[@]}"}"; do
    runs+=("$t")
    if [ "$(basename "$t")" = test_compiler ] && [ "${GPUARRAY_BACKEND:-auto}" != cuda ]; then
        runs+=("GPUARRAY_BACKEND=cuda $t")
    fi
done

status=0
passed=0 failed=0 skipped=0
for t in "${runs[@]+"${runs[@]}"}"; do
    echo "== $t"
    case $t in
        *=*) timeout -k 10 "$C_TEST_TIMEOUT" env ${t% *} "./${t##* }" ;;
        *) timeout -k 10 "$C_TEST_TIMEOUT" "./$t" ;;
    esac
    rc=$?
    case $rc in
        0)  echo "== $t: PASSED"; passed=$((passed + 1)) ;;
        77) echo "== $t: SKIPPED (exit 77)"; skipped=$((skipped + 1)) ;;
        124|137) echo "== $t: FAILED (timed out after ${C_TEST_TIMEOUT}s)"; failed=$((failed + 1)) ;;
        *)  echo "== $t: FAILED (exit $rc)"; failed=$((failed + 1)) ;;
    esac
done
echo "C tests: $passed passed, $failed failed, $skipped skipped (of ${#runs[@]} runs)"
[ "$failed" -eq 0 ] || status=1

# A hung test must not eat the whole run: per-test timeouts where the plugin
# is installed, else a traceback dump of whatever is stuck after 10 minutes.
if "$PYTHON" -c 'import pytest_timeout' 2>/dev/null; then
    guard=(--timeout=600)
else
    guard=(-o faulthandler_timeout=600)
fi

# Most of a cold run is the host backend compiling each generated kernel
# with the C++ compiler, one at a time per process: where pytest-xdist is
# installed, tests run in PYTEST_WORKERS processes (default: one per core,
# at most 4; 1 runs them in this process), which share the disk cache.
workers=()
nworkers=${PYTEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}
[ "$nworkers" -gt 4 ] 2>/dev/null && nworkers=4
if [ "$nworkers" -gt 1 ] 2>/dev/null && "$PYTHON" -c 'import xdist' 2>/dev/null; then
    workers=(-n "$nworkers")
fi

# The whole of tests/, unless the arguments name test files or folders
# themselves (a subset: PYTEST_ARGS="tests/test_dask.py -x").
paths=(tests)
for a in "$@"; do
    [ -e "${a%%::*}" ] && [ "${a#-}" = "$a" ] && paths=()
done

timeout -k 30 "$TEST_TIMEOUT" "$PYTHON" -m pytest -q -rfEs -p no:cacheprovider \
    "${guard[@]}" "${workers[@]+"${workers[@]}"}" "$@" "${paths[@]+"${paths[@]}"}"
rc=$?
case $rc in
    0) ;;
    5) echo "run_tests: pytest collected no tests: that is a failure"; status=1 ;;
    124|137) echo "run_tests: pytest timed out after ${TEST_TIMEOUT}s"; status=1 ;;
    *) status=1 ;;
esac
exit $status
