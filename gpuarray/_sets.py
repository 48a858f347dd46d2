"""gpuarray._sets - unique and the set operations over sorted arrays:
``unique`` (with return_index/inverse/counts, axis), the Array API's
``unique_values``, ``unique_counts``, ``unique_inverse``, ``unique_all``,
and ``isin``, ``in1d``, ``union1d``, ``intersect1d``, ``setdiff1d``,
``setxor1d``, with NumPy's parameters and results.

unique sorts on the device (gpuarray._radix; stable, so the first of
equal elements is the first occurrence), marks where a new value starts,
then turns the marks into positions with the scan and the compaction of
boolean indexing (gpuarray._indexing: only the number of unique values
comes back to the host); values, first indices, counts and the inverse are
gathers and scatters from those positions. The values alone (the common
call) skip the marks and positions: two tiled launches of
kernels/unique.cuh count and write the runs' first values. isin sorts the test elements
and runs one binary search per element. The others are NumPy's own
compositions of these, on device arrays.

On the host backend NumPy's functions run on the arrays' memory
(gpuarray._radix.use_numpy), unless the kernels are forced.
"""

import collections
import operator

import numpy

from gpuarray import _capture
from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray import _indexing
from gpuarray import _manipulation
from gpuarray import _radix
from gpuarray import _sorting

__all__ = ['unique', 'unique_values', 'unique_counts', 'unique_inverse', 'unique_all',
           'isin', 'in1d', 'union1d', 'intersect1d', 'setdiff1d', 'setxor1d',
           'UniqueAllResult', 'UniqueCountsResult', 'UniqueInverseResult']

_ndarray = _core.ndarray
_empty = _core.empty

try:
    from numpy.lib.array_utils import normalize_axis_index as _normalize_axis_index
except ImportError:     # NumPy 1.x
    from numpy.core.multiarray import normalize_axis_index as _normalize_axis_index

# The Array API's results (the names NumPy and array_api_strict use).
UniqueAllResult = collections.namedtuple('UniqueAllResult',
                                         ['values', 'indices', 'inverse_indices', 'counts'])
UniqueCountsResult = collections.namedtuple('UniqueCountsResult', ['values', 'counts'])
UniqueInverseResult = collections.namedtuple('UniqueInverseResult', ['values', 'inverse_indices'])


_kernels = {}


def _kernel(name, in_params, out_params, op, preamble=''):
    k = _kernels.get(name)
    if k is None:
        k = _ew.ElementwiseKernel(in_params, out_params, op, name, preamble=preamble)
        _kernels[name] = k
    return k


def _starts_kernel():
    # s sorted: true where a new value starts (NaNs equal to each other
    # when eqnan; -0.0 == 0.0 as ==)
    return _kernel('ga_unique_starts', 'raw T s, bool eqnan', 'bool f',
                   'if (i == 0) { f = true; } else {'
                   '    const T a = s[i], b = s[i - 1];'
                   '    f = !(a == b) && !(eqnan && ga_isnan(a) && ga_isnan(b));'
                   '}')


def _row_starts_kernel():
    # the rows (of m elements) of sorted s: true where a new row starts;
    # NaN != NaN, as NumPy's unique along an axis compares
    return _kernel('ga_unique_row_starts', 'raw T s, int64 m', 'bool f',
                   'if (i == 0) { f = true; } else {'
                   '    bool same = true;'
                   '    for (long long j = 0; j < m && same; j++)'
                   '        same = s[i * m + j] == s[(i - 1) * m + j];'
                   '    f = !same;'
                   '}')


def _counts_kernel():
    return _kernel('ga_unique_counts', 'raw int64 pos, int64 u, int64 total', 'int64 c',
                   'c = (i + 1 < u ? pos[i + 1] : total) - pos[i]')


def _inverse_kernel():
    # rank: inclusive count of starts up to each sorted element
    return _kernel('ga_unique_inverse', 'int64 perm, int64 rank', 'raw int64 inv',
                   'inv[perm] = rank - 1')


def _isin_kernel(is_complex):
    name = 'ga_isin_complex' if is_complex else 'ga_isin'
    pre = _sorting._SEARCH_PREAMBLE_COMPLEX if is_complex else _sorting._SEARCH_PREAMBLE
    # t sorted: is e among t (==, so NaN never is), xor invert
    return _kernel(name, 'raw T t, T e, int64 nt, bool inv', 'bool out',
                   'long long lo = 0, hi = nt;'
                   'while (lo < hi) {'
                   '    const long long mid = lo + ((hi - lo) >> 1);'
                   '    if (ga_search_lt(t[mid], e)) lo = mid + 1; else hi = mid;'
                   '}'
                   'out = (lo < nt && t[lo] == e) != inv', preamble=pre)


_host = _sorting.host_view
_up = _sorting.from_host


def _flat(a):
    return (a if a.flags.c_contiguous else a.copy(order='C')).reshape(-1)


# ---------------------------------------------------------------- unique

def _sorted_with_order(flat, need_order):
    """(sorted copy of 1-D flat, int64 positions it came from or None)."""
    if flat.dtype.kind == 'c':
        pos = _sorting.lexsort_flat([flat], 1, index='flat')
        return flat[pos], pos
    keys, pos = _radix.sort_keys(flat, 1, index='flat' if need_order else None)
    return keys, pos


#: The compaction tile of unique's values: threads per block, values per
#: thread.
UNIQUE_BLOCK = 256
UNIQUE_ITEMS = 16
_unique_modules = {}


def _unique_values(s, equal_nan):
    """The first value of each run of equal values of sorted 1-D s (a new
    array), by kernels/unique.cuh: per-tile counts, their scan, the
    writes. One number (how many) comes back to the host."""
    dt = s.dtype
    mod = _unique_modules.get(dt)
    if mod is None:
        from gpuarray._kernel import RawModule
        source = (_ew.prelude(False) + 'typedef {} ga_value_t;\n'.format(_ew.ctype(dt)) +
                  '#define GA_UNIQUE_BLOCK {}\n#define GA_UNIQUE_ITEMS {}\n'.format(
                      UNIQUE_BLOCK, UNIQUE_ITEMS) +
                  _ew.template_sections('unique.cuh')['compact'])
        mod = _unique_modules[dt] = RawModule(code=source)
    n = s.size
    tiles = -(-n // (UNIQUE_BLOCK * UNIQUE_ITEMS))
    counts = _empty((tiles,), numpy.int64)
    mod.get_function('ga_unique_count')(tiles, UNIQUE_BLOCK, (s, n, int(bool(equal_nan)), counts))
    incl = _indexing._cumsum_int64(counts)
    u = int(incl[tiles - 1])
    out = _empty((u,), dt)
    mod.get_function('ga_unique_write')(tiles, UNIQUE_BLOCK, (s, n, int(bool(equal_nan)), incl, out))
    return out


def _compact(starts):
    """(positions of the true elements of 1-D bool starts, the inclusive
    count of trues up to each element): the scan and compaction of
    boolean indexing."""
    n = starts.size
    rank = _indexing._cumsum_int64(starts.astype(numpy.int64))
    u = int(rank[n - 1])
    pos = _empty((u,), numpy.int64)
    _indexing._mask_positions_kernel()(starts, rank, pos)
    return pos, rank


def _results(values, parts, return_index, return_inverse, return_counts):
    out = [values]
    if return_index:
        out.append(parts['index'])
    if return_inverse:
        out.append(parts['inverse'])
    if return_counts:
        out.append(parts['counts'])
    return out[0] if len(out) == 1 else tuple(out)


def _unique_flat(ar, return_index, return_inverse, return_counts, equal_nan):
    flat = _flat(ar)
    n = flat.size
    if n == 0:
        e = _empty((0,), numpy.int64)
        parts = {'index': e, 'inverse': _empty(ar.shape, numpy.int64), 'counts': e}
        return _results(_empty((0,), ar.dtype), parts, return_index, return_inverse, return_counts)
    s, order = _sorted_with_order(flat, return_index or return_inverse)
    if not (return_index or return_inverse or return_counts) and s.dtype.kind != 'c':
        return _unique_values(s, equal_nan)
    starts = _empty((n,), numpy.bool_)
    _starts_kernel()(s, bool(equal_nan), starts)
    pos, rank = _compact(starts)
    parts = {}
    if return_index:
        parts['index'] = order[pos]
    if return_inverse:
        inv = _empty((n,), numpy.int64)
        _inverse_kernel()(order, rank, inv)
        parts['inverse'] = inv.reshape(ar.shape)
    if return_counts:
        c = _empty((pos.size,), numpy.int64)
        _counts_kernel()(pos, pos.size, n, c)
        parts['counts'] = c
    return _results(s[pos], parts, return_index, return_inverse, return_counts)


def _unique_axis(ar, axis, return_index, return_inverse, return_counts):
    """unique of the slices along `axis`: the rows of the array with that
    axis first, sorted lexicographically (a lexsort over the columns, the
    first most significant), then the row compaction."""
    moved = _manipulation.moveaxis(ar, axis, 0)
    N = moved.shape[0]
    rest = moved.shape[1:]
    M = _ew.size_of(rest)
    rows = (moved if moved.flags.c_contiguous else moved.copy(order='C')).reshape(N, M)
    if N == 0 or M == 0:
        # no rows, or rows of nothing (all equal)
        u = 0 if N == 0 else 1
        vals = _empty((u,) + rest, ar.dtype)
        parts = {'index': _core.zeros((u,), numpy.int64),
                 'inverse': _core.zeros((N,), numpy.int64),
                 'counts': _core.full((u,), N, numpy.int64)}
        return _results(_manipulation.moveaxis(vals, 0, axis), parts, return_index,
                        return_inverse, return_counts)
    cols = [rows[:, j].copy(order='C') for j in range(M - 1, -1, -1)]
    order = _sorting.lexsort_flat(cols, 1, index='flat')
    s = rows[order].copy(order='C')
    starts = _empty((N,), numpy.bool_)
    _row_starts_kernel()(s, M, starts)
    pos, rank = _compact(starts)
    parts = {'index': order[pos]}
    if return_inverse:
        inv = _empty((N,), numpy.int64)
        _inverse_kernel()(order, rank, inv)
        parts['inverse'] = inv
    if return_counts:
        c = _empty((pos.size,), numpy.int64)
        _counts_kernel()(pos, pos.size, N, c)
        parts['counts'] = c
    vals = s[pos].reshape((pos.size,) + rest)
    vals = _manipulation.moveaxis(vals, 0, axis)
    vals = vals if vals.flags.c_contiguous else vals.copy(order='C')
    return _results(vals, parts, return_index, return_inverse, return_counts)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, sorted=True):
    """The sorted unique elements of `ar` (numpy.unique), and optionally the
    index of each one's first occurrence, the indices that rebuild `ar`
    from them (of ar's shape for axis=None) and their counts. `axis`: the
    unique slices along it. `equal_nan`: all NaNs count as one value.
    The result is always sorted."""
    ar = _sorting.as_device(ar, 'unique')
    _sorting._check_supported(ar.dtype, 'unique')
    _capture.refuse_while_capturing('unique')
    if axis is not None:
        axis = _normalize_axis_index(operator.index(axis), ar.ndim)
    if _radix.use_numpy():
        r = numpy.unique(_host(ar), return_index, return_inverse, return_counts, axis=axis,
                         equal_nan=equal_nan)
        return tuple(_up(x) for x in r) if isinstance(r, tuple) else _up(r)
    if axis is None:
        return _unique_flat(ar, return_index, return_inverse, return_counts, equal_nan)
    return _unique_axis(ar, axis, return_index, return_inverse, return_counts)


def unique_values(x):
    """The Array API's unique_values: unique(x), every NaN distinct."""
    return unique(x, equal_nan=False)


def unique_counts(x):
    """The Array API's unique_counts: (values, counts)."""
    return UniqueCountsResult(*unique(x, return_counts=True, equal_nan=False))


def unique_inverse(x):
    """The Array API's unique_inverse: (values, inverse_indices of x's shape)."""
    return UniqueInverseResult(*unique(x, return_inverse=True, equal_nan=False))


def unique_all(x):
    """The Array API's unique_all: (values, indices, inverse_indices, counts)."""
    return UniqueAllResult(*unique(x, return_index=True, return_inverse=True,
                                   return_counts=True, equal_nan=False))


# ---------------------------------------------------------- membership

def _check_isin_kind(kind, *dtypes):
    if kind not in (None, 'sort', 'table'):
        raise ValueError("Invalid kind: {!r}. Please use None, 'sort' or 'table'.".format(kind))
    if kind == 'table' and any(dt.kind not in 'biu' for dt in dtypes):
        raise ValueError("The 'table' method is only supported for boolean or integer arrays. "
                         "Please select 'sort' or None for kind.")


def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    """Whether each element of `element` is in `test_elements` (a bool
    array of element's shape; numpy.isin). `kind` is checked as NumPy
    does; every kind runs the sort and binary search."""
    e = _sorting.as_device(element, 'isin')
    t = _sorting.as_device(test_elements, 'isin')
    _sorting._check_supported(e.dtype, 'isin')
    _sorting._check_supported(t.dtype, 'isin')
    _check_isin_kind(kind, e.dtype, t.dtype)
    if _radix.use_numpy():
        return _up(numpy.isin(_host(e), _host(t), assume_unique=assume_unique, invert=invert,
                              kind=kind))
    dt = numpy.result_type(e.dtype, t.dtype)
    out = _empty(e.shape, numpy.bool_)
    if e.size == 0:
        return out
    tf = _flat(t if t.dtype == dt else t.astype(dt))
    ts = _sorting.sort(tf) if tf.size else tf
    if e.dtype != dt:
        e = e.astype(dt)
    _isin_kernel(dt.kind == 'c')(ts, e, ts.size, bool(invert), out)
    return out


def in1d(ar1, ar2, assume_unique=False, invert=False, *, kind=None):
    """isin of the flattened ar1 (NumPy's in1d, removed in NumPy 2.4; CuPy
    keeps it): a 1-D bool array."""
    a = _sorting.as_device(ar1, 'in1d')
    return isin(a.reshape(-1), ar2, assume_unique=assume_unique, invert=invert, kind=kind)


# ------------------------------------------------------------- set ops

def _ravel(a, fname):
    a = _sorting.as_device(a, fname)
    _sorting._check_supported(a.dtype, fname)
    return a.reshape(-1)


def union1d(ar1, ar2):
    """The sorted unique values in either array (numpy.union1d)."""
    a, b = _ravel(ar1, 'union1d'), _ravel(ar2, 'union1d')
    if _radix.use_numpy():
        return _up(numpy.union1d(_host(a), _host(b)))
    return unique(_manipulation.concatenate((a, b)))


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    """The sorted unique values in both arrays (numpy.intersect1d), and
    optionally the indices of their first occurrences in each."""
    a, b = _ravel(ar1, 'intersect1d'), _ravel(ar2, 'intersect1d')
    if _radix.use_numpy():
        r = numpy.intersect1d(_host(a), _host(b), assume_unique=assume_unique,
                              return_indices=return_indices)
        return tuple(_up(x) for x in r) if return_indices else _up(r)
    if not assume_unique:
        if return_indices:
            a, ind1 = unique(a, return_index=True)
            b, ind2 = unique(b, return_index=True)
        else:
            a, b = unique(a), unique(b)
    aux = _manipulation.concatenate((a, b))
    if aux.size == 0:
        e = _empty((0,), numpy.int64)
        return (aux, e, e) if return_indices else aux
    if return_indices:
        order = _sorting.argsort(aux)
        aux = aux[order]
    else:
        aux = _sorting.sort(aux)
    mask = aux[1:] == aux[:-1]
    common = aux[:-1][mask]
    if not return_indices:
        return common
    i1 = order[:-1][mask]
    i2 = order[1:][mask] - a.size
    if not assume_unique:
        i1, i2 = ind1[i1], ind2[i2]
    return common, i1, i2


def setdiff1d(ar1, ar2, assume_unique=False):
    """The sorted unique values of ar1 not in ar2 (numpy.setdiff1d; with
    assume_unique, ar1's values in its order)."""
    a, b = _ravel(ar1, 'setdiff1d'), _ravel(ar2, 'setdiff1d')
    if _radix.use_numpy():
        return _up(numpy.setdiff1d(_host(a), _host(b), assume_unique=assume_unique))
    if not assume_unique:
        a = unique(a)
        b = unique(b)
    return a[isin(a, b, assume_unique=True, invert=True)]


def setxor1d(ar1, ar2, assume_unique=False):
    """The sorted unique values in exactly one of the arrays (numpy.setxor1d)."""
    a, b = _ravel(ar1, 'setxor1d'), _ravel(ar2, 'setxor1d')
    if _radix.use_numpy():
        return _up(numpy.setxor1d(_host(a), _host(b), assume_unique=assume_unique))
    if not assume_unique:
        a, b = unique(a), unique(b)
    aux = _manipulation.concatenate((a, b))
    if aux.size == 0:
        return aux
    aux = _sorting.sort(aux)
    n = aux.size
    # keep aux[i] when it differs from both neighbours
    keep = _kernel('ga_setxor_keep', 'raw T s, int64 ns', 'bool k',
                   'k = (i == 0 || !(s[i] == s[i - 1])) && (i == ns - 1 || !(s[i] == s[i + 1]))')
    k = _empty((n,), numpy.bool_)
    keep(aux, n, k)
    return aux[k]
