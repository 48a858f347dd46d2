#!/usr/bin/env python3
"""bench_math.py - issue 11's math benchmarks on the GPU: gpuarray beside
CuPy and PyTorch, in one process, interleaved.

    cumsum     of 64M float32
    einsum     'bij,bjk->bik' on 64x512x512 float32
    histogram  of 64M float32 into 1024 bins

Method: warm-up calls first (compiles, allocator pools); then REPEATS
rounds, each timing every framework in turn (interleaved, so that clock
and thermal drift hit all alike): a synchronize, N back-to-back calls, a
synchronize, divided by N (the GPU's time per call when the host keeps
ahead of it, as user code does). Prints per op and framework the median,
the spread (min..max) and gpuarray's ratio to the faster of the others
(> 1: gpuarray faster); the target is >= 0.9.

    python3 benchmarks/bench_math.py [--only cumsum,einsum] [--repeats 15]
"""
import argparse
import statistics
import time

import numpy as np


def frameworks():
    fws = {}
    import gpuarray
    fws['gpuarray'] = (gpuarray, gpuarray.cuda.runtime.deviceSynchronize)
    try:
        import cupy
        fws['cupy'] = (cupy, cupy.cuda.runtime.deviceSynchronize)
    except Exception as e:     # noqa: BLE001 - a missing framework costs its column
        print('cupy: not importable ({})'.format(e))
    try:
        import torch
        if torch.cuda.is_available():
            fws['torch'] = (torch, torch.cuda.synchronize)
    except Exception as e:     # noqa: BLE001
        print('torch: not importable ({})'.format(e))
    return fws


def setup(name, fw, xp):
    """(callable, description) of benchmark `name` on framework `fw`."""
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


CALLS = {'cumsum': 20, 'einsum': 10, 'histogram': 20}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--only', default='cumsum,einsum,histogram')
    ap.add_argument('--repeats', type=int, default=15)
    args = ap.parse_args()
    fws = frameworks()
    rows = []
    for name in args.only.split(','):
        ops = {}
        for fw, (xp, sync) in fws.items():
            try:
                f = setup(name, fw, xp)
                for _ in range(3):
                    f()
                sync()
                ops[fw] = (f, sync)
            except Exception as e:     # noqa: BLE001
                print('! {} {}: {}: {}'.format(name, fw, type(e).__name__, e))
        times = {fw: [] for fw in ops}
        n = CALLS[name]
        for _ in range(args.repeats):
            for fw, (f, sync) in ops.items():
                sync()
                t0 = time.perf_counter()
                for _ in range(n):
                    f()
                sync()
                times[fw].append((time.perf_counter() - t0) / n)
        med = {fw: statistics.median(t) for fw, t in times.items()}
        others = [med[fw] for fw in med if fw != 'gpuarray']
        ratio = (min(others) / med['gpuarray']) if others and 'gpuarray' in med else float('nan')
        for fw, t in times.items():
            print('{:10s} {:9s} median {:9.1f} us  spread {:9.1f} .. {:9.1f} us'.format(
                name, fw, med[fw] * 1e6, min(t) * 1e6, max(t) * 1e6))
        print('{:10s} gpuarray / faster of others: {:.3f}x (>= 0.9 is the target)'.format(
            name, ratio))
        rows.append((name, med, ratio))
    print()
    print('| op | ' + ' | '.join(fws) + ' | ratio |')
    print('|---|' + '---|' * (len(fws) + 1))
    for name, med, ratio in rows:
        print('| {} | '.format(name) + ' | '.join(
            '{:.1f} us'.format(med[fw] * 1e6) if fw in med else '-' for fw in fws) +
            ' | {:.2f}x |'.format(ratio))


if __name__ == '__main__':
    main()
