"""gpuarray.ndim, shape, size - an array's geometry as NumPy's functions
give it, for gpuarray arrays and anything NumPy takes (Python scalars and
sequences): they read the array's header, never its data."""

import numpy

from gpuarray import _core

_ndarray = _core.ndarray


def ndim(a):
    """The number of dimensions of `a` (numpy.ndim)."""
    return a.ndim if isinstance(a, _ndarray) else numpy.ndim(a)


def shape(a):
    """The shape of `a` (numpy.shape)."""
    return a.shape if isinstance(a, _ndarray) else numpy.shape(a)


def size(a, axis=None):
    """The number of elements of `a`, or along `axis` (numpy.size)."""
    if not isinstance(a, _ndarray):
        return numpy.size(a, axis)
    if axis is None:
        return a.size
    if isinstance(axis, tuple):
        n = 1
        for ax in axis:
            n *= a.shape[ax]
        return n
    return a.shape[axis]
