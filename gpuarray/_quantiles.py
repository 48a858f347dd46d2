"""gpuarray._quantiles - order statistics over the device sort: ``median``,
``percentile`` and ``quantile``, with NumPy's parameters (axis as int or
tuple, out, keepdims, every one of NumPy's 13 methods; ``interpolation``
as the deprecated name of ``method``) and NumPy's results: the same result
dtypes, the same arithmetic in the same types (so the values agree bit for
bit), NaN for slices holding a NaN.

The reduced axes are moved last and sorted as rows (gpuarray._sorting).
median is then one kernel over the rows (the mean of the middle one or
two, as NumPy computes it). For quantiles a first kernel turns each q into
the two neighbouring order statistics and the weight between them (the
method's virtual index, in q's precision as NumPy), a second one
interpolates for every (q, row).

On the host backend NumPy's functions run on the arrays' memory
(gpuarray._radix.use_numpy), unless the kernels are forced.
"""

import warnings

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray import _manipulation
from gpuarray import _radix
from gpuarray import _reduction
from gpuarray import _sorting

__all__ = ['median', 'percentile', 'quantile']

_ndarray = _core.ndarray
_empty = _core.empty

#: NumPy's methods: (virtual index expression of n and q in the compute
#: type Q, gamma fix-up or None) for the interpolating ones; the index
#: expression (an integer) for the discrete ones. Q(x) is a cast.
_CONTINUOUS = {
    'averaged_inverted_cdf': ('(Q)n * q - (Q)1', 'g = g == (Q)0 ? (Q)0.5 : (Q)1;'),
    'interpolated_inverted_cdf': None,     # filled below from (alpha, beta)
    'hazen': None,
    'weibull': None,
    'linear': ('(Q)(n - 1) * q', None),
    'median_unbiased': None,
    'normal_unbiased': None,
    'midpoint': ('(Q)0.5 * (ga_floor((Q)(n - 1) * q) + ga_ceil((Q)(n - 1) * q))',
                 'g = (vi - ga_floor(vi) == (Q)0) ? (Q)0 : (Q)0.5;'),
}
_ALPHA_BETA = {'interpolated_inverted_cdf': (0.0, 1.0), 'hazen': (0.5, 0.5), 'weibull': (0.0, 0.0),
               'median_unbiased': (1 / 3.0, 1 / 3.0), 'normal_unbiased': (3 / 8.0, 3 / 8.0)}
for _m, (_a, _b) in _ALPHA_BETA.items():
    # NumPy: n * q + (alpha + q * (1 - alpha - beta)) - 1, the constants
    # in double (Python floats), then in q's type
    _CONTINUOUS[_m] = ('(Q)n * q + ((Q){!r} + q * (Q){!r}) - (Q)1'.format(_a, 1 - _a - _b), None)
del _m, _a, _b

_DISCRETE = {
    # inverted_cdf: index n*q - 1, the next order statistic unless on one
    'inverted_cdf': 'const Q x = (Q)n * q - (Q)1; const Q f = ga_floor(x);'
                    'long long r = (long long)(x - f == (Q)0 ? f : f + (Q)1);',
    # closest_observation: index n*q - 1.5, the nearest even order statistic on a tie
    'closest_observation': 'const Q x = (Q)n * q - (Q)1 - (Q)0.5; const Q f = ga_floor(x);'
                           'Q m = ga_fmod(f, (Q)2); if (m < (Q)0) m += (Q)2;'
                           'long long r = (long long)((x - f == (Q)0 && m == (Q)1) ? f : f + (Q)1);',
    'lower': 'long long r = (long long)ga_floor((Q)(n - 1) * q);',
    'higher': 'long long r = (long long)ga_ceil((Q)(n - 1) * q);',
    'nearest': 'long long r = (long long)ga_rint((Q)(n - 1) * q);',
    # linear with integer q: an integer index, no interpolation (NumPy's
    # take path)
    'linear_int': 'long long r = (long long)((Q)(n - 1) * q);',
}
_METHODS = ('inverted_cdf', 'averaged_inverted_cdf', 'closest_observation',
            'interpolated_inverted_cdf', 'hazen', 'weibull', 'linear', 'median_unbiased',
            'normal_unbiased', 'lower', 'higher', 'midpoint', 'nearest')


_host = _sorting.host_view
_up = _sorting.from_host


_kernels = {}

#: NumPy computes the virtual index (q * (n - 1) ...) and the lerp
#: (a + d * t) with a separate multiply and add; NVRTC would contract each
#: into one fma, whose single rounding differs from NumPy's in the last
#: bit. The index and lerp kernels are compiled without contraction.
_NO_CONTRACTION = ('--fmad=false',)


def _kernel(key, build):
    k = _kernels.get(key)
    if k is None:
        k = build()
        _kernels[key] = k
    return k


# ------------------------------------------------------------------ shapes

def _reduced_rows(a, axis, fname):
    """(C-contiguous (M, L) rows over the reduced axes, the kept shape, the
    keepdims shape)."""
    axes = _reduction.normalize_axes(axis, a.ndim)
    kept = [d for d in range(a.ndim) if d not in axes]
    t = _manipulation.transpose(a, kept + list(axes)) if kept + list(axes) != list(range(a.ndim)) \
        else a
    kshape = tuple(a.shape[d] for d in kept)
    L = _ew.size_of(tuple(a.shape[d] for d in axes))
    rows = (t if t.flags.c_contiguous else t.copy(order='C')).reshape(_ew.size_of(kshape), L)
    kd = tuple(1 if d in axes else a.shape[d] for d in range(a.ndim))
    return rows, kshape, kd


def _sorted_rows(rows):
    M, L = rows.shape
    if M == 0 or L == 0:
        return rows
    return _sorting._sort_rows(rows, M, False)


def _finish(result, out, fname):
    if out is None:
        return result
    if not isinstance(out, _ndarray):
        raise TypeError('{}: out must be a gpuarray.ndarray, not {}'.format(fname, type(out).__name__))
    if out.shape != result.shape:
        raise ValueError('{}: out has shape {}, the result {}'.format(fname, out.shape, result.shape))
    _ew.copy_into(result, out)
    return out


def _host_out(r, out, fname):
    return _finish(_up(numpy.asarray(r)), out, fname)


# ------------------------------------------------------------------ median

_MEDIAN_PREAMBLE = '''
template<typename A> GA_FN A ga_half_of(const A& x) { return x / (A)2; }
'''
_MEDIAN_PREAMBLE_COMPLEX = _MEDIAN_PREAMBLE + '''
template<typename T> GA_FN ga_complex<T> ga_half_of(const ga_complex<T>& x)
{
    return ga_complex<T>(x.re / (T)2, x.im / (T)2);
}
'''


def _median_kernel(acc_ct, nan_check, is_complex):
    def build():
        op = ('const long long base = (long long)i * L, h = L / 2;'
              '{A} x = (L % 2) ? ga_cast<{A}>(s[base + h])'
              '               : ga_half_of(ga_cast<{A}>(s[base + h - 1]) + ga_cast<{A}>(s[base + h]));'
              'out = ga_cast<R>(x);').format(A=acc_ct)
        if nan_check:
            op += 'const T last = s[base + L - 1]; if (ga_isnan(last)) out = ga_cast<R>(last);'
        return _ew.ElementwiseKernel('raw T s, int64 L', 'R out', op, 'ga_median',
                                     preamble=_MEDIAN_PREAMBLE_COMPLEX if is_complex
                                     else _MEDIAN_PREAMBLE)
    return _kernel(('median', acc_ct, nan_check, is_complex), build)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The median along `axis` (numpy.median: int, tuple or None; the mean
    of the two middle values for an even count, NaN where a slice holds a
    NaN). overwrite_input is accepted (the input is never changed)."""
    a = _sorting.as_device(a, 'median')
    _sorting._check_supported(a.dtype, 'median')
    if _radix.use_numpy():
        return _host_out(numpy.median(_host(a), axis=axis, keepdims=keepdims), out, 'median')
    T = a.dtype
    R = numpy.median(numpy.zeros(2, T)).dtype
    A = numpy.dtype(numpy.float32) if T == numpy.float16 else R
    rows, kshape, kd = _reduced_rows(a, axis, 'median')
    M, L = rows.shape
    res_shape = kd if keepdims else kshape
    if L == 0:
        warnings.warn('Mean of empty slice', RuntimeWarning, stacklevel=2)
        return _finish(_core.full(res_shape, numpy.nan, R), out, 'median')
    res = _empty((M,), R)
    if M:
        s = _sorted_rows(rows)
        _median_kernel(_ew.ctype(A), T.kind in 'fc', T.kind == 'c')(s, L, res)
    return _finish(res.reshape(res_shape), out, 'median')


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The median along `axis` ignoring NaNs (numpy.nanmedian): each row is
    sorted (NaNs go last), its count of numbers gives the middle positions,
    and the two middle values are gathered and averaged on the device; an
    all-NaN slice gives NaN with NumPy's RuntimeWarning. Integer input has
    no NaN: that is median."""
    from gpuarray import _reduction as red, _ufuncs
    from gpuarray._taking import take_along_axis
    a = _sorting.as_device(a, 'nanmedian')
    _sorting._check_supported(a.dtype, 'nanmedian')
    if a.dtype.kind not in 'fc':
        return median(a, axis=axis, out=out, keepdims=keepdims)
    if _radix.use_numpy():
        return _host_out(numpy.nanmedian(_host(a), axis=axis, keepdims=keepdims), out,
                         'nanmedian')
    T = a.dtype
    R = numpy.median(numpy.zeros(2, T)).dtype
    A = numpy.dtype(numpy.float32) if T == numpy.float16 else R
    rows, kshape, kd = _reduced_rows(a, axis, 'nanmedian')
    M, L = rows.shape
    res_shape = kd if keepdims else kshape
    if M == 0 or L == 0:
        if M and not L:
            warnings.warn('All-NaN slice encountered', RuntimeWarning, stacklevel=2)
        return _finish(_core.full(res_shape, numpy.nan, R), out, 'nanmedian')
    s = _sorted_rows(rows)
    count = red.sum(_ufuncs.logical_not(_ufuncs.isnan(s)), axis=1, dtype=numpy.int64)
    lo = _ufuncs.maximum(_ufuncs.floor_divide(count - 1, 2), 0).reshape((M, 1))
    hi = _ufuncs.minimum(_ufuncs.floor_divide(count, 2), L - 1).reshape((M, 1))
    vlo = take_along_axis(s, lo, axis=1).reshape(M).astype(A)
    vhi = take_along_axis(s, hi, axis=1).reshape(M).astype(A)
    mid = _ufuncs.true_divide(_ufuncs.add(vlo, vhi), 2).astype(R)
    empty = count == 0
    if bool(empty.any().get()):
        warnings.warn('All-NaN slice encountered', RuntimeWarning, stacklevel=2)
        mid = _ufuncs.where(empty, R.type(numpy.nan), mid)
    return _finish(mid.reshape(res_shape), out, 'nanmedian')


# --------------------------------------------------------------- quantiles

def _index_kernel(method, q_ct, r_ct):
    """Per q: (prev, next) order statistics (-1: the last), the weight t
    and 1 - t in the result type R, and whether t >= 0.5 (NumPy's lerp
    takes the upper form there)."""
    def build():
        head = 'typedef {} Q;'.format(q_ct)
        if method in _DISCRETE:
            op = (_DISCRETE[method] + 'if (r < 0) r = 0; if (r > n - 1) r = n - 1;'
                  'prev = r; next = r; t = (R)0; omt = (R)1; hi = false;')
        else:
            vexpr, fix = _CONTINUOUS[method]
            # NumPy's _get_indexes: floor and floor + 1; past the end both
            # the last, before the start both the first, NaN the last
            op = ('const Q vi = {v};'
                  'long long p = (long long)ga_floor(vi), x = p + 1;'
                  'if (vi >= (Q)(n - 1)) {{ p = -1; x = -1; }}'
                  'if (vi < (Q)0) {{ p = 0; x = 0; }}'
                  'if (vi != vi) {{ p = -1; x = -1; }}'
                  'Q g = vi - (Q)p;'
                  '{fix}'
                  'prev = p < 0 ? n - 1 : p; next = x < 0 ? n - 1 : x;'
                  't = ga_cast<R>(g); omt = ga_cast<R>((Q)1 - g); hi = g >= (Q)0.5;').format(
                      v=vexpr, fix=fix or '')
        # (the kernel's own loop bound is `n`: the count shadows it here)
        op = 'const long long n = ga_count;' + op
        return _ew.ElementwiseKernel('Q2 q, int64 ga_count',
                                     'int64 prev, int64 next, R t, R omt, bool hi',
                                     op, 'ga_quantile_index', preamble=head,
                                     options=_NO_CONTRACTION)
    return _kernel(('qindex', method, q_ct, r_ct), build)


def _lerp_kernel(take, nan_check):
    """out[(iq, m)] from the sorted rows s (M rows of L)."""
    def build():
        op = ('const long long iq = (long long)i / M, m = (long long)i - iq * M;'
              'const long long base = m * L;')
        if take:
            op += 'out = ga_cast<R>(s[base + prev[iq]]);'
        else:
            # NumPy's _lerp: the difference in the data's type, the rest in R
            op += ('const T a = s[base + prev[iq]], b = s[base + next[iq]];'
                   'const R d = ga_cast<R>((T)(b - a));'
                   'if (hi[iq]) out = ga_cast<R>(ga_cast<R>(b) - ga_cast<R>(d * omt[iq]));'
                   'else out = ga_cast<R>(ga_cast<R>(a) + ga_cast<R>(d * t[iq]));')
        if nan_check:
            op += 'const T last = s[base + L - 1]; if (ga_isnan(last)) out = ga_cast<R>(last);'
        return _ew.ElementwiseKernel(
            'raw T s, raw int64 prev, raw int64 next, raw R t, raw R omt, raw bool hi, int64 L, '
            'int64 M', 'R out', op, 'ga_quantile_lerp', options=_NO_CONTRACTION)
    return _kernel(('qlerp', take, nan_check), build)


def _check_method(method, interpolation, fname):
    if interpolation is not None:
        warnings.warn('the `interpolation=` argument to {} was renamed to `method=`, which has '
                      'additional options.\nUsers of the modes \'nearest\', \'lower\', '
                      '\'higher\', or \'midpoint\' are encouraged to review the method they '
                      'used. (Deprecated NumPy 1.22)'.format(fname), DeprecationWarning,
                      stacklevel=3)
        if method != 'linear':
            raise TypeError('You shall not pass both `method` and `interpolation`!\n'
                            '(`interpolation` is Deprecated in favor of `method`)')
        method = interpolation
    if method not in _METHODS:
        raise ValueError('{!r} is not a valid method. Use one of: {}'.format(
            method, 'dict_keys({!r})'.format(list(_METHODS))))
    return method


def _quantile(fname, a, q, axis, out, method, keepdims, weights, interpolation, scale):
    a = _sorting.as_device(a, fname)
    _sorting._check_supported(a.dtype, fname)
    if a.dtype.kind == 'c':
        raise TypeError('a must be an array of real numbers')
    method = _check_method(method, interpolation, fname)
    if weights is not None:
        raise NotImplementedError('{}: weights are not supported by gpuarray yet'.format(fname))
    weak = type(q) in (int, float)
    what = 'Percentiles must be in the range [0, 100]' if scale == 100 else \
        'Quantiles must be in the range [0, 1]'
    if isinstance(q, _ndarray):
        qd = q / scale if scale != 1 else q
        if qd.ndim > 2:
            raise ValueError('q must be a scalar or 1d')
        if qd.size and bool(((qd < 0) | (qd > 1) | (qd != qd)).any()):
            raise ValueError(what)
        q_like = numpy.full(qd.shape, 0.5, qd.dtype)
    else:
        qh = numpy.true_divide(q, scale) if scale != 1 else numpy.asanyarray(q)
        if qh.ndim > 2:
            raise ValueError('q must be a scalar or 1d')
        if qh.size and not (qh.min() >= 0 and qh.max() <= 1):
            raise ValueError(what)
        q_like = q if weak else numpy.full(qh.shape, 0.5, qh.dtype)
        qd = None
    if _radix.use_numpy():
        fn = numpy.percentile if scale == 100 else numpy.quantile
        qq = q.get() if isinstance(q, _ndarray) else q
        return _host_out(fn(_host(a), qq, axis=axis, method=method, keepdims=keepdims), out, fname)
    if isinstance(q_like, numpy.ndarray) and scale == 100:
        q_like = q_like * 100
    # NumPy decides the result's dtype (and refuses bool data) on a sample
    T = a.dtype
    fn = numpy.percentile if scale == 100 else numpy.quantile
    R = numpy.asarray(fn(numpy.zeros(2, T), q_like, method=method)).dtype
    qshape = () if qd is None and weak else (qd.shape if qd is not None else qh.shape)
    G = qd.dtype if qd is not None else numpy.asarray(qh).dtype
    take = method in _DISCRETE or (method == 'linear' and G.kind in 'biu')
    Qdt = numpy.dtype(numpy.float64) if (weak or G.kind in 'biu') else \
        numpy.dtype(numpy.float32) if G == numpy.float16 else G

    rows, kshape, kd = _reduced_rows(a, axis, fname)
    M, L = rows.shape
    res_shape = qshape + (kd if keepdims else kshape)
    if L == 0:
        raise IndexError('index -1 is out of bounds for axis 0 with size 0')
    nq = _ew.size_of(qshape)
    res = _empty((nq * M,), R)
    if nq and M:
        qdev = (qd if qd is not None else _core.asarray(numpy.asarray(qh))).reshape(-1)
        qdev = qdev if qdev.dtype == Qdt else qdev.astype(Qdt)
        qdev = qdev if qdev.flags.c_contiguous else qdev.copy()
        prev = _empty((nq,), numpy.int64)
        nxt = _empty((nq,), numpy.int64)
        t = _empty((nq,), R)
        omt = _empty((nq,), R)
        hi = _empty((nq,), numpy.bool_)
        imethod = 'linear_int' if take and method == 'linear' else method
        _index_kernel(imethod, _ew.ctype(Qdt), _ew.ctype(R))(qdev, L, prev, nxt, t, omt, hi)
        s = _sorted_rows(rows)
        _lerp_kernel(take, T.kind == 'f')(s, prev, nxt, t, omt, hi, L, M, res)
        if res_shape == () and out is None and T.kind == 'f' and R != T:
            # NumPy: a 0-d result of a slice holding a NaN is that NaN in
            # the data's dtype (one element read back to decide)
            last = s[0, L - 1]
            if bool(last != last):
                return last.copy()
    return _finish(res.reshape(res_shape), out, fname)


def quantile(a, q, axis=None, out=None, overwrite_input=False, method='linear', keepdims=False,
             *, weights=None, interpolation=None):
    """The q-th quantiles (q in [0, 1]) along `axis` (numpy.quantile; the
    result has q's dimensions first). weights are not supported yet."""
    return _quantile('quantile', a, q, axis, out, method, keepdims, weights, interpolation, 1)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method='linear', keepdims=False,
               *, weights=None, interpolation=None):
    """The q-th percentiles (q in [0, 100]) along `axis` (numpy.percentile)."""
    return _quantile('percentile', a, q, axis, out, method, keepdims, weights, interpolation, 100)
