#!/usr/bin/env python3
"""bench_math.py - issue 11's math benchmarks on the GPU: gpuarray beside
CuPy and PyTorch, in one process, interleaved.

    cumsum     of 64M float32
    einsum     'bij,bjk->bik' on 64x512x512 float32
    histogram  of 64M float32 into 1024 bins

Method: benchmarks/interleaved.py (medians of interleaved repeats, the
spread, gpuarray's ratio to the faster of CuPy and PyTorch; the target is
>= 0.9).

    python3 benchmarks/bench_math.py [--only cumsum,einsum] [--repeats 15]
"""
import sys

import numpy as np

from interleaved import Case, main


def setup(name, fw, xp):
    """The callable that runs benchmark `name` on framework `fw`."""
    rng = np.random.default_rng(0)
    if name == 'cumsum':
        h = rng.random(64 << 20, dtype=np.float32)
        if fw == 'torch':
            x = xp.from_numpy(h).cuda()
            return lambda: xp.cumsum(x, 0)
        x = xp.asarray(h)
        return lambda: xp.cumsum(x)
    if name == 'einsum':
        a = rng.standard_normal((64, 512, 512), dtype=np.float32)
        b = rng.standard_normal((64, 512, 512), dtype=np.float32)
        if fw == 'torch':
            x, y = xp.from_numpy(a).cuda(), xp.from_numpy(b).cuda()
        else:
            x, y = xp.asarray(a), xp.asarray(b)
        return lambda: xp.einsum('bij,bjk->bik', x, y)
    if name == 'histogram':
        h = rng.standard_normal(64 << 20, dtype=np.float32)
        if fw == 'torch':
            x = xp.from_numpy(h).cuda()
            return lambda: xp.histc(x, bins=1024, min=-5.0, max=5.0)
        x = xp.asarray(h)
        return lambda: xp.histogram(x, bins=1024, range=(-5.0, 5.0))
    raise ValueError(name)



CASES = [
    Case('cumsum', 'cumsum 64M float32', lambda fw, xp: setup('cumsum', fw, xp), calls=20,
         unit=(2 * 4 * (64 << 20), 'GB/s')),
    Case('einsum', "einsum('bij,bjk->bik') 64x512x512 float32",
         lambda fw, xp: setup('einsum', fw, xp), calls=10),
    Case('histogram', 'histogram 64M float32, 1024 bins',
         lambda fw, xp: setup('histogram', fw, xp), calls=20),
]

if __name__ == '__main__':
    sys.exit(main(CASES, __doc__))
