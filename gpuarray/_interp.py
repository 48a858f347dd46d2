"""gpuarray._interp - one-dimensional piecewise linear interpolation
(numpy.interp) on the device: a thread per point, a binary search in the
sample points, NumPy's formula (and its retry from the right end of the
interval where the left one gives NaN)."""

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array
from gpuarray import _elementwise as _ew

__all__ = ['interp']

_ndarray = _core.ndarray
_kernels = {}

# upper_bound: j = (number of xp <= x) - 1, so xp[j] <= x < xp[j + 1];
# -1 below the first point, n - 1 at or past the last (NumPy's search
# answers n past it: right).
_SOURCE = '''
if (x != x) {
    y = T(x);
} else {
    long long lo = 0, hi = ga_np;
    while (lo < hi) {
        const long long mid = lo + (hi - lo) / 2;
        if (xp[mid] <= x) lo = mid + 1; else hi = mid;
    }
    const long long j = lo - 1;
    if (j < 0) {
        y = lval;
    } else if (x > xp[ga_np - 1]) {
        y = rval;
    } else if (j == ga_np - 1 || xp[j] == x) {
        y = fp[j];
    } else {
        const T slope = (fp[j + 1] - fp[j]) / T(xp[j + 1] - xp[j]);
        T r = slope * T(x - xp[j]) + fp[j];
        if (ga_isnan(r)) {
            r = slope * T(x - xp[j + 1]) + fp[j + 1];
            if (ga_isnan(r) && fp[j] == fp[j + 1])
                r = fp[j];
        }
        y = r;
    }
}
'''


def _as_array(x):
    return as_device_array(x, 'interp')


def _kernel(dt):
    k = _kernels.get(dt)
    if k is None:
        k = _ew.ElementwiseKernel('float64 x, raw float64 xp, raw T fp, int64 ga_np, T lval, T rval',
                                  'T y', _SOURCE, 'ga_interp')
        _kernels[dt] = k
    return k


def _sort_samples(xp, fp):
    """xp sorted, fp in the same order (for period=): gpuarray.argsort
    where it exists, else a stable rank by counting (O(n^2), the sample
    arrays of interp are short)."""
    from gpuarray import _indexing
    import gpuarray
    argsort = getattr(gpuarray, 'argsort', None)
    if argsort is not None:
        order = argsort(xp, kind='stable')
        return xp[order], fp[order]
    rank = _ew.ElementwiseKernel(
        'raw float64 xp, int64 ga_np', 'int64 r',
        'long long c = 0; const double v = xp[i];'
        'for (long long j = 0; j < ga_np; j++) c += (xp[j] < v) || (xp[j] == v && j < (long long)i);'
        'r = c', 'ga_interp_rank')
    r = _core.empty((xp.size,), numpy.int64)
    rank(xp, xp.size, r)
    sx = _core.empty(xp.shape, xp.dtype)
    sf = _core.empty(fp.shape, fp.dtype)
    _indexing._setitem(sx, r, xp)
    _indexing._setitem(sf, r, fp)
    return sx, sf


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise linear interpolant of the points (xp, fp) at x
    (numpy.interp): xp increasing; left/right (default fp[0], fp[-1])
    outside; with `period`, x and xp are taken modulo it."""
    from gpuarray import _ufuncs
    from gpuarray._manipulation import concatenate
    x, xp, fp = _as_array(x), _as_array(xp), _as_array(fp)
    if xp.ndim != 1 or fp.ndim != 1:
        raise ValueError('object too deep for desired array' if max(xp.ndim, fp.ndim) > 1
                         else 'object of too small depth for desired array')
    if xp.size != fp.size:
        raise ValueError('fp and xp are not of the same length.')
    if xp.size == 0:
        raise ValueError('array of sample points is empty')
    dt = numpy.dtype(numpy.complex128) if fp.dtype.kind == 'c' else numpy.dtype(numpy.float64)
    xf = x.astype(numpy.float64, copy=False)
    xpf = xp.astype(numpy.float64, copy=False)
    fpc = fp.astype(dt, copy=False)
    if period is not None:
        if period == 0:
            raise ValueError('period must be a non-zero value')
        period = abs(period)
        left = right = None
        xf = _ufuncs.remainder(xf, period)
        xpf, fpc = _sort_samples(_ufuncs.remainder(xpf, period), fpc)
        xpf = concatenate([xpf[-1:] - period, xpf, xpf[0:1] + period])
        fpc = concatenate([fpc[-1:], fpc, fpc[0:1]])
    if not xpf.flags.c_contiguous:
        xpf = xpf.copy()
    if not fpc.flags.c_contiguous:
        fpc = fpc.copy()
    lval = fpc[0] if left is None else left
    rval = fpc[-1] if right is None else right
    # the defaults are device values: read once (two numbers, not data)
    lval = lval.get()[()] if isinstance(lval, _ndarray) else dt.type(lval)
    rval = rval.get()[()] if isinstance(rval, _ndarray) else dt.type(rval)
    out = _core.empty(x.shape, dt)
    if out.size:
        _kernel(dt)(xf, xpf, fpc, xpf.size, dt.type(lval), dt.type(rval), out)
    return out
