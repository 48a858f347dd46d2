"""gpuarray._histograms - histogram, histogram2d, bincount and digitize on
the device (kernels/histogram.cuh).

The bin edges are NumPy's: computed on the host with numpy.linspace from
the two range ends (given, or the data's min and max: two numbers read
back, as NumPy reads them), then uploaded. Each element's bin follows
NumPy's rules exactly (equal bins: the arithmetic guess corrected against
the edges; explicit edges: the last edge belongs to the last bin). Counts
are int64 (per-block shared-memory histograms, merged with atomics);
weighted histograms sum the weights in float64 with atomics and cast to
the weights' dtype, as NumPy (which sums through bincount in float64).
"""

import operator

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array as _as_array
from gpuarray import _elementwise as _ew

__all__ = ['histogram', 'histogram2d', 'bincount', 'digitize']

_ndarray = _core.ndarray
#: shared memory a block's histograms may take (the dynamic limit without opt-in)
_SHARED_BYTES = 48 * 1024



def _contiguous_1d(x):
    x = x.reshape(-1)
    return x if x.flags.c_contiguous else x.copy()


def _count_kernel(mode, weighted, shared, x_dt, b_dt, w_dt):
    key = ('hist', mode, weighted, shared, x_dt, b_dt, w_dt)

    def build():
        b_ct = _ew.ctype(b_dt)
        src = _ew.prelude(False, [('histogram.cuh', 'prelude')]) + _ew.fill(
            'histogram.cuh', 'count', name='ga_histogram', mode=mode, weighted=int(weighted),
            shared=int(shared), x_t=_ew.ctype(x_dt), b_t=b_ct, p_t=_ew.compute_ctype(b_dt),
            w_t=_ew.ctype(w_dt) if w_dt is not None else 'double')
        return src, 'ga_histogram'
    return _ew.get_kernel(key, build)


def _launch_counts(mode, x, edges, nbins, first, denom, weights, b_dt):
    """Counts (int64) or float64 weight sums of contiguous 1-D x into
    nbins bins."""
    weighted = weights is not None
    out = _core.zeros((nbins,), numpy.float64 if weighted else numpy.int64)
    n = x.size
    if n == 0 or nbins == 0:
        return out
    sms, host = _ew.device_info()
    block = 1 if host else 256
    replicas = 1
    shared = not weighted and nbins * 4 <= _SHARED_BYTES
    if shared and not host:
        replicas = max(1, min(8, _SHARED_BYTES // (nbins * 4)))
    per_block = 4 * block * 64
    grid = max(1, min(-(-n // per_block), sms * (4 if not host else 1)))
    # per-block counters are 32-bit: no block may count 2**32 elements
    grid = max(grid, -(-n // (1 << 31)))
    ws = 0
    w_dt = None
    if weighted:
        w_dt = weights.dtype
        ws = weights.strides[0] if weights.ndim else 0
    k = _count_kernel(mode, weighted, shared, x.dtype, b_dt, w_dt)
    k(grid, block, (x, n, edges, nbins, first, denom, weights, ws, out, replicas),
      shared_mem=nbins * replicas * 4 if shared else 0)
    return out


def _outer_edges(a, range_):
    """NumPy's _get_outer_edges: the range, or the data's min and max."""
    from gpuarray import _reduction
    if range_ is not None:
        first, last = range_
        if first > last:
            raise ValueError('max must be larger than min in range parameter.')
        if not (numpy.isfinite(first) and numpy.isfinite(last)):
            raise ValueError('supplied range of [{}, {}] is not finite'.format(first, last))
    elif a.size == 0:
        first, last = 0, 1
    else:
        first = _reduction.amin(a).get()[()]
        last = _reduction.amax(a).get()[()]
        if not (numpy.isfinite(first) and numpy.isfinite(last)):
            raise ValueError('autodetected range of [{}, {}] is not finite'.format(first, last))
    if first == last:
        first = first - 0.5
        last = last + 0.5
    return first, last


def _unsigned_subtract(a, b):
    """last - first without wrapping for integer ends (NumPy's helper)."""
    if isinstance(a, (int, numpy.integer)) and isinstance(b, (int, numpy.integer)):
        return int(a) - int(b)
    return numpy.subtract(a, b)


def _bin_width_selector(name, a, first, last):
    """NumPy's bin-width estimators (numpy.histogram_bin_edges), from a few
    scalars of the data computed on the device (extremes, std, quartiles,
    skewness) and read back."""
    from gpuarray import _reduction, _ufuncs
    from gpuarray._quantiles import percentile
    n = a.size

    def ptp():
        return float(_reduction.amax(a).get()) - float(_reduction.amin(a).get())

    def sturges():
        return ptp() / (numpy.log2(n) + 1.0)

    def fd():
        q75, q25 = (float(v) for v in percentile(a, [75, 25]).get())
        return 2.0 * (q75 - q25) * n ** (-1.0 / 3.0)

    if name == 'sqrt':
        return ptp() / numpy.sqrt(n)
    if name == 'sturges':
        return sturges()
    if name == 'rice':
        return ptp() / (2.0 * n ** (1.0 / 3))
    if name == 'scott':
        return (24.0 * numpy.pi ** 0.5 / n) ** (1.0 / 3.0) * float(_reduction.std(a).get())
    if name == 'fd':
        return fd()
    if name == 'auto':
        # Freedman-Diaconis unless it gives 0 (a zero IQR), then Sturges
        f = fd()
        return min(f, sturges()) if f else sturges()
    if name == 'doane':
        if n <= 2:
            return 0.0
        sg1 = numpy.sqrt(6.0 * (n - 2) / ((n + 1.0) * (n + 3)))
        x = a.astype(numpy.float64) if a.dtype.kind != 'f' else a
        sigma = float(_reduction.std(x).get())
        if not sigma > 0.0:
            return 0.0
        z = _ufuncs.true_divide(_ufuncs.subtract(x, _reduction.mean(x)), sigma)
        g1 = float(_reduction.mean(_ufuncs.power(z, 3)).get())
        return ptp() / (1.0 + numpy.log2(n) + numpy.log2(1.0 + abs(g1) / sg1))
    if name == 'stone':
        raise NotImplementedError("gpuarray.histogram: bins='stone' (a search over bin counts "
                                  "that NumPy runs on the host) is not implemented; use 'auto', "
                                  "'fd', 'doane', 'scott', 'rice', 'sturges', 'sqrt', an int or "
                                  "edges")
    raise ValueError('{!r} is not a valid estimator for `bins`'.format(name))


def _bin_edges(a, bins, range_, weights):
    """(edges as a NumPy array, (first, last, n) for equal bins or None)."""
    if isinstance(bins, str):
        first, last = _outer_edges(a, range_)
        if range_ is not None:
            keep = (a >= first) & (a <= last)
            if not bool(keep.all()):
                a = a[keep]
        if a.size == 0:
            n_equal = 1
        else:
            width = _bin_width_selector(bins, a, first, last)
            if width and a.dtype.kind in 'iu' and width < 1:
                width = 1   # integer data: no bin narrower than one (NumPy 2)
            n_equal = int(numpy.ceil(_unsigned_subtract(last, first) / width)) if width else 1
    elif numpy.ndim(bins) == 0 and not isinstance(bins, _ndarray):
        try:
            n_equal = operator.index(bins)
        except TypeError as e:
            raise TypeError('`bins` must be an integer, a string, or an array') from e
        if n_equal < 1:
            raise ValueError('`bins` must be positive, when an integer')
        first, last = _outer_edges(a, range_)
    else:
        return _edges_array(bins, '`bins` must be 1d, when an array',
                            '`bins` must increase monotonically, when an array'), None
    bin_type = numpy.result_type(first, last, a.dtype)
    if numpy.issubdtype(bin_type, numpy.integer) or bin_type.kind == 'b':
        bin_type = numpy.result_type(bin_type, float)
    edges = numpy.linspace(first, last, n_equal + 1, endpoint=True, dtype=bin_type)
    return edges, (first, last, n_equal)


def _edges_array(bins, not_1d, not_increasing):
    """Edges given by the caller, as a device array (checked there)."""
    edges = bins if isinstance(bins, _ndarray) else _core.asarray(numpy.asarray(bins))
    if edges.ndim != 1:
        raise ValueError(not_1d)
    if edges.size > 1 and bool((edges[:-1] > edges[1:]).any()):
        raise ValueError(not_increasing)
    return edges


def histogram(a, bins=10, range=None, density=None, weights=None):
    """The histogram of `a` (numpy.histogram): (counts, bin edges). `bins`
    an int (equal bins over `range` or the data's), an array of edges, or
    one of NumPy's estimators 'sqrt', 'sturges', 'rice', 'scott'."""
    from gpuarray import _ufuncs
    from gpuarray._complex import real, imag
    a = _as_array(a, 'histogram')
    if a.dtype.kind == 'c':
        raise TypeError('gpuarray.histogram: complex input is not supported (NumPy compares '
                        'complex values lexicographically; pass the real part)')
    if weights is not None:
        weights = _as_array(weights, 'histogram')
        if weights.shape != a.shape:
            raise ValueError('weights should have the same shape as a.')
        weights = weights.reshape(-1)
    a = _contiguous_1d(a)
    edges_h, uniform = _bin_edges(a, bins, range, weights)
    if uniform is not None:
        b_dt = edges_h.dtype
        first, last, nbins = uniform
        # NumPy computes the guess as ((x - first) / (last - first)) * n
        denom = _unsigned_subtract(last, first)
        mode = 0
        first_v, denom_v = float(first), float(denom)
    else:
        b_dt = numpy.result_type(a.dtype, edges_h.dtype)
        if b_dt.kind in 'iub':
            b_dt = numpy.dtype(numpy.float64)
        nbins = edges_h.size - 1
        mode = 1
        first_v = denom_v = 0.0
    edges = edges_h.astype(b_dt, copy=False)
    edges = _core.asarray(edges) if not isinstance(edges, _ndarray) else (
        edges if edges.flags.c_contiguous else edges.copy())
    if nbins <= 0:
        n = _core.zeros((0,), numpy.int64 if weights is None else weights.dtype)
    elif weights is None:
        n = _launch_counts(mode, a, edges, nbins, first_v, denom_v, None, b_dt)
    elif weights.dtype.kind == 'c':
        n = _core.empty((nbins,), weights.dtype)
        real(n)[...] = _launch_counts(mode, a, edges, nbins, first_v, denom_v, real(weights), b_dt)
        imag(n)[...] = _launch_counts(mode, a, edges, nbins, first_v, denom_v, imag(weights), b_dt)
    else:
        w = weights if weights.dtype.kind != 'b' else weights.astype(numpy.uint8)
        n = _launch_counts(mode, a, edges, nbins, first_v, denom_v, w, b_dt)
        if n.dtype != weights.dtype:
            n = n.astype(weights.dtype)
    edges_out = edges_h if isinstance(edges_h, _ndarray) else _core.asarray(edges_h)
    if density:
        db = _ufuncs.subtract(edges_out[1:], edges_out[:-1]).astype(float)
        return _ufuncs.true_divide(_ufuncs.true_divide(n, db), n.sum()), edges_out
    return n, edges_out


def bincount(x, weights=None, minlength=0):
    """The number of occurrences of each value in non-negative int array x
    (numpy.bincount), or the sum of the weights at each value."""
    from gpuarray import _reduction
    x = _as_array(x, 'bincount')
    if x.ndim > 1:
        raise ValueError('object too deep for desired array')
    if x.ndim == 0:
        raise ValueError('object of too small depth for desired array')
    if minlength is None:
        raise TypeError("use 0 instead of None for minlength")
    minlength = operator.index(minlength)
    if minlength < 0:
        raise ValueError("'minlength' must not be negative")
    if x.size and not numpy.can_cast(x.dtype, numpy.intp, casting='safe'):
        raise TypeError("Cannot cast array data from {!r} to dtype('int64') according to the "
                        "rule 'safe'".format(x.dtype))
    if weights is not None:
        weights = _as_array(weights, 'bincount')
        if weights.shape != x.shape:
            raise ValueError("The weights and list don't have the same length.")
    out_dt = numpy.int64 if weights is None else numpy.float64
    if x.size == 0:
        return _core.zeros((minlength,), out_dt)
    lo = int(_reduction.amin(x).get())
    if lo < 0:
        raise ValueError("'list' argument must have no negative elements")
    hi = int(_reduction.amax(x).get())
    length = max(hi + 1, minlength)
    xc = _contiguous_1d(x.astype(numpy.int64, copy=False))
    w = None
    if weights is not None:
        w = weights.astype(numpy.float64, copy=False) if weights.dtype.kind in 'biuf' else \
            weights.astype(numpy.float64)
    return _launch_counts(2, xc, None, length, 0, 0, w, numpy.dtype(numpy.int64))


def _monotonicity(bins):
    """1 increasing, -1 decreasing, 0 neither (NumPy's rule, NaN after
    everything)."""
    if bins.size < 2:
        return 1
    a, b = bins[:-1], bins[1:]
    nan_a = a != a
    nan_b = b != b
    # increasing in NumPy's order: b >= a, or b is NaN
    if bool(((b >= a) | nan_b).all()):
        return 1
    if bool(((a >= b) | nan_a).all()):
        return -1
    return 0


_search_kernels = {}


def _searchsorted_right(sorted_, x, side):
    """searchsorted(sorted_, x, side) for 1-D increasing device `sorted_`."""
    dt = numpy.result_type(sorted_.dtype, x.dtype)
    key = (dt, side)
    k = _search_kernels.get(key)
    if k is None:
        cond = 'ga_h_lt(v, (T)s[mid])' if side == 'right' else '!ga_h_lt((T)s[mid], v)'
        k = _ew.ElementwiseKernel(
            'X x, raw T s, int64 ga_ns', 'int64 r',
            'const T v = (T)x; long long lo = 0, hi = ga_ns;'
            'while (lo < hi) { const long long mid = lo + (hi - lo) / 2;'
            ' if (' + cond + ') hi = mid; else lo = mid + 1; }'
            'r = lo', 'ga_digitize',
            preamble=_ew.template_sections('histogram.cuh')['prelude'])
        _search_kernels[key] = k
    s = sorted_.astype(dt, copy=False)
    if not s.flags.c_contiguous:
        s = s.copy()
    return k(x, s, s.size)


def digitize(x, bins, right=False):
    """The indices of the bins each value of x falls in (numpy.digitize):
    bins increasing or decreasing; `right` says which edge is inside."""
    from gpuarray import _ufuncs
    x = _as_array(x, 'digitize')
    bins = _as_array(bins, 'digitize')
    if x.dtype.kind == 'c':
        raise TypeError('x may not be complex')
    if bins.ndim != 1:
        raise ValueError('object too deep for desired array' if bins.ndim > 1 else
                         'object of too small depth for desired array')
    mono = _monotonicity(bins)
    if mono == 0:
        raise ValueError('bins must be monotonically increasing or decreasing')
    side = 'left' if right else 'right'
    if mono == -1:
        return _ufuncs.subtract(bins.size, _searchsorted_right(bins[::-1], x, side))
    return _searchsorted_right(bins, x, side)


_kernels_2d = {}


def _device_1d(e):
    if isinstance(e, _ndarray):
        return e if e.flags.c_contiguous else e.copy()
    return _core.asarray(numpy.ascontiguousarray(e))


def histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    """The bi-dimensional histogram of samples (x, y) (numpy.histogram2d):
    (H, xedges, yedges); H is float64, as NumPy's."""
    from gpuarray import _ufuncs
    x = _as_array(x, 'histogram2d')
    y = _as_array(y, 'histogram2d')
    if x.ndim != 1 or y.ndim != 1 or x.size != y.size:
        raise ValueError('x and y must be 1-D arrays of the same length' if x.size == y.size or
                         x.ndim != 1 or y.ndim != 1 else
                         'all the input array dimensions except for the concatenation axis '
                         'must match exactly')
    try:
        N = len(bins)
    except TypeError:
        N = 1
    if N != 1 and N != 2:
        bins = [bins, bins]
    if N == 1 and not isinstance(bins, (list, tuple)):
        bins = [bins, bins]
    if range is None:
        range = (None, None)
    edges_h = []
    for i, (s, b) in enumerate(zip((x, y), bins)):
        if numpy.ndim(b) == 0 and not isinstance(b, _ndarray):
            if b < 1:
                raise ValueError('`bins[{}]` must be positive, when an integer'.format(i))
            smin, smax = _outer_edges(s, range[i])
            try:
                nb = operator.index(b)
            except TypeError as e:
                raise TypeError('`bins[{}]` must be an integer, when a scalar'.format(i)) from e
            edges_h.append(numpy.linspace(smin, smax, nb + 1))
        else:
            edges_h.append(_edges_array(
                b, '`bins[{}]` must be a scalar or 1d array'.format(i),
                '`bins[{}]` must be monotonically increasing, when an array'.format(i)))
    nx, ny = edges_h[0].size - 1, edges_h[1].size - 1
    hist = _core.zeros((max(nx, 0), max(ny, 0)), numpy.float64)
    w = None
    if weights is not None:
        w = _as_array(weights, 'histogram2d')
        if w.shape != x.shape:
            raise ValueError('weights should have the same shape as x')
        w = w.astype(numpy.float64, copy=False)
    if x.size and nx > 0 and ny > 0:
        ex, ey = (_device_1d(e) for e in edges_h)
        # the comparisons are in the common type of samples and edges
        xt = numpy.result_type(x.dtype, ex.dtype)
        yt = numpy.result_type(y.dtype, ey.dtype)
        xs, ys = x.astype(xt, copy=False), y.astype(yt, copy=False)
        key = (xt, yt, ex.dtype, ey.dtype, w is not None)
        k = _kernels_2d.get(key)
        if k is None:
            def build():
                src = _ew.prelude(False, [('histogram.cuh', 'prelude')]) + _ew.fill(
                    'histogram.cuh', 'count2d', name='ga_histogram2d', x_t=_ew.ctype(xt),
                    y_t=_ew.ctype(yt), ex_t=_ew.ctype(ex.dtype), ey_t=_ew.ctype(ey.dtype),
                    w_t='double', weighted=int(w is not None))
                return src, 'ga_histogram2d'
            k = _ew.get_kernel(('hist2d',) + key, build)
            _kernels_2d[key] = k
        counts = hist if w is not None else _core.zeros(hist.shape, numpy.int64)
        n = x.size
        sms, host = _ew.device_info()
        grid = max(1, min(-(-n // 256), sms * 8))
        k(grid, 256, (xs, xs.strides[0], ys, ys.strides[0], n, ex, ex.size, ey, ey.size,
                      w, w.strides[0] if w is not None else 0, counts))
        if w is None:
            hist = counts.astype(numpy.float64)
    xe, ye = (_device_1d(e) for e in edges_h)
    if density:
        s = hist.sum()
        dx = _ufuncs.subtract(xe[1:], xe[:-1]).reshape((-1, 1))
        dy = _ufuncs.subtract(ye[1:], ye[:-1]).reshape((1, -1))
        hist = _ufuncs.true_divide(_ufuncs.true_divide(_ufuncs.true_divide(hist, dx), dy), s)
    return hist, xe, ye
