"""gpuarray._elementwise - the elementwise kernel generator and ElementwiseKernel.

Every elementwise operation of gpuarray (the ufuncs of ``gpuarray._ufuncs``,
``ElementwiseKernel``, the casting copies) goes through :func:`launch`:

1. Operands are classified: ``'a'`` an array read or written at every index,
   ``'p'`` a one-element array broadcast to all (read once), ``'s'`` a value
   passed by value as a kernel argument (Python and NumPy scalars).
2. Layout: when every ``'a'`` operand is contiguous in the same order (or the
   collapsed shape is one contiguous run) the *dense* kernel runs a flat loop
   where one thread handles a 16-byte vector of every operand when all
   pointers are aligned. Anything else (views, broadcasting) takes the
   *strided* kernel: adjacent dimensions that are contiguous for every operand
   are merged, and the rest is indexed from the flat index with the shape and
   byte strides passed as kernel arguments.
3. The kernel text comes from the templates of ``kernels/elementwise.cuh``;
   kernels are compiled once per (operation, dtypes, operand kinds, layout,
   ndim, index width) and kept in a dict, so a repeated call costs a dict
   look-up, the output's allocation and one launch.

Only plain CUDA C is generated (no headers, no inline PTX), so the host
backend compiles the same text with a C++ compiler.
"""

import os
import string
import threading

import numpy

from gpuarray import _core

__all__ = ['ElementwiseKernel']

_ndarray = _core.ndarray
_empty = _core.empty

#: Threads per block of the elementwise kernels.
BLOCK = 256
#: Most blocks a flat loop gets; the loops are grid-stride beyond that.
MAX_BLOCKS = 1 << 18

# ----------------------------------------------------------------- templates

_KERNEL_DIRS = (
    os.path.join(os.path.dirname(os.path.abspath(__file__)), 'kernels'),
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'kernels'),
)
_sections_cache = {}
_lock = threading.Lock()


def template_sections(filename):
    """The ``//@ name`` sections of ``kernels/<filename>`` as a dict of
    name -> text (read once)."""
    sections = _sections_cache.get(filename)
    if sections is not None:
        return sections
    for d in _KERNEL_DIRS:
        path = os.path.join(d, filename)
        if os.path.exists(path):
            break
    else:
        raise RuntimeError('gpuarray: kernel template {} not found in {}'.format(
            filename, ' or '.join(_KERNEL_DIRS)))
    with open(path, encoding='utf-8') as f:
        text = f.read()
    sections = {}
    name = None
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith('//@ '):
            if name is not None:
                sections[name] = ''.join(lines)
            name = line[4:].strip()
            lines = []
        elif name is not None:
            lines.append(line)
    if name is not None:
        sections[name] = ''.join(lines)
    _sections_cache[filename] = sections
    return sections


def prelude(needs_complex, extra=()):
    """The shared prelude (and the complex section when a complex type is
    involved), followed by the `extra` sections as (file, name) pairs."""
    ew = template_sections('elementwise.cuh')
    parts = [ew['prelude']]
    if needs_complex:
        parts.append(ew['complex'])
    for filename, name in extra:
        parts.append(template_sections(filename)[name])
    return ''.join(parts)


def fill(filename, section, **values):
    return string.Template(template_sections(filename)[section]).substitute(values)


# ------------------------------------------------------------------ C types

_CTYPES = {
    ('b', 1): 'bool',
    ('i', 1): 'signed char', ('u', 1): 'unsigned char',
    ('i', 2): 'short', ('u', 2): 'unsigned short',
    ('i', 4): 'int', ('u', 4): 'unsigned int',
    ('i', 8): 'long long', ('u', 8): 'unsigned long long',
    ('f', 2): 'ga_half', ('f', 4): 'float', ('f', 8): 'double',
    ('c', 8): 'ga_complex<float>', ('c', 16): 'ga_complex<double>',
}

_SUPPORTED = ('bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, '
              'float16, float32, float64, complex64, complex128')


def ctype(dtype):
    """The C type of a dtype's elements in generated kernels."""
    try:
        return _CTYPES[dtype.kind, dtype.itemsize]
    except KeyError:
        raise TypeError('gpuarray kernels do not support dtype {!r} (supported: {})'.format(
            dtype, _SUPPORTED)) from None


def compute_ctype(dtype):
    """The C type arithmetic on a dtype is done in: float for float16."""
    c = ctype(dtype)
    return 'float' if c == 'ga_half' else c


def cast(expr, src, dst):
    """C expression converting `expr` of C type `src` to `dst`."""
    return expr if src == dst else 'ga_cast<{}>({})'.format(dst, expr)


def is_complex_ctype(c):
    return 'complex' in c


# ------------------------------------------------------------ the device

_device_info = {}


def device_info():
    """(multiprocessor count, host backend?) of the current device."""
    dev = _core._kernel_current_device()
    info = _device_info.get(dev)
    if info is None:
        sms = 0
        try:
            from gpuarray import cuda
            sms = int(cuda.Device(dev).attributes.get('MultiProcessorCount', 0))
        except Exception:     # no such attribute on some backend: a guess
            sms = 0
        try:
            backend = _core.config().get('backend', 'cuda')
        except Exception:
            backend = 'cuda'
        host = backend not in ('cuda', 'hip')
        info = (sms if sms > 0 else (os.cpu_count() or 1) if host else 80, host)
        _device_info[dev] = info
    return info


# ------------------------------------------------------------------ kernels

_kernels = {}


def get_kernel(key, build, options=()):
    """The compiled kernel for `key`; `build()` gives (source, name) the
    first time. Compilation is lazy (at the first launch), through the
    kernel caches of the core (in memory and on disk)."""
    k = _kernels.get(key)
    if k is None:
        from gpuarray._kernel import RawKernel
        source, name = build()
        k = RawKernel(source, name, options=tuple(options))
        _kernels[key] = k
    return k


def kernel_sources():
    """{key: source} of the kernels generated so far (for debugging)."""
    return {k: v.code for k, v in _kernels.items()}


# ----------------------------------------------------------- shapes, layout

def broadcast_shapes(shapes):
    """NumPy's broadcasting of `shapes` (tuples); ValueError with NumPy's
    ufunc message when they do not broadcast."""
    if len(shapes) == 1:
        return shapes[0]
    nd = max(len(s) for s in shapes)
    result = [1] * nd
    for s in shapes:
        off = nd - len(s)
        for i, d in enumerate(s):
            r = result[off + i]
            if d != r:
                if r == 1:
                    result[off + i] = d
                elif d != 1:
                    raise ValueError('operands could not be broadcast together with shapes '
                                     + ''.join(shape_text(t) + ' ' for t in shapes))
    return tuple(result)


def shape_text(shape):
    """(2, 3) -> '(2,3)', as NumPy's messages print shapes."""
    if len(shape) == 1:
        return '({},)'.format(shape[0])
    return '(' + ','.join(str(d) for d in shape) + ')'


def broadcast_strides(shape, a_shape, a_strides):
    """Byte strides of an array of shape `a_shape` broadcast to `shape`."""
    off = len(shape) - len(a_shape)
    st = [0] * len(shape)
    for i, d in enumerate(a_shape):
        if d != 1:
            st[off + i] = a_strides[i]
    return st


def collapse(shape, strides_list):
    """Drop length-1 dimensions and merge neighbours that are contiguous
    for every operand. Returns (shape, [strides per operand])."""
    keep = [d for d in range(len(shape)) if shape[d] != 1]
    if not keep:
        return (), [[] for _ in strides_list]
    new_shape = [shape[keep[0]]]
    new_strides = [[st[keep[0]]] for st in strides_list]
    for d in keep[1:]:
        n = shape[d]
        if all(ns[-1] == st[d] * n for ns, st in zip(new_strides, strides_list)):
            new_shape[-1] *= n
            for ns, st in zip(new_strides, strides_list):
                ns[-1] = st[d]
        else:
            new_shape.append(n)
            for ns, st in zip(new_strides, strides_list):
                ns.append(st[d])
    return tuple(new_shape), new_strides


def size_of(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def extent(a):
    """[lo, hi) device addresses an array touches."""
    lo = hi = a.data.ptr
    if a.size == 0:
        return lo, lo
    for d, s in zip(a.shape, a.strides):
        if s < 0:
            lo += (d - 1) * s
        else:
            hi += (d - 1) * s
    return lo, hi + a.itemsize


def may_share_memory(a, b):
    la, ha = extent(a)
    lb, hb = extent(b)
    return la < hb and lb < ha


def same_view(a, b):
    return a.data.ptr == b.data.ptr and a.shape == b.shape and a.strides == b.strides


def choose_order(arrays, shape):
    """'F' when every full-shape input is Fortran- and not C-contiguous
    (NumPy's order='K' for the common layouts), else 'C'."""
    f = False
    for a in arrays:
        if a.shape == shape and a.size > 1:
            fl = a.flags
            if fl.f_contiguous and not fl.c_contiguous:
                f = True
            else:
                return 'C'
    return 'F' if f else 'C'


# ------------------------------------------------------------ code generation

class Operand:
    """One parameter of a generated elementwise kernel.

    kind: 'a' array at every index, 'p' one-element array, 's' scalar
    value(s), 'r' raw pointer (ElementwiseKernel `raw`). `ctype` is the C
    type of the array's elements (or of the scalar parameter); `out` says
    whether the kernel writes it."""

    __slots__ = ('kind', 'ctype', 'out', 'pname', 'itemsize')

    def __init__(self, kind, ctype_, out, pname, itemsize=0):
        self.kind = kind
        self.ctype = ctype_
        self.out = out
        self.pname = pname
        self.itemsize = itemsize


def _scalar_params(op):
    """Parameter declarations of a scalar operand: complex as two reals,
    float16 as float."""
    c = op.ctype
    if c == 'ga_complex<float>':
        return ['float {}_re'.format(op.pname), 'float {}_im'.format(op.pname)]
    if c == 'ga_complex<double>':
        return ['double {}_re'.format(op.pname), 'double {}_im'.format(op.pname)]
    if c == 'ga_half':
        return ['float {}'.format(op.pname)]
    return ['{} {}'.format(c, op.pname)]


def scalar_value(op):
    """C expression of a scalar operand's value, in its own C type."""
    c = op.ctype
    if is_complex_ctype(c):
        return '{}({}_re, {}_im)'.format(c, op.pname, op.pname)
    if c == 'ga_half':
        return 'ga_half({})'.format(op.pname)
    return op.pname


def _param_decls(operands, restrict):
    decls = []
    r = ' __restrict__' if restrict else ''
    for op in operands:
        if op.kind in 'ap':
            if op.out:
                decls.append('{}*{} {}'.format(op.ctype, r, op.pname))
            else:
                decls.append('const {}*{} {}'.format(op.ctype, r, op.pname))
        elif op.kind == 'r':
            decls.append('{}* {}_ptr'.format(op.ctype, op.pname))
            decls.append('long long {}_size'.format(op.pname))
        else:
            decls.extend(_scalar_params(op))
    return ''.join(d + ', ' for d in decls)


def _indent(text, n):
    pad = ' ' * n
    return '\n'.join(pad + line if line else line for line in text.split('\n'))


def gen_dense(name, operands, setup, body, vec, head=''):
    """Source of a dense kernel. `body(refs)` gives the statements for one
    element, refs mapping each 'a' operand's index in `operands` to its C
    lvalue; `setup` is placed before the loops."""
    arrays = [(i, op) for i, op in enumerate(operands) if op.kind == 'a']
    if vec > 1:
        aligned = ' && '.join(
            '((unsigned long long){} % {}u) == 0'.format(op.pname, op.itemsize * vec)
            for _, op in arrays) or '1'
        loads, stores, vrefs = [], [], {}
        for i, op in arrays:
            vt = 'ga_vec<{}, {}>'.format(op.ctype, vec)
            if op.out:
                loads.append('{} ga_v{};'.format(vt, i))
                stores.append('(({}*){})[v] = ga_v{};'.format(vt, op.pname, i))
            else:
                loads.append('const {} ga_v{} = ((const {}*){})[v];'.format(vt, i, vt, op.pname))
            vrefs[i] = 'ga_v{}.v[j]'.format(i)
        vec_load = _indent('\n'.join(loads), 12)
        vec_store = _indent('\n'.join(stores), 12)
        vec_body = _indent(body(vrefs), 16)
    else:
        aligned, vec_load, vec_store, vec_body = '0', '', '', ''
    refs = {i: '{}[i]'.format(op.pname) for i, op in arrays}
    src = fill('elementwise.cuh', 'dense', name=name,
               params=_param_decls(operands, True), setup=_indent(setup, 4), vec=vec,
               aligned=aligned, vec_load=vec_load, vec_body=vec_body, vec_store=vec_store,
               body=_indent(body(refs), 8))
    return head + src


def gen_strided(name, operands, setup, body, ndim, idx, head=''):
    """Source of a strided kernel over `ndim` collapsed dimensions: the
    shape (but its first length) and each 'a' operand's byte strides come
    as arguments d1.., t<k>_<d>."""
    arrays = [(i, op) for i, op in enumerate(operands) if op.kind == 'a']
    index_params = ''.join(', {} ga_d{}'.format(idx, d) for d in range(1, ndim))
    index_params += ''.join(', long long ga_t{}_{}'.format(i, d) for i, _ in arrays for d in range(ndim))
    lines = ['{} ga_r = i;'.format(idx)]
    lines += ['long long ga_o{} = 0;'.format(i) for i, _ in arrays]
    for d in range(ndim - 1, 0, -1):
        lines.append('{{ const {t} q = ga_r / ga_d{d}; const {t} c = ga_r - q * ga_d{d}; ga_r = q;'.format(t=idx, d=d))
        lines += ['  ga_o{i} += (long long)c * ga_t{i}_{d};'.format(i=i, d=d) for i, _ in arrays]
        lines.append('}')
    if ndim:
        lines += ['ga_o{i} += (long long)ga_r * ga_t{i}_0;'.format(i=i) for i, _ in arrays]
    refs = {}
    for i, op in arrays:
        if op.out:
            refs[i] = '(*({} *)((char *){} + ga_o{}))'.format(op.ctype, op.pname, i)
        else:
            refs[i] = '(*(const {} *)((const char *){} + ga_o{}))'.format(op.ctype, op.pname, i)
    src = fill('elementwise.cuh', 'strided', name=name, params=_param_decls(operands, False),
               idx=idx, index_params=index_params, setup=_indent(setup, 4),
               index=_indent('\n'.join(lines), 8), body=_indent(body(refs), 8))
    return head + src


# ------------------------------------------------------------------ launching

def grid_for(n, per_block):
    g = (n + per_block - 1) // per_block
    return g if g <= MAX_BLOCKS else MAX_BLOCKS


def dense_vec(operands):
    """Elements per thread of the dense kernel: one 16-byte access of the
    widest array operand."""
    widest = max([op.itemsize for op in operands if op.kind == 'a'] or [16])
    return max(1, 16 // widest)


def index_type(n):
    return 'int' if n < (1 << 30) else 'long long'


class Layout:
    """Where each array operand is, for one launch: dense (a flat index)
    or strided over `shape` (collapsed) with per-operand byte strides."""

    __slots__ = ('dense', 'shape', 'strides', 'n')

    def __init__(self, dense, shape, strides, n):
        self.dense = dense
        self.shape = shape
        self.strides = strides
        self.n = n


def plan_layout(shape, arrays):
    """Decide the layout of `arrays` (the ndarrays read or written at every
    index, outputs first) over the broadcast `shape`. Dimensions are put in
    the order of the first array's strides (so Fortran-ordered operands
    collapse too), then merged where contiguous for all. Dense when one
    contiguous run remains for every operand."""
    n = size_of(shape)
    strides = [broadcast_strides(shape, a.shape, a.strides) for a in arrays]
    nd = len(shape)
    if nd > 1 and strides:
        ref = strides[0]
        perm = sorted(range(nd), key=lambda d: -abs(ref[d]))
        if perm != list(range(nd)):
            shape = tuple(shape[d] for d in perm)
            strides = [[st[d] for d in perm] for st in strides]
    cshape, cstrides = collapse(shape, strides)
    if len(cshape) <= 1 and all(not st or st[0] == a.itemsize for a, st in zip(arrays, cstrides)):
        return Layout(True, cshape, None, n)
    return Layout(False, cshape, cstrides, n)


# ------------------------------------------------------------ ElementwiseKernel

class _Geometry:
    """An output not allocated yet, as the layout planner sees it."""

    __slots__ = ('shape', 'strides', 'itemsize', 'size')

    def __init__(self, shape, strides, itemsize):
        self.shape = shape
        self.strides = strides
        self.itemsize = itemsize
        self.size = size_of(shape)


def _contiguous_strides(shape, itemsize, order):
    strides = [0] * len(shape)
    s = itemsize
    dims = range(len(shape)) if order == 'F' else range(len(shape) - 1, -1, -1)
    for d in dims:
        strides[d] = s
        s *= shape[d] if shape[d] else 1
    return tuple(strides)


class _Param:
    __slots__ = ('name', 'dtype', 'ctype', 'raw', 'placeholder')

    def __init__(self, text, is_input):
        words = text.split()
        raw = False
        if words and words[0] == 'raw':
            raw = True
            words = words[1:]
        if len(words) != 2:
            raise ValueError('Syntax error: {!r} (a parameter is "[raw] type name")'.format(text))
        t, name = words
        if not name.isidentifier():
            raise ValueError('Invalid parameter name: {!r}'.format(name))
        self.name = name
        self.raw = raw
        self.dtype = None
        self.placeholder = None
        dt = _dtype_of_name(t)
        if dt is None:
            if not t.isidentifier():
                raise ValueError('Invalid type: {!r}'.format(t))
            self.placeholder = t
        else:
            self.dtype = dt


_C_TYPE_NAMES = {
    'bool': 'bool', 'char': 'int8', 'signed char': 'int8', 'unsigned char': 'uint8',
    'short': 'int16', 'unsigned short': 'uint16', 'int': 'int32', 'unsigned int': 'uint32',
    'long': 'int64', 'long long': 'int64', 'unsigned long long': 'uint64',
    'float': 'float32', 'double': 'float64', 'half': 'float16', 'float16': 'float16',
    'complex<float>': 'complex64', 'complex<double>': 'complex128',
}


def _dtype_of_name(t):
    """A parameter type that names a dtype (NumPy names, and the C names
    CuPy accepts), or None for a type placeholder."""
    if t in _C_TYPE_NAMES:
        return numpy.dtype(_C_TYPE_NAMES[t])
    if len(t) == 1 and t.isupper():
        return None
    try:
        dt = numpy.dtype(t)
    except TypeError:
        return None
    ctype(dt)
    return dt


def _parse_params(text, is_input):
    text = text.strip()
    if not text:
        return ()
    return tuple(_Param(p.strip(), is_input) for p in text.split(','))


def _is_scalar(x):
    return isinstance(x, (bool, int, float, complex, numpy.generic))


def scalar_args(value, dtype):
    """Kernel argument(s) carrying Python/NumPy scalar `value` as `dtype`
    (NumPy's conversion, so an out-of-range Python int raises
    OverflowError as in NumPy)."""
    v = dtype.type(value)
    k = dtype.kind
    if k == 'c':
        return (v.real, v.imag)
    if k == 'f' and dtype.itemsize == 2:
        return (numpy.float32(v),)
    return (v,)


class ElementwiseKernel:
    """User-defined elementwise kernel (CuPy's signature).

    ``ElementwiseKernel(in_params, out_params, operation, name='kernel',
    reduce_dims=True, preamble='', no_return=False, return_tuple=False,
    loop_prep='', after_loop='', options=())``

    Parameters are ``'[raw] type name'`` separated by commas; a type is a
    dtype name (``float32``, ``int64``...) or a placeholder such as ``T``
    bound from the arguments' dtypes. ``operation`` is CUDA C run for each
    index ``i`` with the inputs as values and the outputs as references to
    their elements; ``_ind.size()`` is the loop size. Arrays broadcast;
    outputs not given are allocated. ``raw`` parameters are C-contiguous
    arrays indexed by hand (``x[j]``, ``x.size()``).
    """

    def __init__(self, in_params, out_params, operation, name='kernel', reduce_dims=True,
                 preamble='', no_return=False, return_tuple=False, loop_prep='', after_loop='',
                 options=(), **kwargs):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError('Invalid kernel name: "{}"'.format(name))
        if kwargs:
            raise TypeError('ElementwiseKernel got unexpected keyword arguments: '
                            + ', '.join(sorted(kwargs)))
        self.in_params = _parse_params(in_params, True)
        self.out_params = _parse_params(out_params, False)
        self.nin = len(self.in_params)
        self.nout = len(self.out_params)
        self.nargs = self.nin + self.nout
        names = [p.name for p in self.in_params + self.out_params]
        if 'i' in names:
            raise ValueError("Can not use 'i' as a parameter name")
        if len(set(names)) != len(names):
            raise ValueError('Parameter names must be unique')
        self.operation = operation
        self.name = name
        self.__name__ = name
        self.reduce_dims = reduce_dims
        self.preamble = preamble
        self.no_return = no_return
        self.return_tuple = return_tuple
        self.loop_prep = loop_prep
        self.after_loop = after_loop
        self.options = tuple(options)
        self._key = (in_params, out_params, operation, name, preamble, loop_prep, after_loop,
                     self.options)
        self._plans = {}

    def __repr__(self):
        return '<ElementwiseKernel {}>'.format(self.name)

    def _bind(self, args):
        """{placeholder: dtype} from the arrays, then the scalars."""
        tmap = {}
        params = self.in_params + self.out_params
        for p, a in zip(params, args):
            if a is None or not isinstance(a, _ndarray):
                continue
            if p.dtype is not None:
                if a.dtype != p.dtype:
                    raise TypeError('Type is mismatched. {} {} {}'.format(p.name, a.dtype, p.dtype))
            elif p.placeholder in tmap:
                if tmap[p.placeholder] != a.dtype:
                    raise TypeError('Type is mismatched. {} {} {} {}'.format(
                        p.name, a.dtype, tmap[p.placeholder], p.placeholder))
            else:
                tmap[p.placeholder] = a.dtype
        for p, a in zip(self.in_params, args):
            if p.placeholder and p.placeholder not in tmap and a is not None \
                    and not isinstance(a, _ndarray):
                tmap[p.placeholder] = numpy.asarray(a).dtype
        for dt in tmap.values():
            ctype(dt)
        return tmap

    def __call__(self, *args, size=None, block_size=None, stream=None):
        if stream is not None:
            with stream:
                return self._call(args, size, block_size)
        return self._call(args, size, block_size)

    def _call(self, args, size, block_size):
        nin, nout = self.nin, self.nout
        if len(args) == nin:
            outs = [None] * nout
        elif len(args) == nin + nout:
            outs = list(args[nin:])
        else:
            raise TypeError('Wrong number of arguments for {}: {} inputs{} expected, got {}'.format(
                self.name, nin, ' (and {} outputs)'.format(nout) if nout else '', len(args)))
        ins = args[:nin]
        key = (tuple((a.dtype, a.shape, a.strides) if isinstance(a, _ndarray) else type(a)
                     for a in args), size, block_size)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plan(ins, outs, size, block_size)
            if len(self._plans) >= 4096:
                self._plans.clear()
            self._plans[key] = plan
        shape, order, out_dtypes, kinds, kernel, grid, block, tail = plan
        for k, o in enumerate(outs):
            if o is None:
                outs[k] = _empty(shape, out_dtypes[k], order=order)
        if len(args) > nin:
            # an input overlapping an output (but not the same view) is copied first
            ins = list(ins)
            for k, a in enumerate(ins):
                if isinstance(a, _ndarray):
                    for o in outs:
                        if a is not o and may_share_memory(a, o) and not same_view(a, o):
                            ins[k] = copy(a)
                            break
        result = outs[0] if (nout == 1 and not self.return_tuple) else tuple(outs)
        if self.no_return:
            result = None
        if kernel is None:
            return result
        kargs = []
        for (kind, dt), v in zip(kinds, list(ins) + outs):
            if kind == 's':
                kargs.extend(scalar_args(v, dt))
            elif kind == 'r':
                kargs.append(v)
                kargs.append(v.size)
            else:
                kargs.append(v)
        kargs.extend(tail)
        kernel(grid, block, tuple(kargs))
        return result

    def _plan(self, ins, outs, size, block_size):
        """Types, shape, layout and kernel for one geometry of arguments."""
        for a in ins:
            if isinstance(a, numpy.ndarray):
                raise TypeError('Unsupported type {} (a host array: use gpuarray.asarray)'.format(
                    type(a)))
            if a is not None and not isinstance(a, _ndarray) and not _is_scalar(a):
                raise TypeError('Unsupported type {}'.format(type(a)))
        for o in outs:
            if o is not None and not isinstance(o, _ndarray):
                raise TypeError('Output arguments type must be gpuarray.ndarray')
        tmap = self._bind(list(ins) + list(outs))

        def dtype_of(p):
            if p.dtype is not None:
                return p.dtype
            if p.placeholder in tmap:
                return tmap[p.placeholder]
            raise TypeError('Cannot determine the type of {} (placeholder {})'.format(
                p.name, p.placeholder))

        in_dtypes = [dtype_of(p) for p in self.in_params]
        out_dtypes = [dtype_of(p) for p in self.out_params]
        params = self.in_params + self.out_params
        # the loop's shape: broadcast of the non-raw arrays
        shapes = [a.shape for p, a in zip(params, list(ins) + outs)
                  if isinstance(a, _ndarray) and not p.raw]
        if size is not None:
            if shapes:
                raise ValueError("Specified 'size' can be used only if all of the ndarray are 'raw'.")
            shape = (int(size),)
        else:
            if not shapes:
                raise ValueError('Loop size is undecided.')
            shape = broadcast_shapes(shapes)
        for p, o in zip(self.out_params, outs):
            if o is None and p.raw:
                raise ValueError('Output array size is Undecided')
            if o is not None and not p.raw and o.shape != shape:
                raise ValueError('Out shape is mismatched')
        array_ins = [a for p, a in zip(self.in_params, ins) if isinstance(a, _ndarray) and not p.raw]
        order = choose_order(array_ins, shape)
        operands, kinds, arrays = [], [], []
        for p, a, dt in zip(params, list(ins) + outs, in_dtypes + out_dtypes):
            out = p in self.out_params
            if out and a is None:
                a = _Geometry(shape, _contiguous_strides(shape, dt.itemsize, order), dt.itemsize)
            if isinstance(a, (_ndarray, _Geometry)):
                if p.raw:
                    if not a.flags.c_contiguous:
                        raise ValueError('raw parameter {} must be C-contiguous'.format(p.name))
                    operands.append(Operand('r', ctype(dt), out, '_raw_' + p.name, dt.itemsize))
                    kinds.append(('r', dt))
                else:
                    operands.append(Operand('a', ctype(dt), out, '_p_' + p.name, dt.itemsize))
                    kinds.append(('a', dt))
                    arrays.append(a)
            else:
                if a is None:
                    raise TypeError('argument {} is None'.format(p.name))
                operands.append(Operand('s', ctype(dt), False, p.name, dt.itemsize))
                kinds.append(('s', dt))
        n = size_of(shape)
        if n == 0:
            return shape, order, out_dtypes, kinds, None, 0, 0, ()
        layout = plan_layout(shape, arrays) if arrays else Layout(True, (n,), None, n)
        idx = index_type(n)
        key = ('ek', self._key, tuple(op.ctype for op in operands),
               tuple(op.kind for op in operands), layout.dense, len(layout.shape), idx)
        kernel = get_kernel(key, lambda: self._source(operands, layout, idx, tmap), self.options)
        block = int(block_size) if block_size else BLOCK
        tail = [n]
        if not layout.dense:
            tail.extend(layout.shape[1:])
            for st in layout.strides:
                tail.extend(st)
        return shape, order, out_dtypes, kinds, kernel, grid_for(n, block), block, tuple(tail)

    def _source(self, operands, layout, idx, tmap):
        params = self.in_params + self.out_params
        needs_complex = any(is_complex_ctype(ctype(dt)) for dt in tmap.values()) or any(
            is_complex_ctype(op.ctype) for op in operands)
        head = prelude(needs_complex)
        head += ''.join('typedef {} {};\n'.format(ctype(dt), name) for name, dt in sorted(tmap.items()))
        head += self.preamble + '\n'
        setup = ['const ga_size_ind _ind = {n};', '(void)_ind;']
        for p, op in zip(params, operands):
            if op.kind == 'r':
                setup.append('const ga_raw<{c}> {name} = {{{p}_ptr, {p}_size}};'.format(
                    c=op.ctype, name=p.name, p=op.pname))
        setup.append(self.loop_prep)

        def body(refs):
            lines = ['{']
            for k, (p, op) in enumerate(zip(params, operands)):
                if op.kind == 'a':
                    if op.out:
                        lines.append('{} &{} = {};'.format(op.ctype, p.name, refs[k]))
                    else:
                        lines.append('const {} {} = {};'.format(op.ctype, p.name, refs[k]))
            lines.append(self.operation + ';')
            lines.append('}')
            return '\n'.join(lines)

        # scalar parameters of composite types get their value under the
        # parameter's own name
        pre = []
        for p, op in zip(params, operands):
            if op.kind == 's' and (is_complex_ctype(op.ctype) or op.ctype == 'ga_half'):
                op.pname = '_s_' + p.name
                pre.append('const {} {} = {};'.format(op.ctype, p.name, scalar_value(op)))
        setup = pre + setup
        after = self.after_loop
        if layout.dense:
            src = gen_dense(self.name, operands, '\n'.join(setup), body, 1, head)
        else:
            src = gen_strided(self.name, operands, '\n'.join(setup), body, len(layout.shape), idx, head)
        if after:
            # after_loop goes before the closing brace of the kernel
            cut = src.rstrip().rfind('}')
            src = src[:cut] + after + '\n}\n'
        return src, self.name


# ------------------------------------------------------------------- copies

def copy_into(src, dst):
    """dst[...] = src on the device, with NumPy's casting (unsafe) and
    broadcasting of src to dst's shape; any strides on either side."""
    from gpuarray import _ufuncs
    return _ufuncs._copy_kernel(src, dst)


def copy(a, dtype=None, order='C'):
    """A new array holding `a` (cast to `dtype`) in `order`."""
    dt = a.dtype if dtype is None else numpy.dtype(dtype)
    out = _empty(a.shape, dt, order=order)
    if a.size:
        copy_into(a, out)
    return out
