"""gpuarray._apply - apply_along_axis and apply_over_axes (NumPy's
numpy.lib.shape_base functions): a Python loop that calls the user's
function on device views and writes its device results into one device
array, as CuPy does. The loop runs on the host, one call per 1-D slice,
so it suits functions that do real work per slice."""

import operator

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array

_ndarray = _core.ndarray

try:
    from numpy.lib.array_utils import normalize_axis_index as _normalize_axis_index
except ImportError:                    # NumPy 1.x
    from numpy.core.multiarray import normalize_axis_index as _normalize_axis_index


def _as_result(r):
    return r if isinstance(r, _ndarray) else as_device_array(r, 'apply_along_axis')


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """func1d(a_1d, *args, **kwargs) for every 1-D slice of `arr` along
    `axis`; the results (all of one shape) take the place of that axis
    (numpy.apply_along_axis)."""
    from gpuarray._manipulation import transpose
    arr = as_device_array(arr, 'apply_along_axis')
    nd = arr.ndim
    axis = _normalize_axis_index(operator.index(axis), nd)
    dims = list(range(nd))
    view = transpose(arr, dims[:axis] + dims[axis + 1:] + [axis])
    inds = (ind + (Ellipsis,) for ind in numpy.ndindex(view.shape[:-1]))
    try:
        ind0 = next(inds)
    except StopIteration:
        raise ValueError('Cannot apply_along_axis when any iteration dimensions are 0') from None
    res = _as_result(func1d(view[ind0], *args, **kwargs))
    buff = _core.zeros(view.shape[:-1] + res.shape, res.dtype)
    bd = list(range(buff.ndim))
    permute = bd[0:axis] + bd[buff.ndim - res.ndim:buff.ndim] + bd[axis:buff.ndim - res.ndim]
    buff[ind0] = res
    for ind in inds:
        buff[ind] = _as_result(func1d(view[ind], *args, **kwargs))
    return transpose(buff, permute)


def apply_over_axes(func, a, axes):
    """func(a, axis) applied for each axis in turn, the result kept at a's
    number of dimensions (numpy.apply_over_axes; func is a reduction such
    as gpuarray.sum)."""
    from gpuarray._manipulation import expand_dims
    val = as_device_array(a, 'apply_over_axes')
    n = val.ndim
    if numpy.ndim(axes) == 0:
        axes = (axes,)
    for axis in axes:
        if axis < 0:
            axis = n + axis
        res = _as_result(func(val, axis))
        if res.ndim != val.ndim:
            res = expand_dims(res, axis)
            if res.ndim != val.ndim:
                raise ValueError('function is not returning an array of the correct shape')
        val = res
    return val
