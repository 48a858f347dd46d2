#!/usr/bin/env python3
"""bench_linalg.py - issue 12's linalg benchmarks on the GPU: gpuarray
(cuSOLVER) beside cupy.linalg and torch.linalg, in one process,
interleaved.

    solve32    solve(A, b), A 4096x4096 float32 (random + n*I), b 4096
    solve64    the same in float64
    cholesky   cholesky(A), A 8192x8192 float64 positive definite
    svd        svd(A), A 2048x2048 float32 (U, S, Vh)
    eigh       eigh(A), A 2048x2048 float32 symmetric (eigenvalues and vectors)

gpuarray's calls include its LinAlgError check (one device-to-host read of
the info per call, which CuPy skips); torch.linalg's do theirs too.

Method: benchmarks/interleaved.py (medians of interleaved repeats, the
spread, gpuarray's ratio to the faster of CuPy and PyTorch; the target is
>= 0.9).

    python3 benchmarks/bench_linalg.py [--only solve32,svd] [--repeats 15] [--small]

--small shrinks every size to 64 (a smoke run, e.g. on the host backend).
"""
import sys

import numpy as np

from interleaved import Case, main

SMALL = '--small' in sys.argv
if SMALL:
    sys.argv.remove('--small')


def _size(n):
    return 64 if SMALL else n


_INPUTS = {}     # name -> the host input(s), for the checks


def _host(x):
    if hasattr(x, 'get'):
        return x.get()
    if hasattr(x, 'cpu'):
        return x.cpu().numpy()
    return np.asarray(x)


def check(name):
    """A warm-up check of benchmark `name`'s result against NumPy: the
    residual of the factorization, not the bits (each library may pick
    other signs and phases)."""
    def run(fw, result):
        ins = _INPUTS[name]
        if name.startswith('solve'):
            a, b = ins
            x = _host(result)
            err = np.linalg.norm(a @ x - b) / np.linalg.norm(b)
        elif name == 'cholesky':
            (a,) = ins
            lo = _host(result)
            err = np.linalg.norm(lo @ lo.T - a) / np.linalg.norm(a)
            assert np.all(np.triu(lo, 1) == 0), 'the upper triangle is not zero'
        elif name == 'svd':
            (a,) = ins
            u, s, vh = (_host(r) for r in result)
            err = np.linalg.norm((u * s) @ vh - a) / np.linalg.norm(a)
        else:
            (a,) = ins
            w, v = (_host(r) for r in result)
            err = np.linalg.norm(a @ v - v * w) / np.linalg.norm(a)
        tol = 1e-3 if _INPUTS[name][0].dtype == np.float32 else 1e-8
        if not err < tol:
            raise AssertionError('%s on %s: relative residual %.3g' % (name, fw, err))
    return run


def _on(fw, xp, h):
    if fw == 'torch':
        return xp.from_numpy(np.ascontiguousarray(h)).cuda()
    return xp.asarray(h)


def setup(name, fw, xp):
    """The callable that runs benchmark `name` on framework `fw`."""
    rng = np.random.default_rng(0)
    la = xp.linalg
    if name in ('solve32', 'solve64'):
        n = _size(4096)
        t = np.float32 if name == 'solve32' else np.float64
        a = (rng.standard_normal((n, n)) + n * np.eye(n)).astype(t)
        b = rng.standard_normal(n).astype(t)
        _INPUTS[name] = (a, b)
        A, B = _on(fw, xp, a), _on(fw, xp, b)
        return lambda: la.solve(A, B)
    if name == 'cholesky':
        n = _size(8192)
        g = rng.standard_normal((n, n)) / np.sqrt(n)
        h = g @ g.T + np.eye(n)
        _INPUTS[name] = (h,)
        A = _on(fw, xp, h)
        return lambda: la.cholesky(A)
    if name == 'svd':
        n = _size(2048)
        a = rng.standard_normal((n, n)).astype(np.float32)
        _INPUTS[name] = (a,)
        A = _on(fw, xp, a)
        return lambda: la.svd(A, full_matrices=True)
    if name == 'eigh':
        n = _size(2048)
        g = rng.standard_normal((n, n)).astype(np.float32)
        a = (g + g.T) / 2
        _INPUTS[name] = (a,)
        A = _on(fw, xp, a)
        return lambda: la.eigh(A)
    raise ValueError(name)


def _label(text):
    return text + (' (--small: 64)' if SMALL else '')


def _case(name, label, calls):
    return Case(name, _label(label), lambda fw, xp: setup(name, fw, xp), calls=calls,
                check=check(name))


CASES = [
    _case('solve32', 'solve 4096x4096 float32', 5),
    _case('solve64', 'solve 4096x4096 float64', 5),
    _case('cholesky', 'cholesky 8192x8192 float64', 3),
    _case('svd', 'svd 2048x2048 float32', 2),
    _case('eigh', 'eigh 2048x2048 float32', 3),
]

if __name__ == '__main__':
    sys.exit(main(CASES, __doc__))
