"""gpuarray._manipulation - shape and layout: reshape, ravel, flatten,
transpose/.T, swapaxes, squeeze, expand_dims, concatenate, stack.

Views are made with ``_core._view`` (same memory, new shape and byte
strides, ``base`` the array that owns the memory); what cannot be a view
is copied on the device by the elementwise copy kernel. Errors are NumPy's
types and messages.
"""

import operator

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew

try:
    from numpy.exceptions import AxisError
except ImportError:  # NumPy < 1.25
    from numpy import AxisError

__all__ = ['reshape', 'ravel', 'transpose', 'swapaxes', 'squeeze', 'expand_dims',
           'concatenate', 'stack', 'moveaxis']

_ndarray = _core.ndarray
_empty = _core.empty
_view = _core._view


def _axis(axis, ndim, prefix=None):
    """`axis` in [0, ndim), negatives counted from the end; AxisError."""
    try:
        ax = operator.index(axis)
    except TypeError:
        raise TypeError("'{}' object cannot be interpreted as an integer".format(
            type(axis).__name__)) from None
    if not -ndim <= ax < ndim:
        raise AxisError(ax, ndim, prefix)
    return ax % ndim if ndim else ax


def _axes(axis, ndim, what='axis'):
    """A tuple of normalized axes from an int or a sequence; ValueError on
    repeats (NumPy's normalize_axis_tuple)."""
    if isinstance(axis, (tuple, list)):
        axes = tuple(_axis(a, ndim) for a in axis)
    else:
        axes = (_axis(axis, ndim),)
    if len(set(axes)) != len(axes):
        raise ValueError('repeated axis' if what == 'axis' else 'repeated axis in ' + what)
    return axes


def _shape_args(shape):
    """reshape(2, 3) and reshape((2, 3)) alike."""
    if len(shape) == 1:
        s = shape[0]
        if isinstance(s, (tuple, list)):
            shape = tuple(s)
        else:
            shape = (s,)
    try:
        return tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError("'{}' object cannot be interpreted as an integer".format(
            type(next(d for d in shape if not hasattr(d, '__index__'))).__name__)) from None


def _shape_message(shape):
    return '(' + ','.join('newaxis' if d == -1 else str(d) for d in shape) + \
        (',)' if len(shape) == 1 else ')')


def _infer_shape(size, shape):
    """`shape` with its -1 (at most one) filled in; NumPy's ValueErrors."""
    unknown = [i for i, d in enumerate(shape) if d < 0]
    if len(unknown) > 1:
        raise ValueError('can only specify one unknown dimension')
    if unknown and shape[unknown[0]] != -1:
        raise ValueError('negative dimensions not allowed')
    known = 1
    for d in shape:
        if d >= 0:
            known *= d
    if unknown:
        if known == 0 or size % known:
            raise ValueError('cannot reshape array of size {} into shape {}'.format(
                size, _shape_message(shape)))
        shape = list(shape)
        shape[unknown[0]] = size // known
        return tuple(shape)
    if known != size:
        raise ValueError('cannot reshape array of size {} into shape {}'.format(
            size, _shape_message(shape)))
    return tuple(shape)


def _contiguous_strides(shape, itemsize):
    st = []
    s = itemsize
    for d in reversed(shape):
        st.append(s)
        s *= d if d else 1
    return tuple(reversed(st))


def _nocopy_strides(a, newshape):
    """Strides that give `a` the C-order shape `newshape` without moving
    data, or None (NumPy's _attempt_nocopy_reshape)."""
    old = [(d, s) for d, s in zip(a.shape, a.strides) if d != 1]
    newn = len(newshape)
    newstrides = [0] * newn
    oi, oj, ni, nj = 0, 1, 0, 1
    oldn = len(old)
    while ni < newn and oi < oldn:
        np_ = newshape[ni]
        op = old[oi][0]
        while np_ != op:
            if np_ < op:
                np_ *= newshape[nj]
                nj += 1
            else:
                op *= old[oj][0]
                oj += 1
        for ok in range(oi, oj - 1):
            if old[ok][1] != old[ok + 1][0] * old[ok + 1][1]:
                return None
        newstrides[nj - 1] = old[oj - 1][1]
        for nk in range(nj - 1, ni, -1):
            newstrides[nk - 1] = newstrides[nk] * newshape[nk]
        ni = nj
        nj += 1
        oi = oj
        oj += 1
    last = newstrides[ni - 1] if ni >= 1 else a.itemsize
    for nk in range(ni, newn):
        newstrides[nk] = last
    return tuple(newstrides)


def reshape(a, *shape, order='C', copy=None):
    """a with a new shape: a view when the data allow it, else a C-order
    copy. One dimension may be -1 (inferred). order 'C' or 'F'. copy=True
    always copies; copy=False raises ValueError where a view cannot be made
    (NumPy 2.1's copy=)."""
    if copy is not None:
        r = reshape(a, *shape, order=order)
        shares = r.size == 0 or r.data.mem is a.data.mem
        if copy:
            return r.copy() if shares else r
        if not shares:
            raise ValueError('reshape: copy=False, but the new shape cannot be a view of the '
                             'data (their strides do not allow it)')
        return r
    if order not in ('C', 'F', 'A', 'c', 'f', 'a'):
        raise ValueError("order must be one of 'C', 'F', 'A' (got {!r})".format(order))
    order = order.upper()
    if order == 'A':
        order = 'F' if a.flags.f_contiguous and not a.flags.c_contiguous else 'C'
    newshape = _infer_shape(a.size, _shape_args(shape))
    if order == 'F':
        return reshape(transpose(a), newshape[::-1]).transpose()
    if newshape == a.shape:
        return _view(a, a.shape, a.strides)
    if a.size == 0:
        return _view(a, newshape, _contiguous_strides(newshape, a.itemsize))
    strides = _nocopy_strides(a, newshape)
    if strides is None:
        c = a.copy(order='C')
        return _ndarray(newshape, c.dtype, c.data, _contiguous_strides(newshape, a.itemsize))
    return _view(a, newshape, strides)


def ravel(a, order='C'):
    """a as 1-D: a view when C-contiguous, else a copy."""
    return reshape(a, (-1,), order=order)


def flatten(a, order='C'):
    """A 1-D copy of a."""
    order = order.upper() if isinstance(order, str) else order
    if order in ('A', 'K'):
        order = 'F' if a.flags.f_contiguous and not a.flags.c_contiguous else 'C'
    c = a.copy(order=order)
    return _ndarray((c.size,), c.dtype, c.data)


def transpose(a, axes=None):
    """a with its axes permuted (reversed by default): a view."""
    nd = a.ndim
    if axes is None:
        perm = tuple(range(nd - 1, -1, -1))
    else:
        if len(axes) != nd:
            raise ValueError("axes don't match array")
        perm = tuple(_axis(ax, nd) for ax in axes)
        if len(set(perm)) != nd:
            raise ValueError('repeated axis in transpose')
    sh, st = a.shape, a.strides
    return _view(a, tuple(sh[p] for p in perm), tuple(st[p] for p in perm))


def _method_transpose(self, *axes):
    if not axes or (len(axes) == 1 and axes[0] is None):
        return transpose(self)
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    return transpose(self, axes)


def swapaxes(a, axis1, axis2):
    """a with two axes interchanged: a view."""
    nd = a.ndim
    i = _axis(axis1, nd, 'axis1')
    j = _axis(axis2, nd, 'axis2')
    perm = list(range(nd))
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(a, perm)


def moveaxis(a, source, destination):
    """a with axes moved to new positions: a view."""
    nd = a.ndim
    src = _axes(source, nd, 'source')
    dst = _axes(destination, nd, 'destination')
    if len(src) != len(dst):
        raise ValueError('`source` and `destination` arguments must have the same number of '
                         'elements')
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


def squeeze(a, axis=None):
    """a without length-1 axes (all, or those of `axis`): a view."""
    if axis is None:
        keep = [d for d in range(a.ndim) if a.shape[d] != 1]
    else:
        drop = _axes(axis, a.ndim)
        for d in drop:
            if a.shape[d] != 1:
                raise ValueError('cannot select an axis to squeeze out which has size not equal '
                                 'to one')
        keep = [d for d in range(a.ndim) if d not in drop]
    return _view(a, tuple(a.shape[d] for d in keep), tuple(a.strides[d] for d in keep))


def expand_dims(a, axis=0):
    """a with length-1 axes inserted at `axis` (int or tuple; 0 by default, as
    in the Array API): a view."""
    nd = a.ndim + (len(axis) if isinstance(axis, (tuple, list)) else 1)
    new = _axes(axis, nd)
    shape, strides = [], []
    it = iter(zip(a.shape, a.strides))
    for d in range(nd):
        if d in new:
            shape.append(1)
            strides.append(0)
        else:
            s, t = next(it)
            shape.append(s)
            strides.append(t)
    # a new axis steps over what follows it, as NumPy's
    for d in range(nd - 1, -1, -1):
        if d in new:
            strides[d] = strides[d + 1] * shape[d + 1] if d + 1 < nd else a.itemsize
    return _view(a, tuple(shape), tuple(strides))


def _device_arrays(arrays, fname):
    out = []
    for x in arrays:
        if not isinstance(x, _ndarray):
            if isinstance(x, numpy.ndarray):
                raise TypeError('{}: a host numpy.ndarray cannot be combined with gpuarray '
                                'arrays (use gpuarray.asarray)'.format(fname))
            x = _core.asarray(x)
        out.append(x)
    return out


def concatenate(arrays, axis=0, out=None, *, dtype=None, casting='same_kind'):
    """The arrays joined along an existing axis (axis=None: flattened)."""
    arrays = _device_arrays(arrays, 'concatenate')
    if not arrays:
        raise ValueError('need at least one array to concatenate')
    if axis is None:
        arrays = [ravel(x) for x in arrays]
        axis = 0
    nd = arrays[0].ndim
    if nd == 0:
        raise ValueError('zero-dimensional arrays cannot be concatenated')
    for k, x in enumerate(arrays[1:], 1):
        if x.ndim != nd:
            raise ValueError('all the input arrays must have same number of dimensions, but the '
                             'array at index 0 has {} dimension(s) and the array at index {} has '
                             '{} dimension(s)'.format(nd, k, x.ndim))
    ax = _axis(axis, nd)
    shape = list(arrays[0].shape)
    for k, x in enumerate(arrays[1:], 1):
        for d in range(nd):
            if d != ax and x.shape[d] != shape[d]:
                raise ValueError('all the input array dimensions except for the concatenation '
                                 'axis must match exactly, but along dimension {}, the array at '
                                 'index 0 has size {} and the array at index {} has size {}'
                                 .format(d, shape[d], k, x.shape[d]))
        shape[ax] += x.shape[ax]
    shape = tuple(shape)
    if out is None:
        dt = numpy.dtype(dtype) if dtype is not None else numpy.result_type(
            *[x.dtype for x in arrays])
        out = _empty(shape, dt)
    else:
        if not isinstance(out, _ndarray):
            raise TypeError('concatenate: out must be a gpuarray.ndarray')
        if out.shape != shape:
            raise ValueError('Output array is the wrong shape')
    for x in arrays:
        if not numpy.can_cast(x.dtype, out.dtype, casting=casting):
            raise TypeError("Cannot cast array data from dtype({!r}) to dtype({!r}) according to "
                            "the rule '{}'".format(str(x.dtype), str(out.dtype), casting))
    start = 0
    lead = (slice(None),) * ax
    for x in arrays:
        n = x.shape[ax]
        if n and x.size:
            _ew.copy_into(x, out[lead + (slice(start, start + n),)])
        start += n
    return out


def stack(arrays, axis=0, out=None, *, dtype=None, casting='same_kind'):
    """The arrays (all of one shape) joined along a new axis."""
    arrays = _device_arrays(arrays, 'stack')
    if not arrays:
        raise ValueError('need at least one array to stack')
    shape = arrays[0].shape
    if any(x.shape != shape for x in arrays[1:]):
        raise ValueError('all input arrays must have the same shape')
    ax = _axis(axis, len(shape) + 1)
    return concatenate([expand_dims(x, ax) for x in arrays], axis=ax, out=out, dtype=dtype,
                       casting=casting)


def _method_reshape(self, *shape, order='C'):
    return reshape(self, *shape, order=order)


def install(ndarray):
    """Give `ndarray` its shape methods and the T property."""
    ndarray.reshape = _method_reshape
    ndarray.ravel = ravel
    ndarray.flatten = flatten
    ndarray.transpose = _method_transpose
    ndarray.swapaxes = swapaxes
    ndarray.squeeze = squeeze
    ndarray.T = property(transpose, doc='The transposed array (a view).')
