"""gpuarray._products - vector, matrix and tensor products on the device:
outer, inner, vdot, tensordot, kron, cross and the Array API's vecdot
(einsum is gpuarray._einsum's).

The contractions become transposes and reshapes (views where the layout
allows) around gpuarray.matmul, so floating and complex products run
through ga_gemm (cuBLAS on CUDA) and integer/bool ones through matmul's
own kernel; outer and kron are broadcast multiplies, cross a few
elementwise ufunc calls on views. Result dtypes and errors are NumPy's.
"""

import operator
import warnings

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array as _as_array
from gpuarray import _elementwise as _ew

__all__ = ['outer', 'inner', 'vdot', 'tensordot', 'kron', 'cross', 'vecdot']

_ndarray = _core.ndarray

try:
    from numpy.lib.array_utils import normalize_axis_index as _normalize_axis_index
except ImportError:     # NumPy 1.x
    from numpy.core.multiarray import normalize_axis_index as _normalize_axis_index



def _deliver(r, out):
    if out is None:
        return r
    if not isinstance(out, _ndarray):
        raise TypeError('out must be a gpuarray.ndarray, not {}'.format(type(out).__name__))
    if out.shape != r.shape:
        raise ValueError('output array has the wrong shape {} (expected {})'.format(
            out.shape, r.shape))
    _ew.copy_into(r, out)
    return out


def outer(a, b, out=None):
    """The outer product of a and b, flattened first (numpy.outer)."""
    from gpuarray import _ufuncs
    a = _as_array(a, 'outer').reshape(-1)
    b = _as_array(b, 'outer').reshape(-1)
    return _ufuncs.multiply(a.reshape((a.size, 1)), b.reshape((1, b.size)), out=out)


def tensordot(a, b, axes=2):
    """Sum of products over the last `axes` axes of a and the first of b,
    or over the axes the pair `axes` = (axes_a, axes_b) names
    (numpy.tensordot)."""
    from gpuarray._linalg import matmul
    a = _as_array(a, 'tensordot')
    b = _as_array(b, 'tensordot')
    try:
        iter(axes)
    except TypeError:
        n = operator.index(axes)
        axes_a = list(range(-n, 0))
        axes_b = list(range(0, n))
        if n < 0:
            raise ValueError('negative dimensions are not allowed') from None
    else:
        axes_a, axes_b = axes
        axes_a = [operator.index(x) for x in (axes_a if hasattr(axes_a, '__len__') else [axes_a])]
        axes_b = [operator.index(x) for x in (axes_b if hasattr(axes_b, '__len__') else [axes_b])]
    if len(axes_a) != len(axes_b):
        raise ValueError('shape-mismatch for sum')
    axes_a = [_normalize_axis_index(x, a.ndim) for x in axes_a]
    axes_b = [_normalize_axis_index(x, b.ndim) for x in axes_b]
    for x, y in zip(axes_a, axes_b):
        if a.shape[x] != b.shape[y]:
            raise ValueError('shape-mismatch for sum')
    free_a = [d for d in range(a.ndim) if d not in axes_a]
    free_b = [d for d in range(b.ndim) if d not in axes_b]
    k = _ew.size_of(tuple(a.shape[d] for d in axes_a))
    m = _ew.size_of(tuple(a.shape[d] for d in free_a))
    n = _ew.size_of(tuple(b.shape[d] for d in free_b))
    a2 = a.transpose(free_a + axes_a).reshape((m, k))
    b2 = b.transpose(axes_b + free_b).reshape((k, n))
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return matmul(a2, b2).reshape(shape)


def inner(a, b):
    """Sum of products over the last axes (numpy.inner); a scalar operand
    multiplies."""
    from gpuarray import _ufuncs
    a = _as_array(a, 'inner')
    b = _as_array(b, 'inner')
    if a.ndim == 0 or b.ndim == 0:
        return _ufuncs.multiply(a, b)
    if a.shape[-1] != b.shape[-1]:
        raise ValueError('shapes {} and {} not aligned: {} (dim {}) != {} (dim {})'.format(
            a.shape, b.shape, a.shape[-1], a.ndim - 1, b.shape[-1], b.ndim - 1))
    return tensordot(a, b, axes=([-1], [-1]))


def vdot(a, b):
    """The dot product of the flattened arrays, a conjugated first
    (numpy.vdot): a 0-d array."""
    from gpuarray import _ufuncs
    from gpuarray._linalg import matmul
    a = _as_array(a, 'vdot')
    b = _as_array(b, 'vdot')
    if a.size != b.size:
        raise ValueError('cannot reshape array of size {} into shape ({},)'.format(
            b.size, a.size))
    a = a.reshape(-1)
    b = b.reshape(-1)
    if a.dtype.kind == 'c':
        a = _ufuncs.conjugate(a)
    return matmul(a, b)


def vecdot(x1, x2, /, *, axis=-1):
    """Array API vecdot: sum over `axis` of conj(x1) * x2, the other axes
    broadcast (numpy.vecdot)."""
    from gpuarray import _ufuncs
    from gpuarray._linalg import matmul
    from gpuarray._manipulation import moveaxis
    x1 = _as_array(x1, 'vecdot')
    x2 = _as_array(x2, 'vecdot')
    for i, x in enumerate((x1, x2)):
        if x.ndim == 0:
            raise ValueError('vecdot: Input operand {} does not have enough dimensions (has 0, '
                             'gufunc core with signature (n),(n)->() requires 1)'.format(i))
    a = moveaxis(x1, _normalize_axis_index(operator.index(axis), x1.ndim), -1)
    b = moveaxis(x2, _normalize_axis_index(operator.index(axis), x2.ndim), -1)
    if a.shape[-1] != b.shape[-1]:
        raise ValueError('vecdot: Input operand 1 has a mismatch in its core dimension 0, with '
                         'gufunc signature (n),(n)->() (size {} is different from {})'.format(
                             b.shape[-1], a.shape[-1]))
    if a.dtype.kind == 'c':
        a = _ufuncs.conjugate(a)
    r = matmul(a.reshape(a.shape[:-1] + (1, a.shape[-1])), b.reshape(b.shape + (1,)))
    return r.reshape(r.shape[:-2])


def kron(a, b):
    """The Kronecker product (numpy.kron): blocks of b scaled by the
    elements of a."""
    from gpuarray import _ufuncs
    a = _as_array(a, 'kron')
    b = _as_array(b, 'kron')
    nd = max(a.ndim, b.ndim)
    if a.ndim == 0 or b.ndim == 0:
        return _ufuncs.multiply(a, b)
    sa = (1,) * (nd - a.ndim) + a.shape
    sb = (1,) * (nd - b.ndim) + b.shape
    # a[i0, 1, i1, 1, ...] * b[1, j0, 1, j1, ...]: the product laid out as
    # (i0, j0, i1, j1, ...), which is the result's C order
    ia, ib = [], []
    for x, y in zip(sa, sb):
        ia += [x, 1]
        ib += [1, y]
    r = _ufuncs.multiply(a.reshape(tuple(ia)), b.reshape(tuple(ib)))
    return r.reshape(tuple(x * y for x, y in zip(sa, sb)))


#: numpy.cross took 2-vectors (z = 0) with a DeprecationWarning from NumPy
#: 2.0 and refuses them from 2.5 on; gpuarray.cross does what the
#: installed NumPy does, so that code behaves the same on either.
_CROSS_TAKES_2D = numpy.lib.NumpyVersion(numpy.__version__) < '2.5.0'


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of (arrays of) 2- or 3-vectors (numpy.cross)."""
    from gpuarray import _ufuncs as u
    from gpuarray._manipulation import moveaxis
    if axis is not None:
        axisa = axisb = axisc = axis
    a = _as_array(a, 'cross')
    b = _as_array(b, 'cross')
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError('At least one array has zero dimension')
    a = moveaxis(a, _normalize_axis_index(operator.index(axisa), a.ndim, 'axisa'), -1)
    b = moveaxis(b, _normalize_axis_index(operator.index(axisb), b.ndim, 'axisb'), -1)
    na, nb = a.shape[-1], b.shape[-1]
    if not _CROSS_TAKES_2D:
        if na != 3 or nb != 3:
            raise ValueError('incompatible dimensions for cross product\n'
                             '(dimension must be 3)')
    elif na not in (2, 3) or nb not in (2, 3):
        raise ValueError('incompatible dimensions for cross product\n'
                         '(dimension must be 2 or 3)')
    if na == 2 or nb == 2:
        warnings.warn('Arrays of 2-dimensional vectors are deprecated. Use arrays of '
                      '3-dimensional vectors instead. (deprecated in NumPy 2.0)',
                      DeprecationWarning, stacklevel=2)
    shape = _ew.broadcast_shapes([a.shape[:-1], b.shape[:-1]])
    dt = numpy.result_type(a.dtype, b.dtype)
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    if na == 2 and nb == 2:
        out = _core.empty(shape, dt)
        u.multiply(a0, b1, out=out)
        return u.subtract(out, u.multiply(a1, b0), out=out)
    if dt.kind == 'b':
        raise TypeError('numpy boolean subtract, the `-` operator, is not supported, use the '
                        'bitwise_xor, the `^` operator, or the logical_xor function instead.')
    out = _core.empty(shape + (3,), dt)
    c0, c1, c2 = out[..., 0], out[..., 1], out[..., 2]
    # the z component is common to all cases
    u.multiply(a0, b1, out=c2)
    u.subtract(c2, u.multiply(a1, b0), out=c2)
    if na == 3 and nb == 3:
        a2, b2 = a[..., 2], b[..., 2]
        u.multiply(a1, b2, out=c0)
        u.subtract(c0, u.multiply(a2, b1), out=c0)
        u.multiply(a2, b0, out=c1)
        u.subtract(c1, u.multiply(a0, b2), out=c1)
    elif na == 2:
        b2 = b[..., 2]
        u.multiply(a1, b2, out=c0)
        u.negative(u.multiply(a0, b2), out=c1)
    else:
        a2 = a[..., 2]
        u.negative(u.multiply(a2, b1), out=c0)
        u.multiply(a2, b0, out=c1)
    return moveaxis(out, -1, _normalize_axis_index(operator.index(axisc), out.ndim, 'axisc'))
