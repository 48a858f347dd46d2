"""sort_phases.py - run gpuarray's radix sort of N float32 keys (and an
argsort of N/4) a few times, for a profiler to look at its kernels:

    ncu --clock-control none -k regex:ga_sort --launch-skip 12 --launch-count 12 \
        python3 benchmarks/probes/sort_phases.py

The first calls compile and warm the pools; the later ones are the ones to
profile (6 launches per sort of 4-byte keys: histogram, offsets, 4 passes)."""
import sys

import numpy as np

import gpuarray as cp

n = int(sys.argv[1]) if len(sys.argv) > 1 else 64 << 20
h = np.random.default_rng(0).standard_normal(n).astype(np.float32)
x = cp.asarray(h)
for _ in range(3):
    y = cp.sort(x)
cp.cuda.runtime.deviceSynchronize()
assert np.array_equal(y.get(), np.sort(h))
xa = x[: n // 4].copy()
for _ in range(2):
    i = cp.argsort(xa)
cp.cuda.runtime.deviceSynchronize()
print('ok')
