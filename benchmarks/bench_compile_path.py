#!/usr/bin/env python3
"""bench_compile_path.py - gpuarray's compile path against bare NVRTC in one
process, on the CPU (no GPU needed: nvrtcCompileProgram runs on the host).

For `make bench`'s "compile a new source" row: each round compiles a fresh
copy of bench.py's saxpy source (1) with bare nvrtcCreateProgram /
nvrtcCompileProgram / nvrtcGetCUBIN through ctypes (ctypes costs
microseconds, the compile tens of milliseconds), (2) the same plus
nvrtcGetPTX, (3) through gpuarray._core.compile (key hashing, NVRTC, PTX
and log fetched, disk and memory caches written), (4) the same with
no_cache. Forms alternate within each round; medians, min..max.

    GPUARRAY_BACKEND=cuda python3 benchmarks/bench_compile_path.py [--arch 90] [--rounds 15]
"""
import argparse
import ctypes
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
os.environ.setdefault('GPUARRAY_CACHE_DIR', tempfile.mkdtemp(prefix='bench-compile-path-'))

import gpuarray  # noqa: E402
from bench import SOURCE  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', type=int, default=90)
    ap.add_argument('--rounds', type=int, default=15)
    args = ap.parse_args()
    path = gpuarray._core.config().get('compiler_path')
    if not path:
        print('bench_compile_path: gpuarray found no NVRTC (compiler_path is empty)')
        return 1
    nv = ctypes.CDLL(path)
    arch_opt = b'--gpu-architecture=sm_%d' % args.arch

    def bare(src, ptx=False):
        p = ctypes.c_void_p()
        if nv.nvrtcCreateProgram(ctypes.byref(p), src.encode(), b'bench.cu', 0, None, None):
            raise RuntimeError('nvrtcCreateProgram failed')
        try:
            if nv.nvrtcCompileProgram(p, 1, (ctypes.c_char_p * 1)(arch_opt)):
                raise RuntimeError('nvrtcCompileProgram failed')
            n = ctypes.c_size_t()
            nv.nvrtcGetCUBINSize(p, ctypes.byref(n))
            nv.nvrtcGetCUBIN(p, ctypes.create_string_buffer(n.value))
            if ptx:
                nv.nvrtcGetPTXSize(p, ctypes.byref(n))
                nv.nvrtcGetPTX(p, ctypes.create_string_buffer(n.value))
        finally:
            nv.nvrtcDestroyProgram(ctypes.byref(p))

    def ga(src, no_cache=False):
        # device=-1: never touches the driver (a CPU-only machine works)
        gpuarray._core.compile(src, (), None, None, args.arch, -1, no_cache)

    forms = {'bare NVRTC (cubin)': bare, 'bare NVRTC + PTX': lambda s: bare(s, True),
             'gpuarray._core.compile': ga, 'gpuarray, no_cache': lambda s: ga(s, True)}
    for f in forms.values():
        f('// warm-up %d\n' % time.time_ns() + SOURCE)
    times = {k: [] for k in forms}
    for r in range(args.rounds):
        for k, f in forms.items():
            src = '// fresh source %d %d\n' % (r, time.time_ns()) + SOURCE
            t0 = time.perf_counter()
            f(src)
            times[k].append((time.perf_counter() - t0) * 1e3)
    print('| compile a new source, sm_%d, CPU time (%d rounds) | median | min..max |' % (
        args.arch, args.rounds))
    print('|---|---|---|')
    for k, v in times.items():
        print('| {} | {:.2f} ms | {:.2f}..{:.2f} |'.format(k, statistics.median(v), min(v), max(v)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
