"""tiny_op.py - the Python side of a tiny `x + y` on the current backend:
the launch of the operator's own kernel, empty()+free, and x + y, each
timed alone (median of 7 runs of 4000 calls)."""
import statistics
import time

import numpy as np

import gpuarray as ga
from gpuarray import _ufuncs


def timed(name, fn):
    sync = ga.cuda.Stream.null.synchronize
    fn()
    sync()
    ts = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(4000):
            fn()
        sync()
        ts.append((time.perf_counter() - t0) / 4000 * 1e6)
    print('%-28s median %.3f us  min %.3f' % (name, statistics.median(ts), min(ts)))


x = ga.asarray(np.random.rand(16).astype(np.float32))
y = ga.asarray(np.random.rand(16).astype(np.float32))
x + y
kernel, out_dtype, per_block, _ = _ufuncs.add._aa[(x.dtype, y.dtype)]
o = ga.empty(16, np.float32)
args = (o, x, y, 16)
for _ in range(2):
    timed('kernel(grid, block, args)', lambda: kernel(1, 256, args))
    timed('empty(16) + free', lambda: ga.empty(16, np.float32))
    timed('x + y', lambda: x + y)
    timed('x * 2.0', lambda: x * 2.0)
