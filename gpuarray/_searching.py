"""gpuarray._searching - where the nonzero elements are: ``nonzero``,
``flatnonzero``, ``argwhere``, ``count_nonzero`` and the one-argument form
of ``where``, with NumPy's results (int64 index arrays in C order).

The flat indices come from the mask compaction advanced indexing uses
(``gpuarray._indexing.nonzero_flat``: a scan and a scatter on the device;
only the count comes back to the host), then one division pass per
dimension.
"""

import numpy

from gpuarray import _core
from gpuarray import _indexing
from gpuarray import _manipulation

__all__ = ['nonzero', 'flatnonzero', 'argwhere', 'count_nonzero']

_ndarray = _core.ndarray


def _as_device(a, fname):
    if isinstance(a, _ndarray):
        return a
    if isinstance(a, numpy.ndarray) or numpy.isscalar(a) or isinstance(a, (list, tuple)):
        return _core.asarray(a)
    raise TypeError('{}: unsupported type {}'.format(fname, type(a)))


def _mask(a):
    """a as a bool array: nonzero (NaN included) is true, as in NumPy."""
    return a if a.dtype.kind == 'b' else a != 0


def nonzero(a):
    """The indices of the nonzero elements of `a`, one int64 array per
    dimension (numpy.nonzero). A 0-d array is NumPy's ValueError."""
    a = _as_device(a, 'nonzero')
    if a.ndim == 0:
        raise ValueError('Calling nonzero on 0d arrays is not allowed. Use '
                         'np.atleast_1d(scalar).nonzero() instead. If the context of this '
                         'error is of the form `arr[nonzero(cond)]`, just use `arr[cond]`.')
    flat = _indexing.nonzero_flat(_mask(a))
    if a.ndim == 1:
        return (flat,)
    return tuple(_indexing._unravel(flat, a.shape))


def flatnonzero(a):
    """The indices of the nonzero elements of a.ravel() (numpy.flatnonzero)."""
    a = _as_device(a, 'flatnonzero')
    return _indexing.nonzero_flat(_mask(a).reshape(-1))


def argwhere(a):
    """The indices of the nonzero elements grouped by element: an int64
    array of shape (N, a.ndim) (numpy.argwhere)."""
    a = _as_device(a, 'argwhere')
    if a.ndim == 0:
        # NumPy: one row of no columns when the scalar is nonzero
        n = int(bool(_mask(a).get()))
        return _core.zeros((n, 0), dtype=numpy.int64)
    idx = nonzero(a)
    return _manipulation.stack(idx, axis=1)


def count_nonzero(a, axis=None, *, keepdims=False):
    """The number of nonzero elements, over all of `a` or along `axis`
    (numpy.count_nonzero; an int64 array, 0-d for axis=None, as CuPy
    returns)."""
    a = _as_device(a, 'count_nonzero')
    return _mask(a).sum(axis=axis, dtype=numpy.int64, keepdims=keepdims)


def install(ndarray):
    """Give ndarray its nonzero() method."""
    def _nonzero(self):
        """a.nonzero(): gpuarray.nonzero(a)."""
        return nonzero(self)
    ndarray.nonzero = _nonzero
