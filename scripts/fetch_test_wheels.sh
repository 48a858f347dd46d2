#!/usr/bin/env bash
# fetch_test_wheels.sh - download into .whl/ the wheels of the optional test
# packages that the lent GPU machine lacks (it has no network): Dask and
# distributed with the dependencies that machine does not have, and the
# Array API's strict reference and compat layer (it has SciPy). Run here (PyPI reachable),
# then carry .whl to that machine; scripts/gpu_check.sh installs whatever
# lies in .whl/ before it runs anything (into /tmp/site, on PYTHONPATH).
#
#   bash scripts/fetch_test_wheels.sh [python-version, default 3.12]
set -euo pipefail
cd "$(dirname "$0")/.."
PYVER=${1:-3.12}
# One version of each; the GPU machine already holds cloudpickle, toolz,
# fsspec, msgpack, psutil, pyyaml, sortedcontainers, click, jinja2,
# packaging and urllib3.
PACKAGES=(dask==2026.8.0 distributed==2026.8.0 partd==1.4.2 locket==1.0.0 tornado==6.6.1
          tblib==3.2.2 zict==3.0.0 array-api-strict==2.6.1 array-api-compat==1.16.0)
# examples/09_wgpu and 10_spirv (make demo, tests/test_examples.py): wgpu-py
# with wgpu-native inside, pinned as scripts/demo_deps.py pins it, and what it
# needs that the GPU machine lacks (it has numpy and matplotlib).
PACKAGES+=(wgpu==0.32.0 cffi==2.1.1 pycparser==3.12 rendercanvas==2.7.2)
mkdir -p .whl
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
platforms=()
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 \
         manylinux1_x86_64 manylinux_2_5_x86_64; do
    platforms+=(--platform "$p")
done
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version "$PYVER" \
    --implementation cp "${platforms[@]}" -d .whl "${PACKAGES[@]}"
ls -1 .whl
