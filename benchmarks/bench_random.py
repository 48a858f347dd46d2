#!/usr/bin/env python3
"""bench_random.py - issue 12's random-number benchmarks on the GPU:
gpuarray beside CuPy and PyTorch, in one process, interleaved.

    rand   64M float32 uniform [0, 1)  (cupy.random.rand(n, dtype=float32),
           torch.rand(n, device='cuda'))
    randn  64M float32 standard normal (cupy.random.randn, torch.randn)

GB/s counts the bytes written (4 per value). Each call allocates its
output, as user code does. gpuarray's kernels: one Philox4x32-10 call
per thread for 4 values, one 16-byte store, a grid-stride loop, no host
synchronisation (kernels/random.cuh).

Method: benchmarks/interleaved.py (medians of interleaved repeats, the
spread, gpuarray's ratio to the faster of CuPy and PyTorch; the target is
>= 0.9).

    python3 benchmarks/bench_random.py [--only rand,randn] [--repeats 15]

GPUARRAY_BENCH_RANDOM_N=<count> changes the size (a quick run elsewhere).
"""
import os

import numpy as np

from interleaved import Case, main

N = int(os.environ.get('GPUARRAY_BENCH_RANDOM_N', 64 << 20))


def setup(name, fw, xp):
    """The callable that draws `name` on framework `fw`."""
    if fw == 'torch':
        xp.manual_seed(0)
        f = xp.rand if name == 'rand' else xp.randn
        return lambda: f(N, device='cuda', dtype=xp.float32)
    xp.random.seed(0)
    f = xp.random.rand if name == 'rand' else xp.random.randn
    return lambda: f(N, dtype=np.float32)


def check(name):
    def f(fw, result):
        h = result.cpu().numpy() if fw == 'torch' else (
            result.get() if hasattr(result, 'get') else np.asarray(result))
        if h.dtype != np.float32 or h.shape != (N,):
            raise AssertionError('{}: got {} {}'.format(fw, h.dtype, h.shape))
        sample = h[:: max(1, N // 100000)].astype(np.float64)
        mean, var = (0.5, 1 / 12) if name == 'rand' else (0.0, 1.0)
        if abs(sample.mean() - mean) > 0.02 or abs(sample.var() - var) > 0.05 * var:
            raise AssertionError('{}: mean {} var {}'.format(fw, sample.mean(), sample.var()))
    return f


SIZE = '{}M'.format(N >> 20) if N >= 1 << 20 and N % (1 << 20) == 0 else str(N)

CASES = [
    Case('rand', 'rand {} float32'.format(SIZE),
         lambda fw, xp: setup('rand', fw, xp), calls=20, unit=(4 * N, 'GB/s'), check=check('rand')),
    Case('randn', 'randn {} float32'.format(SIZE),
         lambda fw, xp: setup('randn', fw, xp), calls=20, unit=(4 * N, 'GB/s'),
         check=check('randn')),
]

if __name__ == '__main__':
    raise SystemExit(main(CASES, __doc__))
