#!/usr/bin/env python3
"""sort_tile_sweep.py - time gpuarray's radix sort (kernels/sort.cuh) over
its tuning knobs on one GPU, beside CuPy and PyTorch, to choose
_radix.py's defaults: threads per pass block (BLOCKS), keys per thread
(ITEMS, lowered by _radix.pass_items where shared memory needs it) and the
ranking form (MATCH_ANY).

    python3 scripts/sort_tile_sweep.py [--n 67108864] [--dtype float32] [--argsort] [--repeats 7]

Every configuration is checked against NumPy first; configurations and
frameworks are timed interleaved (each repeat runs each in turn): a
synchronize, CALLS calls, a synchronize. Printed: the median per call, the
spread (min..max) and keys per second."""
import argparse
import statistics
import time

import numpy as np

import gpuarray as cp
from gpuarray import _radix

CALLS = 10


def configure(block, items, match_any, width):
    _radix.BLOCKS = dict(_radix.BLOCKS)
    _radix.BLOCKS[width] = block
    _radix.ITEMS = dict(_radix.ITEMS)
    _radix.ITEMS[width] = items
    _radix.MATCH_ANY = match_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=64 << 20)
    ap.add_argument('--dtype', default='float32')
    ap.add_argument('--argsort', action='store_true')
    ap.add_argument('--repeats', type=int, default=7)
    args = ap.parse_args()
    dt = np.dtype(args.dtype)
    rng = np.random.default_rng(0)
    h = (rng.standard_normal(args.n).astype(dt) if dt.kind == 'f' else
         rng.integers(np.iinfo(dt).min, np.iinfo(dt).max, args.n, dtype=dt))
    want = np.argsort(h, kind='stable') if args.argsort else np.sort(h)
    x = cp.asarray(h)
    op = 'argsort' if args.argsort else 'sort'
    sync = cp.cuda.runtime.deviceSynchronize
    default = (dict(_radix.BLOCKS), dict(_radix.ITEMS), _radix.MATCH_ANY)
    width = dt.itemsize
    runs = {}
    for block in (256, 512):
        for items in (8, 11, 15, 19, 23):
            for match_any in (False, True):
                configure(block, items, match_any, width)
                big = args.n >= _radix.BIG_INDEX_MIN
                if _radix.pass_items(width, big) != items:
                    continue     # does not fit shared memory: another row has it
                label = '{}x{} {}'.format(block, items, 'match_any' if match_any else 'ballots')

                def run(block=block, items=items, match_any=match_any):
                    configure(block, items, match_any, width)
                    return getattr(cp, op)(x)
                try:
                    got = run().get()
                except Exception as e:     # noqa: BLE001 - a config that fails costs its row
                    print('! {}: {}: {}'.format(label, type(e).__name__, str(e)[:200]))
                    continue
                if not np.array_equal(got, want):
                    print('! {}: wrong result'.format(label))
                    continue
                runs[label] = (run, sync)
    _radix.BLOCKS, _radix.ITEMS, _radix.MATCH_ANY = default
    def run_default():
        # the configured runs leave their knobs set: restore the defaults
        _radix.BLOCKS, _radix.ITEMS, _radix.MATCH_ANY = dict(default[0]), dict(default[1]), \
            default[2]
        return getattr(cp, op)(x)
    runs['gpuarray default'] = (run_default, sync)
    try:
        import torch
        t = torch.from_numpy(h).cuda()
        f = (lambda: torch.sort(t, stable=True)[1]) if args.argsort else (lambda: torch.sort(t)[0])
        runs['torch'] = (f, torch.cuda.synchronize)
    except Exception as e:     # noqa: BLE001
        print('torch: not usable ({})'.format(e))
    try:
        import cupy
        c = cupy.asarray(h)
        runs['cupy'] = ((lambda: cupy.argsort(c)) if args.argsort else (lambda: cupy.sort(c)),
                        cupy.cuda.runtime.deviceSynchronize)
    except Exception as e:     # noqa: BLE001
        print('cupy: not usable ({})'.format(e))
    for f, s in runs.values():
        f()
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
    _radix.BLOCKS, _radix.ITEMS, _radix.MATCH_ANY = default
    print('{} of {} {} ({} repeats of {} calls); defaults BLOCKS={} ITEMS={} MATCH_ANY={}'.format(
        op, args.n, dt, args.repeats, CALLS, *default))
    for k in sorted(times, key=lambda k: statistics.median(times[k])):
        t = times[k]
        m = statistics.median(t)
        print('{:24s} {:8.3f} ms  ({:8.3f} .. {:8.3f})  {:6.2f} Gkeys/s'.format(
            k, m * 1e3, min(t) * 1e3, max(t) * 1e3, args.n / m / 1e9))


if __name__ == '__main__':
    main()
