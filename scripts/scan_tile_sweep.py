#!/usr/bin/env python3
"""scan_tile_sweep.py - time gpuarray.cumsum's tile kernel (kernels/scan.cuh)
over tile shapes and both address forms, beside PyTorch and CuPy, on one
GPU, to choose _scan.py's defaults.

    python3 scripts/scan_tile_sweep.py [--n 67108864] [--dtype float32] [--repeats 9]

Every configuration is checked against NumPy first. The configurations
and the frameworks are timed interleaved (each repeat runs each of them
in turn): a synchronize, CALLS back-to-back calls, a synchronize; printed
are the median per call, the spread (min..max) and GB/s (one read and one
write of the data)."""
import argparse
import statistics
import time

import numpy as np

import gpuarray as cp
from gpuarray import _scan

CALLS = 20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=64 << 20)
    ap.add_argument('--dtype', default='float32')
    ap.add_argument('--repeats', type=int, default=9)
    args = ap.parse_args()
    dt = np.dtype(args.dtype)
    rng = np.random.default_rng(0)
    h = rng.random(args.n).astype(dt) if dt.kind == 'f' else rng.integers(0, 3, args.n).astype(dt)
    # the reference in float64 (NumPy's float32 cumsum is a sequential sum
    # whose own error at 64M elements exceeds the tiled scan's)
    want = np.cumsum(h, dtype=np.float64 if dt.kind == 'f' else dt)
    x = cp.asarray(h)
    sync = cp.cuda.runtime.deviceSynchronize
    acc = max(dt.itemsize, 4)
    runs = {}
    for contig in (True, False):
        for block in (128, 256, 512):
            for items in (4, 8, 16, 24, 32):
                if block * items * acc * 33 // 32 > 44 * 1024:
                    continue   # the tile would not fit 48 KiB of static shared memory
                def run(contig=contig, block=block, items=items):
                    _scan.contiguous_path = contig
                    _scan.force_path, _scan.force_tile = 'tile', (block, items)
                    try:
                        return cp.cumsum(x)
                    finally:
                        _scan.force_path, _scan.force_tile = None, None
                        _scan.contiguous_path = True
                got = run().get()
                ok = (np.allclose(got, want, rtol=1e-4, atol=1e-4 * abs(float(want[-1])))
                      if dt.kind == 'f' else np.array_equal(got, want))
                if not ok:
                    print('! block {} items {} contig {}: wrong result'.format(block, items, contig))
                    continue
                runs['gpuarray {}x{} {}'.format(block, items, 'index' if contig else 'bytes')] = \
                    (run, sync)
    runs['gpuarray default'] = (lambda: cp.cumsum(x), sync)
    try:
        import torch
        t = torch.from_numpy(h).cuda()
        runs['torch'] = (lambda: torch.cumsum(t, 0), torch.cuda.synchronize)
    except Exception as e:     # noqa: BLE001 - a missing framework costs its row
        print('torch: not usable ({})'.format(e))
    try:
        import cupy
        c = cupy.asarray(h)
        runs['cupy'] = (lambda: cupy.cumsum(c), cupy.cuda.runtime.deviceSynchronize)
    except Exception as e:     # noqa: BLE001
        print('cupy: not usable ({})'.format(e))
    for f, s in runs.values():
        for _ in range(3):
            f()
        s()
    times = {k: [] for k in runs}
    for _ in range(args.repeats):
        for k, (f, s) in runs.items():
            s()
            t0 = time.perf_counter()
            for _ in range(CALLS):
                f()
            s()
            times[k].append((time.perf_counter() - t0) / CALLS)
    nbytes = 2 * args.n * dt.itemsize
    print('cumsum of {} {} ({} repeats of {} calls)'.format(args.n, dt, args.repeats, CALLS))
    for k in sorted(times, key=lambda k: statistics.median(times[k])):
        t = times[k]
        m = statistics.median(t)
        print('{:28s} {:8.1f} us  ({:8.1f} .. {:8.1f})  {:7.0f} GB/s'.format(
            k, m * 1e6, min(t) * 1e6, max(t) * 1e6, nbytes / m / 1e9))


if __name__ == '__main__':
    main()
