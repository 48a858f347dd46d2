#!/usr/bin/env bash
# scripts/check_sdist.sh - what a packager and a new user do, checked: build
# the sdist, build a wheel FROM THAT SDIST (so a file missing from
# MANIFEST.in fails here), install the wheel into a fresh venv and, from a
# directory outside the tree, run a RawKernel and an array operation on the
# host backend (g++, the prelude and the host runtime found in
# site-packages). Prints the wheel's file list. Called by .ci/run; takes the
# time of one build of the extension plus a few seconds.
#
#   scripts/check_sdist.sh [python]     (default: .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${1:-$ROOT/.venv/bin/python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpuarray-sdist-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "check_sdist: sdist"
"$PY" setup.py -q sdist -d "$WORK/dist" >"$WORK/sdist.log" 2>&1 || { cat "$WORK/sdist.log"; exit 1; }
SDIST=$(ls "$WORK"/dist/*.tar.gz)
echo "check_sdist: $(basename "$SDIST"): $(tar tzf "$SDIST" | wc -l) files"

echo "check_sdist: wheel from the sdist"
# No build isolation: setuptools and numpy come from $PY (CI may be offline
# for the isolated build's downloads); the build itself sees only the sdist.
GPUARRAY_BUILD_JOBS=$(nproc 2>/dev/null || echo 2) \
    "$PY" -m pip wheel -q --no-deps --no-build-isolation -w "$WORK/wheel" "$SDIST" \
    >"$WORK/wheel.log" 2>&1 || { tail -50 "$WORK/wheel.log"; exit 1; }
WHEEL=$(ls "$WORK"/wheel/*.whl)
echo "check_sdist: $(basename "$WHEEL"), files:"
"$PY" -c 'import sys, zipfile; [print("   ", n) for n in sorted(zipfile.ZipFile(sys.argv[1]).namelist())]' "$WHEEL"

echo "check_sdist: fresh venv"
"$PY" -m venv "$WORK/venv"
# NumPy for the fresh venv: the one $PY has, seen through a directory that
# holds nothing else (not the source tree, not an in-place build).
NUMPY_DIR=$("$PY" -c 'import numpy, os; print(os.path.dirname(os.path.dirname(numpy.__file__)))')
mkdir -p "$WORK/numpy_only"
for d in "$NUMPY_DIR"/numpy "$NUMPY_DIR"/numpy.libs "$NUMPY_DIR"/numpy-*.dist-info; do
    [ -e "$d" ] && ln -s "$d" "$WORK/numpy_only/"
done
SITE=$("$WORK/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$WORK/numpy_only" >"$SITE/numpy_only.pth"
"$WORK/venv/bin/python" -m pip install -q --no-deps --no-index "$WHEEL"

echo "check_sdist: RawKernel and an array operation from outside the tree"
mkdir -p "$WORK/elsewhere"
cd "$WORK/elsewhere"
env -u PYTHONPATH GPUARRAY_BACKEND=host GPUARRAY_CACHE_DIR="$WORK/cache" \
    "$WORK/venv/bin/python" - "$ROOT" <<'PYEOF'
import os, sys
import numpy as np
import gpuarray as ga
root = os.path.realpath(sys.argv[1])
where = os.path.realpath(ga.__file__)
assert not where.startswith(root + os.sep), 'imported from the source tree: ' + where
k = ga.RawKernel(r'''
extern "C" __global__ void saxpy(int n, float a, const float *x, float *y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}''', 'saxpy')
rng = np.random.default_rng(0)
x = rng.standard_normal(1000).astype(np.float32)
y = rng.standard_normal(1000).astype(np.float32)
dx, dy = ga.asarray(x), ga.asarray(y)
k((4,), (256,), (np.int32(1000), np.float32(3.0), dx, dy))
np.testing.assert_allclose(dy.get(), 3.0 * x + y, rtol=1e-6)
a = ga.arange(12, dtype=np.float64).reshape(3, 4)
np.testing.assert_allclose((a * 2 + 1).sum(axis=0).get(), (np.arange(12.).reshape(3, 4) * 2 + 1).sum(axis=0))
print('check_sdist: ok, gpuarray from', os.path.dirname(where), 'backend', ga.get_backend())
PYEOF
