"""gpuarray._statistics - ptp, average, cov and corrcoef: NumPy's
definitions composed from the device reductions, ufuncs and matmul (the
covariance is one matrix product, cuBLAS on CUDA).

Where NumPy's result depends on a value (weights that sum to zero, the
degrees of freedom of a weighted covariance), that one number is read
back to decide, as NumPy decides.
"""

import warnings

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array as _as_array

try:
    from numpy.lib.array_utils import normalize_axis_tuple as _normalize_axis_tuple
except ImportError:     # NumPy 1.x
    from numpy.core.numeric import normalize_axis_tuple as _normalize_axis_tuple

__all__ = ['ptp', 'average', 'cov', 'corrcoef']

_ndarray = _core.ndarray



def ptp(a, axis=None, out=None, keepdims=False):
    """Range of values (maximum - minimum) along `axis` (numpy.ptp)."""
    from gpuarray import _reduction, _ufuncs
    a = _as_array(a, 'ptp')
    hi = _reduction.amax(a, axis=axis, keepdims=keepdims)
    lo = _reduction.amin(a, axis=axis, keepdims=keepdims)
    return _ufuncs.subtract(hi, lo, out=out)


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """The weighted average along `axis` (numpy.average); with `returned`,
    also the sum of the weights."""
    from gpuarray import _reduction, _ufuncs
    a = _as_array(a, 'average')
    if axis is not None:
        axis = _normalize_axis_tuple(axis, a.ndim, argname='axis')
    if weights is None:
        avg = _reduction.mean(a, axis=axis, keepdims=keepdims)
        scl = avg.dtype.type(a.size / avg.size) if avg.size else avg.dtype.type(numpy.nan)
        if returned:
            s = _core.empty(avg.shape, avg.dtype)
            s.fill(scl)
            return avg, s
        return avg
    wgt = _as_array(weights, 'average')
    if a.dtype.kind in 'iub':
        result_dtype = numpy.result_type(a.dtype, wgt.dtype, 'f8')
    else:
        result_dtype = numpy.result_type(a.dtype, wgt.dtype)
    if a.shape != wgt.shape:
        if axis is None:
            raise TypeError('Axis must be specified when shapes of a and weights differ.')
        if wgt.shape != tuple(a.shape[ax] for ax in axis):
            raise ValueError('Shape of weights must be consistent with shape of a along '
                             'specified axis.')
        wgt = wgt.transpose([int(i) for i in numpy.argsort(axis)])
        wgt = wgt.reshape(tuple((s if ax in axis else 1) for ax, s in enumerate(a.shape)))
    scl = _reduction.sum(wgt, axis=axis, dtype=result_dtype, keepdims=keepdims)
    if scl.size and bool((scl == 0.0).any()):
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    prod = _ufuncs.multiply(a, wgt, dtype=result_dtype)
    avg = _ufuncs.true_divide(_reduction.sum(prod, axis=axis, keepdims=keepdims), scl)
    if returned:
        if scl.shape != avg.shape:
            full = _core.empty(avg.shape, scl.dtype)
            full[...] = scl
            scl = full
        return avg, scl
    return avg


def _as_2d(x, dtype):
    x = x.astype(dtype, copy=False)
    if x.ndim < 2:
        x = x.reshape((1, -1) if x.ndim == 1 else (1, 1))
    return x


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """The covariance matrix of the variables (rows, or columns with
    rowvar=False) of m (and y) (numpy.cov), with frequency and
    reliability weights."""
    from gpuarray import _ufuncs
    from gpuarray._linalg import matmul
    from gpuarray._manipulation import concatenate
    if ddof is not None and ddof != int(ddof):
        raise ValueError('ddof must be integer')
    m = _as_array(m, 'cov')
    if m.ndim > 2:
        raise ValueError('m has more than 2 dimensions')
    if y is not None:
        y = _as_array(y, 'cov')
        if y.ndim > 2:
            raise ValueError('y has more than 2 dimensions')
    if dtype is None:
        dtype = numpy.result_type(m.dtype, numpy.float64) if y is None else \
            numpy.result_type(m.dtype, y.dtype, numpy.float64)
    X = _as_2d(m, dtype)
    if not rowvar and X.shape[0] != 1:
        X = X.T
    if X.shape[0] == 0:
        return _core.empty((0, 0), dtype)
    if y is not None:
        Y = _as_2d(y, dtype)
        if not rowvar and Y.shape[0] != 1:
            Y = Y.T
        X = concatenate((X, Y), axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    w = None
    if fweights is not None:
        fweights = _as_array(fweights, 'cov').astype(numpy.float64)
        if not bool((fweights == _ufuncs.rint(fweights)).all()):
            raise TypeError('fweights must be integer')
        if fweights.ndim > 1:
            raise RuntimeError('cannot handle multidimensional fweights')
        if fweights.shape[0] != X.shape[1]:
            raise RuntimeError('incompatible numbers of samples and fweights')
        if bool((fweights < 0).any()):
            raise ValueError('fweights cannot be negative')
        w = fweights
    if aweights is not None:
        aweights = _as_array(aweights, 'cov').astype(numpy.float64)
        if aweights.ndim > 1:
            raise RuntimeError('cannot handle multidimensional aweights')
        if aweights.shape[0] != X.shape[1]:
            raise RuntimeError('incompatible numbers of samples and aweights')
        if bool((aweights < 0).any()):
            raise ValueError('aweights cannot be negative')
        w = aweights if w is None else w * aweights
    avg, w_sum = average(X, axis=1, weights=w, returned=True)
    if w is None:
        fact = X.shape[1] - ddof
    else:
        # the degrees of freedom decide a warning: one number read back
        w_sum = float(w_sum[0].get().real)
        if ddof == 0:
            fact = w_sum
        elif aweights is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * float((w * aweights).sum().get()) / w_sum
    if fact <= 0:
        warnings.warn('Degrees of freedom <= 0 for slice', RuntimeWarning, stacklevel=2)
        fact = 0.0
    X = _ufuncs.subtract(X, avg.reshape((-1, 1)))
    X_T = X.T if w is None else _ufuncs.multiply(X, w).T
    if X.dtype.kind == 'c':
        X_T = _ufuncs.conjugate(X_T)
    c = matmul(X, X_T)
    with numpy.errstate(divide='ignore'):
        scale = numpy.true_divide(1, fact)
    _ufuncs.multiply(c, scale, out=c)
    if c.shape == (1, 1):
        return c.reshape(())
    return c


def _diagonal(c):
    n = min(c.shape)
    return _core._view(c, (n,), (c.strides[0] + c.strides[1],))


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """Pearson correlation coefficients (numpy.corrcoef), clipped to
    [-1, 1]."""
    from gpuarray import _ufuncs
    from gpuarray._complex import real, imag
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim != 2:
        return _ufuncs.true_divide(c, c)
    d = _diagonal(c)
    stddev = _ufuncs.sqrt(real(d))
    c = _ufuncs.true_divide(c, stddev.reshape((-1, 1)))
    _ufuncs.true_divide(c, stddev.reshape((1, -1)), out=c)
    re = real(c)
    _ufuncs.clip(re, -1, 1, out=re)
    if c.dtype.kind == 'c':
        im = imag(c)
        _ufuncs.clip(im, -1, 1, out=im)
    return c


def install(ndarray):
    def _ptp(self, axis=None, out=None, keepdims=False):
        """a.ptp(axis=None, out=None, keepdims=False): gpuarray.ptp(a, ...)."""
        return ptp(self, axis=axis, out=out, keepdims=keepdims)
    ndarray.ptp = _ptp
