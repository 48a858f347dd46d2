"""cholesky_forms.py - time cuSOLVER's Xpotrf on one n x n float64 matrix
through gpuarray in both triangle forms (UPPER on the row-major copy, what
gpuarray.linalg.cholesky did, and LOWER) and gpuarray.linalg.cholesky, beside CuPy and PyTorch (its
cuSOLVER and MAGMA paths), to see which form and library is fastest:

    python3 benchmarks/probes/cholesky_forms.py [n] [repeats]

Each timed call includes the copy of the input the factorization
overwrites. Interleaved repeats; the median and the spread are printed."""
import statistics
import sys
import time

import numpy as np

import gpuarray as cp
from gpuarray.linalg import _engine as E

n = int(sys.argv[1]) if len(sys.argv) > 1 else 8192
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
rng = np.random.default_rng(0)
g = rng.standard_normal((n, n)) / np.sqrt(n)
h = g @ g.T + np.eye(n)
A = cp.asarray(h)


def ours(lower):
    def run():
        buf = A.copy()
        info = E.new_info(1)
        E.run(buf, 'potrf', m=n, n=n, batch=1, lda=n, stride_a=n * n, info=E.ptr(info),
              lower=lower)
        assert int(info.get()[0]) == 0
        return buf
    return run


def check_ours(lower, buf):
    # row-major buf read column-major is h (symmetric): UPPER leaves
    # U (col-major) = L^T, i.e. L row-major; LOWER leaves L col-major
    m = buf.get()
    L = np.tril(m) if lower == 0 else np.tril(m.T)
    err = np.linalg.norm(L @ L.T - h) / np.linalg.norm(h)
    assert err < 1e-10, (lower, err)


def sync_all():
    cp.cuda.runtime.deviceSynchronize()


cases = {'gpuarray UPPER (old)': ours(0), 'gpuarray LOWER': ours(1),
         'gpuarray linalg.cholesky': lambda: cp.linalg.cholesky(A)}
lo = cases['gpuarray linalg.cholesky']().get()
assert np.linalg.norm(lo @ lo.T - h) / np.linalg.norm(h) < 1e-10 and not np.triu(lo, 1).any()
check_ours(0, cases['gpuarray UPPER (old)']())
check_ours(1, cases['gpuarray LOWER']())
try:
    import cupy
    C = cupy.asarray(h)
    cases['cupy'] = lambda: cupy.linalg.cholesky(C)
except ImportError:
    pass
try:
    import torch
    T = torch.from_numpy(h).cuda()

    def torch_with(lib, upper=False):
        def run():
            torch.backends.cuda.preferred_linalg_library(lib)
            return torch.linalg.cholesky(T, upper=upper)
        return run
    cases['torch cusolver'] = torch_with('cusolver')
    cases['torch cusolver upper'] = torch_with('cusolver', True)
    cases['torch magma'] = torch_with('magma')
    cases['torch default'] = torch_with('default')

    def sync_all():  # noqa: F811
        cp.cuda.runtime.deviceSynchronize()
        torch.cuda.synchronize()
except ImportError:
    pass

for f in cases.values():   # warm-up: plans, workspaces, pools
    f()
sync_all()
times = {k: [] for k in cases}
for _ in range(repeats):
    for k, f in cases.items():
        sync_all()
        t = time.perf_counter()
        f()
        sync_all()
        times[k].append((time.perf_counter() - t) * 1e3)
for k, v in times.items():
    print('%-24s median %8.3f ms  spread %7.3f..%7.3f' % (k, statistics.median(v), min(v), max(v)))
