"""gpuarray._creation - arrays from existing data: ``copy``,
``asfortranarray``, ``asanyarray`` and the Array API's ``astype``.

Device arrays are copied on the device (the core's copy, or the strided
copy kernel for views); host data (lists, scalars, NumPy arrays) is
uploaded, as ``gpuarray.asarray`` does.
"""

import numpy

from gpuarray import _core

__all__ = ['copy', 'asfortranarray', 'asanyarray', 'astype']

_ndarray = _core.ndarray


def _keep_order(a, order):
    """NumPy's order 'K'/'A' for one array: F when it is Fortran- and not
    C-contiguous, else C."""
    if order is None:
        return 'K'
    order = order.upper()
    if order in ('K', 'A'):
        return 'F' if a.flags.f_contiguous and not a.flags.c_contiguous else 'C'
    if order not in ('C', 'F'):
        raise ValueError("order must be one of 'C', 'F', 'A', or 'K' (got {!r})".format(order))
    return order


def copy(a, order='K', subok=False):
    """A new array with a's contents (a device copy; host data is uploaded)."""
    if isinstance(a, _ndarray):
        return a.copy(order=_keep_order(a, order))
    h = numpy.array(a, order=order, copy=True)
    return _core.asarray(h)


def asanyarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    """`a` as a device array (gpuarray has no subclasses: asarray)."""
    if copy:
        return _core.array(a, dtype=dtype, order=order if order is not None else 'K', copy=True)
    if order is None:
        return _core.asarray(a, dtype=dtype)
    return _core.asarray(a, dtype=dtype, order=order)


def asfortranarray(a, dtype=None, *, like=None):
    """`a` (at least 1-D) laid out in Fortran order: `a` itself when it
    already is, of that dtype; else a copy."""
    x = a if isinstance(a, _ndarray) else _core.asarray(a)
    dt = x.dtype if dtype is None else numpy.dtype(dtype)
    if x.ndim == 0:
        x = x.reshape(1)
    if x.flags.f_contiguous and x.dtype == dt:
        return x
    return x.astype(dt, order='F')


def astype(x, dtype, /, *, copy=True, device=None):
    """x cast to dtype (the Array API's function form of x.astype): a new
    array unless copy=False and x has that dtype already."""
    if not isinstance(x, _ndarray):
        raise TypeError('astype: x must be a gpuarray.ndarray, not {}'.format(type(x).__name__))
    if device is not None and device != x.device:
        raise ValueError('astype: copies to another device are not supported')
    return x.astype(dtype, copy=copy)
