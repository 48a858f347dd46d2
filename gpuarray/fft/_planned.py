"""The plan path of gpuarray.fft (cuFFT on CUDA): one transform of rank
1..3 over given axes of a device array, as few plans and copies as the
layout allows.

A plan describes `batch` transforms in cuFFT's advanced layout: the
transform dimensions nest (each stride a multiple of the next one's), and
one batch dimension steps by idist. A strided view (a[:, ::2], an axis
that is not the last) fits that without a copy when its transform axes
nest; further batch dimensions that do not merge into one are looped over
with pointer offsets, up to MAX_LOOP executions, beyond which the input is
copied into the order (batch axes, transform axes) first. The output is
allocated in the input's memory order, so it has the same structure and
for a C-contiguous input is C-contiguous.

Plans come from the calling thread's PlanCache (config.py). make_plan is
the one place a plan is made; tests on the host backend replace it with a
NumPy emulation of the same layout to check this file without a GPU.
"""

import itertools

import numpy

from gpuarray import _core
from gpuarray.fft import config

C2C, R2C, C2R = 0, 1, 2

#: Executions of one plan over batch dimensions that do not merge, before
#: copying the input is cheaper than launching again.
MAX_LOOP = 16


def make_plan(fft_type, double, n, inembed, istride, idist, onembed, ostride, odist, batch):
    return _core.FFTPlan(fft_type, double, n, inembed, istride, idist, onembed, ostride, odist,
                         batch)


def _elem_strides(a):
    """Strides in elements, or None when one is negative or not a whole
    number of elements (cuFFT takes neither)."""
    es = a.itemsize
    out = []
    for size, st in zip(a.shape, a.strides):
        if size == 1:
            out.append(0)       # free: fixed below where it matters
            continue
        if st <= 0 or st % es:
            return None
        out.append(st // es)
    return out


def _nest(strides, sizes):
    """(embed, stride) of transform dims with these element strides and
    sizes (outer first), or None when they do not nest."""
    k = len(sizes)
    stride = strides[-1] if sizes[-1] > 1 else 1
    embed = [0] * k
    embed[0] = sizes[0]
    cur = stride
    for i in range(k - 2, -1, -1):
        if sizes[i] == 1:
            e = sizes[i + 1]
        else:
            if strides[i] % cur:
                return None
            e = strides[i] // cur
            if e < sizes[i + 1]:
                return None
        embed[i + 1] = e
        cur *= e
    return embed, stride


def _layout(x, y, taxes):
    """The plan layout reading x and writing y over transform axes `taxes`
    (plan order): (in_embed, istride, idist, out_embed, ostride, odist,
    batch, loops) with loops a list of (count, in_step, out_step) in
    elements; None when cuFFT cannot address the arrays as they are."""
    xs, ys = _elem_strides(x), _elem_strides(y)
    if xs is None or ys is None:
        return None
    xin = _nest([xs[a] for a in taxes], [x.shape[a] for a in taxes])
    yout = _nest([ys[a] for a in taxes], [y.shape[a] for a in taxes])
    if xin is None or yout is None:
        return None
    dims = [(x.shape[d], xs[d], ys[d]) for d in range(x.ndim)
            if d not in taxes and x.shape[d] > 1]
    dims.sort(key=lambda t: -t[1])
    merged = []
    for size, si, so in dims:
        if merged:
            psize, psi, pso = merged[-1]
            if psi == si * size and pso == so * size:
                merged[-1] = (psize * size, si, so)
                continue
        merged.append((size, si, so))
    if merged:
        main = max(range(len(merged)), key=lambda i: merged[i][0])
        batch, idist, odist = merged[main]
        loops = merged[:main] + merged[main + 1:]
    else:
        batch, loops = 1, []
        idist = xin[1] * _prod(xin[0][1:]) * x.shape[taxes[0]]
        odist = yout[1] * _prod(yout[0][1:]) * y.shape[taxes[0]]
    if _prod(c for c, _, _ in loops) > MAX_LOOP:
        return None
    if len(taxes) > 1 and (idist < xin[1] * _prod(xin[0][1:]) * x.shape[taxes[0]]
                           or odist < yout[1] * _prod(yout[0][1:]) * y.shape[taxes[0]]):
        return None     # batches interleaved with an n-d transform: not a layout to risk
    return xin[0], xin[1], idist, yout[0], yout[1], odist, batch, loops


def _prod(values):
    p = 1
    for v in values:
        p *= v
    return p


def _memory_order(x):
    """x's axes from the largest stride to the smallest (NumPy's order='K')."""
    return sorted(range(x.ndim), key=lambda d: (-abs(x.strides[d]), d))


def empty_in_order_of(x, shape, dtype, first=(), last=()):
    """An empty array of `shape` laid out in x's memory order, with the
    axes in `last` innermost (in that order)."""
    order = [d for d in _memory_order(x) if d not in last] + list(last)
    if order == sorted(order):
        return _core.empty(tuple(shape), dtype=dtype)
    buf = _core.empty(tuple(shape[d] for d in order), dtype=dtype)
    return buf.transpose(tuple(order.index(d) for d in range(len(shape))))


def _regroup(x, taxes):
    """A copy of x laid out with the batch axes outermost and the transform
    axes innermost, in plan order (always addressable by one plan)."""
    c = empty_in_order_of(x, x.shape, x.dtype, last=taxes)
    c[...] = x
    return c


# (input shape, strides, dtype, axes, type, n, output dtype, device) ->
# (plan key, plan arguments, output shape) of calls whose input needed no
# copy and whose output is C-contiguous: pure data, shared by all threads.
_decided = {}
_MAX_DECIDED = 1024


def _fast_input(fast, x):
    """x when it is still the input the key `fast` describes (a regroup
    copy or an out= fallback replaces x and must not be remembered)."""
    return x if (x.shape, x.strides) == fast[:2] else None


def out_shape(x, taxes, fft_type, n_last):
    shape = list(x.shape)
    if fft_type == R2C:
        shape[taxes[-1]] = n_last // 2 + 1
    elif fft_type == C2R:
        shape[taxes[-1]] = n_last
    return tuple(shape)


def execute(x, taxes, fft_type, inverse, n_last, out_dtype, out=None, x_private=False,
            _packed=False):
    """Run one plan over axes `taxes` (distinct, 1 to 3, plan order: for
    R2C/C2R the last is the real axis) of x, which has the computation dtype
    and the input sizes already (C2R: n_last//2+1 along the last axis, whose
    real length is n_last). Writes into `out` when given and addressable
    (else into a new array, returned). Unnormalised. x_private: x is this
    call's own temporary, which C2R may overwrite."""
    if out is None and (fft_type != C2R or x_private):
        # The common call (no out=, an input as before) skips the layout
        # work: what it decides depends only on these.
        fast = (x.shape, x.strides, x.dtype, taxes, fft_type, n_last, out_dtype, x.device.id)
        hit = _decided.get(fast)
        if hit is not None:
            plan_key, plan_args, y_shape = hit
            y = _core.empty(y_shape, dtype=out_dtype)
            plan = config.get_plan_cache().get(plan_key, lambda: make_plan(*plan_args))
            plan.execute(x, y, inverse)
            return y
    else:
        fast = None
    shape = out_shape(x, taxes, fft_type, n_last)
    if fft_type == C2R and not x_private:
        x = _regroup(x, taxes)            # cuFFT's C2R overwrites its input
    y = out
    if y is not None and (y.dtype != out_dtype or not (y.flags.c_contiguous or y.flags.f_contiguous)):
        y = None                          # computed apart, then copied in
    if y is None:
        # x's own memory order: a C-contiguous input gives a C-contiguous
        # output, along any axis (cuFFT reads and writes strided batches)
        y = empty_in_order_of(x, shape, out_dtype)
    if 0 in shape or 0 in x.shape:
        if out is not None and y is not out:
            out[...] = y
        return out if out is not None else y
    lay = _layout(x, y, taxes)
    if lay is None:
        x = _regroup(x, taxes)
        if y is out:
            lay = _layout(x, y, taxes)
        if lay is None:
            y = empty_in_order_of(x, shape, out_dtype, last=taxes)
            lay = _layout(x, y, taxes)
    inembed, istride, idist, onembed, ostride, odist, batch, loops = lay
    n = [x.shape[a] for a in taxes]
    if fft_type == C2R:
        n[-1] = n_last
    double = out_dtype in (numpy.complex128, numpy.float64)
    key = (fft_type, double, tuple(n), tuple(inembed), istride, idist, tuple(onembed), ostride,
           odist, batch, x.device.id)
    def packed_instead():
        # cuFFT refused a strided layout (CUFFT_INVALID_VALUE or _SIZE, at
        # planning, or on the H200 at execution for strided and offset
        # real-to-complex data): the packed one, batches outermost, is its
        # plainest case.
        r = execute(_regroup(x, taxes), taxes, fft_type, inverse, n_last, out_dtype,
                    x_private=True, _packed=True)
        if out is not None:
            out[...] = r
            return out
        return r
    try:
        plan = config.get_plan_cache().get(
            key, lambda: make_plan(fft_type, double, n, inembed, istride, idist, onembed, ostride,
                                   odist, batch))
    except (ValueError, NotImplementedError):
        if _packed:
            raise
        return packed_instead()
    try:
        if not loops:
            plan.execute(x, y, inverse)
        else:
            xe, ye = x.itemsize, y.itemsize
            for idx in itertools.product(*(range(c) for c, _, _ in loops)):
                xo = sum(i * si for i, (_, si, _) in zip(idx, loops)) * xe
                yo = sum(i * so for i, (_, _, so) in zip(idx, loops)) * ye
                plan.execute(x, y, inverse, xo, yo)
    except _core.CUDADriverError as e:
        # a refusal is found at the first execution, before any output
        if _packed or 'CUFFT_INVALID_VALUE' not in str(e):
            raise
        return packed_instead()
    if fast is not None and not loops and y.flags.c_contiguous and x is _fast_input(fast, x) \
            and len(_decided) < _MAX_DECIDED:
        _decided[fast] = (key, (fft_type, double, n, inembed, istride, idist, onembed, ostride,
                                odist, batch), y.shape)
    if out is not None and y is not out:
        out[...] = y
        return out
    return y
