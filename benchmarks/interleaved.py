"""interleaved.py - the timing method of gpuarray's GPU benchmark groups
(bench_math.py, bench_random.py, bench_fft.py, bench_linalg.py; the older
bench_sort.py keeps its own loop of single timed calls): gpuarray beside
CuPy and PyTorch in one process, on one GPU, interleaved.

Method: each case is set up per framework and called a few times first
(compiles, plan caches, allocator pools) and its result checked where the
case gives a check; then `repeats` rounds, each timing every framework in
turn (interleaved, so that clock and thermal drift hit all alike): a
synchronize, `calls` back-to-back calls, a synchronize, divided by
`calls` (the GPU's time per call when the host keeps ahead of it, as user
code does). The report gives per case and framework the median, the spread
(min..max) and gpuarray's ratio to the faster of the others (> 1: gpuarray
faster; the issues' target is >= 0.9).

A benchmark module describes its cases and calls `main(cases, ...)`:

    Case(name, label, setup, calls=10, unit=None, check=None)

setup(fw, xp) returns the callable to time for framework `fw` ('gpuarray',
'cupy' or 'torch'; xp is its module) or raises to drop that framework from
the case (printed with the reason). unit: (count, 'GB/s') to also print a
rate (count / seconds / 1e9). check(fw, result): raises when a warm-up
result is wrong.
"""
import argparse
import statistics
import time
from collections import namedtuple

Case = namedtuple('Case', 'name label setup calls unit check', defaults=(10, None, None))


def frameworks():
    """{'gpuarray' | 'cupy' | 'torch': (module, synchronize)} of those
    importable with a GPU; a missing one is printed with the reason."""
    fws = {}
    import gpuarray
    fws['gpuarray'] = (gpuarray, gpuarray.cuda.runtime.deviceSynchronize)
    try:
        import cupy
        fws['cupy'] = (cupy, cupy.cuda.runtime.deviceSynchronize)
    except Exception as e:     # noqa: BLE001 - a missing framework costs its column
        print('cupy: not importable ({}: {})'.format(type(e).__name__, e))
    try:
        import torch
        if not torch.cuda.is_available():
            raise RuntimeError('torch.cuda.is_available() is False')
        fws['torch'] = (torch, torch.cuda.synchronize)
    except Exception as e:     # noqa: BLE001
        print('torch: not importable ({}: {})'.format(type(e).__name__, e))
    return fws


def measure(case, fws, repeats, warmup=3):
    """{framework: [seconds per call, one per repeat]} for one case."""
    ops = {}
    for fw, (xp, sync) in fws.items():
        try:
            f = case.setup(fw, xp)
            result = None
            for _ in range(warmup):
                result = f()
            sync()
            if case.check is not None:
                case.check(fw, result)
            ops[fw] = (f, sync)
        except Exception as e:     # noqa: BLE001 - report and go on without it
            print('! {} {}: {}: {}'.format(case.name, fw, type(e).__name__, e))
    times = {fw: [] for fw in ops}
    for _ in range(repeats):
        for fw, (f, sync) in ops.items():
            sync()
            t0 = time.perf_counter()
            for _ in range(case.calls):
                f()
            sync()
            times[fw].append((time.perf_counter() - t0) / case.calls)
    return times


def ratio_to_others(med):
    """gpuarray's speed relative to the faster of the other frameworks
    (NaN when either side is missing)."""
    others = [t for fw, t in med.items() if fw != 'gpuarray']
    if not others or 'gpuarray' not in med:
        return float('nan')
    return min(others) / med['gpuarray']


def _fmt(seconds):
    if seconds >= 1e-3:
        return '{:.3f} ms'.format(seconds * 1e3)
    return '{:.1f} us'.format(seconds * 1e6)


def report(rows, names, target=0.9):
    """The markdown table of (case, times) rows."""
    print()
    print('| measurement | ' + ' | '.join('{} median (spread)'.format(n) for n in names)
          + ' | gpuarray vs faster of the others |')
    print('|---|' + '---|' * (len(names) + 1))
    for case, times in rows:
        med = {fw: statistics.median(t) for fw, t in times.items() if t}
        cells = []
        for n in names:
            if n not in med:
                cells.append('-')
                continue
            t = times[n]
            cell = '{} ({}..{})'.format(_fmt(med[n]), _fmt(min(t)), _fmt(max(t)))
            if case.unit:
                cell += ', {:.1f} {}'.format(case.unit[0] / med[n] / 1e9, case.unit[1])
            cells.append(cell)
        r = ratio_to_others(med)
        verdict = '-' if r != r else '{:.2f}x {}'.format(r, 'ok' if r >= target else 'MISS')
        print('| {} | '.format(case.label) + ' | '.join(cells) + ' | {} |'.format(verdict))


def main(cases, description=None, repeats=15, target=0.9):
    """Parse --only/--repeats, measure the chosen cases, print per-case
    lines as they finish and the table at the end; a row is ok when
    gpuarray is at least `target` times the faster of the others."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument('--only', default=','.join(c.name for c in cases),
                    help='comma-separated case names (default: all)')
    ap.add_argument('--repeats', type=int, default=repeats)
    args = ap.parse_args()
    wanted = set(args.only.split(','))
    unknown = wanted - {c.name for c in cases}
    if unknown:
        ap.error('unknown case(s): {}'.format(', '.join(sorted(unknown))))
    fws = frameworks()
    rows = []
    for case in cases:
        if case.name not in wanted:
            continue
        times = measure(case, fws, args.repeats)
        for fw, t in times.items():
            print('{:12s} {:9s} median {}  spread {} .. {}'.format(
                case.name, fw, _fmt(statistics.median(t)), _fmt(min(t)), _fmt(max(t))))
        rows.append((case, times))
    report(rows, list(fws), target)
    return 0 if rows else 1
