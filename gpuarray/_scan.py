"""gpuarray._scan - cumulative operations on the device: cumsum, cumprod,
nancumsum, nancumprod, the Array API's cumulative_sum/cumulative_prod, and
the engine of ``ufunc.accumulate`` (and of ufunc.reduce for operations that
are not reorderable).

A scan along one axis sees its input as rows (every position of the other
axes, collapsed where contiguous) of n elements; inputs and outputs are
addressed with byte strides, so views and ``out=`` of any layout are
computed in place. One of the kernels of ``kernels/scan.cuh`` runs:

- *tile*: a single-pass parallel scan with decoupled look-back (each
  element read once and written once), when the scanned axis is the
  contiguous one or the rows are few;
- *column*: the scanned axis is strided and the rows are close to each
  other (``cumsum(axis=0)`` of a C array): the axis is cut into chunks, a
  thread per (chunk, row) sums its chunk, the chunk totals are scanned,
  then every chunk is scanned from its prefix (neighbouring threads read
  neighbouring elements throughout);
- *serial*: a thread per row with a plain loop, for short rows, for
  operations that are not associative (``subtract.accumulate`` is
  sequential by definition), and on the host backend when there are
  enough rows to keep its threads busy.

Accumulation types are NumPy's (asked of NumPy's own ufunc.accumulate on a
two-element probe): cumsum of int8/int16/int32/bool in int64, of uint8..
in uint64, float16 in float16 (computed in float32, rounded once per
element: more accurate than NumPy's float16 loop). A parallel scan adds in
a different order than NumPy's sequential loop, so float results agree to
rounding, not bit for bit.
"""

import builtins as _b
import operator

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array as _as_array
from gpuarray import _elementwise as _ew

try:
    from numpy.lib.array_utils import normalize_axis_index as _normalize_axis_index
except ImportError:     # NumPy 1.x
    from numpy.core.multiarray import normalize_axis_index as _normalize_axis_index

__all__ = ['cumsum', 'cumprod', 'nancumsum', 'nancumprod', 'cumulative_sum', 'cumulative_prod']

_ndarray = _core.ndarray
_empty = _core.empty

#: Tests force a kernel ('tile', 'column', 'serial') or the tile kernel's
#: (block, items) here, so that the host backend runs every path the GPU
#: takes (with small tiles, so that the look-back is exercised).
force_path = None
force_tile = None
#: Unit-stride input and output take the tile kernel's indexed loads and
#: stores (GA_LOAD/GA_OUT in kernels/scan.cuh); False forces the byte-stride
#: form (tests, scripts/scan_tile_sweep.py).
contiguous_path = True

_ACC_DTYPES = {
    'bool': '?', 'signed char': 'b', 'unsigned char': 'B', 'short': 'h', 'unsigned short': 'H',
    'int': 'i', 'unsigned int': 'I', 'long long': 'q', 'unsigned long long': 'Q',
    'float': 'f', 'double': 'd', 'ga_complex<float>': 'F', 'ga_complex<double>': 'D',
}


def _next_pow2(n):
    p = 1
    while p < n:
        p <<= 1
    return p


# ----------------------------------------------------------------- kernels

def _row_code(nd, indent):
    """Parameters and code giving the byte offsets ga_io / ga_oo of row
    `ga_row` over `nd` collapsed row dimensions (lengths ga_rd1.. after the
    first, strides ga_ris<d> / ga_ros<d>)."""
    params = ''.join(', long long ga_rd%d' % d for d in range(1, nd))
    params += ''.join(', long long ga_ris%d' % d for d in range(nd))
    params += ''.join(', long long ga_ros%d' % d for d in range(nd))
    lines = ['long long ga_io = 0, ga_oo = 0;']
    if nd:
        lines.append('{')
        lines.append('    long long ga_q = ga_row;')
        for d in range(nd - 1, 0, -1):
            lines.append('    { const long long c = ga_q %% ga_rd%d; ga_q /= ga_rd%d; '
                         'ga_io += c * ga_ris%d; ga_oo += c * ga_ros%d; }' % (d, d, d, d))
        lines.append('    ga_io += ga_q * ga_ris0; ga_oo += ga_q * ga_ros0;')
        lines.append('}')
    pad = ' ' * indent
    return params, '\n'.join(pad + s for s in lines)


def _map_expr(map_kind, in_ct, acc_ct):
    """C expression of ga_map(v): the stored element as an accumulator;
    'nan0' / 'nan1' turn NaN into the sum's / product's identity."""
    v = _ew.cast('v', in_ct, acc_ct)
    if map_kind == 'cast':
        return v
    ident = '0' if map_kind == 'nan0' else '1'
    return '(ga_isnan(v) ? ga_acc_t(%s) : %s)' % (ident, v)


def _kernel(section, op_expr, map_kind, in_ct, acc_ct, out_ct, nd, **values):
    key = ('scan', section, op_expr, map_kind, in_ct, acc_ct, out_ct, nd,
           tuple(sorted(values.items())))

    def build():
        needs_complex = _b.any(_ew.is_complex_ctype(c) for c in (in_ct, acc_ct, out_ct))
        extra = [('scan.cuh', 'prelude')]
        if needs_complex:
            extra.append(('scan.cuh', 'complex'))
        head = _ew.prelude(needs_complex, extra)
        head += _ew.fill('scan.cuh', 'common', acc=acc_ct, in_t=in_ct, out_t=out_ct, op=op_expr,
                         map=_map_expr(map_kind, in_ct, acc_ct),
                         store=_ew.cast('v', acc_ct, out_ct))
        name = 'ga_scan_' + section
        params, code = _row_code(nd, 8 if section != 'tile' else 4)
        body = _ew.fill('scan.cuh', section, name=name, row_params=params, row_index=code,
                        **{k: str(v) for k, v in values.items()})
        return head + body, name
    return _ew.get_kernel(key, build)


# ------------------------------------------------------------------ plans

class _Plan:
    """The launches of one scan for one geometry."""

    __slots__ = ('kind', 'kernels', 'grid', 'block', 'args', 'ntiles', 'slot', 'agg')


_plans = {}
_MAX_PLANS = 2048


def _choose(n, rows, ies, itemsize, row_strides, associative, last_only):
    if not associative or last_only:
        return 'serial'
    if force_path is not None:
        return force_path
    sms, host = _ew.device_info()
    if n <= 64 and rows > 1:
        return 'serial'
    if host:
        # a thread of the pool per row is a plain loop: no look-back
        return 'serial' if rows >= 64 else 'tile'
    strided = _b.abs(ies) != itemsize
    close_rows = row_strides and _b.min(_b.abs(s) for s in row_strides) < _b.abs(ies)
    if strided and close_rows and rows >= 32:
        return 'column'
    return 'tile'


def _plan(a, axis, out, op_expr, map_kind, acc_ct, associative, last_only):
    shape = a.shape
    n = shape[axis]
    rdims = [d for d in range(a.ndim) if d != axis]
    rshape = tuple(shape[d] for d in rdims)
    in_rs = [a.strides[d] for d in rdims]
    if last_only:
        out_rs = list(out.strides)
        oes = 0
    else:
        out_rs = [out.strides[d] for d in rdims]
        oes = out.strides[axis]
    cshape, (cin, cout) = _ew.collapse(rshape, [in_rs, out_rs])
    rows = _ew.size_of(rshape)
    ies = a.strides[axis]
    nd = len(cshape)
    in_ct, out_ct = _ew.ctype(a.dtype), _ew.ctype(out.dtype)
    row_args = tuple(cshape[1:]) + tuple(cin) + tuple(cout)
    plan = _Plan()
    plan.kind = _choose(n, rows, ies, a.itemsize, cin, associative, last_only)
    sms, host = _ew.device_info()
    acc_size = numpy.dtype(_ACC_DTYPES[acc_ct]).itemsize
    if plan.kind == 'serial':
        k = _kernel('serial', op_expr, map_kind, in_ct, acc_ct, out_ct, nd,
                    last_only=int(bool(last_only)))
        block = 256 if rows >= 256 else _b.max(1, rows)
        plan.kernels = (k,)
        plan.grid = _ew.grid_for(rows, block)
        plan.block = block
        plan.args = (n, ies, oes, rows) + row_args
        return plan
    if plan.kind == 'column':
        # chunks long enough to amortize the second pass, enough of them
        # to give every multiprocessor a few thousand threads
        target = _b.max(1, (sms * 2048) // _b.max(rows, 1))
        chunk = _b.max(16, -(-n // target))
        nchunks = -(-n // chunk)
        k1 = _kernel('column', op_expr, map_kind, in_ct, acc_ct, out_ct, nd, phase=1)
        k3 = _kernel('column', op_expr, map_kind, in_ct, acc_ct, out_ct, nd, phase=3)
        # the chunk totals (nchunks, rows), scanned along the chunks in place
        acc_dt = numpy.dtype(_ACC_DTYPES[acc_ct])
        k2 = _kernel('serial', op_expr, 'cast', acc_ct, acc_ct, acc_ct, 1, last_only=0)
        plan.kernels = (k1, k2, k3)
        plan.agg = (nchunks, rows, acc_dt)
        total = nchunks * rows
        plan.grid = (_ew.grid_for(total, 256), _ew.grid_for(rows, 256))
        plan.block = 256
        plan.args = (n, ies, oes, rows, chunk, nchunks) + row_args
        return plan
    if force_tile is not None:
        block, items_max = force_tile
    elif host:
        block, items_max = 1, 8192
    else:
        # tiles of 32 KiB of accumulators: on the H200, cumsum of 16M int64
        # took 128 us at 256 x 16 against 172 us at 256 x 8 (and 106 us in
        # PyTorch); scripts/scan_tile_sweep.py measures the choices
        block, items_max = 256, _b.max(1, 128 // _b.max(acc_size, 4))
    items = _b.min(items_max, _next_pow2(-(-n // block)))
    tile = block * items
    tpr = -(-n // tile)
    plan.ntiles = tpr * rows
    if plan.ntiles >= (1 << 31):
        raise ValueError('scan: too many tiles ({}) for one launch'.format(plan.ntiles))
    plan.slot = 4 * ((acc_size + 3) // 4)
    contig = contiguous_path and ies == a.itemsize and oes == out.itemsize
    k = _kernel('tile', op_expr, map_kind, in_ct, acc_ct, out_ct, nd, block=block, items=items,
                contig=int(contig))
    plan.kernels = (k,)
    plan.grid = plan.ntiles
    plan.block = block
    plan.args = (n, ies, oes, tpr, plan.ntiles)
    plan.agg = row_args
    return plan


def _launch(plan, a, out):
    if plan.kind == 'serial':
        plan.kernels[0](plan.grid, plan.block, (a, out) + plan.args)
    elif plan.kind == 'column':
        k1, k2, k3 = plan.kernels
        nchunks, rows, acc_dt = plan.agg
        agg = _empty((nchunks, rows), acc_dt)
        n, ies, oes, rows_, chunk, nch = plan.args[:6]
        row_args = plan.args[6:]
        k1(plan.grid[0], plan.block, (a, out) + plan.args[:6] + (agg,) + row_args)
        if nchunks > 1:
            its = agg.itemsize
            k2(plan.grid[1], plan.block, (agg, agg, nchunks, rows * its, rows * its, rows, its, its))
        k3(plan.grid[0], plan.block, (a, out) + plan.args[:6] + (agg,) + row_args)
    else:
        ntiles = plan.ntiles
        # flags[ntiles] is the tile counter; accumulators of up to 4 bytes
        # are published with their flags in one 64-bit word per tile
        # (kernels/scan.cuh, GA_SCAN_PACKED), zero on entry
        flags = _core.zeros((ntiles + 1,), numpy.uint32)
        if plan.block > 1 and plan.slot <= 4:
            slots = _core.zeros((ntiles,), numpy.uint64)
            incl = slots
        else:
            slots = _empty((2 * ntiles * plan.slot,), numpy.uint8)
            incl = slots.data + ntiles * plan.slot
        plan.kernels[0](plan.grid, plan.block,
                        (a, out) + plan.args + (flags, slots, incl) + plan.agg)
    return out


def scan_into(a, axis, out, op_expr, acc_ct, map_kind='cast', associative=True,
              last_only=False):
    """Scan device array `a` (ndim >= 1) along `axis` into `out` (a.shape,
    any dtype and strides): out[j] = op(out[j-1], map(a[j])), with `op_expr`
    C over x0 (the earlier) and x1 in C type `acc_ct`. With `last_only`,
    `out` has a's shape without `axis` and receives each row's final value
    (a sequential reduction). Returns `out`."""
    if a.shape[axis] == 0 or out.size == 0:
        return out
    if not last_only and out is not a and _ew.may_share_memory(a, out) \
            and not _ew.same_view(a, out):
        # every element must be read before it is overwritten
        a = _ew.copy(a)
    key = (op_expr, map_kind, acc_ct, associative, last_only, a.dtype, a.shape, a.strides, axis,
           out.dtype, out.strides, force_path, force_tile, contiguous_path)
    plan = _plans.get(key)
    if plan is None:
        plan = _plan(a, axis, out, op_expr, map_kind, acc_ct, associative, last_only)
        if len(_plans) >= _MAX_PLANS:
            _plans.clear()
        _plans[key] = plan
    return _launch(plan, a, out)


# ------------------------------------------------- NumPy's type resolution

_resolved = {}


def accumulate_dtype(np_ufunc, in_dtype, dtype, out_dtype):
    """The loop dtype NumPy's ``np_ufunc.accumulate`` computes in for an
    input of `in_dtype` (with `dtype=` and an `out` of `out_dtype`, either
    None): asked of NumPy on a two-element probe, so that its promotion
    (add.accumulate of int8 in int64) and its TypeErrors are NumPy's."""
    key = (np_ufunc, in_dtype, dtype, out_dtype)
    r = _resolved.get(key)
    if r is None:
        kw = {}
        if dtype is not None:
            kw['dtype'] = dtype
        if out_dtype is not None:
            kw['out'] = numpy.empty(2, out_dtype)
        with numpy.errstate(all='ignore'):
            res = np_ufunc.accumulate(numpy.ones(2, in_dtype), **kw)
        if dtype is not None:
            r = numpy.dtype(dtype)
        elif out_dtype is not None:
            r = numpy.dtype(out_dtype)
        else:
            r = res.dtype
        _ew.ctype(r)
        _resolved[key] = r
    return r


def _check_out(out, shape, fname):
    if not isinstance(out, _ndarray):
        raise TypeError('{}: out must be a gpuarray.ndarray, not {}'.format(
            fname, type(out).__name__))
    if out.shape != tuple(shape):
        raise ValueError('{}: output parameter has the wrong shape {} (expected {})'.format(
            fname, out.shape, tuple(shape)))
    _ew.ctype(out.dtype)


def accumulate(uf, a, axis, dtype, out, map_kind='cast', fname=None):
    """``uf.accumulate(a, axis, dtype, out)`` for gpuarray ufunc `uf` (the
    core of cumsum and friends; `a` a device array of ndim >= 1, `axis`
    normalized)."""
    from gpuarray._ufuncs import reorderable
    fname = fname or uf.name + '.accumulate'
    if out is not None:
        _check_out(out, a.shape, fname)
    loop = accumulate_dtype(uf._np, a.dtype, None if dtype is None else numpy.dtype(dtype),
                            None if out is None else out.dtype)
    if out is None:
        out = _empty(a.shape, loop)
    expr = uf._expr((loop, loop), loop)
    return scan_into(a, axis, out, expr, _ew.compute_ctype(loop), map_kind,
                     associative=reorderable(uf))


def _cumulative(fname, uf, a, axis, dtype, out, map_kind):
    """cumsum-style: axis=None scans the flattened array."""
    a = _as_array(a, fname)
    if axis is None:
        a = a.reshape(-1)
        axis = 0
    else:
        axis = _normalize_axis_index(operator.index(axis), a.ndim)
    if map_kind != 'cast' and a.dtype.kind not in 'fc':
        map_kind = 'cast'      # no NaN in integers
    return accumulate(uf, a, axis, dtype, out, map_kind, fname)


def _ufunc(name):
    from gpuarray import _ufuncs
    return getattr(_ufuncs, name)


def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum along `axis` (None: of the flattened array), in
    NumPy's accumulation type (int64 for small ints, unless `dtype`)."""
    return _cumulative('cumsum', _ufunc('add'), a, axis, dtype, out, 'cast')


def cumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product along `axis` (None: of the flattened array)."""
    return _cumulative('cumprod', _ufunc('multiply'), a, axis, dtype, out, 'cast')


def nancumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum with NaN counted as zero."""
    return _cumulative('nancumsum', _ufunc('add'), a, axis, dtype, out, 'nan0')


def nancumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product with NaN counted as one."""
    return _cumulative('nancumprod', _ufunc('multiply'), a, axis, dtype, out, 'nan1')


def _array_api_cumulative(fname, uf, identity, x, axis, dtype, include_initial, out):
    x = _as_array(x, fname)
    if x.ndim == 0:
        x = x.reshape(1)
    if axis is None:
        if x.ndim > 1:
            raise ValueError('For arrays which have more than one dimension ``axis`` argument '
                             'is required.')
        axis = 0
    axis = _normalize_axis_index(operator.index(axis), x.ndim)
    if not include_initial:
        return accumulate(uf, x, axis, dtype, out, 'cast', fname)
    shape = list(x.shape)
    shape[axis] += 1
    loop = accumulate_dtype(uf._np, x.dtype, None if dtype is None else numpy.dtype(dtype),
                            None if out is None else out.dtype)
    if out is None:
        out = _empty(tuple(shape), loop)
    else:
        _check_out(out, shape, fname)
    lead = (slice(None),) * axis
    out[lead + (slice(0, 1),)].fill(identity)
    if x.shape[axis]:
        accumulate(uf, x, axis, dtype, out[lead + (slice(1, None),)], 'cast', fname)
    return out


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False, out=None):
    """Array API cumulative sum: like cumsum, but `axis` is required for
    ndim > 1, and `include_initial` starts each row with 0."""
    return _array_api_cumulative('cumulative_sum', _ufunc('add'), 0, x, axis, dtype,
                                 include_initial, out)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False, out=None):
    """Array API cumulative product (`include_initial` starts with 1)."""
    return _array_api_cumulative('cumulative_prod', _ufunc('multiply'), 1, x, axis, dtype,
                                 include_initial, out)


def install(ndarray):
    """Give ndarray its cumsum and cumprod methods."""
    def _cumsum(self, axis=None, dtype=None, out=None):
        """a.cumsum(axis=None, dtype=None, out=None): gpuarray.cumsum(a, ...)."""
        return cumsum(self, axis, dtype, out)

    def _cumprod(self, axis=None, dtype=None, out=None):
        """a.cumprod(axis=None, dtype=None, out=None): gpuarray.cumprod(a, ...)."""
        return cumprod(self, axis, dtype, out)

    ndarray.cumsum = _cumsum
    ndarray.cumprod = _cumprod
