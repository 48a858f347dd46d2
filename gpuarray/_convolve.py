"""gpuarray._convolve - the discrete linear convolution of two 1-D arrays
(numpy.convolve), on the device: one thread per output element summing
the products over the overlap (direct, O(len(a) * len(v)), as NumPy's).
Complex operands are not conjugated; bools give logical or of ands.
correlate (numpy.correlate) is the convolution with v conjugated and
reversed."""

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew

__all__ = ['convolve', 'correlate']

_ndarray = _core.ndarray
_MODES = {'full': 2, 'same': 1, 'valid': 0, 'f': 2, 's': 1, 'v': 0, 2: 2, 1: 1, 0: 0}
_kernels = {}


def _as_1d(x, name):
    if isinstance(x, numpy.ndarray):
        raise TypeError('convolve: a host NumPy array is not a gpuarray.ndarray (use '
                        'gpuarray.asarray)')
    x = x if isinstance(x, _ndarray) else _core.asarray(x)
    if x.ndim == 0:
        x = x.reshape(1)
    if x.ndim != 1:
        raise ValueError('object too deep for desired array')
    return x


def _kernel(dt):
    k = _kernels.get(dt)
    if k is None:
        ct = _ew.compute_ctype(dt)
        k = _ew.ElementwiseKernel(
            'raw T a, raw T v, int64 ga_na, int64 ga_nv, int64 ga_off', 'T out',
            '\n'.join([
                'const long long ga_k = (long long)i + ga_off;',
                'const long long ga_lo = ga_k - (ga_na - 1) > 0 ? ga_k - (ga_na - 1) : 0;',
                'const long long ga_hi = ga_k < ga_nv - 1 ? ga_k : ga_nv - 1;',
                '{ct} ga_acc = {ct}(0);'.format(ct=ct),
                'for (long long j = ga_lo; j <= ga_hi; j++)',
                '    ga_acc = ga_acc + ({ct})a[ga_k - j] * ({ct})v[j];'.format(ct=ct),
                'out = ga_cast<T>(ga_acc);']), 'ga_convolve')
        _kernels[dt] = k
    return k


def convolve(a, v, mode='full'):
    """The discrete linear convolution of 1-D a and v (numpy.convolve);
    mode 'full' (length n + m - 1), 'same' (max(n, m)) or 'valid'
    (max(n, m) - min(n, m) + 1)."""
    a, v = _as_1d(a, 'a'), _as_1d(v, 'v')
    if v.size > a.size:
        a, v = v, a
    if a.size == 0:
        raise ValueError('a cannot be empty')
    if v.size == 0:
        raise ValueError('v cannot be empty')
    try:
        mk = _MODES[mode]
    except (KeyError, TypeError):
        raise ValueError("mode must be one of 'valid', 'same', or 'full' (got {!r})".format(
            mode)) from None
    n, m = a.size, v.size
    dt = numpy.result_type(a.dtype, v.dtype)
    _ew.ctype(dt)
    if mk == 2:
        length, off = n + m - 1, 0
    elif mk == 1:
        length, off = n, (m - 1) // 2
    else:
        length, off = n - m + 1, m - 1
    a = a.astype(dt, copy=False)
    v = v.astype(dt, copy=False)
    if not a.flags.c_contiguous:
        a = a.copy()
    if not v.flags.c_contiguous:
        v = v.copy()
    out = _core.empty((length,), dt)
    _kernel(dt)(a, v, n, m, off, out)
    return out


def correlate(a, v, mode='valid'):
    """The cross-correlation of 1-D a and v (numpy.correlate):
    c[k] = sum_n a[n + k] * conj(v[n]); mode 'valid' (the default),
    'same' or 'full'."""
    from gpuarray._ufuncs import conjugate
    a, v = _as_1d(a, 'a'), _as_1d(v, 'v')
    w = (conjugate(v) if v.dtype.kind == 'c' else v)[::-1]
    if _MODES.get(mode) == 1 and a.size < v.size and a.size:
        # NumPy centres 'same' of a shorter a differently from convolve's
        # (which swaps the operands): the window starts at len(a) // 2
        full = convolve(a, w, 'full')
        start = a.size // 2
        return full[start:start + v.size].copy()
    return convolve(a, w, mode)
