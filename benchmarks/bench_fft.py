#!/usr/bin/env python3
"""bench_fft.py - issue 12's FFT benchmarks on the GPU: gpuarray.fft
(cuFFT, plans cached) beside cupy.fft and torch.fft, in one process,
interleaved.

    fft    of 2^24 complex64
    rfft   of 2^24 float32
    fft2   of 4096x4096 complex64

Method: benchmarks/interleaved.py (medians of interleaved repeats, the
spread, gpuarray's ratio to the faster of CuPy and PyTorch; the target is
>= 0.9). Each warm-up result is checked against numpy.fft. The rate is
the bytes read and written once (input + output) per second.

    python3 benchmarks/bench_fft.py [--only fft,rfft,fft2] [--repeats 15]

BENCH_FFT_SMALL=1 shrinks the sizes (2^12, 64x64) for a sanity run on the
host backend, where CuPy and PyTorch drop out.
"""
import os
import sys

import numpy as np

from interleaved import Case, main

SMALL = os.environ.get('BENCH_FFT_SMALL') == '1'
N1 = 1 << (12 if SMALL else 24)
N2 = 64 if SMALL else 4096

_data = {}
_want = {}


def _input(name):
    if name not in _data:
        rng = np.random.default_rng(0)
        if name == 'fft':
            h = (rng.standard_normal(N1) + 1j * rng.standard_normal(N1)).astype(np.complex64)
        elif name == 'rfft':
            h = rng.standard_normal(N1).astype(np.float32)
        else:
            h = (rng.standard_normal((N2, N2)) + 1j * rng.standard_normal((N2, N2))).astype(np.complex64)
        _data[name] = h
    return _data[name]


def setup(name, fw, xp):
    """The callable that runs benchmark `name` on framework `fw`."""
    h = _input(name)
    x = xp.from_numpy(h).cuda() if fw == 'torch' else xp.asarray(h)
    f = getattr(xp.fft, name)
    return lambda: f(x)


def check(name):
    def run(fw, result):
        if name not in _want:
            _want[name] = getattr(np.fft, name)(_input(name).astype(
                np.complex128 if name != 'rfft' else np.float64))
        got = result.cpu().numpy() if fw == 'torch' else (
            result.get() if hasattr(result, 'get') else np.asarray(result))
        want = _want[name]
        err = np.abs(got - want).max() / np.abs(want).max()
        if got.shape != want.shape or err > 1e-5:
            raise AssertionError('{} {}: shape {} vs {}, relative error {:.2e}'.format(
                fw, name, got.shape, want.shape, err))
    return run


CASES = [
    Case('fft', 'fft 2^{} complex64'.format(N1.bit_length() - 1),
         lambda fw, xp: setup('fft', fw, xp), calls=20, unit=(2 * 8 * N1, 'GB/s'),
         check=check('fft')),
    Case('rfft', 'rfft 2^{} float32'.format(N1.bit_length() - 1),
         lambda fw, xp: setup('rfft', fw, xp), calls=20,
         unit=(4 * N1 + 8 * (N1 // 2 + 1), 'GB/s'), check=check('rfft')),
    Case('fft2', 'fft2 {0}x{0} complex64'.format(N2),
         lambda fw, xp: setup('fft2', fw, xp), calls=10, unit=(2 * 8 * N2 * N2, 'GB/s'),
         check=check('fft2')),
]

if __name__ == '__main__':
    sys.exit(main(CASES, __doc__))
