"""gpuarray._rearranging - elements reordered along axes: ``flip``,
``fliplr``, ``flipud``, ``rot90`` (views: negative strides and permuted
axes, as NumPy's), ``roll`` (a device gather: a cyclic shift along each
rolled axis), and the Array API's ``permute_dims`` and ``matrix_transpose``.
"""

import numpy

from gpuarray import _core
from gpuarray import _gather
from gpuarray._manipulation import _axes, _device_arrays, ravel, reshape, transpose

try:
    from numpy.lib.array_utils import normalize_axis_tuple as _normalize_axis_tuple
except ImportError:     # NumPy 1.x
    from numpy.core.numeric import normalize_axis_tuple as _normalize_axis_tuple

__all__ = ['flip', 'fliplr', 'flipud', 'rot90', 'roll', 'permute_dims', 'matrix_transpose']

_ndarray = _core.ndarray
_view = _core._view


def _one(x, fname):
    return _device_arrays([x], fname)[0]


def _reversed(a, axes):
    """`a` read backwards along `axes`: a view starting at the last element."""
    strides = list(a.strides)
    offset = 0
    for ax in axes:
        if a.shape[ax] > 0:
            offset += (a.shape[ax] - 1) * strides[ax]
        strides[ax] = -strides[ax]
    if a.size == 0:
        offset = 0
    return _view(a, a.shape, tuple(strides), offset)


def flip(m, axis=None):
    """`m` with the order of elements reversed along `axis` (all axes when
    None): a view."""
    a = _one(m, 'flip')
    if axis is None:
        return _reversed(a, range(a.ndim))
    return _reversed(a, _axes(axis, a.ndim))


def fliplr(m):
    """`m` reversed along its second axis (2 or more dimensions): a view."""
    a = _one(m, 'fliplr')
    if a.ndim < 2:
        raise ValueError('Input must be >= 2-d.')
    return _reversed(a, (1,))


def flipud(m):
    """`m` reversed along its first axis (1 or more dimensions): a view."""
    a = _one(m, 'flipud')
    if a.ndim < 1:
        raise ValueError('Input must be >= 1-d.')
    return _reversed(a, (0,))


def rot90(m, k=1, axes=(0, 1)):
    """`m` rotated by 90 degrees k times in the plane of `axes`, from the
    first axis towards the second: a view."""
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError('len(axes) must be 2.')
    a = _one(m, 'rot90')
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == a.ndim:
        raise ValueError('Axes must be different.')
    if not (-a.ndim <= axes[0] < a.ndim and -a.ndim <= axes[1] < a.ndim):
        raise ValueError('Axes={} out of range for array of ndim={}.'.format(axes, a.ndim))
    k %= 4
    if k == 0:
        return _view(a, a.shape, a.strides)
    if k == 2:
        return flip(flip(a, axes[0]), axes[1])
    perm = list(range(a.ndim))
    i, j = axes[0] % a.ndim, axes[1] % a.ndim
    perm[i], perm[j] = perm[j], perm[i]
    if k == 1:
        return transpose(flip(a, axes[1]), perm)
    return flip(transpose(a, perm), axes[1])


def roll(a, shift, axis=None):
    """`a` with its elements shifted cyclically by `shift` along `axis`
    (several axes with a shift each; axis None: the flattened array,
    reshaped back). A new array: one gather on the device."""
    x = _one(a, 'roll')
    if axis is None:
        flat = ravel(x)
        return reshape(roll(flat, shift, 0), x.shape)
    axes = _normalize_axis_tuple(axis, x.ndim, allow_duplicate=True)
    try:
        pairs = numpy.broadcast(numpy.asarray(shift), numpy.asarray(axes))
    except ValueError:
        raise ValueError('shift and axis must broadcast') from None
    if pairs.ndim > 1:
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences")
    shifts = [0] * x.ndim
    for sh, ax in pairs:
        shifts[int(ax)] += int(sh)
    maps = []
    for d in range(x.ndim):
        n = x.shape[d]
        maps.append(_gather.cyclic(n, n, x.strides[d], shift=-shifts[d]))
    return _gather.gather(x, maps)


def permute_dims(a, axes=None):
    """`a` with its axes permuted (the Array API's name of transpose): a view."""
    return transpose(_one(a, 'permute_dims'), axes)


def matrix_transpose(x, /):
    """`x` with its last two axes swapped (a view); ValueError below 2-D."""
    a = _one(x, 'matrix_transpose')
    if a.ndim < 2:
        raise ValueError('Input array must be at least 2-dimensional, but it is {}'.format(
            a.ndim))
    perm = list(range(a.ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return transpose(a, perm)

