"""gpuarray._nanfunctions - reductions that ignore NaN (nansum, nanprod,
nanmean, nanvar, nanstd, nanmin, nanmax, nanargmin, nanargmax) and
nan_to_num, on the device.

The NaNs are skipped inside the reduction kernels (gpuarray._reduction)
by their map expressions, so nothing is copied: nansum maps NaN to 0,
nanmin combines with "the other one if one is NaN". Integers and bools
have no NaN: their nan-reductions are the plain ones, as in NumPy.

NumPy's warnings and errors for slices that are all NaN need a look at
the result: nanmin/nanmax/nanmean/nanvar/nanstd read back one flag to warn
(RuntimeWarning: "All-NaN slice encountered", "Mean of empty slice",
"Degrees of freedom <= 0 for slice."), nanargmin/nanargmax to raise
NumPy's ValueError.
"""

import warnings

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array as _as_array
from gpuarray import _elementwise as _ew
from gpuarray import _reduction as _red

__all__ = ['nansum', 'nanprod', 'nanmean', 'nanvar', 'nanstd', 'nanmin', 'nanmax',
           'nanargmin', 'nanargmax', 'nan_to_num']

_ndarray = _core.ndarray



def _has_nan(dt):
    return dt.kind in 'fc'


# ---------------------------------------------------- nansum, nanprod

def _b_nansum(op, identity):
    def build(in_dtype, rdtype):
        acc = _ew.compute_ctype(rdtype)
        red = _red._Reduction(
            'nan' + op, acc, _red._itemsize_of_ct(acc),
            '(ga_isnan(x0) ? ({a})({i}) : ({a})(x0))'.format(a=acc, i=identity),
            'a + b' if op == 'sum' else 'a * b', 'out0 = ga_cast<{}>(a)'.format(_ew.ctype(rdtype)),
            identity, vector=True, needs_complex=rdtype.kind == 'c' or in_dtype.kind == 'c')
        return red, _ew.compute_ctype(in_dtype), ()
    return build


_NANSUM = _red._Builtin('nansum', 'nansum', _b_nansum('sum', '0'))
_NANPROD = _red._Builtin('nanprod', 'nanprod', _b_nansum('prod', '1'))


def _nan_skipping(fname, reduction, builtin, a, axis, out, keepdims, initial, where,
                  dtype=None, warn_all_nan=False):
    """The nan-reductions' one body: the plain reduction where NaN cannot
    occur, a where= mask of the non-NaN elements where initial= or where=
    is given, else the builtin kernel that skips NaN; with warn_all_nan, a
    RuntimeWarning where a slice held only NaN (nanmin, nanmax). dtype= is
    passed only to the reductions that take one (sum, prod)."""
    a = _as_array(a, fname)
    kw = {} if dtype is None else {'dtype': dtype}
    if initial is not None or where is not True:
        return reduction(a, axis=axis, out=out, keepdims=keepdims, initial=initial,
                         where=_not_nan(a, where), **kw)
    if not _has_nan(a.dtype):
        return reduction(a, axis=axis, out=out, keepdims=keepdims, **kw)
    r = _red._simple(fname, a, axis, dtype, out, keepdims, builtin)
    if warn_all_nan:
        _warn_all_nan(r, stacklevel=4)
    return r


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """Sum over `axis` with NaN counted as zero (numpy.nansum)."""
    return _nan_skipping('nansum', _red.sum, _NANSUM, a, axis, out, keepdims, initial, where,
                         dtype=dtype)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """Product over `axis` with NaN counted as one (numpy.nanprod)."""
    return _nan_skipping('nanprod', _red.prod, _NANPROD, a, axis, out, keepdims, initial,
                         where, dtype=dtype)


# ---------------------------------------------------- nanmin, nanmax

def _b_nanminmax(op):
    def build(in_dtype, rdtype):
        acc = _ew.compute_ctype(in_dtype)
        fn = 'ga_minimum' if op == 'min' else 'ga_maximum'
        red = _red._Reduction(
            'nan' + op, acc, _red._itemsize_of_ct(acc), 'x0',
            '(ga_isnan(a) ? b : (ga_isnan(b) ? a : {}(a, b)))'.format(fn),
            'out0 = ga_cast<{}>(a)'.format(_ew.ctype(rdtype)), None, vector=True,
            needs_complex=in_dtype.kind == 'c')
        return red, acc, ()
    return build


_NANMIN = _red._Builtin('nanmin', 'nanmin', _b_nanminmax('min'),
                        'zero-size array to reduction operation fmin which has no identity')
_NANMAX = _red._Builtin('nanmax', 'nanmax', _b_nanminmax('max'),
                        'zero-size array to reduction operation fmax which has no identity')


def _warn_all_nan(r, message='All-NaN slice encountered', stacklevel=3):
    """The warning at the user's call: stacklevel counts the frames from
    here to it (3: the nan-function called this directly)."""
    from gpuarray import _ufuncs
    if r.size and bool(_ufuncs.isnan(r).any()):
        warnings.warn(message, RuntimeWarning, stacklevel=stacklevel)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    """Smallest element over `axis`, NaN ignored (numpy.nanmin); a slice of
    only NaN gives NaN and a RuntimeWarning."""
    return _nan_skipping('nanmin', _red.amin, _NANMIN, a, axis, out, keepdims, initial, where,
                         warn_all_nan=True)


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    """Largest element over `axis`, NaN ignored (numpy.nanmax)."""
    return _nan_skipping('nanmax', _red.amax, _NANMAX, a, axis, out, keepdims, initial, where,
                         warn_all_nan=True)


# ------------------------------------------------ nanargmin, nanargmax

def _b_nanarg(op):
    def build(in_dtype, rdtype):
        t = _ew.compute_ctype(in_dtype)
        inf = '{}(ga_bits_to_double(0x{}ULL))'.format(
            t, 'fff0000000000000' if op == 'argmax' else '7ff0000000000000')
        red = _red._Reduction(
            'nan' + op, 'ga_argpair<{}>'.format(t), _red.argpair_size(t),
            'ga_make_argpair(ga_isnan(x0) ? {} : x0, (long long)_j)'.format(inf),
            'ga_{}_reduce(a, b)'.format(op), 'out0 = ({})a.i'.format(_ew.ctype(rdtype)), None,
            vector=True, order_matters=True, needs_complex=in_dtype.kind == 'c')
        return red, t, ()
    return build


_NANARGMIN = _red._Builtin('nanargmin', 'nanargmin', _b_nanarg('argmin'),
                           'attempt to get argmin of an empty sequence')
_NANARGMAX = _red._Builtin('nanargmax', 'nanargmax', _b_nanarg('argmax'),
                           'attempt to get argmax of an empty sequence')


def _nanarg(fname, plain, make, a, axis, out, keepdims):
    from gpuarray import _ufuncs
    a = _as_array(a, fname)
    if isinstance(axis, (list, tuple)):
        raise TypeError("'tuple' object cannot be interpreted as an integer")
    if not _has_nan(a.dtype):
        return plain(a, axis=axis, out=out, keepdims=keepdims)
    if a.size and bool(_red.all(_ufuncs.isnan(a), axis=axis).any()):
        raise ValueError('All-NaN slice encountered')
    return _red._simple(fname, a, axis, None, out, keepdims, make)


def nanargmin(a, axis=None, out=None, *, keepdims=False):
    """Index of the smallest element, NaN ignored (numpy.nanargmin); a
    slice of only NaN is NumPy's ValueError."""
    return _nanarg('nanargmin', _red.argmin, _NANARGMIN, a, axis, out, keepdims)


def nanargmax(a, axis=None, out=None, *, keepdims=False):
    """Index of the largest element, NaN ignored (numpy.nanargmax)."""
    return _nanarg('nanargmax', _red.argmax, _NANARGMAX, a, axis, out, keepdims)


# ------------------------------------------------ nanmean, nanvar, nanstd

def _b_count(in_dtype, rdtype):
    red = _red._Reduction('nancount', 'long long', 8, '(ga_isnan(x0) ? 0LL : 1LL)', 'a + b',
                          'out0 = ga_cast<{}>(a)'.format(_ew.ctype(rdtype)), '0', vector=True,
                          needs_complex=in_dtype.kind == 'c')
    return red, _ew.compute_ctype(in_dtype), ()


class _Count(_red._Builtin):
    def result(self, in_dtype, dt_arg):
        return numpy.dtype(numpy.int64)


_COUNT = _Count('nancount', None, _b_count)


def _count(a, axis, keepdims):
    """The number of elements that are not NaN over `axis` (int64)."""
    return _red._simple('nancount', a, axis, None, None, keepdims, _COUNT)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """Mean over `axis` of the elements that are not NaN (numpy.nanmean);
    an all-NaN slice gives NaN and a RuntimeWarning."""
    from gpuarray import _ufuncs
    a = _as_array(a, 'nanmean')
    if where is not True:
        return _red.mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                         where=_not_nan(a, where))
    if not _has_nan(a.dtype):
        return _red.mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims)
    rdtype = _red._result_dtype('nanmean', a.dtype, None if dtype is None else numpy.dtype(dtype))
    tot = nansum(a, axis=axis, dtype=_red._acc_dtype_float(a.dtype, rdtype), keepdims=keepdims)
    cnt = _count(a, axis, keepdims)
    if cnt.size and bool((cnt == 0).any()):
        warnings.warn('Mean of empty slice', RuntimeWarning, stacklevel=2)
    r = _ufuncs.true_divide(tot, cnt, out=tot, casting='unsafe')
    if r.dtype != rdtype:
        r = r.astype(rdtype)
    return _deliver(r, out, 'nanmean')


def _deliver(r, out, fname):
    if out is None:
        return r
    if not isinstance(out, _ndarray):
        raise TypeError('{}: out must be a gpuarray.ndarray, not {}'.format(fname, type(out)))
    if out.shape != r.shape:
        raise ValueError('{}: output parameter has the wrong shape {} (expected {})'.format(
            fname, out.shape, r.shape))
    _ew.copy_into(r, out)
    return out


def _nanvar_impl(fname, a, axis, dtype, out, ddof, keepdims, root):
    from gpuarray import _ufuncs
    a = _as_array(a, fname)
    if not _has_nan(a.dtype):
        f = _red.std if root else _red.var
        return f(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)
    dt_arg = None if dtype is None else numpy.dtype(dtype)
    rdtype = _red._result_dtype(fname, a.dtype, dt_arg)
    # the mean, in the accumulation type of mean (float32 for float16)
    accd = _red._acc_dtype_float(a.dtype, _red._result_dtype('nanmean', a.dtype, dt_arg))
    axes = _red.normalize_axes(axis, a.ndim)
    cnt = _count(a, axis, False)
    mean = nansum(a, axis=axis, dtype=accd)
    _ufuncs.true_divide(mean, cnt, out=mean, casting='unsafe')
    # the sum of squared deviations of the elements that are not NaN
    racc = _ew.compute_ctype(numpy.dtype(accd.char.lower()) if accd.kind == 'c' else accd)
    macc = _ew.compute_ctype(accd)
    sq = _red._Reduction(
        fname + '_sq', racc, _red._itemsize_of_ct(racc),
        '(ga_isnan(x0) ? ({r})0 : ({r})ga_abs2(({m})x0 - ((const {m} *)ga_mean)[_p]))'.format(
            r=racc, m=macc), 'a + b', 'out0 = a', '0', params=('const void* ga_mean',),
        vector=True, needs_complex=accd.kind == 'c')
    P = mean.size
    rshape = _red._reduced_shape(a.shape, axes, False)
    rdt = numpy.dtype(numpy.float32 if racc == 'float' else numpy.float64)
    s = _core.empty(rshape, rdt)
    if P:
        plan = _red.plan_run(sq, [_red._Input(a, 'x0', _ew.compute_ctype(a.dtype))], a.shape,
                             axes, _ew.ctype(rdt), P)
        plan.launch((a,), (mean,), s)
    dof = _ufuncs.subtract(cnt, ddof)
    if dof.size and bool((dof <= 0).any()):
        warnings.warn('Degrees of freedom <= 0 for slice.', RuntimeWarning, stacklevel=3)
    v = _ufuncs.where(dof > 0, _ufuncs.true_divide(s, _ufuncs.maximum(dof, 1)),
                      numpy.nan)
    if root:
        v = _ufuncs.sqrt(v)
    if v.dtype != rdtype:
        v = v.astype(rdtype)
    if keepdims:
        v = v.reshape(_red._reduced_shape(a.shape, axes, True))
    return _deliver(v, out, fname)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
           correction=None):
    """Variance over `axis` of the elements that are not NaN (numpy.nanvar),
    divided by (count - ddof); NaN and a RuntimeWarning where that is <= 0."""
    ddof = _red._ddof(ddof, correction)
    if where is not True or mean is not None:
        a = _as_array(a, 'nanvar')
        return _red.var(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                        where=_not_nan(a, where), mean=mean)
    return _nanvar_impl('nanvar', a, axis, dtype, out, ddof, keepdims, False)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
           correction=None):
    """Standard deviation over `axis`, NaN ignored: sqrt(nanvar)."""
    ddof = _red._ddof(ddof, correction)
    if where is not True or mean is not None:
        a = _as_array(a, 'nanstd')
        return _red.std(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                        where=_not_nan(a, where), mean=mean)
    return _nanvar_impl('nanstd', a, axis, dtype, out, ddof, keepdims, True)


def _not_nan(a, where):
    """NumPy's where= of the nan-functions: the selected elements that are
    not NaN (the reductions' own where= then skips the rest)."""
    from gpuarray import _ufuncs
    keep = _ufuncs.logical_not(_ufuncs.isnan(a)) if _has_nan(a.dtype) else True
    if where is True:
        return keep
    return where if keep is True else _ufuncs.logical_and(keep, where)


# ------------------------------------------------------------ nan_to_num

_nan_to_num_kernel = None


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN replaced by `nan`, +inf by `posinf` (default: the dtype's
    largest value), -inf by `neginf` (default: its most negative), in both
    parts of complex numbers (numpy.nan_to_num). With copy=False, in place."""
    global _nan_to_num_kernel
    x = _as_array(x, 'nan_to_num')
    if not _has_nan(x.dtype):
        return x.copy() if copy else x
    y = x.copy() if copy else x
    parts = [y]
    if y.dtype.kind == 'c':
        from gpuarray._complex import real, imag
        parts = [real(y), imag(y)]
    part_dt = parts[0].dtype
    info = numpy.finfo(part_dt)
    vals = [part_dt.type(nan), part_dt.type(info.max if posinf is None else posinf),
            part_dt.type(info.min if neginf is None else neginf)]
    if _nan_to_num_kernel is None:
        _nan_to_num_kernel = _ew.ElementwiseKernel(
            'T x, T nanv, T posv, T negv', 'T y',
            'y = ga_isnan(x) ? nanv : (ga_isinf(x) ? (x > 0 ? posv : negv) : x)',
            'ga_nan_to_num')
    for p in parts:
        if p.size:
            _nan_to_num_kernel(p, *vals, p)
    return y
