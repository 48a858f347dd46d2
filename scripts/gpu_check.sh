#!/usr/bin/env bash
# gpu_check.sh - THE one command for the lent GPU machine: machine facts, then
# build, the whole test suite on the CUDA backend, the demo and the
# benchmarks, each stage time-limited and logged, every stage run even when
# an earlier one failed, and a short summary printed last (stage results,
# test counts, failed tests, the demo table, the benchmark table).
#
#   bash scripts/gpu_check.sh                 (from the repository root)
#   GPU_STAGES=test,demo bash scripts/gpu_check.sh    (some stages only)
#   GPU_STAGES=bench:fuse bash scripts/gpu_check.sh   (benchmarks/bench_fuse.py alone)
#
# With OUT set (the device tool sets it), the full logs go there too:
# summary.txt, bench.md, the demo's demo_table.md and demo_timings.png, and
# logs.tar.gz (build.log test.log demo.log bench.log junit.xml).
# Exit status: 0 when every stage passed, 1 otherwise.
#
# Budget: the device tool allows 600 s per call; the stages share
# GPU_CHECK_BUDGET seconds (default 585) and each has its own cap
# (T_BUILD, T_TEST, T_DEMO, T_BENCH). The demo runs before the benchmarks so
# that a slow benchmark cannot starve it. Per-test limit: PYTEST_TIMEOUT.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

export PYTHONUNBUFFERED=1
export GPUARRAY_OFFLINE=1   # no network there: scripts/demo_deps.py downloads nothing
export GPUARRAY_BACKEND=${GPUARRAY_BACKEND:-cuda}
export PYTHON=${PYTHON:-python3}
BUDGET=${GPU_CHECK_BUDGET:-585}
T_BUILD=${T_BUILD:-90}
T_TEST=${T_TEST:-480}     # the CUDA suite took about 450 s on an H200 (2026-12-02): alone in its call
T_DEMO=${T_DEMO:-70}
T_BENCH=${T_BENCH:-150}
PYTEST_TIMEOUT=${PYTEST_TIMEOUT:-90}
# One pytest process on the GPU (where pytest-xdist is installed, run_tests.sh
# would start one per core): tests that read the device's free memory must
# not see another process's allocations.
export PYTEST_WORKERS=${PYTEST_WORKERS:-1}
# The stages after the build to run, e.g. GPU_STAGES=test,demo; GPU_PYTEST_ARGS
# adds pytest arguments (a subset of the suite: "tests/test_dask.py -k sum").
GPU_STAGES=${GPU_STAGES:-test,demo,bench}

LOGDIR=${OUT:-build/gpu_check}
mkdir -p "$LOGDIR"
rm -f "$LOGDIR"/{build,test,demo,bench}.log "$LOGDIR"/junit.xml   # no stale log read as this run's
SUMMARY=$LOGDIR/summary.txt
: >"$SUMMARY"
say() { echo "$@" | tee -a "$SUMMARY"; }

# ------------------------------------------------ carried wheels (no network)
# Optional test packages travel as wheels in .whl/ (scripts/fetch_test_wheels.sh
# downloads them); installed where nothing is downloaded, and put on the path
# of every stage (the venv's python sees PYTHONPATH too).
if compgen -G ".whl/*.whl" >/dev/null; then
    if "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
            --target /tmp/gpuarray-site .whl/*.whl; then
        export PYTHONPATH=/tmp/gpuarray-site${PYTHONPATH:+:$PYTHONPATH}
    else
        echo "gpu_check: installing the wheels in .whl/ failed: their tests will skip"
    fi
fi

# ---------------------------------------------------------------- facts
say "== gpu_check $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -n), $(nproc) cores"
if command -v nvidia-smi >/dev/null; then
    nvidia-smi -L 2>&1 | tee -a "$SUMMARY"
    nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,pcie.link.gen.current,pcie.link.width.current,clocks.sm \
        --format=csv,noheader 2>&1 | tee -a "$SUMMARY"
else
    say "nvidia-smi: not found"
fi
say "python: $(command -v "$PYTHON") $("$PYTHON" --version 2>&1)"
"$PYTHON" - <<'EOF' 2>&1 | tee -a "$SUMMARY"
import importlib
for name in ("numpy", "setuptools", "pytest", "pytest_timeout", "cupy", "torch", "dask",
             "distributed", "array_api_strict", "array_api_compat"):
    try:
        m = importlib.import_module(name)
        v = getattr(m, "__version__", "?")
        if name == "torch":
            v += f", CUDA {m.version.cuda}, is_available {m.cuda.is_available()}"
        print(f"  {name} {v}")
    except Exception as e:
        print(f"  {name}: not importable ({type(e).__name__}: {e})")
EOF
say "cc: $(cc --version 2>&1 | head -n1)"
say "nvcc: $(nvcc --version 2>/dev/null | tail -n1 || echo 'not found')"
say "make: $(make --version 2>/dev/null | head -n1 || echo 'not found: using the fallback below')"
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
say "CUDA_HOME=$CUDA_HOME: $(ls "$CUDA_HOME"/lib64/libnvrtc.so* 2>/dev/null | tr '\n' ' ')"

# ------------------------------------------------ make, or a stand-in for it
# The image is not known to have GNU make. This stand-in does what the
# Makefile's targets do, with the same flags (keep the two in step).
if ! command -v make >/dev/null; then
    make() {
        local target=${1:-build} a
        # shellcheck disable=SC2163  # exports the VAR=value arguments make takes
        for a in "${@:2}"; do case $a in *=*) export "$a" ;; esac; done
        local flags="-O2 -fPIC -fvisibility=hidden -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration -Icsrc/include -Icsrc/core -Icsrc/loaders -Icsrc/backends/cuda -Icsrc/backends/hip -Icsrc/backends/host -pthread"
        "$PYTHON" scripts/setup_venv.py .venv || return 1
        .venv/bin/python -W ignore setup.py -q build_ext --inplace || return 1
        mkdir -p build/obj
        local objs=() f o
        for f in csrc/core/*.c csrc/backends/*/*.c csrc/loaders/*.c; do
            o=build/obj/$(echo "${f#csrc/}" | tr / _).o
            cc $flags -c "$f" -o "$o" || return 1
            objs+=("$o")
        done
        cc -shared -Wl,-soname,libgpuarray.so -o build/libgpuarray.so "${objs[@]}" -pthread -ldl || return 1
        ar rcs build/libgpuarray.a "${objs[@]}"
        local tests=()
        for f in tests/c/test_*.c; do
            [ -e "$f" ] || continue
            o=build/$(basename "$f" .c)
            cc -O1 -g -std=c11 -Wall -Wextra -Icsrc/include -Icsrc/core -Icsrc/loaders -Icsrc/backends/cuda -Icsrc/backends/hip -Icsrc/backends/host \
                -o "$o" "$f" -Lbuild -lgpuarray -Wl,-rpath,'$ORIGIN' -pthread -ldl -lm || return 1
            tests+=("$o")
        done
        case $target in
            build) ;;
            test) PYTHON=.venv/bin/python bash scripts/run_tests.sh "${tests[@]}" -- ${PYTEST_ARGS:-} ;;
            demo)
                cc -O2 -std=c11 -Icsrc/include -o build/saxpy_c examples/03_saxpy/c_version.c \
                    -Lbuild -lgpuarray -Wl,-rpath,'$ORIGIN' -pthread -ldl
                SAXPY_C=build/saxpy_c .venv/bin/python scripts/demo.py ;;
            bench)
                cc -O2 -std=c11 -Wall -I"$CUDA_HOME/include" -o build/c_driver_bench benchmarks/c_driver_bench.c \
                    -L"$CUDA_HOME/lib64/stubs" -lcuda -L"$CUDA_HOME/lib64" -lnvrtc -Wl,-rpath,"$CUDA_HOME/lib64" -lm
                C_DRIVER_BENCH=build/c_driver_bench .venv/bin/python benchmarks/bench.py ;;
        esac
    }
    export -f make
fi

# ---------------------------------------------------------------- stages
START=$SECONDS
declare -A RESULT
STAGES=()
stage() {   # stage NAME CAP COMMAND...
    local name=$1 cap=$2
    shift 2
    STAGES+=("$name")
    local left=$((BUDGET - (SECONDS - START) - 5))
    local limit=$((cap < left ? cap : left))
    if [ "$limit" -lt 15 ]; then
        RESULT[$name]="SKIPPED (budget of ${BUDGET}s spent)"
        echo "== $name: skipped, budget spent"
        return
    fi
    echo
    echo "==================== $name: $* (limit ${limit}s)"
    local t0=$SECONDS
    export BENCH_BUDGET=$((limit - 30))   # bench.py shares it out, so its table always prints
    # through bash, so that the stand-in `make` function works too
    timeout -k 10 "$limit" bash -c '"$@"' _ "$@" 2>&1 | tee "$LOGDIR/$name.log"
    local rc=${PIPESTATUS[0]}
    local dt=$((SECONDS - t0))
    case $rc in
        0) RESULT[$name]="ok (${dt}s)" ;;
        124|137) RESULT[$name]="FAILED: timed out after ${limit}s" ;;
        *) RESULT[$name]="FAILED (exit $rc, ${dt}s)" ;;
    esac
}

wanted() { case ",$GPU_STAGES," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

stage build "$T_BUILD" make build

pytest_args="--junitxml=$LOGDIR/junit.xml ${GPU_PYTEST_ARGS:-}"
if .venv/bin/python -c 'import pytest_timeout' 2>/dev/null; then
    pytest_args="$pytest_args --timeout=$PYTEST_TIMEOUT"
fi
wanted test && stage test "$T_TEST" make test PYTEST_ARGS="$pytest_args"
wanted demo && stage demo "$T_DEMO" make demo
wanted bench && stage bench "$T_BENCH" make bench
# compute-sanitizer memcheck/racecheck/synccheck on a kernel-heavy subset:
# in a call of its own (GPU_STAGES=sanitizer), see scripts/sanitizer_check.sh
wanted sanitizer && stage sanitizer "${T_SANITIZER:-560}" bash scripts/sanitizer_check.sh
# bench:NAME runs benchmarks/bench_NAME.py as its own stage (a group that
# needs a call of its own, such as torch.compile's first compiles).
for item in ${GPU_STAGES//,/ }; do
    case $item in
        # GPU_BENCH_ARGS: arguments for it (e.g. bench:sweep's --forms a,b)
        bench:*) stage "bench_${item#bench:}" "$T_BENCH" .venv/bin/python "benchmarks/bench_${item#bench:}.py" ${GPU_BENCH_ARGS:-} ;;
    esac
done

# ---------------------------------------------------------------- summary
{
    echo
    echo "==================== gpu_check summary ($((SECONDS - START))s, GPUARRAY_BACKEND=$GPUARRAY_BACKEND)"
    for s in "${STAGES[@]}"; do
        printf '%-6s %s\n' "$s" "${RESULT[$s]}"
    done
    if [ -f "$LOGDIR/test.log" ]; then
        echo
        grep -E '^C tests: ' "$LOGDIR/test.log" | tail -n1
        grep -E '^== build/test_.*: (FAILED|SKIPPED)' "$LOGDIR/test.log"
        grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped)|^(=+ )?no tests ran|(passed|failed|error).* in [0-9.]+s' \
            "$LOGDIR/test.log" | tail -n1
        nf=$(grep -cE '^(FAILED|ERROR) ' "$LOGDIR/test.log")
        if [ "$nf" -gt 0 ]; then
            echo "failed tests ($nf):"
            grep -E '^(FAILED|ERROR) ' "$LOGDIR/test.log" | cut -c1-220 | head -n 40
        fi
        ns=$(grep -cE '^SKIPPED ' "$LOGDIR/test.log")
        if [ "$ns" -gt 0 ]; then
            echo "skipped (grouped by reason, first 10):"
            grep -E '^SKIPPED ' "$LOGDIR/test.log" | cut -c1-200 | head -n 10
        fi
    fi
    if [ -f "$LOGDIR/demo.log" ]; then
        echo
        grep -E '^\|' "$LOGDIR/demo.log"
    fi
    if [ -f "$LOGDIR/bench.log" ]; then
        echo
        if grep -q '^Benchmarks, ' "$LOGDIR/bench.log"; then
            sed -n '/^Benchmarks, /,$p' "$LOGDIR/bench.log"
        else
            tail -n 30 "$LOGDIR/bench.log"
        fi
    fi
} 2>&1 | tee -a "$SUMMARY"

# At most 8 files come back from the device tool's $OUT: the logs travel as
# one archive beside summary.txt, bench.md and the demo's table and chart.
if [ -n "${OUT:-}" ] && compgen -G "$OUT/*.log" >/dev/null; then
    (cd "$OUT" && tar czf logs.tar.gz ./*.log $(ls junit.xml 2>/dev/null) && rm -f ./*.log junit.xml)
fi

for s in "${STAGES[@]}"; do
    case ${RESULT[$s]} in ok*) ;; *) exit 1 ;; esac
done
exit 0
