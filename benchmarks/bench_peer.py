#!/usr/bin/env python3
"""bench_peer.py - peer-to-peer copy bandwidth between GPU 0 and GPU 1
(256 MB by default), through gpuarray beside the same copy through CuPy,
in one run on the same machine. Needs two CUDA GPUs: anywhere else it says
so and exits 0.

Measured, for each direction 0->1 and 1->0:
  gpuarray  a.copy() under `with Device(dst)` (ga_memcpy_peer_async, plus a
            stream-ordered allocation from the destination's pool)
  cupy      cupy.cuda.runtime.memcpyPeerAsync into a preallocated array
  cupy      arr.copy() under `with cupy.cuda.Device(dst)`
Each: warm-up, then REPS copies timed with events on the destination's
stream, the median of 5 repeats, the result checked against NumPy.

    bench_peer.py [--mb 256] [--reps 10]
"""
import argparse
import statistics
import sys
import time

import numpy as np


def needs_two(msg):
    print('bench_peer: needs 2 GPUs: %s' % msg)
    sys.exit(0)


def timed(fn, sync, reps, repeats=5):
    fn()
    sync()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        sync()
        out.append((time.perf_counter() - t0) / reps)
    return statistics.median(out)


def bench_gpuarray(nbytes, reps, h):
    import gpuarray as ga
    from gpuarray import cuda
    rows = []
    for src, dst in ((0, 1), (1, 0)):
        with cuda.Device(src):
            a = ga.asarray(h)
        with cuda.Device(dst):
            def sync():
                cuda.Device(dst).synchronize()
                cuda.Device(src).synchronize()
            t = timed(lambda: a.copy(), sync, reps)
            rows.append(('gpuarray a.copy() %d->%d' % (src, dst), nbytes / t))
            c = a.copy()
            np.testing.assert_array_equal(c.get(), h)
    return rows


def bench_cupy(nbytes, reps, h):
    try:
        import cupy
    except ImportError as e:
        return [('cupy (not installed: %s)' % e, None)]
    rows = []
    rt = cupy.cuda.runtime
    for src, dst in ((0, 1), (1, 0)):
        with cupy.cuda.Device(src):
            a = cupy.asarray(h)
        with cupy.cuda.Device(dst):
            b = cupy.empty_like(h)   # on dst
            stream = cupy.cuda.get_current_stream()

            def sync():
                cupy.cuda.Device(dst).synchronize()
                cupy.cuda.Device(src).synchronize()

            def peer():
                rt.memcpyPeerAsync(b.data.ptr, dst, a.data.ptr, src, nbytes, stream.ptr)
            t = timed(peer, sync, reps)
            rows.append(('cupy memcpyPeerAsync %d->%d' % (src, dst), nbytes / t))
            t = timed(lambda: a.copy(), sync, reps)
            rows.append(('cupy a.copy() %d->%d' % (src, dst), nbytes / t))
            np.testing.assert_array_equal(cupy.asnumpy(b), h)
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--mb', type=int, default=256)
    p.add_argument('--reps', type=int, default=10)
    args = p.parse_args()

    try:
        import gpuarray
        from gpuarray import cuda
    except Exception as e:  # noqa: BLE001
        needs_two('gpuarray does not import (%s)' % e)
    if gpuarray.get_backend() != 'cuda':
        needs_two('the active backend is %r, not CUDA' % gpuarray.get_backend())
    n = cuda.runtime.getDeviceCount()
    if n < 2:
        needs_two('this machine has %d CUDA device%s' % (n, '' if n == 1 else 's'))

    nbytes = args.mb << 20
    h = np.random.default_rng(0).integers(0, 255, nbytes, dtype=np.uint8)
    print('peer access 0->1: %d, 1->0: %d' % (cuda.runtime.deviceCanAccessPeer(0, 1),
                                             cuda.runtime.deviceCanAccessPeer(1, 0)))
    rows = bench_gpuarray(nbytes, args.reps, h) + bench_cupy(nbytes, args.reps, h)
    ref = {}
    for name, bw in rows:
        if bw is not None and name.startswith('cupy memcpyPeerAsync'):
            ref[name[-4:]] = bw
    print('\n| copy (%d MB) | GB/s | vs cupy memcpyPeerAsync |' % args.mb)
    print('|---|---:|---:|')
    for name, bw in rows:
        if bw is None:
            print('| %s | - | - |' % name)
            continue
        r = ref.get(name[-4:])
        print('| %s | %.1f | %s |' % (name, bw / 1e9, '%.2f' % (bw / r) if r else '-'))


if __name__ == '__main__':
    main()
