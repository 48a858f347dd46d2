"""gpuarray._array_methods - the ndarray members of issue 11: ``take``,
``put``, ``repeat``, ``diagonal``, ``trace``, ``compress``, ``choose``
(the functions of the same names with the array first), the ``flat``,
``mT`` properties, ``view(dtype)`` and ``tobytes()``; ``install(ndarray)``
puts them on the type.
"""

import builtins

import numpy

from gpuarray import _core
from gpuarray import _matrices, _rearranging, _taking, _tiling
from gpuarray._flatiter import flatiter

__all__ = ['install']

_ndarray = _core.ndarray
_view = _core._view


def _take(self, indices, axis=None, out=None, mode='raise'):
    """a.take(indices, axis=None, out=None, mode='raise'): gpuarray.take(a, ...)."""
    return _taking.take(self, indices, axis=axis, out=out, mode=mode)


def _put(self, indices, values, mode='raise'):
    """a.put(indices, values, mode='raise'): gpuarray.put(a, ...), in place."""
    return _taking.put(self, indices, values, mode=mode)


def _repeat(self, repeats, axis=None):
    """a.repeat(repeats, axis=None): gpuarray.repeat(a, ...)."""
    return _tiling.repeat(self, repeats, axis=axis)


def _diagonal(self, offset=0, axis1=0, axis2=1):
    """a.diagonal(offset=0, axis1=0, axis2=1): a view of the diagonal."""
    return _matrices.diagonal(self, offset, axis1, axis2)


def _trace(self, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """a.trace(offset=0, axis1=0, axis2=1, dtype=None, out=None): the sum of a diagonal."""
    return _matrices.trace(self, offset, axis1, axis2, dtype=dtype, out=out)


def _compress(self, condition, axis=None, out=None):
    """a.compress(condition, axis=None, out=None): gpuarray.compress(condition, a, ...)."""
    return _taking.compress(condition, self, axis=axis, out=out)


def _choose(self, choices, out=None, mode='raise'):
    """a.choose(choices, out=None, mode='raise'): gpuarray.choose(a, choices, ...)."""
    return _taking.choose(self, choices, out=out, mode=mode)


def _get_flat(self):
    return flatiter(self)


def _set_flat(self, value):
    flatiter(self)[...] = value


def _mT(self):
    return _rearranging.matrix_transpose(self)


def _view_shape(a, dt):
    """Shape and strides of `a` seen with dtype `dt` (NumPy's rules: a
    different itemsize rescales the last axis, which must be contiguous)."""
    old, new = a.itemsize, dt.itemsize
    if old == new:
        return a.shape, a.strides
    if a.ndim == 0:
        raise ValueError('Changing the dtype of a 0d array is only supported if the itemsize is '
                         'unchanged')
    last = a.shape[-1]
    if last != 1 and a.strides[-1] != old:
        raise ValueError('To change to a dtype of a different size, the last axis must be '
                         'contiguous')
    if new < old:
        if old % new:
            raise ValueError('When changing to a smaller dtype, its size must be a divisor of '
                             'the size of original dtype')
    elif (last * old) % new:
        raise ValueError('When changing to a larger dtype, its size must be a divisor of the '
                         'total size in bytes of the last axis of the array.')
    return a.shape[:-1] + (last * old // new,), a.strides[:-1] + (new,)


def _view_method(self, dtype=None, type=None):
    """a.view(dtype=None): the same memory seen with another dtype (NumPy's
    rules for a different itemsize: the last axis, contiguous, is
    rescaled). The new array's ``base`` is None for a dtype change (the
    core's views keep their dtype) but it shares a's memory all the same.
    `type` may only be gpuarray.ndarray."""
    if isinstance(dtype, builtins.type) and issubclass(dtype, _ndarray) and type is None:
        type, dtype = dtype, None
    if type is not None and not (isinstance(type, builtins.type) and
                                 issubclass(type, _ndarray)):
        raise TypeError('view: type must be gpuarray.ndarray (a device array cannot be viewed '
                        'as {!r})'.format(type))
    if dtype is None:
        return _view(self, self.shape, self.strides)
    dt = numpy.dtype(dtype)
    if dt == self.dtype:
        return _view(self, self.shape, self.strides)
    shape, strides = _view_shape(self, dt)
    from gpuarray import _elementwise as _ew
    _ew.ctype(dt)                     # TypeError for dtypes gpuarray has no kernels for
    return _ndarray(shape, dt, self.data, strides)



def _tobytes(self, order='C'):
    """The raw bytes of the elements in C (or 'F', 'A', 'K') order: reads
    the array back to the host, as .get() does."""
    return self.get().tobytes(order=order)


def install(ndarray):
    """Give ndarray the members listed in the module's docstring."""
    ndarray.take = _take
    ndarray.put = _put
    ndarray.repeat = _repeat
    ndarray.diagonal = _diagonal
    ndarray.trace = _trace
    ndarray.compress = _compress
    ndarray.choose = _choose
    ndarray.flat = property(_get_flat, _set_flat, doc='A flat (C-order) iterator over the '
                            'array: a.flat[i], a.flat[i] = v, list(a.flat).')
    ndarray.mT = property(_mT, doc='The array with its last two axes swapped (a view).')
    ndarray.view = _view_method
    ndarray.tobytes = _tobytes
