# PTX (chapter 7.5) on CuPy: the hand-written saxpy.ptx, loaded with
# RawModule(path=...) and launched. CuPy packs arguments without reading the
# kernel's parameters, so `a` must be a numpy.float32 (a Python float would
# arrive as a double; see 03_saxpy). CuPy's RawKernel does not expose the
# PTX or cubin it compiled, so the PTX/SASS part of gpuarray_version.py has
# no CuPy twin.
import os
import statistics
import time

import numpy as np

import cupy as cp

HERE = os.path.dirname(os.path.abspath(__file__))

module = cp.RawModule(path=os.path.join(HERE, "saxpy.ptx"))
saxpy = module.get_function("saxpy")
n = 1000000
a = np.float32(2.0)
x = cp.ones(n, dtype=cp.float32)
y = cp.full(n, 3, dtype=cp.float32)
grid, block = ((n + 255) // 256,), (256,)
saxpy(grid, block, (n, a, x, y))
print(f"hand-written PTX saxpy: result[0] = {y[0]}")
print(f"result: y0={float(y[0])}")
print(f"result: y_sum={cp.asnumpy(y).sum(dtype=np.float64)}")

times = []
for _ in range(20):
    t0 = time.perf_counter()
    saxpy(grid, block, (n, a, x, y))
    cp.cuda.Stream.null.synchronize()
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: saxpy_ms={statistics.median(times):.4f} ms (hand-written PTX saxpy launch + synchronize)")
