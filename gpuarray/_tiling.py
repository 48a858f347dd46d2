"""gpuarray._tiling - arrays made bigger from their own elements: ``tile``,
``repeat``, ``pad``, ``resize``.

Each is one device gather (``gpuarray._gather``): every output axis maps
its coordinate to a source index by arithmetic (tile and resize: modulo the
source length; repeat by a constant: a division) or by a table of byte
offsets (repeat with counts, pad). The tables depend only on the shapes
and the parameters, so they are computed with NumPy from those and go up
in one small copy; the data never leaves the device. Repeat counts held in
a device array become a table on the device (a prefix sum and a binary
search); only their total, which sizes the result, is read back.
"""

import operator

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray import _gather
from gpuarray._manipulation import _axis, _device_arrays, ravel, reshape

__all__ = ['tile', 'repeat', 'pad', 'resize']

_ndarray = _core.ndarray
_view = _core._view
_asarray = _core.asarray


def _one(x, fname):
    return _device_arrays([x], fname)[0]


def _with_ndmin(a, ndmin):
    """`a` with leading length-1 axes up to `ndmin` dimensions (a view)."""
    if a.ndim >= ndmin:
        return a
    pad = ndmin - a.ndim
    return _view(a, (1,) * pad + a.shape, (0,) * pad + a.strides)


# -------------------------------------------------------------------- tile

def tile(A, reps):
    """`A` repeated `reps` times along each axis (reps longer than A.ndim
    adds leading axes; shorter repeats the trailing axes). A new array."""
    try:
        tup = tuple(operator.index(r) for r in reps)
    except TypeError:
        tup = (operator.index(reps),)
    a = _with_ndmin(_one(A, 'tile'), len(tup))
    if len(tup) < a.ndim:
        tup = (1,) * (a.ndim - len(tup)) + tup
    if any(t < 0 for t in tup):
        raise ValueError('negative dimensions are not allowed')
    maps = [_gather.cyclic(s * t, s, st) for s, t, st in zip(a.shape, tup, a.strides)]
    return _gather.gather(a, maps)


# ------------------------------------------------------------------ repeat

_search_kernel = None


def _source_index_kernel():
    """For output position i along the repeated axis: the byte offset of
    the source element it copies, i.e. stride times the first k with
    cumulative count cs[k] > i (a binary search over the inclusive prefix
    sum of the counts)."""
    global _search_kernel
    if _search_kernel is None:
        _search_kernel = _ew.ElementwiseKernel(
            'raw int64 cs, int64 count, int64 stride', 'int64 off',
            'long long lo = 0, hi = count;'
            'while (lo < hi) { const long long mid = (lo + hi) >> 1;'
            '  if (cs[mid] > (long long)i) hi = mid; else lo = mid + 1; }'
            'off = lo * stride',
            'ga_repeat_source')
    return _search_kernel


def _counts_table(counts, stride):
    """Device int64 `counts` (1-D): the byte-offset table of the repeated
    axis and its length. The minimum and the total are read back (NumPy
    raises for negative counts, and the total is the result's shape)."""
    from gpuarray import _indexing, _reduction
    if counts.size and int(_reduction.amin(counts)) < 0:
        raise ValueError('repeats may not contain negative values.')
    cs = _indexing._cumsum_int64(counts if counts.flags.c_contiguous else counts.copy())
    total = int(cs[-1]) if cs.size else 0
    offsets = _core.empty((total,), numpy.int64)
    if total:
        _source_index_kernel()(cs, cs.size, stride, offsets)
    return offsets, total


def _mismatch(n, m):
    return ValueError('operands could not be broadcast together with shape ({},) ({},)'.format(
        n, m))


def repeat(a, repeats, axis=None):
    """Each element of `a` repeated `repeats` times (an int, or one count
    per element along `axis`, host or device), along `axis` (None: the
    flattened array). A new array."""
    x = _one(a, 'repeat')
    if axis is None:
        x = ravel(x)
        ax = 0
    elif x.ndim == 0:
        # NumPy repeats a 0-d array as a 1-element one along axis 0 or -1
        _axis(axis, 1)
        x = ravel(x)
        ax = 0
    else:
        ax = _axis(axis, x.ndim)
    n, stride = x.shape[ax], x.strides[ax]
    maps = [_gather.identity(s, st) for s, st in zip(x.shape, x.strides)]
    if isinstance(repeats, _ndarray) and repeats.size != 1:
        if repeats.ndim > 1:
            raise ValueError('repeats must be a scalar or a 1-D array, not {}-D'.format(
                repeats.ndim))
        if repeats.size != n:
            raise _mismatch(n, repeats.size)
        counts = repeats.astype(numpy.int64, copy=False)
        offsets, total = _counts_table(counts, stride)
        maps[ax] = _gather.table(offsets)
        return _gather.gather(x, maps)
    if isinstance(repeats, _ndarray):
        counts = numpy.asarray(int(repeats.reshape(()).get()))
    else:
        counts = numpy.asarray(repeats)
        if counts.ndim > 1:
            raise ValueError('repeats must be a scalar or a 1-D sequence, not {}-D'.format(
                counts.ndim))
        counts = counts.astype(numpy.intp)
    if counts.size == 1:
        r = int(counts.reshape(()))
        if r < 0:
            raise ValueError('repeats may not contain negative values.')
        maps[ax] = _gather.stretched(n * r, r, stride)
        return _gather.gather(x, maps)
    if counts.size != n:
        raise _mismatch(n, counts.size)
    if counts.size and counts.min() < 0:
        raise ValueError('repeats may not contain negative values.')
    index = numpy.repeat(numpy.arange(n, dtype=numpy.int64), counts)
    maps[ax] = _gather.host_table(index * stride)
    return _gather.gather(x, maps)


# --------------------------------------------------------------------- pad

_PAD_KEYWORDS = {
    'empty': (), 'edge': (), 'wrap': (), 'constant': ('constant_values',),
    'linear_ramp': ('end_values',), 'maximum': ('stat_length',), 'mean': ('stat_length',),
    'median': ('stat_length',), 'minimum': ('stat_length',), 'reflect': ('reflect_type',),
    'symmetric': ('reflect_type',),
}
_INDEX_MODES = ('edge', 'reflect', 'symmetric', 'wrap')


def _pairs(x, ndim, as_index=False):
    """`x` (a scalar, a pair, or one pair per axis) as ndim (before, after)
    pairs, NumPy's broadcasting of pad_width and constant_values."""
    x = numpy.array(x)
    if as_index:
        x = numpy.round(x).astype(numpy.intp, copy=False)
    if x.ndim < 3:
        if x.size == 1:
            x = x.ravel()
            if as_index and x[0] < 0:
                raise ValueError("index can't contain negative values")
            return [(x[0], x[0])] * ndim
        if x.size == 2 and x.shape != (2, 1):
            x = x.ravel()
            if as_index and (x[0] < 0 or x[1] < 0):
                raise ValueError("index can't contain negative values")
            return [(x[0], x[1])] * ndim
    if as_index and x.size and x.min() < 0:
        raise ValueError("index can't contain negative values")
    return [tuple(p) for p in numpy.broadcast_to(x, (ndim, 2)).tolist()]


def _pad_widths(pad_width, ndim):
    if isinstance(pad_width, dict):
        seq = [(0, 0)] * ndim
        for axis, width in pad_width.items():
            if isinstance(width, tuple):
                before, after = width
                seq[axis] = (operator.index(before), operator.index(after))
            else:
                seq[axis] = (operator.index(width),) * 2
        pad_width = seq
    widths = numpy.asarray(pad_width)
    if widths.dtype.kind not in 'iu':
        raise TypeError('`pad_width` must be of integral type.')
    return [(int(b), int(e)) for b, e in _pairs(widths, ndim, as_index=True)]


def pad(array, pad_width, mode='constant', **kwargs):
    """`array` padded by pad_width[axis] = (before, after) elements along
    each axis (NumPy's broadcasting of pad_width, or a dict of axes). Modes
    'constant' (constant_values), 'edge', 'reflect', 'symmetric', 'wrap'
    and 'empty' (here: zeros) are one device gather; 'maximum', 'minimum',
    'mean', 'median' (stat_length) and 'linear_ramp' (end_values) fill
    the pads one axis after the other, as NumPy does, from device
    reductions and ranges. A function as mode raises NotImplementedError."""
    x = _one(array, 'pad')
    widths = _pad_widths(pad_width, x.ndim)
    if callable(mode):
        raise NotImplementedError('gpuarray.pad: a function as mode is not supported (it would '
                                  'run on the host once per vector)')
    if mode not in _PAD_KEYWORDS:
        raise ValueError("mode '{}' is not supported".format(mode))
    unsupported = set(kwargs) - set(_PAD_KEYWORDS[mode])
    if unsupported:
        raise ValueError("unsupported keyword arguments for mode '{}': {}".format(
            mode, unsupported))
    if mode in _STAT_MODES or mode == 'linear_ramp':
        return _pad_by_axes(x, widths, mode, kwargs)
    if kwargs.get('reflect_type', 'even') != 'even':
        if kwargs['reflect_type'] == 'odd':
            raise NotImplementedError("gpuarray.pad: reflect_type='odd' is not implemented")
        raise ValueError("reflect_type must be 'even' or 'odd'")
    maps, fill = [], None
    if mode in ('constant', 'empty'):
        values = _pairs(kwargs.get('constant_values', 0), x.ndim)
        # value k of the fill array is side k % 2 of axis k // 2, cast as
        # NumPy's assignment of each value into the padded array casts
        fill_host = numpy.array([v for pair in values for v in pair]).astype(x.dtype)
        if fill_host.size and (fill_host == fill_host[0]).all() or mode == 'empty':
            # one value everywhere: a fill, then the array into its slot
            shape = tuple(n + b + e for n, (b, e) in zip(x.shape, widths))
            out = _core.full(shape, fill_host[0] if fill_host.size else 0, dtype=x.dtype)
            if x.size:
                inner = tuple(slice(b, b + n) for n, (b, _) in zip(x.shape, widths))
                _ew.copy_into(x, out[inner])
            return out
        for d, (before, after) in enumerate(widths):
            n, st = x.shape[d], x.strides[d]
            if not before and not after:
                maps.append(_gather.identity(n, st))
                continue
            offsets = numpy.concatenate([
                numpy.full(before, _gather.FILL - 2 * d, numpy.int64),
                numpy.arange(n, dtype=numpy.int64) * st,
                numpy.full(after, _gather.FILL - 2 * d - 1, numpy.int64)])
            maps.append(_gather.host_table(offsets))
        if any(b or e for b, e in widths):
            fill = _asarray(fill_host)
    else:
        for d, (before, after) in enumerate(widths):
            n, st = x.shape[d], x.strides[d]
            if n == 0 and (before or after):
                raise ValueError("can't extend empty axis {} using modes other than 'constant' "
                                 "or 'empty'".format(d))
            if not before and not after:
                maps.append(_gather.identity(n, st))
                continue
            # the source index of every padded position along this axis:
            # NumPy's own padding of the indices (the modes are index maps
            # applied one axis after the other, so the axes are independent)
            index = numpy.pad(numpy.arange(n, dtype=numpy.int64), (before, after), mode=mode)
            maps.append(_gather.host_table(index * st))
    return _gather.gather(x, maps, fill=fill)


_STAT_MODES = ('maximum', 'minimum', 'mean', 'median')


def _pad_by_axes(x, widths, mode, kwargs):
    """pad's statistic and ramp modes, NumPy's algorithm: the array goes
    into the middle of the padded one; then, axis after axis, the pads of
    that axis are filled from the lines along it (within the original
    extent of the axis, across the whole padded extent of the axes done
    before), so that corners take statistics of already padded values."""
    from gpuarray import _reduction, _ufuncs
    from gpuarray._quantiles import median
    from gpuarray._ranges import linspace
    from gpuarray._manipulation import squeeze
    from gpuarray._rearranging import flip
    nd = x.ndim
    shape = tuple(n + b + e for n, (b, e) in zip(x.shape, widths))
    out = _core.empty(shape, x.dtype)
    inner = tuple(slice(b, b + n) for n, (b, _) in zip(x.shape, widths))
    if x.size:
        _ew.copy_into(x, out[inner])
    if mode == 'linear_ramp':
        ends = _pairs(kwargs.get('end_values', 0), nd)
    else:
        stat_length = kwargs.get('stat_length', None)
        lengths = ([(None, None)] * nd if stat_length is None else
                   _pairs(stat_length, nd, as_index=True))
        func = {'maximum': _reduction.amax, 'minimum': _reduction.amin,
                'mean': _reduction.mean, 'median': median}[mode]

    def along(axis, sl):
        return tuple(sl if d == axis else slice(None) for d in range(nd))

    for axis, (before, after) in enumerate(widths):
        if not before and not after:
            continue
        n = x.shape[axis]
        if n == 0:
            raise ValueError("can't extend empty axis {} using modes other than 'constant' "
                             "or 'empty'".format(axis))
        core = out[along(axis, slice(before, before + n))]
        if mode == 'linear_ramp':
            for side, width, edge_at, end in ((0, before, 0, ends[axis][0]),
                                              (1, after, n - 1, ends[axis][1])):
                if not width:
                    continue
                edge = squeeze(core[along(axis, slice(edge_at, edge_at + 1))], axis=axis)
                ramp = linspace(end, edge, num=width, endpoint=False, dtype=x.dtype, axis=axis)
                if side == 1:
                    ramp = flip(ramp, axis=axis)
                dst = slice(0, before) if side == 0 else slice(before + n, before + n + after)
                out[along(axis, dst)] = ramp
            continue
        stats = []
        for side, width in ((0, before), (1, after)):
            length = lengths[axis][side]
            length = n if length is None else min(int(length), n)
            if not width:
                stats.append(None)
                continue
            if length == 0:
                if mode in ('maximum', 'minimum'):
                    raise ValueError('stat_length of 0 yields no value for padding')
            region = slice(0, length) if side == 0 else slice(n - length, n)
            stat = func(core[along(axis, region)], axis=axis, keepdims=True)
            if x.dtype.kind in 'iub' and mode in ('mean', 'median'):
                # NumPy rounds the statistic (half to even) before the cast
                stat = _ufuncs.rint(stat)
            stats.append(stat)
        if before:
            out[along(axis, slice(0, before))] = stats[0].astype(x.dtype)
        if after:
            out[along(axis, slice(before + n, before + n + after))] = stats[1].astype(x.dtype)
    return out


# ------------------------------------------------------------------ resize

def resize(a, new_shape):
    """A new array of `new_shape` filled with the elements of `a` (C
    order), repeated cyclically as needed; zeros when `a` is empty."""
    x = _one(a, 'resize')
    if isinstance(new_shape, (tuple, list)):
        shape = tuple(operator.index(d) for d in new_shape)
    else:
        shape = (operator.index(new_shape),)
    if any(d < 0 for d in shape):
        raise ValueError('all elements of `new_shape` must be non-negative')
    size = _ew.size_of(shape)
    flat = ravel(x)
    if flat.size == 0 or size == 0:
        return _core.zeros(shape, x.dtype)
    out = _gather.gather(flat, [_gather.cyclic(size, flat.size, flat.strides[0])])
    return reshape(out, shape)
