#!/usr/bin/env python3
"""bench_fuse.py - issue 16's fusion rows on the GPU: gpuarray.fuse beside
cupy.fuse and torch.compile, in one process, interleaved.

    saxpy     a * x + y on 64M float32, fused (12 bytes moved per element)
    chain8    8 elementwise operations on two 16M float32 arrays ending in
              sum(), fused into one reduction kernel
    tiny      200 dependent elementwise operations on 16 float32, eager
              (per call: 200 launches; the per-operation time is printed)
    graph     the same 200 operations captured once (Stream.begin_capture,
              CuPy's the same, torch.cuda.graph) and replayed; beside them
              the same graph built and replayed in plain C on the driver
              API (benchmarks/c_graph_bench.c, built here with cc when
              build/c_graph_bench is missing; C_GRAPH_BENCH names another)

Method: benchmarks/interleaved.py (medians of interleaved repeats, the
spread, gpuarray's ratio to the faster of CuPy and PyTorch). torch.compile
compiles at its first calls (seconds): run this file in its own GPU call
(`GPU_STAGES=bench:fuse bash scripts/gpu_check.sh`).

    python3 benchmarks/bench_fuse.py [--only saxpy,chain8] [--repeats 15]
"""
import os
import statistics
import subprocess
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


def setup_graph(fw, xp):
    (x,), (h,) = _arrays(fw, xp, N_TINY, 1)
    expect = _tiny_chain(h.astype(np.float32))
    if fw == 'torch':
        s = xp.cuda.Stream()
        s.wait_stream(xp.cuda.current_stream())
        with xp.cuda.stream(s):
            _tiny_chain(x)
        xp.cuda.current_stream().wait_stream(s)
        g = xp.cuda.CUDAGraph()
        with xp.cuda.graph(g):
            out = _tiny_chain(x)
        g.replay()
        xp.cuda.synchronize()
        np.testing.assert_allclose(out.cpu().numpy(), expect, rtol=1e-5)
        return g.replay
    s = xp.cuda.Stream(non_blocking=True)
    with s:
        _tiny_chain(x)                # compiles outside the capture
        s.synchronize()
        s.begin_capture()
        out = _tiny_chain(x)
        g = s.end_capture()
    g.launch(s)
    s.synchronize()
    np.testing.assert_allclose(out.get(), expect, rtol=1e-5)
    return lambda: g.launch(s)


def c_graph_figures():
    """{name: us per op} from the plain-C graph replay, or {} (said why)."""
    here = os.path.dirname(os.path.abspath(__file__))
    exe = os.environ.get('C_GRAPH_BENCH') or os.path.join(here, '..', 'build', 'c_graph_bench')
    if not os.path.exists(exe):
        cuda = os.environ.get('CUDA_HOME', '/usr/local/cuda')
        cmd = ['cc', '-O2', '-std=c11', '-I' + cuda + '/include', '-o', exe,
               os.path.join(here, 'c_graph_bench.c'), '-L' + cuda + '/lib64/stubs',
               '-L' + cuda + '/targets/x86_64-linux/lib/stubs', '-lcuda', '-L' + cuda + '/lib64',
               '-lnvrtc', '-Wl,-rpath,' + cuda + '/lib64', '-lm']
        os.makedirs(os.path.dirname(exe), exist_ok=True)
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            print('plain C graph: not built: ' + r.stderr.strip()[-300:])
            return {}
    r = subprocess.run([exe], capture_output=True, text=True, timeout=120)
    if r.returncode:
        print('plain C graph: exit {}: {}'.format(r.returncode, (r.stderr or r.stdout).strip()[-300:]))
        return {}
    figures = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and not line.startswith('#'):
            figures[parts[0]] = float(parts[1])
    return figures


CASES = [
    Case('saxpy', 'fused a * x + y, 64M float32', setup_saxpy, calls=20,
         unit=(12 * N_SAXPY, 'GB/s'), check=check_saxpy),
    Case('chain8', 'fused 8 ops ending in sum, 2 x 16M float32', setup_chain8, calls=20,
         unit=(8 * N_CHAIN, 'GB/s'), check=check_chain8),
    Case('tiny', '200 dependent tiny ops, eager (per call)', setup_tiny, calls=5),
    Case('graph', '200 dependent tiny ops, one graph replay (per call)', setup_graph, calls=50),
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
        if case.name in ('tiny', 'graph'):
            print()
            print(case.label + ', per operation:')
            for fw, t in times.items():
                print('  {}: {:.3f} us per op (median of {} repeats; spread {:.3f}..{:.3f})'.format(
                    fw, statistics.median(t) / TINY_OPS * 1e6, len(t), min(t) / TINY_OPS * 1e6,
                    max(t) / TINY_OPS * 1e6))
            if case.name == 'graph' and 'gpuarray' in times:
                ours = statistics.median(times['gpuarray']) / TINY_OPS * 1e6
                for name, us in sorted(c_graph_figures().items()):
                    print('  plain C ({}): {:.3f} us per op; gpuarray / C = {:.2f}x'.format(
                        name, us, ours / us))
    return 0 if rows else 1


if __name__ == '__main__':
    sys.exit(main())
