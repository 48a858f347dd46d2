"""gpuarray._joining - arrays joined and split along an axis: ``hstack``,
``vstack``, ``dstack``, ``column_stack``, ``append``, ``concat`` (the Array
API's name of concatenate), and ``split``, ``array_split``, ``hsplit``,
``vsplit``, ``dsplit``, ``unstack``.

Joining copies on the device through ``concatenate`` (one strided copy per
input into its slot of the result); splitting returns views, as NumPy's.
"""

import operator

from gpuarray import _core
from gpuarray._broadcasting import atleast_1d, atleast_2d, atleast_3d
from gpuarray._manipulation import (_axis, _device_arrays, concatenate, moveaxis, ravel,
                                    swapaxes)

__all__ = ['concat', 'hstack', 'vstack', 'dstack', 'column_stack', 'append', 'split',
           'array_split', 'hsplit', 'vsplit', 'dsplit', 'unstack']

_ndarray = _core.ndarray
_view = _core._view


def _sequence(tup, fname):
    """NumPy's stacking functions want a sequence, not a generator."""
    if not hasattr(tup, '__getitem__'):
        raise TypeError('arrays to stack must be passed as a "sequence" type such as list or '
                        'tuple.')
    return _device_arrays(tup, fname)


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def concat(arrays, /, axis=0, out=None, *, dtype=None, casting='same_kind'):
    """The Array API's name of concatenate (axis=None joins the arrays flattened)."""
    return concatenate(arrays, axis=axis, out=out, dtype=dtype, casting=casting)


def hstack(tup, *, dtype=None, casting='same_kind'):
    """Joined along the second axis (the first for 1-D arrays)."""
    arrs = _as_tuple(atleast_1d(*_sequence(tup, 'hstack')))
    if arrs and arrs[0].ndim == 1:
        return concatenate(arrs, 0, dtype=dtype, casting=casting)
    return concatenate(arrs, 1, dtype=dtype, casting=casting)


def vstack(tup, *, dtype=None, casting='same_kind'):
    """Joined along the first axis, 1-D arrays taken as rows."""
    arrs = _as_tuple(atleast_2d(*_sequence(tup, 'vstack')))
    return concatenate(arrs, 0, dtype=dtype, casting=casting)


def dstack(tup):
    """Joined along the third axis (atleast_3d first)."""
    arrs = _as_tuple(atleast_3d(*_sequence(tup, 'dstack')))
    return concatenate(arrs, 2)


def column_stack(tup):
    """1-D arrays as the columns of a 2-D array; 2-D arrays as they are."""
    arrays = []
    for v in _sequence(tup, 'column_stack'):
        if v.ndim < 2:
            v = atleast_2d(v)
            v = _view(v, v.shape[::-1], v.strides[::-1])   # (1, N) -> (N, 1)
        arrays.append(v)
    return concatenate(arrays, 1)


def append(arr, values, axis=None):
    """`values` appended to `arr` (both flattened when axis is None): a new array."""
    arr, values = _device_arrays([arr, values], 'append')
    if axis is None:
        if arr.ndim != 1:
            arr = ravel(arr)
        values = ravel(values)
        axis = arr.ndim - 1
    return concatenate((arr, values), axis=axis)


# ------------------------------------------------------------------ splits

def array_split(ary, indices_or_sections, axis=0):
    """`ary` split into views along `axis`: N nearly equal parts (the first
    N % len parts one longer) or at the given indices."""
    a = _device_arrays([ary], 'array_split')[0]
    total = a.shape[_axis(axis, a.ndim)] if a.ndim else len(a)
    try:
        nsections = len(indices_or_sections) + 1
        points = [0] + [operator.index(i) for i in indices_or_sections] + [total]
    except TypeError:
        nsections = operator.index(indices_or_sections)
        if nsections <= 0:
            raise ValueError('number sections must be larger than 0.') from None
        each, extras = divmod(total, nsections)
        sizes = [0] + extras * [each + 1] + (nsections - extras) * [each]
        points = []
        acc = 0
        for s in sizes:
            acc += s
            points.append(acc)
    moved = swapaxes(a, axis, 0)
    out = []
    for i in range(nsections):
        out.append(swapaxes(moved[points[i]:points[i + 1]], axis, 0))
    return out


def split(ary, indices_or_sections, axis=0):
    """As array_split, but N sections must divide the axis exactly
    (ValueError otherwise)."""
    try:
        len(indices_or_sections)
    except TypeError:
        a = _device_arrays([ary], 'split')[0]
        sections = operator.index(indices_or_sections)
        n = a.shape[_axis(axis, a.ndim)]
        if sections and n % sections:
            raise ValueError('array split does not result in an equal division') from None
    return array_split(ary, indices_or_sections, axis)


def hsplit(ary, indices_or_sections):
    """Split along the second axis (the first for 1-D arrays)."""
    a = _device_arrays([ary], 'hsplit')[0]
    if a.ndim == 0:
        raise ValueError('hsplit only works on arrays of 1 or more dimensions')
    return split(a, indices_or_sections, 1 if a.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    """Split along the first axis (arrays of 2 or more dimensions)."""
    a = _device_arrays([ary], 'vsplit')[0]
    if a.ndim < 2:
        raise ValueError('vsplit only works on arrays of 2 or more dimensions')
    return split(a, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    """Split along the third axis (arrays of 3 or more dimensions)."""
    a = _device_arrays([ary], 'dsplit')[0]
    if a.ndim < 3:
        raise ValueError('dsplit only works on arrays of 3 or more dimensions')
    return split(a, indices_or_sections, 2)


def unstack(x, /, *, axis=0):
    """The views x[..., i, ...] along `axis`, as a tuple (the Array API's unstack)."""
    a = _device_arrays([x], 'unstack')[0]
    if a.ndim == 0:
        raise ValueError('Input array must be at least 1-d.')
    return tuple(moveaxis(a, axis, 0))
