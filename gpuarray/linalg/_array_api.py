"""gpuarray.linalg._array_api - NumPy 2's (and the Array API's) linalg
additions that follow from gpuarray's main namespace: vecdot, outer,
diagonal, trace, cross, matrix_transpose, matmul, tensordot. They differ
from the main-namespace functions only in their axis defaults (the last
two axes) and stricter shape rules, as in NumPy."""

from gpuarray.linalg import _engine as E


def _ga():
    import gpuarray
    return gpuarray


def matmul(x1, x2, /):
    """x1 @ x2 (no out=, no broadcasting beyond matmul's)."""
    return _ga().matmul(E.as_device(x1, 'matmul'), E.as_device(x2, 'matmul'))


def tensordot(x1, x2, /, *, axes=2):
    return _ga().tensordot(E.as_device(x1, 'tensordot'), E.as_device(x2, 'tensordot'),
                           axes=axes)


def vecdot(x1, x2, /, *, axis=-1):
    """The dot product of vectors along `axis`, conjugating x1."""
    return _ga().vecdot(E.as_device(x1, 'vecdot'), E.as_device(x2, 'vecdot'), axis=axis)


def outer(x1, x2, /):
    """The outer product of two 1-D arrays."""
    x1 = E.as_device(x1, 'outer')
    x2 = E.as_device(x2, 'outer')
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError('Input arrays must be one-dimensional, but they are '
                         f'x1.ndim={x1.ndim} and x2.ndim={x2.ndim}.')
    return _ga().outer(x1, x2)


def diagonal(x, /, *, offset=0):
    """The diagonals of the matrices over the last two axes."""
    return _ga().diagonal(E.as_device(x, 'diagonal'), offset, axis1=-2, axis2=-1)


def trace(x, /, *, offset=0, dtype=None):
    """The traces of the matrices over the last two axes."""
    return _ga().trace(E.as_device(x, 'trace'), offset, axis1=-2, axis2=-1, dtype=dtype)


def cross(x1, x2, /, *, axis=-1):
    """The cross product of 3-element vectors along `axis`."""
    x1 = E.as_device(x1, 'cross')
    x2 = E.as_device(x2, 'cross')
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError('Both input arrays must be (arrays of) 3-dimensional vectors, but they '
                         f'are {x1.shape[axis]} and {x2.shape[axis]} dimensional instead.')
    return _ga().cross(x1, x2, axis=axis)


def matrix_transpose(x, /):
    """The matrices over the last two axes transposed (a view)."""
    x = E.as_device(x, 'matrix_transpose')
    if x.ndim < 2:
        raise ValueError('Input array must be at least 2-dimensional, but it is %d' % x.ndim)
    return x.swapaxes(-1, -2)
