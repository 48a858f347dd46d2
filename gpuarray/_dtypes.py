"""gpuarray._dtypes - dtype helpers: result_type, can_cast, promote_types,
finfo, iinfo, issubdtype, isdtype, and NumPy's abstract scalar types
(generic, number, integer, signedinteger, unsignedinteger, inexact,
floating, complexfloating).

gpuarray's dtypes are NumPy's, so these are NumPy's own answers (as in
CuPy); the functions that take arrays also take gpuarray arrays (their
dtype decides, as a NumPy array's does under NEP 50: arrays, 0-d ones
included, are never "weak" like Python scalars).
"""

import numpy

from gpuarray import _core

__all__ = ['result_type', 'can_cast', 'promote_types', 'finfo', 'iinfo', 'issubdtype',
           'isdtype', 'generic', 'number', 'integer', 'signedinteger', 'unsignedinteger',
           'inexact', 'floating', 'complexfloating']

_ndarray = _core.ndarray

from numpy import (  # noqa: E402,F401  NumPy's own objects are gpuarray's
    generic, number, integer, signedinteger, unsignedinteger, inexact, floating,
    complexfloating, promote_types, issubdtype,
)


def _dtype_of(x):
    return x.dtype if isinstance(x, _ndarray) else x


def result_type(*arrays_and_dtypes):
    """The dtype NumPy's type promotion gives for these arrays (gpuarray
    or NumPy), dtypes and scalars (numpy.result_type)."""
    return numpy.result_type(*[_dtype_of(x) for x in arrays_and_dtypes])


def can_cast(from_, to, casting='safe'):
    """Whether a cast from `from_` (a dtype, or an array: its dtype) to
    `to` is allowed under `casting` (numpy.can_cast)."""
    return numpy.can_cast(_dtype_of(from_), _dtype_of(to), casting=casting)


def finfo(dtype):
    """Machine limits of a floating or complex dtype (or array's dtype)."""
    return numpy.finfo(_dtype_of(dtype))


def iinfo(int_type):
    """Machine limits of an integer dtype (or array's dtype)."""
    return numpy.iinfo(_dtype_of(int_type))


def isdtype(dtype, kind):
    """Array API: whether `dtype` is of `kind` ('bool', 'signed integer',
    'unsigned integer', 'integral', 'real floating', 'complex floating',
    'numeric', a dtype, or a tuple of these)."""
    return numpy.isdtype(_dtype_of(dtype), kind)


def common_type(*arrays):
    """The inexact scalar type the arrays' values fit in (numpy.common_type:
    integers count as float64): NumPy's own rule, on empty host proxies of
    the dtypes."""
    return numpy.common_type(*[numpy.empty(0, _array_dtype(a)) for a in arrays])


def _array_dtype(a):
    return a.dtype if hasattr(a, 'dtype') else numpy.asarray(a).dtype
