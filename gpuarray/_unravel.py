"""gpuarray._unravel - flat indices to and from index tuples:
``unravel_index`` and ``ravel_multi_index`` (NumPy's), composed from the
elementwise integer ufuncs, so that they run on the device. (Dask's
``argmax``/``argmin`` over a whole array call ``unravel_index`` on their
chunk results.)"""

import operator

import numpy

from gpuarray import _core
from gpuarray import _ufuncs as _u
from gpuarray import _reduction as _r

__all__ = ['unravel_index', 'ravel_multi_index']

_ndarray = _core.ndarray
_intp = numpy.dtype(numpy.intp)


def _dims(shape, what):
    if isinstance(shape, (int, numpy.integer)):
        shape = (shape,)
    try:
        dims = tuple(operator.index(n) for n in shape)
    except TypeError:
        raise TypeError('{}: dims must be a tuple of integers, not {!r}'.format(what, shape)) from None
    if any(n < 0 for n in dims):
        raise ValueError('{}: dimensions must be non-negative, got {}'.format(what, dims))
    return dims


def _strides(dims, order, what):
    """Element strides of a C or Fortran array of shape `dims`."""
    if order not in ('C', 'F'):
        raise ValueError("{}: only 'C' or 'F' order is permitted, not {!r}".format(what, order))
    strides, step = [0] * len(dims), 1
    for d in (reversed(range(len(dims))) if order == 'C' else range(len(dims))):
        strides[d] = step
        step *= dims[d]
    return strides, step


def _as_index_array(x, what):
    if not isinstance(x, _ndarray):
        x = _core.asarray(x)
    if x.dtype.kind not in 'iu':
        raise TypeError("{}: only int indices permitted, not {}".format(what, x.dtype))
    return x.astype(_intp, copy=False)


def unravel_index(indices, shape, order='C'):
    """The tuple of coordinate arrays of the flat `indices` into an array of
    `shape` (numpy.unravel_index): ValueError for an index out of bounds."""
    what = 'unravel_index'
    dims = _dims(shape, what)
    idx = _as_index_array(indices, what)
    strides, size = _strides(dims, order, what)
    if idx.size and (bool(_r.amin(idx) < 0) or bool(_r.amax(idx) >= size)):
        raise ValueError('{}: an index is out of bounds for array with size {}'.format(what, size))
    return tuple(_u.remainder(_u.floor_divide(idx, s), n) if n else _u.floor_divide(idx, s) * 0
                 for s, n in zip(strides, dims))


def ravel_multi_index(multi_index, dims, mode='raise', order='C'):
    """The flat indices of the coordinate arrays `multi_index` into an array
    of shape `dims` (numpy.ravel_multi_index); mode 'raise' (ValueError for a
    coordinate out of bounds), 'wrap' or 'clip', one for all or one per axis."""
    what = 'ravel_multi_index'
    dims = _dims(dims, what)
    if len(multi_index) != len(dims):
        raise ValueError('{}: parameter multi_index must be a sequence of length {}'.format(
            what, len(dims)))
    modes = (mode,) * len(dims) if isinstance(mode, str) else tuple(mode)
    if len(modes) != len(dims):
        raise ValueError('{}: mode must have one entry per dimension'.format(what))
    strides, _ = _strides(dims, order, what)
    total = None
    for coord, n, s, m in zip(multi_index, dims, strides, modes):
        c = _as_index_array(coord, what)
        if m == 'raise':
            if c.size and (bool(_r.amin(c) < 0) or bool(_r.amax(c) >= n)):
                raise ValueError('{}: invalid entry in coordinates array'.format(what))
        elif m == 'wrap':
            c = _u.remainder(c, n)
        elif m == 'clip':
            c = _u.clip(c, 0, n - 1)
        else:
            raise ValueError("{}: clipmode must be one of 'clip', 'raise', or 'wrap', not "
                             "{!r}".format(what, m))
        term = c * s
        total = term if total is None else total + term
    return total
