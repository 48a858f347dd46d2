#!/usr/bin/env python3
"""sort_tile_sweep.py - time gpuarray's radix sort (kernels/sort.cuh) over
its tuning knobs on one GPU, beside CuPy and PyTorch, to choose
_radix.py's defaults: threads per pass block (BLOCKS), keys per thread
(ITEMS, lowered by _radix.pass_items where shared memory needs it) and the
ranking form (RANK: 0 ballots, 1 __match_any_sync, 2 atomicOr masks), the
register cap (MIN_BLOCKS), the shared-memory carveout (CARVEOUT), the
look-back's window (LOOKBACK) and early tile counts (EARLY).

    python3 scripts/sort_tile_sweep.py [--n 67108864] [--dtype float32] [--argsort] [--repeats 7]
        [--configs 512x11:r2:m1:c100:l4:e1,256x15:r0:m2:c-]

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


KNOBS = ('BLOCKS', 'ITEMS', 'RANK', 'MIN_BLOCKS', 'CARVEOUT', 'LOOKBACK', 'EARLY')


def knobs():
    return {k: (dict(v) if isinstance(v, dict) else v) for k in KNOBS for v in [getattr(_radix, k)]}


def restore(saved):
    for k, v in saved.items():
        setattr(_radix, k, dict(v) if isinstance(v, dict) else v)


def configure(block, items, rank, min_blocks, carveout, lookback, early, width):
    for name, value in (('BLOCKS', block), ('ITEMS', items), ('MIN_BLOCKS', (min_blocks, min_blocks))):
        d = dict(getattr(_radix, name))
        d[width] = value
        setattr(_radix, name, d)
    _radix.RANK = rank
    _radix.CARVEOUT = carveout
    _radix.LOOKBACK = lookback
    _radix.EARLY = early


def parse_config(text):
    """'512x11:r2:m1:c100:l4' -> (block, items, rank, min_blocks, carveout,
    lookback); 'c-' leaves the carveout to the driver."""
    shape, *rest = text.split(':')
    block, items = (int(v) for v in shape.split('x'))
    rank, min_blocks, carveout = _radix.RANK, 1, _radix.CARVEOUT
    lookback, early = _radix.LOOKBACK, _radix.EARLY
    for part in rest:
        if part[0] == 'r':
            rank = int(part[1:])
        elif part[0] == 'm':
            min_blocks = int(part[1:])
        elif part[0] == 'c':
            carveout = None if part[1:] == '-' else int(part[1:])
        elif part[0] == 'l':
            lookback = int(part[1:])
        elif part[0] == 'e':
            early = int(part[1:])
        else:
            raise ValueError('unknown knob {!r} in {!r}'.format(part, text))
    return block, items, rank, min_blocks, carveout, lookback, early


DEFAULT_CONFIGS = ','.join('{}x{}:r{}:m{}:c{}'.format(b, i, r, m, c)
                           for b, i in ((256, 15), (512, 11), (512, 8))
                           for r in (0, 2) for m in (1, 2) for c in (100, '-'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=64 << 20)
    ap.add_argument('--dtype', default='float32')
    ap.add_argument('--argsort', action='store_true')
    ap.add_argument('--repeats', type=int, default=7)
    ap.add_argument('--configs', default=DEFAULT_CONFIGS,
                    help='comma-separated BLOCKxITEMS[:rRANK][:mMIN_BLOCKS][:cCARVEOUT|c-][:lLOOKBACK][:eEARLY]')
    args = ap.parse_args()
    dt = np.dtype(args.dtype)
    rng = np.random.default_rng(0)
    h = (rng.standard_normal(args.n).astype(dt) if dt.kind == 'f' else
         rng.integers(np.iinfo(dt).min, np.iinfo(dt).max, args.n, dtype=dt))
    want = np.argsort(h, kind='stable') if args.argsort else np.sort(h)
    x = cp.asarray(h)
    op = 'argsort' if args.argsort else 'sort'
    sync = cp.cuda.runtime.deviceSynchronize
    default = knobs()
    width = dt.itemsize
    runs = {}
    for text in args.configs.split(','):
        config = parse_config(text)
        configure(*config, width)
        big = args.n >= _radix.BIG_INDEX_MIN
        if _radix.pass_items(width, big) != config[1]:
            print('! {}: does not fit shared memory ({} keys per thread would)'.format(
                text, _radix.pass_items(width, big)))
            continue

        def run(config=config):
            configure(*config, width)
            return getattr(cp, op)(x)
        try:
            got = run().get()
        except Exception as e:     # noqa: BLE001 - a config that fails costs its row
            print('! {}: {}: {}'.format(text, type(e).__name__, str(e)[:200]))
            continue
        if not np.array_equal(got, want):
            print('! {}: wrong result'.format(text))
            continue
        runs[text] = (run, sync)
    restore(default)

    def run_default():
        # the configured runs leave their knobs set: restore the defaults
        restore(default)
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
    restore(default)
    print('{} of {} {} ({} repeats of {} calls); defaults {}'.format(
        op, args.n, dt, args.repeats, CALLS, default))
    for k in sorted(times, key=lambda k: statistics.median(times[k])):
        t = times[k]
        m = statistics.median(t)
        print('{:28s} {:8.3f} ms  ({:8.3f} .. {:8.3f})  {:6.2f} Gkeys/s'.format(
            k, m * 1e3, min(t) * 1e3, max(t) * 1e3, args.n / m / 1e9))


if __name__ == '__main__':
    main()
