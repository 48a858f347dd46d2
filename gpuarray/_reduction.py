"""gpuarray._reduction - reductions on the device: ReductionKernel and sum, prod, mean, ...

A reduction over some axes sees its input as P outputs times M reduced
elements. Kept and reduced axes are each collapsed where contiguous; then
one of the two kernels of ``kernels/reduction.cuh`` runs:

- *inner* (the reduced elements of one output are close in memory, e.g.
  ``sum()`` or ``sum(axis=-1)``): a block per output, threads striding over
  the reduction (16-byte vector loads when the row is contiguous and
  aligned), then a tree in shared memory. When there are few outputs,
  G blocks share each output and a second launch of the same template
  combines their partial results.
- *outer* (the outputs are close, e.g. ``sum(axis=0)`` of a C array): a
  thread per output with a serial loop, coalesced across threads; few
  outputs with long reductions split the loop into chunks over gridDim.y,
  combined by a second launch.

Accumulation types are NumPy's (sum/prod of small ints in int64, mean of
ints in float64, float16 in float32...); the result dtype is the one NumPy
gives for the same call. Summation order differs from NumPy's pairwise
summation, so float results agree to rounding, not bit for bit. One
deliberate difference: var/std of float16 accumulate the squared
deviations in float32 (NumPy does it in float16, where a sum past 65504
becomes inf even when the variance itself fits).
"""

import builtins as _b
import operator
import os

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew

__all__ = ['ReductionKernel', 'sum', 'prod', 'mean', 'var', 'std', 'amin', 'amax', 'min', 'max',
           'argmin', 'argmax', 'any', 'all']

_ndarray = _core.ndarray
_empty = _core.empty
#: gpuarray._fusion once imported (see _ufuncs._fusion).
_fusion = None

#: Most threads a reduction block has (the tree's shared memory is sized for it).
BLOCK_MAX = 256
#: Tuning knobs for issue 16's sweep on the GPU (benchmarks/bench_sweep.py),
#: read once: an inner reduction splits over several blocks (and a second
#: pass) once a block's threads would each load more than SPLIT_VECTORS
#: vectors, into at most BLOCKS_PER_SM blocks per multiprocessor.
SPLIT_VECTORS = int(os.environ.get('GPUARRAY_REDUCE_SPLIT_VECTORS', '8'))
BLOCKS_PER_SM = int(os.environ.get('GPUARRAY_REDUCE_BLOCKS_PER_SM', '16'))
#: The most threads of the one-block form's block (its tree's shared
#: memory is sized for it).
ONE_BLOCK_THREADS = 1024


class Form:
    """How an inner reduction of few outputs is laid out (issue 16's
    forms, compared on the GPU by ``benchmarks/bench_sweep.py --forms``).
    A form's name is its parts joined by '+'; 'two_pass' is none of them:

    - ``single``: one launch at every size: each block writes its partial
      result, and the last block of an output to finish (a per-output
      counter, atomically incremented after a fence) combines them, writes
      the result and resets the counter. The counters live in one small
      buffer per (device, stream), zeroed once (launches on one stream run
      in order); a capture gets its own buffer, zeroed inside the graph.
    - ``wave``: the grid is one wave (multiprocessors x resident blocks
      per multiprocessor, from the kernel's registers and shared memory)
      whatever M is, each thread striding over at least one vector, instead
      of a grid sized from M / SPLIT_VECTORS capped at BLOCKS_PER_SM blocks
      per multiprocessor.
    - ``block<N>`` (e.g. ``block65536``): a lone output of at most N
      elements is reduced by one block of up to ONE_BLOCK_THREADS threads
      (no partial results at all).
    """

    __slots__ = ('name', 'single', 'wave', 'one_block_max')

    def __init__(self, name):
        self.name = name
        self.single = self.wave = False
        self.one_block_max = 0
        for part in name.split('+'):
            if part == 'two_pass':
                continue
            if part == 'single':
                self.single = True
            elif part == 'wave':
                self.wave = True
            elif part.startswith('block') and part[5:].isdigit():
                self.one_block_max = int(part[5:])
            else:
                raise ValueError("GPUARRAY_REDUCE_FORM: unknown part {!r} in {!r} (parts: "
                                 "two_pass, single, wave, block<N>, joined by '+')".format(
                                     part, name))


#: The current form (GPUARRAY_REDUCE_FORM, read once; select_form changes it).
FORM = Form(os.environ.get('GPUARRAY_REDUCE_FORM', 'two_pass'))

try:
    from numpy.lib.array_utils import normalize_axis_tuple as _normalize_axis_tuple
except ImportError:     # NumPy 1.x
    from numpy.core.numeric import normalize_axis_tuple as _normalize_axis_tuple

try:
    from numpy.exceptions import AxisError
except ImportError:     # NumPy < 1.25
    AxisError = numpy.AxisError


def _next_pow2(n):
    p = 1
    while p < n:
        p <<= 1
    return p


def _prev_pow2(n):
    """The largest power of two not above n (n >= 1)."""
    return 1 << (n.bit_length() - 1)


def _ceil_div(a, b):
    return -(-a // b)


def normalize_axes(axis, ndim):
    """axis (None, int or tuple) as a sorted tuple of axes; NumPy's
    AxisError for an axis that does not exist, ValueError for a repeat."""
    if axis is None:
        return tuple(range(ndim))
    if ndim == 0 and not isinstance(axis, (list, tuple)) and operator.index(axis) in (0, -1):
        return ()                # NumPy's legacy: a 0-d array takes axis 0 or -1
    if isinstance(axis, (list, tuple)):
        axes = [operator.index(a) for a in axis]
        axes = [_normalize_axis_tuple(a, ndim)[0] for a in axes]
        if len(set(axes)) != len(axes):
            raise ValueError("duplicate value in 'axis'")
        return tuple(sorted(axes))
    return tuple(sorted(_normalize_axis_tuple(operator.index(axis), ndim)))


def _reduced_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if d in axes else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if d not in axes)


class _Input:
    """An array input of a reduction: its C type in memory, and the name
    and C type of the variable the map expression sees."""

    __slots__ = ('array', 'arr_ct', 'name', 'var_ct')

    def __init__(self, array, name, var_ct):
        self.array = array
        self.arr_ct = _ew.ctype(array.dtype)
        self.name = name
        self.var_ct = var_ct


class _Reduction:
    """What a reduction computes (independent of the arrays' layout).

    acc: C type of the accumulator, acc_size its size in bytes; map_expr:
    C expression over the inputs' variables (and _j, _p, the scalar
    parameters); reduce_expr: over a and b; post: C statements with `a`
    and the output reference `out_name`; identity: C expression or None;
    params: extra parameter declarations (scalars) the expressions use."""

    def __init__(self, name, acc, acc_size, map_expr, reduce_expr, post, identity,
                 out_name='out0', params=(), preamble='', typedefs='', options=(), vector=False,
                 order_matters=False, needs_complex=False):
        self.name = name
        self.acc = acc
        self.acc_size = acc_size
        self.map_expr = map_expr
        self.reduce_expr = reduce_expr
        self.post = post
        self.identity = identity
        self.out_name = out_name
        self.params = tuple(params)
        self.preamble = preamble
        self.typedefs = typedefs
        self.options = tuple(options)
        self.vector = vector
        self.order_matters = order_matters
        self.needs_complex = needs_complex

    def key(self):
        return (self.name, self.acc, self.map_expr, self.reduce_expr, self.post, self.identity,
                self.out_name, self.params, self.preamble, self.typedefs, self.options)


# ------------------------------------------------------------ code generation

def _index_code(var, count, shape_name, strides_name, names, idx, base=None):
    """Offsets (long long <names[k]>) of flat index `var` over `count`
    dimensions whose lengths (but the first) are <shape_name><d> and byte
    strides <strides_name><k>_<d>."""
    lines = []
    for k, n in enumerate(names):
        lines.append('long long {} = {};'.format(n, base[k] if base else '0'))
    if count == 0:
        return lines
    lines.append('{{ {} ga_q = {};'.format(idx, var))
    for d in range(count - 1, 0, -1):
        lines.append('  {{ const {t} q = ga_q / {s}{d}; const {t} c = ga_q - q * {s}{d}; ga_q = q;'.format(
            t=idx, s=shape_name, d=d))
        for k, n in enumerate(names):
            lines.append('    {} += (long long)c * {}{}_{};'.format(n, strides_name, k, d))
        lines.append('  }')
    for k, n in enumerate(names):
        lines.append('  {} += (long long)ga_q * {}{}_0;'.format(n, strides_name, k))
    lines.append('}')
    return lines


def _load_lines(inputs, offsets):
    return ['const {vt} {n} = {v};'.format(
        vt=i.var_ct, n=i.name,
        v=_ew.cast('*(const {} *)((const char *)ga_in{} + {})'.format(i.arr_ct, k, o), i.arr_ct,
                   i.var_ct))
        for k, (i, o) in enumerate(zip(inputs, offsets))]


def _indent(lines, n):
    pad = ' ' * n
    return '\n'.join(pad + s for s in lines)


def _source(red, inputs, out_ct, mode, ndk, ndr, idx, vec, second, single=False,
            block_max=BLOCK_MAX):
    """Source of one reduction kernel. `second`: the launch over partial
    results (the input is the accumulator type, the map the identity).
    `single`: the inner kernel's single-launch form (the last block
    combines the partials; one more parameter, the per-output counters).
    `block_max`: the most threads a block of it has."""
    if second:
        inputs = [_Input.__new__(_Input)]
        inputs[0].arr_ct = red.acc
        inputs[0].var_ct = red.acc
        inputs[0].name = 'ga_x'
        map_expr = 'ga_x'
    else:
        map_expr = red.map_expr
    kname = 'ga_reduce_' + red.name + ('_2' if second else '')
    needs_complex = red.needs_complex or _ew.is_complex_ctype(out_ct) or _b.any(
        _ew.is_complex_ctype(i.arr_ct) or _ew.is_complex_ctype(i.var_ct) for i in inputs)
    head = _ew.prelude(needs_complex, [('reduction.cuh', 'prelude')])
    head += red.typedefs + red.preamble + '\n'
    head += 'GA_FN {acc} ga_reduce(const {acc}& a, const {acc}& b) {{ return {r}; }}\n'.format(
        acc=red.acc, r=red.reduce_expr)
    params = ''.join('const void* ga_in{}, '.format(k) for k in range(len(inputs)))
    params += ''.join(p + ', ' for p in red.params)
    params += 'void* ga_out, void* ga_partial, '
    if single:
        params += 'void* ga_counters, '
    nin = len(inputs)
    index_params = ''.join(', {} ga_kd{}'.format(idx, d) for d in range(1, ndk))
    index_params += ''.join(', long long ga_ks{}_{}'.format(k, d) for k in range(nin) for d in range(ndk))
    index_params += ''.join(', {} ga_rd{}'.format(idx, d) for d in range(1, ndr))
    index_params += ''.join(', long long ga_rs{}_{}'.format(k, d) for k in range(nin) for d in range(ndr))

    knames = ['ga_k%d' % k for k in range(nin)]
    kept = _index_code('_p', ndk, 'ga_kd', 'ga_ks', knames, idx)
    onames = ['ga_o%d' % k for k in range(nin)]
    load = _index_code('_j', ndr, 'ga_rd', 'ga_rs', onames, idx, base=knames)
    load += _load_lines(inputs, onames)
    acc = red.acc
    m = '({})({})'.format(acc, map_expr)

    finish = []
    if red.identity is not None:
        finish.append('if (!ga_have) { ga_acc = %s; }' % red.identity)
    finish += ['{',
               '    const {} a = ga_acc;'.format(acc),
               '    {} &{} = (({} *)ga_out)[_p];'.format(out_ct, red.out_name, out_ct),
               '    ' + red.post + ';',
               '}']

    if mode == 'outer':
        return _ew.fill('reduction.cuh', 'outer', name=kname, params=params, idx=idx,
                        index_params=index_params, kept_index=_indent(kept, 8), acc=acc,
                        load=_indent(load, 16), map=map_expr, finish=_indent(finish, 12)), kname, \
            head, needs_complex

    scalar = ['{} _j = ga_g * ({})blockDim.x + ga_tid;'.format(idx, idx),
              'if (_j < ga_M) {',
              '    {']
    scalar += ['        ' + s for s in load]
    scalar += ['        ga_acc = {};'.format(m),
               '    }',
               '    ga_have = true;',
               '    for (_j += ga_step; _j < ga_M; _j += ga_step) {']
    scalar += ['        ' + s for s in load]
    scalar += ['        ga_acc = ga_reduce(ga_acc, {});'.format(m),
               '    }',
               '}']
    if vec > 1:
        # every input is contiguous along the reduction: each is read as
        # 16-byte vectors (one input keeps the names of the single-input
        # kernels, so their text, and cache key, stay as they were)
        one = len(inputs) == 1

        def row(k):
            return 'ga_row' if one else 'ga_row%d' % k

        def vname(x, k):
            return x if one else '%s_%d' % (x, k)

        def lanes(x, v, first):
            """Reduce vectors `x` (at vector index `v`) into the lanes."""
            return ['#pragma unroll',
                    'for (int ga_u = 0; ga_u < {}; ga_u++) {{'.format(vec)] + [
                '    const {} {} = {};'.format(i.var_ct, i.name, _ew.cast(
                    '{}.v[ga_u]'.format(vname(x, k)), i.arr_ct, i.var_ct))
                for k, i in enumerate(inputs)] + [
                '    const {} _j = ({}) * {} + ga_u; (void)_j;'.format(idx, v, vec),
                '    ga_lane[ga_u] = {};'.format(m if first else 'ga_reduce(ga_lane[ga_u], %s)' % m),
                '}']

        def loads(x, v):
            return ['const {vt} {x} = ((const {vt} *){r})[{v}];'.format(
                vt='ga_vec<{}, {}>'.format(i.arr_ct, vec), x=vname(x, k), r=row(k), v=v)
                for k, i in enumerate(inputs)]

        aligned = ' && '.join('(((unsigned long long){}) % {}u) == 0'.format(
            row(k), vec * _itemsize_of_ct(i.arr_ct)) for k, i in enumerate(inputs))
        accumulate = ['const char *{} = (const char *)ga_in{} + ga_k{};'.format(row(k), k, k)
                      for k in range(len(inputs))]
        accumulate += [
            'if ({}) {{'.format(aligned),
            '    const {} ga_nv = ga_M / {};'.format(idx, vec),
            '    {} ga_v = ga_g * ({})blockDim.x + ga_tid;'.format(idx, idx),
            '    if (ga_v < ga_nv) {',
            '        {} ga_lane[{}];'.format(acc, vec),
            '        {']
        accumulate += ['            ' + t for t in loads('ga_x', 'ga_v')]
        accumulate += ['            ' + t for t in lanes('ga_x', 'ga_v', True)]
        accumulate += [
            '        }',
            '        ga_v += ga_step;',
            '        /* four 16-byte loads in flight per thread%s */' % ('' if one else ' and input'),
            '        for (; ga_v + 3 * ga_step < ga_nv; ga_v += 4 * ga_step) {']
        for k in range(4):
            accumulate += ['            ' + t for t in loads('ga_x%d' % k, 'ga_v + %d * ga_step' % k)]
        for k in range(4):
            accumulate += ['            ' + t for t in lanes('ga_x%d' % k, 'ga_v + %d * ga_step' % k, False)]
        accumulate += [
            '        }',
            '        for (; ga_v < ga_nv; ga_v += ga_step) {']
        accumulate += ['            ' + t for t in loads('ga_x', 'ga_v')]
        accumulate += ['            ' + t for t in lanes('ga_x', 'ga_v', False)]
        accumulate += [
            '        }',
            '        ga_acc = ga_lane[0];',
            '#pragma unroll',
            '        for (int ga_u = 1; ga_u < {}; ga_u++)'.format(vec),
            '            ga_acc = ga_reduce(ga_acc, ga_lane[ga_u]);',
            '        ga_have = true;',
            '    }',
            '    for ({t} ga_t = ga_nv * {v} + ga_g * ({t})blockDim.x + ga_tid; ga_t < ga_M; ga_t += ga_step) {{'.format(
                t=idx, v=vec)]
        accumulate += ['        const {} {} = {};'.format(
            i.var_ct, i.name, _ew.cast('((const {} *){})[ga_t]'.format(i.arr_ct, row(k)), i.arr_ct,
                                       i.var_ct)) for k, i in enumerate(inputs)]
        accumulate += [
            '        const {} _j = ga_t; (void)_j;'.format(idx),
            '        const {} ga_e = {};'.format(acc, m),
            '        if (ga_have) { ga_acc = ga_reduce(ga_acc, ga_e); } else { ga_acc = ga_e; ga_have = true; }',
            '    }',
            '} else {',
        ] + ['    ' + s for s in scalar] + ['}']
    else:
        accumulate = scalar
    last_block = ''
    if single:
        last_block = '\n' + _ew.fill('reduction.cuh', 'last_block', acc=acc, idx=idx,
                                      finish=_indent(finish, 20)).rstrip('\n')
    return _ew.fill('reduction.cuh', 'inner', name=kname, params=params, idx=idx,
                    index_params=index_params, block_max=block_max, acc=acc,
                    kept_index=_indent(kept, 8), accumulate=_indent(accumulate, 8),
                    finish=_indent(finish, 16), last_block=last_block), kname, head, needs_complex


_CT_SIZES = {'bool': 1, 'signed char': 1, 'unsigned char': 1, 'short': 2, 'unsigned short': 2,
             'int': 4, 'unsigned int': 4, 'long long': 8, 'unsigned long long': 8, 'ga_half': 2,
             'float': 4, 'double': 8, 'ga_complex<float>': 8, 'ga_complex<double>': 16}


def _itemsize_of_ct(ct):
    return _CT_SIZES[ct]


def argpair_size(ct):
    """sizeof(ga_argpair<ct>) under the C ABI: {T v; long long i;}."""
    size = _CT_SIZES[ct]
    align = 16 if ct == 'ga_complex<double>' else 8
    off = _ceil_div(size, 8) * 8
    return _ceil_div(off + 8, align) * align


def _kernel(red, inputs, out_ct, mode, ndk, ndr, idx, vec, second, single=False,
            block_max=BLOCK_MAX):
    key = ('red', red.key(), tuple((i.arr_ct, i.var_ct, i.name) for i in inputs), out_ct, mode,
           ndk, ndr, idx, vec, second)
    if single or block_max != BLOCK_MAX:
        key += (single, block_max)
    k = _ew._kernels.get(key)
    if k is None:
        def build():
            body, kname, head, _ = _source(red, inputs, out_ct, mode, ndk, ndr, idx, vec, second,
                                           single, block_max)
            return head + body, kname
        k = _ew.get_kernel(key, build, red.options)
    return k


# ------------------------------------------------------------------ launching

def _collapse_axes(shape, strides_list, dims, reorder):
    """The dimensions `dims` of `shape` collapsed for all operands (after
    sorting them by the first operand's stride when `reorder`)."""
    dims = list(dims)
    if reorder and len(dims) > 1:
        dims.sort(key=lambda d: -_b.abs(strides_list[0][d]))
    sub_shape = tuple(shape[d] for d in dims)
    sub_strides = [[st[d] for d in dims] for st in strides_list]
    return _ew.collapse(sub_shape, sub_strides)


class _RunPlan:
    """The launches of one reduction for one geometry (dtypes, shapes,
    strides, axes): one kernel, or a first pass into partial results and a
    second pass over them."""

    __slots__ = ('P', 'first', 'second', 'partial_bytes', 'single')

    def launch(self, arrays, sargs, out):
        if self.P == 0:
            return out
        k, grid, block, tail = self.first
        if self.single:
            partial, counters = _scratch(self.P, self.partial_bytes)
            k(grid, block, tuple(arrays) + sargs + (out, partial, counters) + tail)
            return out
        if self.second is None:
            k(grid, block, tuple(arrays) + sargs + (out, None) + tail)
            return out
        partial = _empty((self.partial_bytes,), numpy.uint8)
        k(grid, block, tuple(arrays) + sargs + (None, partial) + tail)
        k2, grid2, block2, tail2 = self.second
        k2(grid2, block2, (partial,) + sargs + (out, None) + tail2)
        return out


#: The single-launch form's scratch: {(device, stream handle): (partials
#: bytes, uint32 counters)} device arrays; the counters are all zero between
#: launches (the last block resets its own). At most _MAX_SCRATCH streams
#: keep a pair (each buffer holds its stream alive): the oldest is dropped,
#: its buffers freed in order on their own stream.
_scratch_buffers = {}
_MAX_SCRATCH = 8


def _scratch(P, partial_bytes):
    """(partials of at least partial_bytes, at least P zero counters) for a
    single-launch reduction on the current stream. Launches on one stream
    run in order, so one pair per stream suffices and no launch allocates;
    a capture gets a pair of its own (the counters zeroed by a memset inside
    the graph), so that replays on any stream share nothing with eager
    work."""
    stream = _core.get_current_stream()
    if stream.is_capturing():
        return _empty((partial_bytes,), numpy.uint8), _core.zeros((P,), numpy.uint32)
    key = (_core._kernel_current_device(), stream.ptr)
    pair = _scratch_buffers.get(key)
    if pair is None or pair[0].size < partial_bytes or pair[1].size < P:
        # a smaller pair is freed in order on its stream, like any buffer
        partial = _empty((_b.max(partial_bytes, 1 << 16),), numpy.uint8)
        counters = _core.zeros((_b.max(P, 1024),), numpy.uint32)
        if pair is not None:
            if pair[0].size >= partial_bytes:
                partial = pair[0]
            if pair[1].size >= P:
                counters = pair[1]
        elif len(_scratch_buffers) >= _MAX_SCRATCH:
            del _scratch_buffers[next(iter(_scratch_buffers))]
        pair = _scratch_buffers[key] = (partial, counters)
    return pair


_occupancy_cache = {}


def _resident_blocks(kernel, block, host):
    """Blocks of `kernel` (of `block` threads) resident on one
    multiprocessor at once, from its registers and static shared memory
    and the device's limits (cuOccupancyMaxActiveBlocksPerMultiprocessor's
    arithmetic, with the register allocation unit of 256 per warp)."""
    if host:
        return 1
    dev = _core._kernel_current_device()
    key = (id(kernel), block, dev)
    r = _occupancy_cache.get(key)
    if r is not None:
        return r
    try:
        from gpuarray import cuda
        att = cuda.Device(dev).attributes
        regs = int(kernel.attributes['num_regs'])
        smem = int(kernel.attributes['shared_size_bytes'])
        warps = _ceil_div(block, 32)
        by_threads = int(att['MaxThreadsPerMultiProcessor']) // (warps * 32)
        per_warp = _ceil_div(_b.max(regs, 1) * 32, 256) * 256
        by_regs = int(att['MaxRegistersPerMultiprocessor']) // (per_warp * warps)
        by_smem = int(att['MaxSharedMemoryPerMultiprocessor']) // _b.max(smem, 1)
        r = _b.max(1, _b.min(by_threads, by_regs, by_smem,
                             int(att.get('MaxBlocksPerMultiprocessor', 32))))
    except Exception:     # an attribute this backend lacks: the knob's figure
        r = _b.max(1, BLOCKS_PER_SM // 2)
    _occupancy_cache[key] = r
    return r


def plan_run(red, inputs, shape, axes, out_ct, P):
    """How to reduce `inputs` (each an _Input whose array broadcasts to
    `shape`) over `axes` into a C-contiguous output of P elements, in the
    current FORM."""
    plan = _RunPlan()
    plan.P = P
    plan.second = None
    plan.partial_bytes = 0
    plan.single = False
    if P == 0:
        return plan
    M = _ew.size_of(tuple(shape[d] for d in axes))
    strides = [_ew.broadcast_strides(shape, i.array.shape, i.array.strides) for i in inputs]
    kept_dims = [d for d in range(len(shape)) if d not in axes]
    kshape, kstrides = _collapse_axes(shape, strides, kept_dims, False)
    rshape, rstrides = _collapse_axes(shape, strides, axes, not red.order_matters)
    ndk, ndr = len(kshape), len(rshape)
    sms, host = _ew.device_info()
    target = sms * BLOCKS_PER_SM
    idx = 'int' if P * _b.max(M, 1) < (1 << 30) else 'long long'

    if ndr == 0:
        mode = 'outer'
    elif ndk == 0:
        mode = 'inner'
    else:
        rs0 = _b.min(_b.abs(s) for s in rstrides[0])
        ks0 = _b.min(_b.abs(s) for s in kstrides[0])
        mode = 'inner' if rs0 < ks0 else 'outer'

    common = (M * P, P)
    index_args = tuple(kshape[1:]) + tuple(s for st in kstrides for s in st) + \
        tuple(rshape[1:]) + tuple(s for st in rstrides for s in st)

    if mode == 'inner':
        vec = 1
        # 16-byte vectors when every input is contiguous along the one
        # collapsed reduced dimension (a fused map may read several)
        if red.vector and ndr == 1 and _b.all(st[0] == i.array.itemsize
                                              for st, i in zip(rstrides, inputs)):
            vec = _b.max(1, 16 // _b.max(i.array.itemsize for i in inputs))
        form = FORM
        if P == 1 and 0 < M <= form.one_block_max and not host:
            # one block of up to ONE_BLOCK_THREADS threads, one launch
            block = _b.min(ONE_BLOCK_THREADS, _b.max(32, _next_pow2(_ceil_div(M, vec))))
            bmax = ONE_BLOCK_THREADS if block > BLOCK_MAX else BLOCK_MAX
            kernel = _kernel(red, inputs, out_ct, 'inner', ndk, ndr, idx, vec, False,
                             block_max=bmax)
            # the shared-memory tree halves the block: it must stay a power
            # of two when the kernel's registers allow fewer threads (an
            # argmin of float16 allowed 768, and the tree dropped a quarter)
            block = _b.min(block, _b.max(32, _prev_pow2(int(kernel.attributes['max_threads_per_block']))))
            plan.first = (kernel, 1, block, (P, M, 1) + common + index_args)
            return plan
        if host:
            block = 1
        else:
            block = _b.min(BLOCK_MAX, _b.max(32, _next_pow2(_ceil_div(_b.max(M, 1), vec))))
        G = 1
        kernel = _kernel(red, inputs, out_ct, 'inner', ndk, ndr, idx, vec, False, form.single)
        if P < target and M > block * vec * SPLIT_VECTORS:
            if form.wave:
                # one wave, each thread with at least one vector
                wave = sms * _resident_blocks(kernel, block, host)
                G = _b.min(_b.max(1, wave // P), _b.max(1, M // (vec * block)), 65535)
            else:
                G = _b.max(1, _b.min(_ceil_div(M, block * vec * SPLIT_VECTORS),
                                     _ceil_div(target, P), 65535))
        if G == 1 and form.single:
            kernel = _kernel(red, inputs, out_ct, 'inner', ndk, ndr, idx, vec, False)
        grid = _b.min(P * G, (1 << 31) - 1)
        plan.first = (kernel, grid, block, (P, M, G) + common + index_args)
        if G > 1 and form.single:
            plan.partial_bytes = P * G * red.acc_size
            plan.single = True
            return plan
        if G > 1:
            # the partial results: P rows of G accumulators
            plan.partial_bytes = P * G * red.acc_size
            block2 = 1 if host else _b.min(BLOCK_MAX, _b.max(32, _next_pow2(G)))
            k2 = _kernel(red, inputs, out_ct, 'inner', 1 if P > 1 else 0, 1, idx, 1, True)
            idx2 = ((G * red.acc_size,) if P > 1 else ()) + (red.acc_size,)
            plan.second = (k2, _b.min(P, (1 << 31) - 1), block2, (P, G, 1) + common + idx2)
        return plan

    block = 256
    bx = _ceil_div(P, block)
    G = 1
    if bx < target and M > 64:
        G = _b.max(1, _b.min(65535, _ceil_div(M, 32), _ceil_div(target, bx)))
    chunk = _ceil_div(M, G) if M else 1
    if M:
        G = _ceil_div(M, chunk)
    kernel = _kernel(red, inputs, out_ct, 'outer', ndk, ndr, idx, 1, False)
    gx = _b.min(bx, (1 << 31) - 1)
    plan.first = (kernel, (gx, G), block, (P, M, chunk) + common + index_args)
    if G > 1:
        # the partial results: G rows of P accumulators
        plan.partial_bytes = P * G * red.acc_size
        k2 = _kernel(red, inputs, out_ct, 'outer', 1 if P > 1 else 0, 1, idx, 1, True)
        idx2 = ((red.acc_size,) if P > 1 else ()) + (P * red.acc_size,)
        plan.second = (k2, (gx, 1), block, (P, G, G) + common + idx2)
    return plan


def run(red, inputs, scalar_args, shape, axes, out):
    """Reduce `inputs` (_Input each) over `axes` into `out`, a C-contiguous
    array of the reduced size (planned every time: see the plan caches of
    the callers for the repeated case)."""
    plan = plan_run(red, inputs, shape, axes, _ew.ctype(out.dtype), out.size)
    return plan.launch([i.array for i in inputs], tuple(scalar_args), out)


_plans = {}
_MAX_PLANS = 4096
#: The plan caches of the forms used so far, by form name (the current one
#: is _plans).
_plans_by_form = {FORM.name: _plans}


def select_form(name):
    """Make `name` (see Form) the form of the reductions planned from now
    on; each form keeps its own plan cache, so switching back and forth
    (as the sweep's interleaved repeats do) replans nothing."""
    global FORM, _plans
    if name == FORM.name:
        return
    form = Form(name)
    FORM = form
    _plans = _plans_by_form.setdefault(name, {})


def _remember(key, value):
    if len(_plans) >= _MAX_PLANS:
        _plans.clear()
    _plans[key] = value
    return value


def _axis_key(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _output(out, shape, dtype, fname):
    """The array the kernel writes: `out` itself when it is C-contiguous
    with the right shape and dtype; else a new one (copied into `out` at the
    end)."""
    if out is None:
        return _empty(shape, dtype), None
    if not isinstance(out, _ndarray):
        raise TypeError('{}: out must be a gpuarray.ndarray, not {}'.format(fname, type(out)))
    if out.shape != shape:
        raise ValueError('{}: output parameter has the wrong shape: {} (expected {})'.format(
            fname, out.shape, shape))
    _ew.ctype(out.dtype)
    if out.dtype == dtype and out.flags.c_contiguous:
        return out, None
    return _empty(shape, dtype), out


def _finish(result, user_out):
    if user_out is None:
        return result
    _ew.copy_into(result, user_out)
    return user_out


# ------------------------------------------------------------- built-ins

def _check_array(a, fname):
    if not isinstance(a, _ndarray):
        if isinstance(a, numpy.ndarray):
            raise TypeError('{}: a host NumPy array is not a gpuarray.ndarray (use '
                            'gpuarray.asarray)'.format(fname))
        raise TypeError('{}: expected a gpuarray.ndarray, not {}'.format(fname, type(a)))
    _ew.ctype(a.dtype)


_result_types = {}


def _result_dtype(fname, dtype, dt_arg):
    """The dtype NumPy's reduction `fname` gives (asked of NumPy, once)."""
    key = (fname, dtype, dt_arg)
    r = _result_types.get(key)
    if r is None:
        probe = numpy.ones(2, dtype)
        fn = getattr(numpy, fname)
        if dt_arg is None:
            r = fn(probe).dtype
        else:
            r = fn(probe, dtype=dt_arg).dtype
        _ew.ctype(r)
        _result_types[key] = r
    return r


def _simple(fname, a, axis, dtype, out, keepdims, make):
    """A reduction of one array: `make(in_dtype, result_dtype, M)` gives
    (_Reduction, var_ct of the input, scalar args)."""
    if not isinstance(a, _ndarray):
        if _fusion is not None and _fusion.is_traced((a,)):
            return _fusion.record_reduction(fname, a, axis, dtype, out, keepdims, make)
        _check_array(a, fname)
    if dtype is not None and a.dtype.kind == 'c' and numpy.dtype(dtype).kind in 'iuf':
        # NumPy casts complex input to a real dtype= by dropping the
        # imaginary part, with a ComplexWarning: reduce the real part
        import warnings
        warnings.warn('Casting complex values to real discards the imaginary part',
                      numpy.exceptions.ComplexWarning, stacklevel=3)
        from gpuarray._complex import real
        a = real(a)
    key = (fname, a.dtype, a.shape, a.strides, _axis_key(axis), keepdims, dtype)
    p = _plans.get(key)
    if p is None:
        _check_array(a, fname)
        axes = normalize_axes(axis, a.ndim)
        shape = a.shape
        rshape = _reduced_shape(shape, axes, keepdims)
        rdtype = make.result(a.dtype, dtype)
        M = _ew.size_of(tuple(shape[d] for d in axes))
        red, var_ct, sargs = make(a.dtype, rdtype, M)
        if M == 0 and red.identity is None and _ew.size_of(rshape) != 0:
            raise ValueError(make.empty_message)
        rp = plan_run(red, [_Input(a, 'x0', var_ct)], shape, axes, _ew.ctype(rdtype),
                      _ew.size_of(rshape))
        p = _remember(key, (rshape, rdtype, rp, tuple(sargs)))
    rshape, rdtype, rp, sargs = p
    if out is None:
        return rp.launch((a,), sargs, _empty(rshape, rdtype))
    result, user_out = _output(out, rshape, rdtype, fname)
    rp.launch((a,), sargs, result)
    return _finish(result, user_out)


class _Builtin:
    """Factory of the _Reduction of a built-in for given dtypes."""

    def __init__(self, fname, np_name, build, empty_message=None):
        self.fname = fname
        self.np_name = np_name
        self.build = build
        self.empty_message = empty_message or 'zero-size array to reduction operation {} which has no identity'.format(fname)
        self._cache = {}

    def result(self, in_dtype, dt_arg):
        return _result_dtype(self.np_name, in_dtype, None if dt_arg is None else numpy.dtype(dt_arg))

    def __call__(self, in_dtype, rdtype, M):
        key = (in_dtype, rdtype)
        r = self._cache.get(key)
        if r is None:
            r = self.build(in_dtype, rdtype)
            self._cache[key] = r
        red, var_ct, extra = r
        return red, var_ct, extra(M) if callable(extra) else extra


def _acc_dtype_float(in_dtype, rdtype):
    """Accumulator of mean/var: float64 for ints and bool, float32 for
    float16, else the result's type."""
    if rdtype.kind == 'f' and rdtype.itemsize == 2:
        return numpy.dtype(numpy.float32)
    return rdtype


def _b_sum(op, identity):
    def build(in_dtype, rdtype):
        acc = _ew.compute_ctype(rdtype)
        out_ct = _ew.ctype(rdtype)
        red = _Reduction(op, acc, _itemsize_of_ct(acc), 'x0',
                         'a + b' if op == 'sum' else 'a * b',
                         'out0 = ga_cast<{}>(a)'.format(out_ct), identity, vector=True,
                         needs_complex=rdtype.kind == 'c')
        return red, _ew.compute_ctype(in_dtype), ()
    return build


def _b_minmax(op):
    def build(in_dtype, rdtype):
        acc = _ew.compute_ctype(in_dtype)
        fn = 'ga_maximum' if op == 'max' else 'ga_minimum'
        red = _Reduction(op, acc, _itemsize_of_ct(acc), 'x0', '{}(a, b)'.format(fn),
                         'out0 = ga_cast<{}>(a)'.format(_ew.ctype(rdtype)), None, vector=True,
                         needs_complex=in_dtype.kind == 'c')
        return red, acc, ()
    return build


def _b_arg(op):
    def build(in_dtype, rdtype):
        t = _ew.compute_ctype(in_dtype)
        acc = 'ga_argpair<{}>'.format(t)
        red = _Reduction(op, acc, argpair_size(t), 'ga_make_argpair(x0, (long long)_j)',
                         'ga_{}_reduce(a, b)'.format(op), 'out0 = ({})a.i'.format(_ew.ctype(rdtype)),
                         None, vector=True, order_matters=True, needs_complex=in_dtype.kind == 'c')
        return red, t, ()
    return build


def _b_logic(op):
    def build(in_dtype, rdtype):
        red = _Reduction(op, 'bool', 1, 'ga_cast<bool>(x0)', 'a || b' if op == 'any' else 'a && b',
                         'out0 = a', 'false' if op == 'any' else 'true', vector=True,
                         needs_complex=in_dtype.kind == 'c')
        return red, _ew.compute_ctype(in_dtype), ()
    return build


def _b_mean(in_dtype, rdtype):
    accd = _acc_dtype_float(in_dtype, rdtype)
    acc = _ew.compute_ctype(accd)
    red = _Reduction('mean', acc, _itemsize_of_ct(acc), 'x0', 'a + b',
                     'out0 = ga_cast<{}>(a / ({})ga_count)'.format(_ew.ctype(rdtype), acc), '0',
                     params=('double ga_count',), vector=True, needs_complex=accd.kind == 'c')
    return red, _ew.compute_ctype(in_dtype), lambda M: (float(M),)


_SUM = _Builtin('sum', 'sum', _b_sum('sum', '0'))
_PROD = _Builtin('prod', 'prod', _b_sum('prod', '1'))
_MAX = _Builtin('maximum', 'max', _b_minmax('max'))
_MIN = _Builtin('minimum', 'min', _b_minmax('min'))
_ARGMAX = _Builtin('argmax', 'argmax', _b_arg('argmax'),
                   'attempt to get argmax of an empty sequence')
_ARGMIN = _Builtin('argmin', 'argmin', _b_arg('argmin'),
                   'attempt to get argmin of an empty sequence')
_ANY = _Builtin('any', 'any', _b_logic('any'))
_ALL = _Builtin('all', 'all', _b_logic('all'))
_MEAN = _Builtin('mean', 'mean', _b_mean)


def _sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """Sum over `axis` (None: all), accumulated in NumPy's type (int64 for
    small ints, unless `dtype`); `initial` is added, `where` masks."""
    if initial is not None or where is not True:
        return _with_options('sum', _sum, a, axis, dtype, out, keepdims, initial, where)
    return _simple('sum', a, axis, dtype, out, keepdims, _SUM)


def _prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """Product over `axis` (None: all), in NumPy's accumulation type."""
    if initial is not None or where is not True:
        return _with_options('prod', _prod, a, axis, dtype, out, keepdims, initial, where)
    return _simple('prod', a, axis, dtype, out, keepdims, _PROD)


def _amax(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    """Largest element over `axis`; NaN propagates (NumPy's max)."""
    if initial is not None or where is not True:
        return _with_options('max', _amax, a, axis, None, out, keepdims, initial, where)
    return _simple('max', a, axis, None, out, keepdims, _MAX)


def _amin(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    """Smallest element over `axis`; NaN propagates (NumPy's min)."""
    if initial is not None or where is not True:
        return _with_options('min', _amin, a, axis, None, out, keepdims, initial, where)
    return _simple('min', a, axis, None, out, keepdims, _MIN)


def _argmax(a, axis=None, dtype=None, out=None, keepdims=False):
    """Index of the largest element (the first one; a NaN first), along
    `axis` or in the flattened array."""
    if axis is not None and not isinstance(axis, (list, tuple)):
        operator.index(axis)
    elif isinstance(axis, (list, tuple)):
        raise TypeError("'tuple' object cannot be interpreted as an integer")
    r = _simple('argmax', a, axis, None, out, keepdims, _ARGMAX)
    return r if dtype is None else r.astype(dtype)


def _argmin(a, axis=None, dtype=None, out=None, keepdims=False):
    """Index of the smallest element (the first one; a NaN first), along
    `axis` or in the flattened array."""
    if isinstance(axis, (list, tuple)):
        raise TypeError("'tuple' object cannot be interpreted as an integer")
    r = _simple('argmin', a, axis, None, out, keepdims, _ARGMIN)
    return r if dtype is None else r.astype(dtype)


def _any(a, axis=None, out=None, keepdims=False, *, where=True):
    """Whether any element over `axis` is nonzero (where `where` allows)."""
    if where is not True:
        return _with_options('any', _any, a, axis, None, out, keepdims, None, where)
    return _simple('any', a, axis, None, out, keepdims, _ANY)


def _all(a, axis=None, out=None, keepdims=False, *, where=True):
    """Whether every element over `axis` is nonzero (where `where` allows)."""
    if where is not True:
        return _with_options('all', _all, a, axis, None, out, keepdims, None, where)
    return _simple('all', a, axis, None, out, keepdims, _ALL)


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """Arithmetic mean over `axis` (float64 for integer input, computed in
    float32 for float16 as NumPy). NaN for an empty reduction. `where`
    averages the selected elements only."""
    if where is not True:
        return _masked_mean(a, axis, dtype, out, keepdims, where)
    return _simple('mean', a, axis, dtype, out, keepdims, _MEAN)


# -------------------------------------------- initial= and where= (NumPy's)

# The element that leaves each reduction unchanged: what a masked-out
# element becomes. max and min have none: NumPy asks for initial= then.
_MASK_IDENTITY = {'sum': 0, 'prod': 1, 'any': False, 'all': True}
_COMBINE_INITIAL = {'sum': 'add', 'prod': 'multiply', 'max': 'maximum', 'min': 'minimum'}


def _mask_of(where, a, fname):
    """where= as a bool device array of a's shape."""
    from gpuarray import _ufuncs as _u
    if isinstance(where, numpy.ndarray) and where.ndim > 0:
        raise TypeError('{}: where= must be a gpuarray array or a Python bool, not a host '
                        'NumPy array (use gpuarray.asarray)'.format(fname))
    if not isinstance(where, _ndarray):
        return _core.full(a.shape, bool(where), dtype=numpy.bool_)
    # broadcast to a's shape (ValueError naming both where they do not)
    return _u.logical_and(where, _core.ones(a.shape, dtype=numpy.bool_))


def _with_options(fname, fast, a, axis, dtype, out, keepdims, initial, where):
    """NumPy's initial= and where= of the reductions, composed from the
    plain reduction and elementwise ufuncs: masked-out elements become the
    identity (or `initial`), then `initial` joins the result."""
    from gpuarray import _ufuncs as _u
    _check_array(a, fname)
    kw = {} if dtype is None or fname in ('max', 'min', 'any', 'all') else {'dtype': dtype}
    if where is not True:
        fill = _MASK_IDENTITY.get(fname, initial)
        if fill is None:
            raise ValueError("reduction operation '{}' does not have an identity, so to use a "
                             "where mask one has to specify 'initial'".format(
                                 'maximum' if fname == 'max' else 'minimum'))
        a = _u.where(_mask_of(where, a, fname), a, numpy.asarray(fill).astype(a.dtype)[()])
    axes = normalize_axes(axis, a.ndim)
    if initial is not None and fname in ('max', 'min') and \
            _ew.size_of(tuple(a.shape[d] for d in axes)) == 0:
        result = _core.full(_reduced_shape(a.shape, axes, keepdims), initial, dtype=a.dtype)
    else:
        result = fast(a, axis=axis, keepdims=keepdims, **kw)
        if initial is not None:
            result = getattr(_u, _COMBINE_INITIAL[fname])(result, initial, dtype=result.dtype)
    return _into(result, out, fname)


def _into(result, out, fname):
    """result, or copied into the user's out= (checked as the kernels' is)."""
    if out is None:
        return result
    rout, user_out = _output(out, result.shape, result.dtype, fname)
    _ew.copy_into(result, rout)
    return _finish(rout, user_out)


def _masked_mean(a, axis, dtype, out, keepdims, where):
    """mean with where=: the sum of the selected elements over their count
    (NaN where none is selected, as NumPy)."""
    from gpuarray import _ufuncs as _u
    _check_array(a, 'mean')
    rdtype = _result_dtype('mean', a.dtype, None if dtype is None else numpy.dtype(dtype))
    mask = _mask_of(where, a, 'mean')
    total = _sum(a, axis=axis, dtype=rdtype, keepdims=keepdims, where=mask)
    count = _sum(mask, axis=axis, dtype=rdtype, keepdims=keepdims)
    return _into(_u.true_divide(total, count, dtype=rdtype), out, 'mean')


def _var_impl(fname, a, axis, dtype, out, ddof, keepdims, root):
    if not isinstance(a, _ndarray):
        _check_array(a, fname)
    key = (fname, a.dtype, a.shape, a.strides, _axis_key(axis), keepdims, dtype, ddof)
    p = _plans.get(key)
    if p is None:
        p = _remember(key, _var_plan(fname, a, axis, dtype, ddof, keepdims, root))
    mshape, accd, mplan, msargs, rshape, rdtype, vplan, den = p
    # the mean first, in the accumulation type of mean
    mean = mplan.launch((a,), msargs, _empty(mshape, accd))
    # then the sum of squared deviations from it
    result, user_out = _output(out, rshape, rdtype, fname)
    vplan.launch((a,), (mean, den), result)
    return _finish(result, user_out)


def _var_plan(fname, a, axis, dtype, ddof, keepdims, root):
    _check_array(a, fname)
    axes = normalize_axes(axis, a.ndim)
    shape = a.shape
    dt_arg = None if dtype is None else numpy.dtype(dtype)
    rdtype = _result_dtype(fname, a.dtype, dt_arg)
    mean_rdtype = _result_dtype('mean', a.dtype, dt_arg)
    accd = _acc_dtype_float(a.dtype, mean_rdtype)
    mshape = _reduced_shape(shape, axes, False)
    red_m, var_ct, _ = _MEAN(a.dtype, accd, 0)
    M = _ew.size_of(tuple(shape[d] for d in axes))
    P = _ew.size_of(mshape)
    mplan = plan_run(red_m, [_Input(a, 'x0', var_ct)], shape, axes, _ew.ctype(accd), P)
    racc = _ew.compute_ctype(_acc_dtype_float(a.dtype, rdtype))
    macc = _ew.compute_ctype(accd)
    out_ct = _ew.ctype(rdtype)
    post = 'ga_sqrt(a / ({})ga_den)' if root else 'a / ({})ga_den'
    red = _Reduction(fname, racc, _itemsize_of_ct(racc),
                     'ga_abs2(({m})x0 - ((const {m} *)ga_mean)[_p])'.format(m=macc), 'a + b',
                     'out0 = ga_cast<{}>({})'.format(out_ct, post.format(racc)), '0',
                     params=('const void* ga_mean', 'double ga_den'), vector=True,
                     needs_complex=accd.kind == 'c')
    rshape = _reduced_shape(shape, axes, keepdims)
    vplan = plan_run(red, [_Input(a, 'x0', _ew.compute_ctype(a.dtype))], shape, axes, out_ct, P)
    return (mshape, accd, mplan, (float(M),), rshape, rdtype, vplan, float(_b.max(M - ddof, 0)))


def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
         correction=None):
    """Variance over `axis` (NumPy's two-pass definition, divided by
    N - ddof; `correction` is the Array API's name for ddof). `mean` is a
    mean already computed (keepdims shape), `where` selects elements."""
    ddof = _ddof(ddof, correction)
    if where is not True or mean is not None:
        return _var_options('var', a, axis, dtype, out, ddof, keepdims, where, mean, False)
    return _var_impl('var', a, axis, dtype, out, ddof, keepdims, False)


def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
         correction=None):
    """Standard deviation over `axis`: sqrt(var)."""
    ddof = _ddof(ddof, correction)
    if where is not True or mean is not None:
        return _var_options('std', a, axis, dtype, out, ddof, keepdims, where, mean, True)
    return _var_impl('std', a, axis, dtype, out, ddof, keepdims, True)


def _ddof(ddof, correction):
    if correction is None:
        return ddof
    if ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


def _var_options(fname, a, axis, dtype, out, ddof, keepdims, where, mean, root):
    """var/std with where= or a given mean=, composed from ufuncs and sums:
    sum(|a - mean|^2) / (count - ddof)."""
    from gpuarray import _ufuncs as _u
    _check_array(a, fname)
    dt_arg = None if dtype is None else numpy.dtype(dtype)
    rdtype = _result_dtype(fname, a.dtype, dt_arg)
    mdtype = _result_dtype('mean', a.dtype, dt_arg)
    if mean is None:
        mean = _mean(a, axis=axis, dtype=mdtype, keepdims=True, where=where)
    elif not isinstance(mean, _ndarray):
        raise TypeError('{}: mean= must be a gpuarray.ndarray'.format(fname))
    dev = _u.subtract(a, mean, dtype=mdtype)
    sq = _u.absolute(dev) if dev.dtype.kind == 'c' else dev
    sq = _u.multiply(sq, sq)
    if where is True:
        total = _sum(sq, axis=axis, keepdims=keepdims)
        n = _ew.size_of(tuple(a.shape[d] for d in normalize_axes(axis, a.ndim)))
        den = float(_b.max(n - ddof, 0))
    else:
        mask = _mask_of(where, a, fname)
        total = _sum(sq, axis=axis, keepdims=keepdims, where=mask)
        den = _u.maximum(_sum(mask, axis=axis, keepdims=keepdims, dtype=numpy.float64) - ddof, 0)
    r = _u.true_divide(total, den)
    if root:
        r = _u.sqrt(r)
    return _into(r.astype(rdtype, copy=False), out, fname)


sum = _sum
prod = _prod
amax = max = _amax
amin = min = _amin
argmax = _argmax
argmin = _argmin
any = _any
all = _all
mean = _mean
var = _var
std = _std


# ------------------------------------------------------------ ReductionKernel

class ReductionKernel:
    """User-defined reduction kernel (CuPy's signature).

    ``ReductionKernel(in_params, out_params, map_expr, reduce_expr,
    post_map_expr, identity, name='reduce_kernel', reduce_type=None,
    reduce_dims=True, preamble='', options=())``

    ``map_expr`` maps the inputs (by their parameter names; ``_j`` is the
    index within the reduction) to ``reduce_type`` (default: the output's
    type); ``reduce_expr`` combines ``a`` and ``b``; ``post_map_expr`` sets
    the output from ``a`` (``_in_ind.size()`` and ``_out_ind.size()`` are
    the input and output sizes); ``identity`` is the value of an empty
    reduction (None: such a reduction is an error). Call as
    ``kernel(*inputs, axis=None, keepdims=False, out=None, stream=None)``.
    """

    def __init__(self, in_params, out_params, map_expr, reduce_expr, post_map_expr, identity,
                 name='reduce_kernel', reduce_type=None, reduce_dims=True, preamble='',
                 options=()):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError('Invalid kernel name: "{}"'.format(name))
        self.in_params = _ew._parse_params(in_params, True)
        self.out_params = _ew._parse_params(out_params, False)
        if len(self.out_params) != 1:
            raise NotImplementedError('ReductionKernel: exactly one output parameter is supported')
        if _b.any(p.raw for p in self.in_params + self.out_params):
            raise NotImplementedError('ReductionKernel: raw parameters are not supported')
        names = [p.name for p in self.in_params + self.out_params]
        if len(set(names)) != len(names):
            raise ValueError('Parameter names must be unique')
        self.nin = len(self.in_params)
        self.nout = 1
        self.nargs = self.nin + 1
        self.map_expr = map_expr
        self.reduce_expr = reduce_expr
        self.post_map_expr = post_map_expr
        self.identity = None if identity is None else str(identity)
        if self.identity == '':
            self.identity = None
        self.name = name
        self.__name__ = name
        self.reduce_type = reduce_type
        self.reduce_dims = reduce_dims
        self.preamble = preamble
        self.options = tuple(options)
        self._plans = {}

    def __repr__(self):
        return '<ReductionKernel {}>'.format(self.name)

    def __call__(self, *args, axis=None, keepdims=False, out=None, stream=None):
        if stream is not None:
            with stream:
                return self._call(args, axis, keepdims, out)
        return self._call(args, axis, keepdims, out)

    def _call(self, args, axis, keepdims, out):
        nin = self.nin
        if len(args) == nin + 1 and out is None:
            out = args[nin]
            args = args[:nin]
        if len(args) != nin:
            raise TypeError('Wrong number of arguments for {}: {} inputs expected, got {}'.format(
                self.name, nin, len(args)))
        key = (tuple((a.dtype, a.shape, a.strides) if isinstance(a, _ndarray) else type(a)
                     for a in args), None if out is None else out.dtype, _axis_key(axis), keepdims)
        p = self._plans.get(key)
        if p is None:
            p = self._plan(args, axis, keepdims, out)
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            self._plans[key] = p
        rshape, out_dtype, rp, sdtypes = p
        sargs = []
        for a, dt in zip(args, sdtypes):
            if dt is not None:
                sargs.extend(_ew.scalar_args(a, dt))
        result, user_out = _output(out, rshape, out_dtype, self.name)
        rp.launch([a for a in args if isinstance(a, _ndarray)], tuple(sargs), result)
        return _finish(result, user_out)

    def _plan(self, args, axis, keepdims, out):
        for a in args:
            if isinstance(a, numpy.ndarray):
                raise TypeError('Unsupported type {} (a host array: use gpuarray.asarray)'.format(
                    type(a)))
            if not isinstance(a, _ndarray) and not _ew._is_scalar(a):
                raise TypeError('Unsupported type {}'.format(type(a)))
        if out is not None and not isinstance(out, _ndarray):
            raise TypeError('Output arguments type must be gpuarray.ndarray')
        ek = _ew.ElementwiseKernel.__new__(_ew.ElementwiseKernel)
        ek.in_params, ek.out_params = self.in_params, self.out_params
        tmap = ek._bind(list(args) + [out])
        out_p = self.out_params[0]

        def dtype_of(p):
            if p.dtype is not None:
                return p.dtype
            if p.placeholder in tmap:
                return tmap[p.placeholder]
            raise TypeError('Cannot determine the type of {} (placeholder {})'.format(
                p.name, p.placeholder))

        in_dtypes = [dtype_of(p) for p in self.in_params]
        out_dtype = dtype_of(out_p)
        if self.reduce_type is None:
            acc_dt = out_dtype
        else:
            acc_dt = _ew._dtype_of_name(self.reduce_type)
            if acc_dt is None:
                if self.reduce_type not in tmap:
                    raise TypeError('Cannot determine reduce_type {}'.format(self.reduce_type))
                acc_dt = tmap[self.reduce_type]
        acc = _ew.ctype(acc_dt)
        arrays = [a for a in args if isinstance(a, _ndarray)]
        if not arrays:
            raise ValueError('ReductionKernel needs at least one array input')
        shape = _ew.broadcast_shapes([a.shape for a in arrays])
        axes = normalize_axes(axis, len(shape))
        rshape = _reduced_shape(shape, axes, keepdims)
        M = _ew.size_of(tuple(shape[d] for d in axes))
        if M == 0 and self.identity is None and _ew.size_of(rshape):
            raise ValueError('zero-size array to reduction operation {} which has no identity'.format(
                self.name))
        if out is not None:
            _output(out, rshape, out_dtype, self.name)      # its shape is checked now
        inputs, sdtypes, params = [], [], []
        for p, a, dt in zip(self.in_params, args, in_dtypes):
            if isinstance(a, _ndarray):
                inputs.append(_Input(a, p.name, _ew.ctype(dt)))
                sdtypes.append(None)
            else:
                c = _ew.ctype(dt)
                if _ew.is_complex_ctype(c) or c == 'ga_half':
                    raise NotImplementedError('ReductionKernel: float16 and complex scalar '
                                              'parameters are not supported yet')
                params.append('{} {}'.format(c, p.name))
                sdtypes.append(dt)
        typedefs = ''.join('typedef {} {};\n'.format(_ew.ctype(dt), name)
                           for name, dt in sorted(tmap.items()))
        needs_complex = _b.any(_ew.is_complex_ctype(_ew.ctype(dt)) for dt in tmap.values()) or \
            _ew.is_complex_ctype(acc)
        red = _Reduction(self.name, acc, acc_dt.itemsize, self.map_expr, self.reduce_expr,
                         self.post_map_expr, self.identity, out_name=out_p.name, params=params,
                         preamble=self.preamble, typedefs=typedefs, options=self.options,
                         needs_complex=needs_complex, order_matters=True)
        rp = plan_run(red, inputs, shape, axes, _ew.ctype(out_dtype), _ew.size_of(rshape))
        return rshape, out_dtype, rp, tuple(sdtypes)


# ------------------------------------------------------------ installation

def _method(fn):
    def m(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    m.__name__ = fn.__name__.lstrip('_')
    m.__doc__ = fn.__doc__
    return m


def install(ndarray):
    """Give `ndarray` its reduction methods (sum, prod, mean, var, std, min,
    max, argmin, argmax, any, all)."""
    for name, fn in [('sum', _sum), ('prod', _prod), ('mean', _mean), ('var', _var),
                     ('std', _std), ('min', _amin), ('max', _amax), ('argmin', _argmin),
                     ('argmax', _argmax), ('any', _any), ('all', _all)]:
        setattr(ndarray, name, _method(fn))
