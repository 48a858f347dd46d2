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

--forms two_pass,single,single+wave (gpuarray._reduction.Form's names)
times every form of the reduction in the same run: each is a column of its
own ("gpuarray[form]"), interleaved with CuPy and PyTorch in every repeat
(its plan cache is its own, so switching costs nothing timed), and the
table gives each form's ratio to the faster of CuPy and PyTorch.
"""
import statistics
import sys

import numpy as np

from interleaved import Case, main

SIZES = [1 << k for k in range(4, 29)]


_host_cache = {}


def _host_inputs(n):
    """The host arrays of size n (the last size's kept: every column of a
    case, --forms' several gpuarray columns too, uploads the same)."""
    if n not in _host_cache:
        _host_cache.clear()
        rng = np.random.default_rng(n)
        _host_cache[n] = (rng.random(n, dtype=np.float32), rng.random(n, dtype=np.float32))
    return _host_cache[n]


def _inputs(fw, xp, n):
    hx, hy = _host_inputs(n)
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


def _form_frameworks(fws, forms):
    """fws with gpuarray replaced by one column per reduction form: the
    form is selected in that column's synchronize, which runs before each
    of its timed batches (outside the timing)."""
    from gpuarray import _reduction
    xp, sync = fws.pop('gpuarray')
    out = {}
    for f in forms:
        _reduction.Form(f)              # an unknown name fails here, not mid-run

        def sync_form(f=f):
            _reduction.select_form(f)
            sync()
        out['gpuarray[%s]' % f] = (xp, sync_form)
    out.update(fws)
    return out


def _forms_report(rows, names):
    print()
    print('| measurement | ' + ' | '.join('{} median (spread)'.format(n) for n in names) +
          ' | ' + ' | '.join('{} vs faster of cupy/torch'.format(n) for n in names
                             if n.startswith('gpuarray')) + ' |')
    print('|---|' + '---|' * (len(names) + sum(n.startswith('gpuarray') for n in names)))
    for case, times in rows:
        med = {fw: statistics.median(t) for fw, t in times.items() if t}
        cells = []
        for n in names:
            t = times.get(n)
            cells.append('-' if not t else '{:.1f} us ({:.1f}..{:.1f})'.format(
                med[n] * 1e6, min(t) * 1e6, max(t) * 1e6))
        peers = [med[n] for n in med if not n.startswith('gpuarray')]
        for n in names:
            if n.startswith('gpuarray'):
                cells.append('{:.2f}x'.format(min(peers) / med[n]) if peers and n in med else '-')
        print('| {} | '.format(case.label) + ' | '.join(cells) + ' |')


def main_forms(argv):
    """--forms a,b,c [--only ...] [--repeats N]: every form side by side."""
    import argparse
    import interleaved
    ap = argparse.ArgumentParser(description='bench_sweep.py --forms')
    ap.add_argument('--forms', required=True)
    ap.add_argument('--only', default=','.join(c.name for c in CASES if c.name.startswith('sum_')))
    ap.add_argument('--repeats', type=int, default=15)
    args = ap.parse_args(argv)
    wanted = args.only.split(',')
    fws = _form_frameworks(interleaved.frameworks(), args.forms.split(','))
    from gpuarray import _reduction
    rows = []
    for case in CASES:
        if case.name not in wanted:
            continue

        def setup(fw, xp, setup=case.setup):
            # the warm-up calls (compiles, plans) run in the column's form
            if fw.startswith('gpuarray['):
                _reduction.select_form(fw[len('gpuarray['):-1])
                return setup('gpuarray', xp)
            return setup(fw, xp)
        times = interleaved.measure(case._replace(setup=setup), fws, args.repeats)
        for fw, t in times.items():
            print('{:12s} {:28s} median {:.1f} us  spread {:.1f} .. {:.1f}'.format(
                case.name, fw, statistics.median(t) * 1e6, min(t) * 1e6, max(t) * 1e6))
        rows.append((case, times))
    _forms_report(rows, list(fws))
    return 0 if rows else 1


if __name__ == '__main__':
    if any(a == '--forms' or a.startswith('--forms=') for a in sys.argv[1:]):
        sys.exit(main_forms(sys.argv[1:]))
    # Issue 16's bar: sum at least even with the faster peer, x + y still ahead.
    sys.exit(main(CASES, description=__doc__.split('\n')[0], repeats=15, target=1.0))
