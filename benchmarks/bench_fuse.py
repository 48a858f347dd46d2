#!/usr/bin/env python3
"""bench_fuse.py - issue 16's fusion rows on the GPU: gpuarray.fuse beside
cupy.fuse and torch.compile, in one process, interleaved.

    saxpy     a * x + y on 64M float32, fused (12 bytes moved per element)
    chain8    8 elementwise operations on two 16M float32 arrays ending in
              sum(), fused into one reduction kernel
    tiny      200 dependent elementwise operations on 16 float32, eager
              (per call: 200 launches; the per-operation time is printed)

Method: benchmarks/interleaved.py (medians of interleaved repeats, the
spread, gpuarray's ratio to the faster of CuPy and PyTorch). torch.compile
compiles at its first calls (seconds): run this file in its own GPU call
(`GPU_STAGES=bench:fuse bash scripts/gpu_check.sh`).

    python3 benchmarks/bench_fuse.py [--only saxpy,chain8] [--repeats 15]
"""
import statistics
import sys

import numpy as np

from interleaved import Case, frameworks, measure, report

N_SAXPY = 64 << 20
N_CHAIN = 16 << 20
N_TINY = 16
TINY_OPS = 200


def _saxpy(a, x, y):
    return a * x + y


def _chain8(x, y):
    t = x * y
    t = t + 1.0
    t = t * t
    t = t - y
    t = t * 0.5
    t = t + x
    t = t * t
    t = t - 2.0
    return t.sum()


def _fused(fw, xp, f):
    if fw == 'torch':
        return xp.compile(f)
    return xp.fuse(f)


def _arrays(fw, xp, n, count, seed=0):
    rng = np.random.default_rng(seed)
    hs = [rng.random(n, dtype=np.float32) for _ in range(count)]
    if fw == 'torch':
        return [xp.from_numpy(h).cuda() for h in hs], hs
    return [xp.asarray(h) for h in hs], hs


def setup_saxpy(fw, xp):
    (x, y), _ = _arrays(fw, xp, N_SAXPY, 2)
    f = _fused(fw, xp, _saxpy)
    return lambda: f(2.0, x, y)


def check_saxpy(fw, result):
    rng = np.random.default_rng(0)
    x, y = rng.random(N_SAXPY, dtype=np.float32), rng.random(N_SAXPY, dtype=np.float32)
    got = result.cpu().numpy() if fw == 'torch' else result.get()
    np.testing.assert_allclose(got[:1 << 20], (2 * x + y)[:1 << 20], rtol=1e-6)


def setup_chain8(fw, xp):
    (x, y), _ = _arrays(fw, xp, N_CHAIN, 2)
    f = _fused(fw, xp, _chain8)
    return lambda: f(x, y)


def check_chain8(fw, result):
    rng = np.random.default_rng(0)
    x, y = rng.random(N_CHAIN, dtype=np.float32), rng.random(N_CHAIN, dtype=np.float32)
    expect = float(_chain8(x.astype(np.float64), y.astype(np.float64)))
    got = float(result.item())
    assert abs(got - expect) <= 1e-3 * abs(expect), (got, expect)


def _tiny_chain(x):
    for _ in range(TINY_OPS // 2):
        x = x * 1.0001
        x = x + 0.5
    return x


def setup_tiny(fw, xp):
    (x,), _ = _arrays(fw, xp, N_TINY, 1)
    return lambda: _tiny_chain(x)


CASES = [
    Case('saxpy', 'fused a * x + y, 64M float32', setup_saxpy, calls=20,
         unit=(12 * N_SAXPY, 'GB/s'), check=check_saxpy),
    Case('chain8', 'fused 8 ops ending in sum, 2 x 16M float32', setup_chain8, calls=20,
         unit=(8 * N_CHAIN, 'GB/s'), check=check_chain8),
    Case('tiny', '200 dependent tiny ops, eager (per call)', setup_tiny, calls=5),
]


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--only', default=','.join(c.name for c in CASES))
    ap.add_argument('--repeats', type=int, default=15)
    args = ap.parse_args()
    wanted = set(args.only.split(','))
    fws = frameworks()
    rows = []
    for case in CASES:
        if case.name in wanted:
            rows.append((case, measure(case, fws, args.repeats)))
    report(rows, list(fws))
    for case, times in rows:
        if case.name == 'tiny':
            print()
            for fw, t in times.items():
                print('{}: {:.2f} us per tiny op (median of {} repeats; spread {:.2f}..{:.2f})'.format(
                    fw, statistics.median(t) / TINY_OPS * 1e6, len(t), min(t) / TINY_OPS * 1e6,
                    max(t) / TINY_OPS * 1e6))
    return 0 if rows else 1


if __name__ == '__main__':
    sys.exit(main())
