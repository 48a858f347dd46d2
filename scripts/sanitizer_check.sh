#!/usr/bin/env bash
# scripts/sanitizer_check.sh - the CUDA suite's kernel-heavy tests under
# NVIDIA compute-sanitizer (issue 15). memcheck slows kernels many times
# over, so this is a GPU-check stage of its own (GPU_STAGES=sanitizer in its
# own device call) with its own test subset:
#   memcheck  (bad accesses, leaks): raw kernels, elementwise, reductions,
#             indexing, streams and events, examples
#   racecheck (shared-memory races) and synccheck (barrier misuse): the
#             shared-memory sort and the scans, a smaller set
# and a plain-C control (scripts/sanitizer_control.c) run with and without
# memcheck, which shows whether device memory that looks "in use" under
# memcheck is the tool's own.
#
# Each tool writes build/gpu_check/sanitizer_<tool>.log; the summary lists
# the tests run and the errors per tool. Exit 1 when a tool reports an error
# or its tests fail. Time: SAN_T_MEMCHECK (330 s), SAN_T_RACE (90), SAN_T_SYNC (90).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
LOGDIR=${OUT:-build/gpu_check}
mkdir -p "$LOGDIR"
PY=.venv/bin/python
export GPUARRAY_BACKEND=cuda PYTHONUNBUFFERED=1

SAN=${COMPUTE_SANITIZER:-}
for c in "$SAN" "$(command -v compute-sanitizer 2>/dev/null)" "${CUDA_HOME:-/usr/local/cuda}/bin/compute-sanitizer" \
         /usr/local/cuda*/bin/compute-sanitizer /usr/local/cuda*/compute-sanitizer/compute-sanitizer; do
    [ -n "$c" ] && [ -x "$c" ] && { SAN=$c; break; }
done
if [ -z "$SAN" ] || [ ! -x "$SAN" ]; then
    echo "sanitizer: compute-sanitizer not found (set COMPUTE_SANITIZER or CUDA_HOME)"; exit 1
fi
echo "sanitizer: $SAN ($("$SAN" --version 2>/dev/null | tail -n1))"

MEMCHECK_TESTS=${SAN_MEMCHECK_TESTS:-"tests/test_rawkernel.py tests/test_elementwise.py tests/test_reduction.py tests/test_indexing.py tests/test_stream_event.py tests/test_examples.py"}
RACE_TESTS=${SAN_RACE_TESTS:-"tests/test_sort_shared_memory.py tests/test_scan.py"}
status=0
summary=()

run_tool() {   # run_tool TOOL LIMIT TESTS...
    local tool=$1 limit=$2
    shift 2
    local log=$LOGDIR/sanitizer_$tool.log extra=()
    [ "$tool" = memcheck ] && extra=(--leak-check full)
    echo "== sanitizer $tool (limit ${limit}s): $*"
    # -p no:cacheprovider: nothing written to the tree; one process (no -n).
    timeout -k 10 "$limit" "$SAN" --tool "$tool" "${extra[@]}" --target-processes all \
        --print-limit 50 --error-exitcode 99 \
        "$PY" -m pytest -q -p no:cacheprovider -p no:randomly "$@" >"$log" 2>&1
    local rc=$?
    local errors tests
    errors=$(grep -Eo 'ERROR SUMMARY: [0-9]+' "$log" | awk '{s += $3} END {print s + 0}')
    tests=$(grep -E '^[0-9]+ (passed|failed)|[0-9]+ passed' "$log" | tail -n1)
    tail -n 15 "$log"
    summary+=("$tool: ${errors} errors; pytest: ${tests:-no summary} (exit $rc)")
    [ "$rc" -eq 0 ] || status=1
}

run_tool memcheck "${SAN_T_MEMCHECK:-330}" $MEMCHECK_TESTS
run_tool racecheck "${SAN_T_RACE:-90}" $RACE_TESTS
run_tool synccheck "${SAN_T_SYNC:-90}" $RACE_TESTS

# The control: the same alloc/free churn in plain C, with and without memcheck.
if cc -O2 -o "$LOGDIR/sanitizer_control" scripts/sanitizer_control.c -ldl 2>"$LOGDIR/sanitizer_control.log"; then
    plain=$("$LOGDIR/sanitizer_control" 200 2>&1 | tail -n1)
    under=$(timeout 120 "$SAN" --tool memcheck --leak-check full "$LOGDIR/sanitizer_control" 200 2>&1 \
            | grep '^control:' | tail -n1)
    summary+=("control plain:    $plain" "control memcheck: $under")
else
    summary+=("control: could not be built (see sanitizer_control.log)")
fi

echo
echo "==================== sanitizer summary"
for l in "${summary[@]}"; do echo "$l"; done
exit $status
