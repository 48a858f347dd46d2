#!/usr/bin/env python3
"""bench_sweep.py - issue 16's size sweep on the GPU: `x + y` and `x.sum()`
on float32 at every power of two from 2^4 to 2^28 elements, gpuarray beside
CuPy and PyTorch in one process, interleaved.

Small sizes measure the latency of one operation (output allocation,
launch, and for sum the second pass where there is one); large sizes the
bandwidth (x + y moves 12 bytes per element, sum 4).

Method: benchmarks/interleaved.py (medians of interleaved repeats, the
spread, gpuarray's ratio to the faster of CuPy and PyTorch).

    python3 benchmarks/bench_sweep.py [--only add_16,sum_16] [--repeats 15]
    GPU_STAGES=bench:sweep bash scripts/gpu_check.sh
"""
import sys

import numpy as np

from interleaved import Case, main

SIZES = [1 << k for k in range(4, 29)]


def _inputs(fw, xp, n):
    rng = np.random.default_rng(n)
    hx = rng.random(n, dtype=np.float32)
    hy = rng.random(n, dtype=np.float32)
    if fw == 'torch':
        return xp.from_numpy(hx).cuda(), xp.from_numpy(hy).cuda()
    return xp.asarray(hx), xp.asarray(hy)


def setup_add(n):
    def setup(fw, xp):
        x, y = _inputs(fw, xp, n)
        return lambda: x + y
    return setup


def setup_sum(n):
    def setup(fw, xp):
        x, _ = _inputs(fw, xp, n)
        return lambda: x.sum()
    return setup


def _calls(n):
    """Enough calls per timing that the host clock's resolution and the
    synchronize do not dominate."""
    return 200 if n <= 1 << 20 else 50 if n <= 1 << 24 else 10


CASES = []
for _n in SIZES:
    _k = _n.bit_length() - 1
    CASES.append(Case('add_%d' % _k, 'x + y, 2^%d float32' % _k, setup_add(_n), calls=_calls(_n),
                      unit=(12 * _n, 'GB/s')))
for _n in SIZES:
    _k = _n.bit_length() - 1
    CASES.append(Case('sum_%d' % _k, 'sum, 2^%d float32' % _k, setup_sum(_n), calls=_calls(_n),
                      unit=(4 * _n, 'GB/s')))

if __name__ == '__main__':
    sys.exit(main(CASES, description=__doc__.split('\n')[0], repeats=15))
