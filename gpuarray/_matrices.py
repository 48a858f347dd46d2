"""gpuarray._matrices - diagonals and triangles: ``eye``, ``identity``,
``diag``, ``diagflat``, ``diagonal``, ``trace``, ``tri``, ``tril``,
``triu``.

A diagonal is a view (one axis whose stride is the sum of the two axes'
strides), so ``eye`` and ``diag`` of a vector are a zero fill and one
strided write into that view, and ``trace`` a reduction over it. The
triangles are NumPy's construction: the mask ``i + k >= j`` from two
broadcast aranges, then ``where`` - every step an existing device kernel.
"""

import operator

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray._manipulation import _axis, _device_arrays, ravel

__all__ = ['eye', 'identity', 'diag', 'diagflat', 'diagonal', 'trace', 'tri', 'tril', 'triu']

_ndarray = _core.ndarray
_view = _core._view


def _one(x, fname):
    return _device_arrays([x], fname)[0]


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal of `a` in the plane (axis1, axis2), `offset` above (>0)
    or below (<0) the main one: a view whose last axis is the diagonal."""
    x = _one(a, 'diagonal')
    if x.ndim < 2:
        raise ValueError('diag requires an array of at least two dimensions')
    i = _axis(axis1, x.ndim, 'axis1')
    j = _axis(axis2, x.ndim, 'axis2')
    if i == j:
        raise ValueError('axis1 and axis2 cannot be the same')
    offset = operator.index(offset)
    n1, n2 = x.shape[i], x.shape[j]
    s1, s2 = x.strides[i], x.strides[j]
    if offset >= 0:
        length = max(0, min(n1, n2 - offset))
        start = offset * s2
    else:
        length = max(0, min(n1 + offset, n2))
        start = -offset * s1
    rest = [d for d in range(x.ndim) if d not in (i, j)]
    shape = tuple(x.shape[d] for d in rest) + (length,)
    strides = tuple(x.strides[d] for d in rest) + (s1 + s2,)
    if length == 0 or _ew.size_of(shape) == 0:
        start = 0
    return _view(x, shape, strides, start)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """The sum along a diagonal (see diagonal), over the remaining axes;
    NumPy's sum dtypes."""
    return diagonal(a, offset, axis1, axis2).sum(axis=-1, dtype=dtype, out=out)


def eye(N, M=None, k=0, dtype=float, order='C'):
    """An N x M array (M defaults to N) of zeros with ones on diagonal k."""
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    if order not in ('C', 'F'):
        raise ValueError("order must be one of 'C' or 'F' (got {!r})".format(order))
    out = _core.zeros((N, M), dtype=dtype, order=order)
    d = diagonal(out, k)
    if d.size:
        d.fill(1)
    return out


def identity(n, dtype=None):
    """The n x n identity matrix (float64 unless `dtype`)."""
    return eye(n, dtype=float if dtype is None else dtype)


def diag(v, k=0):
    """A 1-D `v` on diagonal k of a new square array; the diagonal k of a
    2-D `v` (a view)."""
    x = _one(v, 'diag')
    k = operator.index(k)
    if x.ndim == 1:
        n = x.shape[0] + abs(k)
        out = _core.zeros((n, n), dtype=x.dtype)
        if x.size:
            _ew.copy_into(x, diagonal(out, k))
        return out
    if x.ndim == 2:
        return diagonal(x, k)
    raise ValueError('Input must be 1- or 2-d.')


def diagflat(v, k=0):
    """The flattened `v` on diagonal k of a new square array."""
    return diag(ravel(_one(v, 'diagflat')), k)


def tri(N, M=None, k=0, dtype=float):
    """An N x M array with ones at and below diagonal k, zeros above."""
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    k = operator.index(k)
    if N < 0 or M < 0:
        raise ValueError('negative dimensions are not allowed')
    from gpuarray import _ufuncs
    from gpuarray._ranges import iota
    rows = _view(iota(N), (N, 1), (8, 0))
    cols = _view(iota(M), (1, M), (0, 8))
    # j <= i + k, NumPy's greater_equal.outer(arange(N), arange(-k, M - k))
    mask = _ufuncs.greater_equal(_ufuncs.add(rows, k), cols)
    dt = numpy.dtype(dtype)
    return mask if dt == numpy.bool_ else mask.astype(dt)


def _triangle(m, k, lower, fname):
    x = _one(m, fname)
    if x.ndim == 0:
        # NumPy's TypeError (its tri() gets no shape)
        raise TypeError('{} requires an array of at least one dimension'.format(fname))
    from gpuarray import _ufuncs
    shape = x.shape[-2:]
    mask = tri(*shape, k=k if lower else k - 1, dtype=bool)
    zero = _core.zeros((), dtype=x.dtype)
    if lower:
        return _ufuncs.where(mask, x, zero)
    return _ufuncs.where(mask, zero, x)


def tril(m, k=0):
    """`m` with the elements above diagonal k (of its last two axes) zeroed."""
    return _triangle(m, operator.index(k), True, 'tril')


def triu(m, k=0):
    """`m` with the elements below diagonal k (of its last two axes) zeroed."""
    return _triangle(m, operator.index(k), False, 'triu')
