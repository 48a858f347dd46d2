"""gpuarray._kind - NumPy's helpers that give an array a required kind,
layout or content, or move data within the device: copyto, require,
asfarray, asarray_chkfinite, rollaxis, trim_zeros."""

import operator

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array

_ndarray = _core.ndarray

try:
    from numpy.lib.array_utils import normalize_axis_index as _normalize_axis_index
except ImportError:                    # NumPy 1.x
    from numpy.core.multiarray import normalize_axis_index as _normalize_axis_index


def copyto(dst, src, casting='same_kind', where=True):
    """Copy src into dst in place where `where` is true, broadcasting
    (numpy.copyto); `casting` is checked as NumPy checks it."""
    from gpuarray import _ufuncs
    if not isinstance(dst, _ndarray):
        raise TypeError('copyto() argument 1 must be gpuarray.ndarray, not {}'.format(
            type(dst).__name__))
    weak = isinstance(src, (bool, int, float, complex))
    src_dt = numpy.result_type(src) if weak else as_device_array(src, 'copyto').dtype
    if not weak and not numpy.can_cast(src_dt, dst.dtype, casting=casting):
        raise TypeError("Cannot cast array data from {!r} to {!r} according to the rule "
                        "{!r}".format(src_dt, dst.dtype, casting))
    if weak and casting == 'no' and src_dt != dst.dtype:
        raise TypeError("Cannot cast scalar from {!r} to {!r} according to the rule "
                        "'no'".format(src_dt, dst.dtype))
    value = _core.asarray(numpy.asarray(src).astype(dst.dtype)) if weak else \
        as_device_array(src, 'copyto').astype(dst.dtype, copy=False)
    if where is True:
        dst[...] = value
        return
    mask = as_device_array(where, 'copyto')
    if mask.dtype.kind != 'b':
        raise TypeError("Cannot cast array data from {!r} to dtype('bool') according to the "
                        "rule 'safe'".format(mask.dtype))
    dst[...] = _ufuncs.where(mask, value, dst)


_REQUIREMENTS = {'C': 'C', 'C_CONTIGUOUS': 'C', 'CONTIGUOUS': 'C', 'F': 'F',
                 'F_CONTIGUOUS': 'F', 'FORTRAN': 'F', 'A': 'A', 'ALIGNED': 'A', 'W': 'W',
                 'WRITEABLE': 'W', 'O': 'O', 'OWNDATA': 'O', 'E': 'E', 'ENSUREARRAY': 'E'}


def require(a, dtype=None, requirements=None):
    """`a` as a device array of `dtype` that meets `requirements` ('C', 'F',
    'A', 'W', 'O', 'E' and their long names), copying only where needed
    (numpy.require)."""
    a = as_device_array(a, 'require')
    if dtype is not None:
        a = a.astype(dtype, copy=False)
    if not requirements:
        return a
    if isinstance(requirements, str):
        requirements = [requirements]
    try:
        req = {_REQUIREMENTS[r.upper()] for r in requirements}
    except KeyError as e:
        raise KeyError('{} is not a valid requirement'.format(e.args[0])) from None
    if 'C' in req and 'F' in req:
        raise ValueError('Cannot specify both "C" and "F" order')
    if 'C' in req and not a.flags.c_contiguous:
        a = a.copy(order='C')
    elif 'F' in req and not a.flags.f_contiguous:
        a = a.copy(order='F')
    if 'O' in req and a.base is not None:
        a = a.copy(order='F' if 'F' in req else 'C')
    return a


def asfarray(a, dtype=numpy.float64):
    """`a` as a device array of `dtype` where that is a float or complex
    type, else of float64 (NumPy 1's asfarray, as CuPy keeps it)."""
    if not numpy.issubdtype(numpy.dtype(dtype), numpy.inexact):
        dtype = numpy.float64
    return as_device_array(a, 'asfarray').astype(dtype, copy=False)


def asarray_chkfinite(a, dtype=None, order=None):
    """`a` as a device array, with ValueError where it holds an infinity or
    NaN (numpy.asarray_chkfinite: one bool read back)."""
    from gpuarray import _reduction, _ufuncs
    a = as_device_array(a, 'asarray_chkfinite')
    if dtype is not None:
        a = a.astype(dtype, copy=False)
    if order is not None and order.upper() in ('C', 'F'):
        if not (a.flags.c_contiguous if order.upper() == 'C' else a.flags.f_contiguous):
            a = a.copy(order=order.upper())
    if a.dtype.kind in 'fc' and not bool(_reduction.all(_ufuncs.isfinite(a)).get()):
        raise ValueError('array must not contain infs or NaNs')
    return a


def rollaxis(a, axis, start=0):
    """`a` with `axis` rolled back to before `start` (numpy.rollaxis): a view."""
    from gpuarray._manipulation import transpose
    a = as_device_array(a, 'rollaxis')
    n = a.ndim
    axis = _normalize_axis_index(operator.index(axis), n)
    start = operator.index(start)
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise numpy.exceptions.AxisError(
            "'start' arg requires {} <= start < {}, but {} was passed in".format(
                -n, n + 1, start))
    if axis < start:
        start -= 1
    if axis == start:
        return a[...]
    axes = list(range(n))
    axes.remove(axis)
    axes.insert(start, axis)
    return transpose(a, axes)


def trim_zeros(filt, trim='fb', axis=None):
    """`filt` without the leading ('f') and/or trailing ('b') slices that
    are all zero along each of `axis` (all axes when None), NumPy 2.2's
    trim_zeros: a view; the ends are found on the device and read back."""
    from gpuarray import _reduction
    from gpuarray._searching import flatnonzero
    filt = as_device_array(filt, 'trim_zeros')
    trim = trim.lower()
    if not set(trim) <= {'f', 'b'}:
        raise ValueError("unexpected character(s) in `trim`: {!r}".format(trim))
    nd = filt.ndim
    if nd == 0:
        raise ValueError('trim_zeros: a 0-d array has no axis to trim')
    if axis is None:
        axes = range(nd)
    else:
        axes = [_normalize_axis_index(operator.index(ax), nd)
                for ax in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    nonzero = filt != 0
    key = [slice(None)] * nd
    for ax in axes:
        others = tuple(d for d in range(nd) if d != ax)
        along = _reduction.any(nonzero, axis=others) if others else nonzero
        nz = flatnonzero(along)
        if nz.size == 0:
            key[ax] = slice(0, 0)
            continue
        ends = nz.get()[[0, -1]]
        key[ax] = slice(int(ends[0]) if 'f' in trim else 0,
                        int(ends[1]) + 1 if 'b' in trim else filt.shape[ax])
    return filt[tuple(key)]
