"""gpuarray._ufunc_methods - the methods of gpuarray's ufuncs: ``reduce``,
``accumulate``, ``reduceat``, ``outer`` and ``at``, with NumPy's
parameters, result dtypes (asked of NumPy's own method on a tiny probe)
and errors. ``install(ufunc)`` attaches them to gpuarray._ufuncs.ufunc, so
that ``gpuarray.add.reduce(x, axis=0)`` and NumPy's dispatch of
``numpy.add.reduce(x)`` reach them.

- reduce: a reduction kernel of gpuarray._reduction whose combining
  function is the ufunc's own loop expression (a tree: for the
  reorderable ufuncs, gpuarray._ufuncs.reorderable); the others
  (subtract, divide...) are sequential by definition and run the serial
  scan kernel that keeps only each row's last value.
- accumulate: gpuarray._scan (a parallel scan where reorderable).
- reduceat: a thread per output element with a loop over its segment.
- outer: the ufunc on broadcast views (no copies).
- at: an unbuffered scatter, a thread per selected element, applied with
  atomics (compare-and-swap on the element's 32- or 64-bit word, native
  atomicAdd for add on 32/64-bit types), so repeated indices accumulate as
  in NumPy. The order of the updates to one element is not NumPy's
  sequential order: float results agree to rounding. complex128 has no
  64-bit word: add/subtract update its two parts separately, the other
  ufuncs run one thread over all updates in order.
"""

import operator

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array as _as_array
from gpuarray import _elementwise as _ew
from gpuarray import _reduction as _red

_ndarray = _core.ndarray
_empty = _core.empty
_NoValue = getattr(numpy, '_NoValue', object())



def _check_binary(uf, method, what):
    if uf.nin != 2:
        raise ValueError('{} only supported for binary functions'.format(what))
    if uf.nout != 1:
        raise ValueError('{} only supported for functions returning a single value'.format(
            method))


def _c_literal(value, dt):
    """A C expression of the value `value` (a NumPy scalar) of dtype `dt`,
    in dt's compute C type."""
    ct = _ew.compute_ctype(dt)
    k = dt.kind
    if k == 'b':
        return 'true' if bool(value) else 'false'
    if k in 'iu':
        v = int(value)
        return '(({}){}{})'.format(ct, v, 'ULL' if k == 'u' else 'LL')
    if k == 'f':
        bits = numpy.float64(value).view(numpy.uint64)
        return '(({})ga_bits_to_double({}ULL))'.format(ct, int(bits))
    v = complex(value)
    re = int(numpy.float64(v.real).view(numpy.uint64))
    im = int(numpy.float64(v.imag).view(numpy.uint64))
    return '{}(ga_bits_to_double({}ULL), ga_bits_to_double({}ULL))'.format(ct, re, im)


def _value_of(x, dt):
    """Python/NumPy scalar (or 0-d device array) `x` as a NumPy scalar of
    `dt` (NumPy's unsafe cast, as the identity of a reduction is cast)."""
    if isinstance(x, _ndarray):
        x = x.get()
    with numpy.errstate(all='ignore'):
        return numpy.asarray(x).astype(dt, casting='unsafe')[()]


def _combine_fn(uf, loop):
    """C source of ga_uf(x0, x1): the ufunc's loop expression on two values
    of the loop's compute type (and the helper sections it needs)."""
    from gpuarray import _ufuncs
    expr = uf._expr((loop, loop), loop)
    ct = _ew.compute_ctype(loop)
    pre = ''.join(_ew.template_sections(f)[s] for f, s in _ufuncs._extra_sections(expr))
    return expr, pre + 'GA_FN {ct} ga_uf(const {ct}& x0, const {ct}& x1) {{ return ga_cast<{ct}>({e}); }}\n'.format(
        ct=ct, e=expr)


# ------------------------------------------------------------------ reduce

_resolved = {}


def _method_dtype(uf, method, in_dtype, dtype, out_dtype):
    """The loop dtype NumPy's `uf.<method>` computes in (dtype= first, then
    out's dtype, else what NumPy gives on a two-element probe)."""
    key = (uf.name, method, in_dtype, dtype, out_dtype)
    r = _resolved.get(key)
    if r is None:
        kw = {}
        if dtype is not None:
            kw['dtype'] = dtype
        probe = numpy.ones(2, in_dtype)
        args = (probe, [0]) if method == 'reduceat' else (probe,)
        if out_dtype is not None:
            kw['out'] = numpy.empty(1 if method == 'reduceat' else (), out_dtype)
        with numpy.errstate(all='ignore'):
            res = getattr(uf._np, method)(*args, **kw)
        r = numpy.dtype(dtype) if dtype is not None else (
            numpy.dtype(out_dtype) if out_dtype is not None else numpy.asarray(res).dtype)
        _ew.ctype(r)
        _resolved[key] = r
    return r


_plans = {}


def reduce(self, array, axis=0, dtype=None, out=None, keepdims=False, initial=_NoValue,
           where=True):
    """Reduce `array` over `axis` (an int, a tuple, or None for all) with
    this ufunc (numpy.ufunc.reduce): ``add.reduce`` is sum, ``maximum.reduce``
    max... `initial` starts every reduction; `where` (a bool array that
    broadcasts to `array`) picks the elements that take part."""
    from gpuarray import _ufuncs
    _check_binary(self, 'reduce', 'reduce')
    a = _as_array(array, self.name + '.reduce')
    _ew.ctype(a.dtype)
    if out is not None and isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        out = out[0]
    if a.ndim == 0:
        axes = ()
    else:
        axes = _red.normalize_axes(axis, a.ndim)
    loop = _method_dtype(self, 'reduce', a.dtype, None if dtype is None else numpy.dtype(dtype),
                         None if out is None else out.dtype)
    ordered = not _ufuncs.reorderable(self)
    if ordered and len(axes) > 1:
        raise ValueError("reduction operation '{}' is not reorderable, so at most one axis may "
                         "be specified".format(self.name))
    identity = self._np.identity
    have_initial = initial is not _NoValue and initial is not None
    if initial is None:
        have_initial = False
    mask = None
    if not (isinstance(where, (bool, numpy.bool_)) and bool(where)):
        if not have_initial and identity is None:
            raise ValueError("reduction operation '{}' does not have an identity, so to use a "
                             "where mask one has to specify 'initial'".format(self.name))
        mask = _as_array(where, self.name + '.reduce')
        if mask.dtype.kind != 'b':
            mask = mask.astype(numpy.bool_)
        _ew.broadcast_shapes([a.shape, mask.shape])
        if _ew.broadcast_shapes([a.shape, mask.shape]) != a.shape:
            raise ValueError('operands could not be broadcast together with remapped shapes')
    rshape = _red._reduced_shape(a.shape, axes, keepdims)
    M = _ew.size_of(tuple(a.shape[d] for d in axes))
    P = _ew.size_of(rshape)
    if M == 0 and P and identity is None and not have_initial:
        raise ValueError('zero-size array to reduction operation {} which has no '
                         'identity'.format(self.name))
    if out is not None:
        if not isinstance(out, _ndarray):
            raise TypeError('output must be a gpuarray.ndarray, not {}'.format(type(out)))
        if out.shape != rshape:
            raise ValueError('output parameter for reduction operation {} has the wrong number '
                             'of dimensions: found {}, expected {}'.format(
                                 self.name, out.ndim, len(rshape)) if out.ndim != len(rshape)
                             else 'output parameter has the wrong shape {} (expected {})'.format(
                                 out.shape, rshape))
    if ordered:
        if mask is not None:
            raise NotImplementedError('gpuarray: {}.reduce with a where mask (the ufunc is not '
                                      'reorderable)'.format(self.name))
        return _reduce_ordered(self, a, axes, loop, out, keepdims, initial if have_initial
                               else _NoValue, rshape)
    init_lit = None
    if have_initial:
        init_lit = _c_literal(_value_of(initial, loop), loop)
    ident_lit = _c_literal(_value_of(identity, loop), loop) if identity is not None else init_lit
    result, user_out = _red._output(out, rshape, loop, self.name + '.reduce')
    if P == 0:
        return _red._finish(result, user_out)
    key = ('ufr', self.name, loop, a.dtype, a.shape, a.strides, axes,
           None if mask is None else (mask.shape, mask.strides), init_lit)
    plan = _plans.get(key)
    if plan is None:
        expr, fn = _combine_fn(self, loop)
        ct = _ew.compute_ctype(loop)
        post = 'out0 = ga_cast<{}>({})'.format(
            _ew.ctype(loop), 'a' if init_lit is None else 'ga_uf({}, a)'.format(init_lit))
        inputs = [_red._Input(a, 'x0', ct)]
        map_expr = 'x0'
        if mask is not None:
            inputs.append(_red._Input(mask, 'x1', 'bool'))
            map_expr = '(x1 ? x0 : {})'.format(ident_lit)
        r = _red._Reduction('uf_' + self.name, ct, _red._itemsize_of_ct(ct), map_expr,
                            'ga_uf(a, b)', post, ident_lit, preamble=fn, vector=mask is None,
                            needs_complex=loop.kind == 'c')
        plan = _red.plan_run(r, inputs, a.shape, axes, _ew.ctype(loop), P)
        if len(_plans) > 4096:
            _plans.clear()
        _plans[key] = plan
    arrays = (a,) if mask is None else (a, mask)
    plan.launch(arrays, (), result)
    return _red._finish(result, user_out)


def _reduce_ordered(uf, a, axes, loop, out, keepdims, initial, rshape):
    """reduce of a ufunc that is not reorderable: along its one axis, in
    order (the serial scan kernel keeping each row's last value)."""
    from gpuarray import _scan
    from gpuarray._manipulation import concatenate
    if not axes:
        r = a.astype(loop)
        if initial is not _NoValue:
            r = uf(_value_of(initial, loop), r, dtype=loop)
        return _deliver(r.reshape(rshape), out)
    ax = axes[0]
    if initial is not _NoValue:
        shape = list(a.shape)
        shape[ax] = 1
        first = _empty(tuple(shape), loop)
        first.fill(_value_of(initial, loop))
        a = concatenate([first, a.astype(loop)], axis=ax)
    elif a.shape[ax] == 0:
        raise ValueError('zero-size array to reduction operation {} which has no '
                         'identity'.format(uf.name))
    flat_shape = tuple(n for d, n in enumerate(a.shape) if d != ax)
    r = _empty(flat_shape, loop)
    if r.size:
        expr = uf._expr((loop, loop), loop)
        _scan.scan_into(a, ax, r, expr, _ew.compute_ctype(loop), associative=False,
                        last_only=True)
    return _deliver(r.reshape(rshape), out)


def _deliver(r, out):
    if out is None:
        return r
    _ew.copy_into(r, out)
    return out


# -------------------------------------------------------------- accumulate

def accumulate(self, array, axis=0, dtype=None, out=None):
    """The running reduction along `axis` (numpy.ufunc.accumulate):
    ``add.accumulate`` is cumsum, ``maximum.accumulate`` the running max."""
    from gpuarray import _scan
    _check_binary(self, 'accumulate', 'accumulate')
    a = _as_array(array, self.name + '.accumulate')
    if a.ndim == 0:
        raise TypeError('cannot accumulate on a scalar')
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        out = out[0]
    if axis is None or isinstance(axis, (tuple, list)):
        axes = (0,) if axis is None and a.ndim == 1 else (
            tuple(axis) if axis is not None else None)
        if axes is None or len(axes) != 1:
            raise ValueError('accumulate does not allow multiple axes')
        axis = axes[0]
    axis = _red._normalize_axis_tuple(operator.index(axis), a.ndim)[0]
    return _scan.accumulate(self, a, axis, dtype, out)


# ---------------------------------------------------------------- reduceat

_reduceat_kernels = {}


def reduceat(self, array, indices, axis=0, dtype=None, out=None):
    """Reductions over the slices [indices[i], indices[i+1]) along `axis`
    (numpy.ufunc.reduceat): where indices[i] >= indices[i+1] the result is
    array[indices[i]]; the last slice runs to the end."""
    _check_binary(self, 'reduceat', 'reduceat')
    a = _as_array(array, self.name + '.reduceat')
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        out = out[0]
    if a.ndim == 0:
        raise TypeError('cannot reduceat on a scalar')
    axis = _red._normalize_axis_tuple(operator.index(axis), a.ndim)[0]
    idx = _as_array(indices, self.name + '.reduceat')
    if idx.dtype.kind not in 'iu':
        if idx.size == 0 or idx.dtype.kind == 'b':
            idx = idx.astype(numpy.int64)
        else:
            raise TypeError("Cannot cast array data from {!r} to dtype('int64') according to "
                            "the rule 'safe'".format(idx.dtype))
    if idx.ndim != 1:
        raise ValueError('index array must be 1-dimensional')
    loop = _method_dtype(self, 'reduceat', a.dtype, None if dtype is None else numpy.dtype(dtype),
                         None if out is None else out.dtype)
    n = a.shape[axis]
    K = idx.size
    if K:
        lo, hi = int(_red.amin(idx)), int(_red.amax(idx))
        for v in (lo, hi):
            if v < 0 or v >= n:
                raise IndexError('index {} out-of-bounds in {}.reduceat [0, {})'.format(
                    v, self.name, n))
    shape = a.shape[:axis] + (K,) + a.shape[axis + 1:]
    if out is not None:
        if not isinstance(out, _ndarray):
            raise TypeError('output must be a gpuarray.ndarray')
        if out.shape != shape:
            raise ValueError('output operand has the wrong shape {} (expected {})'.format(
                out.shape, shape))
    result = _empty(shape, loop)
    if result.size:
        src = a if a.flags.c_contiguous else _ew.copy(a)
        idx64 = idx.astype(numpy.int64, copy=False) if idx.flags.c_contiguous else \
            _ew.copy(idx, numpy.int64)
        R = _ew.size_of(a.shape[axis + 1:])
        key = (self.name, src.dtype, loop)
        k = _reduceat_kernels.get(key)
        if k is None:
            expr, fn = _combine_fn(self, loop)
            ct = _ew.compute_ctype(loop)
            load = _ew.cast(_ew.cast('src[ga_b + {j} * ga_r]', _ew.ctype(src.dtype),
                                     _ew.ctype(loop)), _ew.ctype(loop), ct)
            op = '\n'.join([
                'const long long ga_kr = ga_k * ga_r;',
                'const long long ga_o = (long long)i / ga_kr;',
                'const long long ga_rem = (long long)i - ga_o * ga_kr;',
                'const long long ga_s = ga_rem / ga_r;',
                'const long long ga_b = ga_o * ga_n * ga_r + (ga_rem - ga_s * ga_r);',
                'const long long ga_lo = idx[ga_s];',
                'const long long ga_hi = ga_s + 1 < ga_k ? idx[ga_s + 1] : ga_n;',
                '{} ga_acc = {};'.format(ct, load.format(j='ga_lo')),
                'for (long long ga_j = ga_lo + 1; ga_j < ga_hi; ga_j++)',
                '    ga_acc = ga_uf(ga_acc, {});'.format(load.format(j='ga_j')),
                'out = {};'.format(_ew.cast('ga_cast<{}>(ga_acc)'.format(_ew.ctype(loop)),
                                            _ew.ctype(loop), _ew.ctype(loop)))])
            k = _ew.ElementwiseKernel(
                'raw {} src, raw int64 idx, int64 ga_n, int64 ga_k, int64 ga_r'.format(
                    src.dtype.name), '{} out'.format(loop.name), op,
                'ga_reduceat_' + self.name, preamble=fn)
            _reduceat_kernels[key] = k
        k(src, idx64, n, K, R, result)
    return _deliver(result, out)


# ------------------------------------------------------------------- outer

def outer(self, A, B, /, **kwargs):
    """The ufunc of every element of A with every element of B
    (numpy.ufunc.outer): result shape A.shape + B.shape."""
    if self.nin != 2:
        raise ValueError('outer product only supported for binary functions')
    if isinstance(A, numpy.ndarray) or isinstance(B, numpy.ndarray):
        raise TypeError('{}.outer: a host NumPy array is not a gpuarray.ndarray (use '
                        'gpuarray.asarray)'.format(self.name))
    if not isinstance(A, _ndarray):
        A = _core.asarray(A)
    if not isinstance(B, _ndarray):
        B = _core.asarray(B)
    A = A.reshape(A.shape + (1,) * B.ndim)
    return self(A, B, **kwargs)


# ---------------------------------------------------------------------- at

_at_kernels = {}

_AT_SOURCE = '''
typedef {a_ct} ga_a_t;
typedef {b_ct} ga_b_t;
{fn}
GA_FN ga_a_t ga_at_new(const ga_a_t& ga_old, const ga_b_t& ga_v)
{{
    const {c0} x0 = {x0};
    const {c1} x1 = {x1};
    (void)x1;
    return {result};
}}
/* the element's new value from its current one, retried until no other
 * thread changed the word in between */
GA_FN void ga_at_update(ga_a_t* p, const ga_b_t& v)
{{
#if {mode} == 0        /* the element is a whole 32- or 64-bit word */
    typedef {word} W;
    union U {{ W w; ga_a_t a; }};
    W* const wp = (W*)p;
    U cur;
    cur.w = *(volatile W*)wp;
    for (;;) {{
        U nw;
        nw.w = cur.w;
        nw.a = ga_at_new(cur.a, v);
        const W seen = atomicCAS(wp, cur.w, nw.w);
        if (seen == cur.w)
            break;
        cur.w = seen;
    }}
#elif {mode} == 1      /* 1 or 2 bytes inside an aligned 32-bit word */
    const unsigned long long addr = (unsigned long long)p;
    unsigned int* const wp = (unsigned int*)(addr & ~3ULL);
    const unsigned int shift = (unsigned int)(addr & 3ULL) * 8u;
    const unsigned int mask = (sizeof(ga_a_t) == 1 ? 0xffu : 0xffffu) << shift;
    unsigned int cur = *(volatile unsigned int*)wp;
    for (;;) {{
        union {{ unsigned int u; ga_a_t a; }} x;
        x.u = (cur & mask) >> shift;
        x.a = ga_at_new(x.a, v);
        const unsigned int word = (cur & ~mask) | ((x.u << shift) & mask);
        const unsigned int seen = atomicCAS(wp, cur, word);
        if (seen == cur)
            break;
        cur = seen;
    }}
#elif {mode} == 2      /* add on a type with a native atomicAdd */
    atomicAdd(({word}*)p, ({word})ga_at_new(ga_a_t(0), v));
#elif {mode} == 3      /* complex128 add/subtract: the two parts apart */
    const ga_a_t d = ga_at_new(ga_a_t(0), v);
    atomicAdd(&p->re, d.re);
    atomicAdd(&p->im, d.im);
#else                  /* one thread, in order */
    *p = ga_at_new(*p, v);
#endif
}}
'''

_NATIVE_ADD = {numpy.dtype(t): w for t, w in [
    ('int32', 'int'), ('uint32', 'unsigned int'), ('int64', 'unsigned long long'),
    ('uint64', 'unsigned long long'), ('float32', 'float'), ('float64', 'double')]}


def _at_kernel(uf, a_dt, b_dt, loop_in, loop_out):
    key = (uf.name, a_dt, b_dt, loop_in, loop_out)
    k = _at_kernels.get(key)
    if k is not None:
        return k
    from gpuarray import _ufuncs
    expr = uf._expr(loop_in, loop_out)
    pre = ''.join(_ew.template_sections(f)[s] for f, s in _ufuncs._extra_sections(expr))
    a_ct = _ew.ctype(a_dt)
    b_ct = _ew.ctype(b_dt) if b_dt is not None else a_ct
    c0 = _ew.compute_ctype(loop_in[0])
    x0 = _ew.cast(_ew.cast('ga_old', a_ct, _ew.ctype(loop_in[0])), _ew.ctype(loop_in[0]), c0)
    if uf.nin == 2:
        c1 = _ew.compute_ctype(loop_in[1])
        x1 = _ew.cast(_ew.cast('ga_v', b_ct, _ew.ctype(loop_in[1])), _ew.ctype(loop_in[1]), c1)
    else:
        c1, x1 = b_ct, 'ga_v'
    result = _ew.cast('ga_cast<{}>({})'.format(_ew.ctype(loop_out), expr), _ew.ctype(loop_out),
                      a_ct)
    size = a_dt.itemsize
    additive = uf.name in ('add', 'subtract') and uf.nin == 2
    word = ''
    if additive and a_dt in _NATIVE_ADD and loop_out == a_dt:
        mode, word = 2, _NATIVE_ADD[a_dt]
    elif size in (4, 8):
        mode, word = 0, 'unsigned int' if size == 4 else 'unsigned long long'
    elif size in (1, 2):
        mode = 1
    elif additive and a_dt.kind == 'c':
        mode = 3
    else:
        mode = 4
    src = _AT_SOURCE.format(a_ct=a_ct, b_ct=b_ct, fn=pre, c0=c0, x0=x0, c1=c1, x1=x1,
                            result=result, mode=mode, word=word)
    scalar_b = b_dt is None
    op = '\n'.join([
        'const long long ga_s = (long long)i / ga_inner;',
        'const long long ga_pos = sel[ga_s] * ga_inner + ((long long)i - ga_s * ga_inner);',
        'ga_at_update(&dst[ga_pos], {});'.format('ga_b_t(0)' if scalar_b else 'vals[i]')])
    if mode == 4:
        op = 'for (long long i = 0; i < ga_total; i++) {\n' + op + '\n}'
    params = 'raw int64 sel, int64 ga_inner, int64 ga_total'
    if not scalar_b:
        params = 'raw {} vals, '.format(b_dt.name) + params
    k = (_ew.ElementwiseKernel(params, 'raw {} dst'.format(a_dt.name), op,
                               'ga_at_' + uf.name, preamble=src), mode == 4)
    _at_kernels[key] = k
    return k


def at(self, a, indices, b=None):
    """Apply the ufunc in place to the elements of `a` that
    ``a[indices]`` selects, once per occurrence of an index (unbuffered,
    numpy.ufunc.at): ``gpuarray.add.at(a, idx, v)`` accumulates every v
    whose index repeats. The result is cast to a's dtype ('unsafe', as
    NumPy)."""
    from gpuarray import _indexing
    if self.nout != 1:
        raise ValueError('at only supported for functions returning a single value')
    if not isinstance(a, _ndarray):
        raise TypeError('{}.at: the first operand must be a gpuarray.ndarray, not {}'.format(
            self.name, type(a).__name__))
    if self.nin == 2 and b is None:
        raise ValueError('second operand needed for ufunc')
    if self.nin == 1 and b is not None:
        raise ValueError('second operand provided when ufunc is unary')
    _ew.ctype(a.dtype)
    # the selection: flat positions (in units of `inner` elements) into a
    # C-contiguous copy of a when a is not one
    work = a if a.flags.c_contiguous else _ew.copy(a)
    simple = not isinstance(indices, tuple) and not (
        isinstance(indices, (_ndarray, numpy.ndarray)) and indices.dtype.kind == 'b') and \
        not isinstance(indices, slice) and indices is not Ellipsis and a.ndim >= 1
    if simple:
        # host-made keys (lists, NumPy arrays) are uploaded, as a[key] does
        idx = indices if isinstance(indices, _ndarray) else _core.asarray(numpy.asarray(indices))
        if idx.dtype.kind not in 'iu':
            if idx.size == 0:
                idx = idx.astype(numpy.int64)
            else:
                raise IndexError('arrays used as indices must be of integer (or boolean) type')
        _indexing._check_bounds(idx, a.shape[0], 0)
        sel = _indexing._normalize(idx.astype(numpy.int64), a.shape[0])
        sel_shape = idx.shape + a.shape[1:]
        inner = _ew.size_of(a.shape[1:])
    else:
        pos = _core.arange(a.size, dtype=numpy.int64).reshape(a.shape)
        sel = pos[indices]
        sel_shape = sel.shape
        inner = 1
    sel = sel.reshape(-1)
    if not sel.flags.c_contiguous:
        sel = _ew.copy(sel)
    total = _ew.size_of(sel_shape)
    # the loop dtypes: NumPy's for (a's dtype, b) and a result cast to a
    from gpuarray._ufuncs import _resolution_type
    if self.nin == 2:
        bt = _resolution_type(b)
        dts = self._np.resolve_dtypes((a.dtype, bt, None), casting='unsafe')
        loop_in, loop_out = tuple(dts[:2]), dts[2]
    else:
        dts = self._np.resolve_dtypes((a.dtype, None), casting='unsafe')
        loop_in, loop_out = (dts[0],), dts[1]
    for d in dts:
        _ew.ctype(d)
    if total == 0:
        return None
    vals = None
    b_dt = None
    if self.nin == 2:
        if isinstance(b, _ndarray):
            b_dt = b.dtype
            _ew.broadcast_shapes([b.shape, sel_shape])
            if _ew.broadcast_shapes([b.shape, sel_shape]) != tuple(sel_shape):
                raise ValueError('array is not broadcastable to correct shape')
            vals = _empty(sel_shape, b_dt)
            _ew.copy_into(b, vals)
        else:
            b_dt = loop_in[1]
            vals = _empty(sel_shape, b_dt)
            vals.fill(b)
    kernel, serial = _at_kernel(self, a.dtype, b_dt, loop_in, loop_out)
    args = ((vals,) if vals is not None else ()) + (sel, inner, total, work)
    kernel(*args, size=1 if serial else total)
    if work is not a:
        _ew.copy_into(work, a)
    return None


def install(ufunc):
    """Attach the methods to gpuarray's ufunc class."""
    ufunc.reduce = reduce
    ufunc.accumulate = accumulate
    ufunc.reduceat = reduceat
    ufunc.outer = outer
    ufunc.at = at
