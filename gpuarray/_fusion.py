"""gpuarray._fusion - gpuarray.fuse: one kernel for a whole Python expression.

``@gpuarray.fuse`` (CuPy's decorator and semantics) runs the function once
per signature of its arguments (each array's dtype and ndim, each scalar's
type) on *traced values* instead of arrays. Operators, gpuarray's ufuncs
(and NumPy's, through ``__array_ufunc__``), ``where``, ``astype`` and the
in-place operators record nodes of a graph instead of launching kernels;
a final reduction (``sum``, ``prod``, ``max``, ``min``, ``any``, ``all``,
``mean``, ``argmax``, ``argmin``) may end it.

Each node's types come from the same resolution the eager ufunc does
(``ufunc._resolve``: NumPy's ``resolve_dtypes`` with Python scalars weak),
and each intermediate is rounded to its dtype exactly where the eager
operation would store it, so a fused function gives what the same code
gives eagerly (NVRTC may contract ``a * x + y`` into one fma, as it does in
CuPy's fused kernels). The graph becomes:

- without a reduction, the dense or strided kernel of
  ``gpuarray._elementwise`` (the same templates, the same 16-byte vector
  loop and layout planner the ufuncs use) writing every returned array and
  every argument updated in place;
- with a final reduction, a ``_Reduction`` of ``gpuarray._reduction`` whose
  map is the fused expression, run by the same planner (one pass or two).

Kernels go through the elementwise layer's kernel dict and the core's
kernel caches (memory and disk). Launch plans are kept per geometry of the
arguments (dtypes, shapes, strides), so a repeated call is a dict look-up,
the outputs' allocation and one launch.

A function that cannot be traced (it branches on an array, reads
``.shape``, indexes, calls a function that needs real arrays, ...) runs
eagerly instead, with one FusionWarning per function and reason. Python
values the function reads from outside its arguments are taken when it is
first traced for a signature, as in CuPy.
"""

import functools
import re
import sys
import warnings

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray import _reduction as _red
from gpuarray import _ufuncs

__all__ = ['fuse', 'Fusion', 'FusionWarning']

_ndarray = _core.ndarray
_empty = _core.empty
_PY_SCALARS = (bool, int, float, complex)
_WEAK_OF_KIND = {'i': int, 'u': int, 'f': float, 'c': complex}
_SAMPLE = {int: 0, float: 0.0, complex: 0j}


class FusionWarning(UserWarning):
    """A fused function ran eagerly (the message says why)."""


class _CannotFuse(Exception):
    """Tracing met something a fused kernel cannot express."""


# ------------------------------------------------------------- the graph

class _Node:
    """One value of the traced function.

    kind: 'array' (argument `param`), 'scalar' (argument `param`, or the
    constant `value` when param is None), 'op' (an elementwise operation
    on `args`), 'reduce' (the final reduction of args[0]).
    `rtype` is what type resolution takes for the value: a dtype, or a
    Python type for a weak scalar. `dtype` is the dtype the value is held
    in inside the kernel."""

    __slots__ = ('kind', 'index', 'rtype', 'dtype', 'param', 'value', 'args', 'expr',
                 'loop_in', 'loop_out', 'name', 'reduction')

    def __init__(self, kind, rtype, dtype):
        self.kind = kind
        self.rtype = rtype
        self.dtype = dtype
        self.index = -1
        self.param = None
        self.value = None
        self.args = ()
        self.expr = None
        self.loop_in = ()
        self.loop_out = None
        self.name = None
        self.reduction = None


class _Trace:
    """The graph recorded by one run of the function on traced values."""

    def __init__(self):
        self.nodes = []
        self.writes = {}        # argument index -> node of its new value
        self.outputs = None     # nodes returned (or None)
        self.returns_tuple = False

    def add(self, node):
        node.index = len(self.nodes)
        self.nodes.append(node)
        return node


_tracing = []       # the traces being recorded (a stack: fused calls nest)


def _current():
    if not _tracing:
        raise _CannotFuse('a traced value was used after its fused function returned')
    return _tracing[-1]


class _Var:
    """A traced value: what the fused function's code sees in place of an
    array or scalar argument, and of every result computed from them."""

    __slots__ = ('_node',)
    __array_priority__ = 1000
    __hash__ = None

    def __init__(self, node):
        self._node = node

    # what may be read without the data
    @property
    def dtype(self):
        n = self._node
        return n.dtype if isinstance(n.rtype, numpy.dtype) else numpy.dtype(n.rtype)

    @property
    def ndim(self):
        return _ndim_of(self._node)

    def __getattr__(self, name):
        raise _CannotFuse('.{} of a traced value is not available while fusing'.format(name))

    def __bool__(self):
        raise _CannotFuse('the function branches on an array value (bool() of a traced value)')

    def __len__(self):
        raise _CannotFuse('len() of a traced value is not available while fusing')

    def __iter__(self):
        raise _CannotFuse('iterating over a traced value is not available while fusing')

    def __getitem__(self, key):
        raise _CannotFuse('indexing a traced value is not fused')

    def __setitem__(self, key, value):
        raise _CannotFuse('assigning into a traced value by index is not fused')

    def __array__(self, *args, **kwargs):
        raise _CannotFuse('a traced value cannot become a NumPy array')

    def __array_ufunc__(self, np_ufunc, method, *inputs, **kwargs):
        uf = getattr(_ufuncs, np_ufunc.__name__, None)
        if method != '__call__' or not isinstance(uf, _ufuncs.ufunc):
            raise _CannotFuse('numpy.{}.{} is not fused'.format(np_ufunc.__name__, method))
        return uf(*inputs, **kwargs)

    def astype(self, dtype, copy=True):
        dt = numpy.dtype(dtype)
        _ew.ctype(dt)
        return _Var(_record_op(_current(), 'astype', 'x0', (self,), (self.dtype,), dt, None))

    def sum(self, axis=None, dtype=None, keepdims=False):
        return record_reduction('sum', self, axis, dtype, None, keepdims, _red._SUM)

    def prod(self, axis=None, dtype=None, keepdims=False):
        return record_reduction('prod', self, axis, dtype, None, keepdims, _red._PROD)

    def max(self, axis=None, keepdims=False):
        return record_reduction('max', self, axis, None, None, keepdims, _red._MAX)

    def min(self, axis=None, keepdims=False):
        return record_reduction('min', self, axis, None, None, keepdims, _red._MIN)

    def any(self, axis=None, keepdims=False):
        return record_reduction('any', self, axis, None, None, keepdims, _red._ANY)

    def all(self, axis=None, keepdims=False):
        return record_reduction('all', self, axis, None, None, keepdims, _red._ALL)

    def mean(self, axis=None, dtype=None, keepdims=False):
        return record_reduction('mean', self, axis, dtype, None, keepdims, _red._MEAN)

    def argmax(self, axis=None):
        return record_reduction('argmax', self, axis, None, None, False, _red._ARGMAX)

    def argmin(self, axis=None):
        return record_reduction('argmin', self, axis, None, None, False, _red._ARGMIN)


def _binary(uf, reflected):
    if reflected:
        def op(self, other):
            return uf(other, self)
    else:
        def op(self, other):
            return uf(self, other)
    return op


def _in_place(uf):
    def op(self, other):
        if self._node.kind == 'scalar':
            return uf(self, other)          # a Python scalar rebinds: x = x op y
        return uf(self, other, out=self)
    return op


for _name, _uf in _ufuncs._BINARY.items():
    setattr(_Var, '__%s__' % _name, _binary(_uf, False))
    setattr(_Var, '__r%s__' % _name, _binary(_uf, True))
    setattr(_Var, '__i%s__' % _name, _in_place(_uf))
for _name, _uf in _ufuncs._COMPARE.items():
    setattr(_Var, '__%s__' % _name, _binary(_uf, False))
def _unary(uf):
    def op(self):
        return uf(self)
    return op


for _name, _uf in _ufuncs._UNARY.items():
    setattr(_Var, '__%s__' % _name, _unary(_uf))
del _name, _uf


def _ndim_of(node):
    """ndim of a node (its shape is known only per call)."""
    if node.kind == 'array':
        return node.value
    if node.kind == 'scalar':
        return 0
    if node.kind == 'reduce':
        return node.reduction[3]
    return max([_ndim_of(a) for a in node.args] or [0])


def _leaf(trace, v):
    """The node of operand `v`: a traced value of this trace, or a
    constant scalar the function's code holds."""
    if isinstance(v, _Var):
        node = v._node
        if node.kind == 'reduce':
            raise _CannotFuse('the result of {}() is used by a further operation (only a final '
                              'reduction is fused)'.format(node.name))
        if node.index >= len(trace.nodes) or trace.nodes[node.index] is not node:
            raise _CannotFuse('a traced value of another fused function was used')
        return node
    if isinstance(v, _ndarray):
        raise _CannotFuse('a gpuarray.ndarray that is not an argument of the fused function '
                          'is used (pass it as an argument)')
    if isinstance(v, _PY_SCALARS) or isinstance(v, numpy.generic):
        rt = _ufuncs._resolution_type(v)
        node = _Node('scalar', rt, rt if isinstance(rt, numpy.dtype) else None)
        node.value = v
        return trace.add(node)
    # what the eager operation would say about it (a host array, ...)
    _ufuncs._resolution_type(v)
    raise _CannotFuse('an operand of type {} is not fused'.format(type(v).__name__))


def _record_op(trace, name, expr, args, loop_in, loop_out, out_dtype):
    """Add the node of `expr` (C over x0, x1, ... in the loop's compute
    types) on `args`; its value is held as `out_dtype` (the loop's output
    dtype unless out=/in-place says otherwise)."""
    nodes = [_leaf(trace, a) for a in args]
    weak = all(not isinstance(n.rtype, numpy.dtype) for n in nodes)
    dtype = loop_out if out_dtype is None else out_dtype
    rtype = _WEAK_OF_KIND.get(dtype.kind, dtype) if weak and out_dtype is None else dtype
    node = _Node('op', rtype, dtype)
    node.name = name
    node.expr = expr
    node.args = tuple(nodes)
    node.loop_in = tuple(loop_in)
    node.loop_out = loop_out
    return trace.add(node)


# --------------------------------------------- what gpuarray's calls record

def is_traced(args, out=None):
    """Whether a call of gpuarray's has traced values among its operands
    (the ufuncs, where and the reductions ask, on their slow paths)."""
    if isinstance(out, tuple):
        out = out[0] if len(out) == 1 else None
    return isinstance(out, _Var) or any(isinstance(a, _Var) for a in args)


def record_ufunc(uf, args, out, dtype, casting):
    """``uf(*args, out=out, dtype=dtype, casting=casting)`` on traced
    values: the loop NumPy resolves, as the eager call does."""
    trace = _current()
    if len(args) != uf.nin:
        if len(args) == uf.nin + 1 and out is None:
            out, args = args[uf.nin], args[:uf.nin]
        else:
            raise TypeError('{}() takes from {} to {} positional arguments but {} were given'.format(
                uf.name, uf.nin, uf.nin + 1, len(args)))
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        out = out[0]
    if out is not None and not isinstance(out, _Var):
        raise _CannotFuse('out= of {}() is not a traced value'.format(uf.name))
    nodes = [_leaf(trace, a) for a in args]
    out_dtype = None if out is None else out.dtype
    loop_in, loop_out, expr = uf._resolve(
        tuple(n.rtype for n in nodes), out_dtype,
        None if dtype is None else numpy.dtype(dtype), casting)
    node = _record_op(trace, uf.name, expr, [_Var(n) for n in nodes], loop_in, loop_out,
                      out_dtype)
    if out is None:
        return _Var(node)
    return _assign(trace, out, node)


def _assign(trace, var, node):
    """`var` now holds `node` (out= or an in-place operator): every
    reference to it sees the new value, as with an eager array; an argument
    is written back."""
    target = var._node
    if target.kind == 'reduce':
        raise _CannotFuse('out= into the result of a reduction is not fused')
    if target.kind == 'scalar':
        raise _CannotFuse('out= into a scalar is not fused')
    # an argument, or a value already written into one (a temporary: None)
    param = target.param
    var._node = node
    if param is not None:
        trace.writes[param] = node
        node.param = param
    return var


def record_where(condition, x, y):
    """``where(condition, x, y)`` on traced values (NumPy's result type of
    x and y, as the eager where)."""
    trace = _current()
    nodes = [_leaf(trace, v) for v in (condition, x, y)]
    vx, vy = (_SAMPLE.get(n.rtype, n.rtype) for n in nodes[1:])
    t = numpy.result_type(vx, vy)
    _ew.ctype(t)
    loop_in = (numpy.dtype(numpy.bool_), t, t)
    return _Var(_record_op(trace, 'where', 'x0 ? x1 : x2', [_Var(n) for n in nodes], loop_in, t,
                           None))


def record_reduction(fname, a, axis, dtype, out, keepdims, make):
    """A reduction of gpuarray._reduction on a traced value: the last
    operation of the fused function."""
    trace = _current()
    if out is not None:
        raise _CannotFuse('out= of {}() is not fused'.format(fname))
    src = _leaf(trace, a)
    if not _depends_on_array(src):
        raise _CannotFuse('{}() of a scalar is not fused'.format(fname))
    ndim = _ndim_of(src)
    axes = _red.normalize_axes(axis, ndim)
    in_dtype = src.dtype
    if dtype is not None and in_dtype.kind == 'c' and numpy.dtype(dtype).kind in 'iuf':
        raise _CannotFuse('{}() of complex values to a real dtype is not fused'.format(fname))
    rdtype = make.result(in_dtype, dtype)
    rndim = ndim if keepdims else ndim - len(axes)
    node = _Node('reduce', rdtype, rdtype)
    node.name = fname
    node.args = (src,)
    node.reduction = (make, axes, keepdims, rndim)
    return _Var(trace.add(node))


# ------------------------------------------------------------ the decorator

def fuse(*args, **kwargs):
    """CuPy's ``cupy.fuse``: ``@fuse``, ``@fuse()`` or
    ``@fuse(kernel_name='name')`` turns a function of arrays and scalars
    into one kernel per signature of its arguments (see the module's
    documentation)."""
    if len(args) == 1 and not kwargs and callable(args[0]):
        return Fusion(args[0])
    if args:
        raise TypeError('fuse() takes a function, or keyword arguments only (kernel_name=)')

    def wrapper(f):
        return Fusion(f, **kwargs)
    return wrapper


class Fusion:
    """A fused function (what ``gpuarray.fuse`` returns)."""

    def __init__(self, func, kernel_name=None):
        if not callable(func):
            raise TypeError('fuse needs a callable, not {}'.format(type(func).__name__))
        if kernel_name is not None and (not isinstance(kernel_name, str)
                                        or not kernel_name.isidentifier()):
            raise ValueError('kernel_name must be a C identifier, not {!r}'.format(kernel_name))
        self.func = func
        self.name = getattr(func, '__name__', 'fused')
        self.kernel_name = kernel_name or _identifier(self.name)
        functools.update_wrapper(self, func)
        self._traces = {}       # signature -> _Trace, or the reason it cannot be fused
        self._plans = {}        # geometry -> _Launch
        self._warned = set()

    def __repr__(self):
        return '<Fusion {}>'.format(self.name)

    def clear_cache(self):
        """Forget the traces and launch plans (the kernels stay compiled)."""
        self._traces.clear()
        self._plans.clear()

    def __call__(self, *args, **kwargs):
        if kwargs:
            raise TypeError('a fused function takes positional arguments only (got {})'.format(
                ', '.join(sorted(kwargs))))
        key = tuple((a.dtype, a.shape, a.strides) if isinstance(a, _ndarray) else type(a)
                    for a in args)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plan(args, key)
        if type(plan) is str:
            return self._eager(args, plan)
        try:
            return plan.launch(args)
        except OverflowError:
            # a Python int out of its loop dtype's range: NumPy's answer is
            # the eager one (an error, or a comparison against int64)
            return self.func(*args)

    def _eager(self, args, reason):
        if reason and reason not in self._warned:
            self._warned.add(reason)
            warnings.warn('gpuarray.fuse: {} runs eagerly: {}'.format(self.name, reason),
                          FusionWarning, stacklevel=3)
        return self.func(*args)

    def _plan(self, args, key):
        sig = []
        for k, a in enumerate(args):
            if isinstance(a, _ndarray):
                sig.append(('a', a.dtype, a.ndim))
            elif isinstance(a, _PY_SCALARS) or isinstance(a, numpy.generic):
                sig.append(('s', _ufuncs._resolution_type(a)))
            else:
                sig = None
                reason = 'argument {} is a {}, not an array or a scalar'.format(
                    k, type(a).__name__)
                break
        if sig is None:
            plan = reason
        elif not any(s[0] == 'a' for s in sig):
            plan = ''                       # scalars only: plain Python, nothing to fuse
        else:
            sig = tuple(sig)
            trace = self._traces.get(sig)
            if trace is None:
                trace = self._traces[sig] = self._trace(sig)
            if type(trace) is str:
                plan = trace
            else:
                try:
                    plan = _plan_launch(trace, args, self.kernel_name)
                except _CannotFuse as e:
                    plan = str(e)
        if len(self._plans) >= 1024:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    def _trace(self, sig):
        """Run the function on traced values; the trace, or why not."""
        trace = _Trace()
        params = []
        for k, s in enumerate(sig):
            if s[0] == 'a':
                node = _Node('array', s[1], s[1])
                node.value = s[2]
            else:
                rt = s[1]
                node = _Node('scalar', rt, rt if isinstance(rt, numpy.dtype) else None)
            node.param = k
            params.append(_Var(trace.add(node)))
        _tracing.append(trace)
        try:
            result = self.func(*params)
            _set_outputs(trace, result)
        except _CannotFuse as e:
            return str(e)
        except Exception as e:          # eager code raises it too, or names what is missing
            return '{} while tracing: {}'.format(type(e).__name__, e)
        finally:
            _tracing.pop()
        return trace


def _identifier(name):
    s = ''.join(c if c.isalnum() or c == '_' else '_' for c in name)
    return s if s and not s[0].isdigit() else 'fused_' + s


def _set_outputs(trace, result):
    if result is None:
        outs = ()
    elif isinstance(result, (tuple, list)):
        outs = tuple(result)
        trace.returns_tuple = True
    else:
        outs = (result,)
    nodes = []
    for r in outs:
        if not isinstance(r, _Var):
            raise _CannotFuse('the function returns a {}, not a value computed from its '
                              'arguments'.format(type(r).__name__))
        nodes.append(r._node)
    reductions = [n for n in nodes if n.kind == 'reduce']
    if reductions and (len(nodes) != 1 or trace.writes):
        raise _CannotFuse('a reduction is fused only as the one result of a function that '
                          'writes no argument')
    for n in nodes:
        if n.kind == 'scalar' or (n.kind == 'op' and not _depends_on_array(n)):
            raise _CannotFuse('the function returns a value computed from scalars only')
    if not nodes and not trace.writes:
        raise _CannotFuse('the function returns nothing and writes no argument')
    trace.outputs = tuple(nodes)


def _depends_on_array(node):
    if node.kind == 'array':
        return True
    return any(_depends_on_array(a) for a in node.args)


# ------------------------------------------------------------- code generation

class _Emitter:
    """C statements computing the nodes of a trace, each rounded to its
    dtype where eager code stores it. `leaf(node, dtype)` gives the C
    expression of a leaf's value in that loop dtype's C type."""

    def __init__(self, leaf):
        self.leaf = leaf
        self.done = {}
        self.lines = []

    def value(self, node, dtype):
        """C expression of `node` as an operand of a loop over `dtype`, in
        that dtype's compute type."""
        loop_ct = _ew.ctype(dtype)
        if node.kind in ('array', 'scalar'):
            held, ct = self.leaf(node, dtype)
        else:
            held, ct = self.emit(node), _ew.ctype(node.dtype)
        return _ew.cast(_ew.cast(held, ct, loop_ct), loop_ct, _ew.compute_ctype(dtype))

    def emit(self, node):
        name = self.done.get(node.index)
        if name is not None:
            return name
        # the operands as variables of their compute types, named in the
        # ufunc's expression x0, x1, ... (as in the eager kernels)
        names = []
        for k, a in enumerate(node.args):
            v = self.value(a, node.loop_in[k])
            names.append('ga_a%d_%d' % (node.index, k))
            self.lines.append('const {} {} = {};'.format(
                _ew.compute_ctype(node.loop_in[k]), names[-1], v))
        expr = re.sub(r'\bx(\d+)\b', lambda m: names[int(m.group(1))], node.expr)
        out_ct = _ew.ctype(node.loop_out)
        v = _ew.cast('ga_cast<{}>({})'.format(out_ct, expr), out_ct, _ew.ctype(node.dtype))
        name = 'ga_n%d' % node.index
        self.lines.append('const {} {} = {};'.format(_ew.ctype(node.dtype), name, v))
        self.done[node.index] = name
        return name


def _live(outputs):
    """The nodes the outputs need, in the trace's order."""
    seen = {}
    stack = list(outputs)
    while stack:
        n = stack.pop()
        if n.index not in seen:
            seen[n.index] = n
            stack.extend(n.args)
    return [seen[i] for i in sorted(seen)]


def _shapes(trace, args):
    """Every node's shape for these arguments, with the errors eager code
    raises where operands do not broadcast."""
    shapes = {}
    for n in trace.nodes:
        if n.kind == 'array':
            shapes[n.index] = args[n.param].shape
        elif n.kind == 'scalar':
            shapes[n.index] = ()
        elif n.kind == 'op':
            shapes[n.index] = _ew.broadcast_shapes([shapes[a.index] for a in n.args])
        else:
            make, axes, keepdims, _ = n.reduction
            shapes[n.index] = _red._reduced_shape(shapes[n.args[0].index], axes, keepdims)
    for param, n in trace.writes.items():
        target = args[param].shape
        if _ew.broadcast_shapes([shapes[n.index], target]) != target:
            raise ValueError("non-broadcastable output operand with shape {} doesn't match the "
                             "broadcast shape {}".format(_ew.shape_text(target),
                                                          _ew.shape_text(shapes[n.index])))
    return shapes


def _needs_complex(nodes):
    return any(_ew.is_complex_ctype(_ew.ctype(d)) for n in nodes
               for d in (n.dtype,) + n.loop_in + ((n.loop_out,) if n.loop_out else ())
               if d is not None)


def _extra_sections(nodes):
    return _ufuncs._extra_sections(''.join(n.expr for n in nodes if n.expr))


class _ScalarUse:
    """A scalar (argument or constant) passed as a kernel argument of one
    loop dtype: NumPy converts it on the host, as for the eager call."""

    __slots__ = ('param', 'value', 'dtype', 'operand')

    def __init__(self, node, dtype, operand):
        self.param = node.param
        self.value = node.value
        self.dtype = dtype
        self.operand = operand


def _plan_launch(trace, args, kernel_name):
    shapes = _shapes(trace, args)
    outs = trace.outputs
    if outs and outs[0].kind == 'reduce':
        return _plan_reduction(trace, args, shapes, kernel_name)
    return _plan_elementwise(trace, args, shapes, kernel_name)


def _returned_param(trace, node):
    """The argument a returned node is (the eager function returns that
    very array), or None for a new array."""
    if node.kind == 'array':
        return node.param
    if node.param is not None and trace.writes.get(node.param) is node:
        return node.param
    return None


def _array_leaves(live):
    return [n for n in live if n.kind == 'array']


def _scalar_operands(live, operands, prefix):
    """One kernel scalar parameter per (scalar, loop dtype) use."""
    uses = {}
    for n in live:
        for k, a in enumerate(n.args):
            if a.kind == 'scalar':
                key = (a.index, n.loop_in[k])
                if key not in uses:
                    op = _ew.Operand('s', _ew.ctype(n.loop_in[k]), False,
                                     '%s%d' % (prefix, len(uses)), n.loop_in[k].itemsize)
                    uses[key] = _ScalarUse(a, n.loop_in[k], op)
                    operands.append(op)
    return uses


class _Launch:
    """One fused launch for one geometry of arguments.

    arrays: the arguments read (by position); writes: the arguments
    written in place; outs: (shape, dtype, order) of each new array;
    results: what the function returns, in order (None: the next new
    array, an int: that argument itself); reduction: (reduction plan,
    the builtin's extra scalars) or None."""

    __slots__ = ('kernel', 'grid', 'block', 'arrays', 'scalars', 'tail', 'outs', 'writes',
                 'results', 'returns_tuple', 'reduction', 'aliases')

    def scalar_args(self, args):
        vals = []
        for u in self.scalars:
            vals.extend(_ew.scalar_args(u.value if u.param is None else args[u.param], u.dtype))
        return vals

    def launch(self, args):
        if self.aliases:
            _check_aliases(self, args)
        outs = [_empty(shape, dt, order=order) for shape, dt, order in self.outs]
        if self.reduction is not None:
            red_plan, extra = self.reduction
            red_plan.launch([args[p] for p in self.arrays],
                            tuple(self.scalar_args(args)) + extra, outs[0])
        elif self.kernel is not None:
            kargs = outs + [args[p] for p in self.writes] + [args[p] for p in self.arrays]
            kargs += self.scalar_args(args)
            kargs += self.tail
            self.kernel(self.grid, self.block, tuple(kargs))
        it = iter(outs)
        results = tuple(next(it) if src is None else args[src] for src in self.results)
        if self.returns_tuple:
            return results
        return results[0] if results else None


def _check_aliases(plan, args):
    """An argument written in place must not overlap another array
    argument unless it is the same view (NumPy's rule: every element is
    read before it is written); the eager code copies first, so it runs."""
    for p in plan.writes:
        w = args[p]
        for q in plan.aliases:
            a = args[q]
            if q != p and a is not w and _ew.may_share_memory(a, w) and not _ew.same_view(a, w):
                raise _Overlap()


class _Overlap(OverflowError):
    """Handled as the OverflowError of a launch: the eager code runs."""


def _plan_elementwise(trace, args, shapes, kernel_name):
    outs = trace.outputs
    written = sorted(trace.writes)
    targets = [n for n in outs if _returned_param(trace, n) is None] + [
        trace.writes[p] for p in written]
    live = _live(targets)
    leaves = _array_leaves(live)
    loop_shape = _ew.broadcast_shapes([shapes[n.index] for n in targets]) if targets else ()
    for p in written:
        if args[p].shape != loop_shape and _ew.size_of(loop_shape) > 1:
            raise _CannotFuse('argument {} is written in place but the loop is broadcast over a '
                              'larger shape'.format(p))
    plan = _Launch()
    plan.reduction = None
    plan.writes = written
    plan.arrays = [n.param for n in leaves]
    plan.aliases = sorted({n.param for n in leaves} | set(written)) if written else ()
    in_arrays = [args[p] for p in plan.arrays]
    new_outs = [n for n in outs if _returned_param(trace, n) is None]
    plan.outs = []
    geos = []
    for n in new_outs:
        shape = shapes[n.index]
        order = _ew.choose_order(in_arrays, shape) if in_arrays else 'C'
        plan.outs.append((shape, n.dtype, order))
        geos.append(_ew._Geometry(shape, _ew._contiguous_strides(shape, n.dtype.itemsize, order),
                                  n.dtype.itemsize))
    plan.returns_tuple = trace.returns_tuple
    plan.results = tuple(_returned_param(trace, n) for n in outs)
    n_elems = _ew.size_of(loop_shape)
    if n_elems == 0 or not targets:
        plan.kernel = None
        return plan

    # operands: new outputs, arguments written in place, array inputs, scalars
    operands, karrays = [], []
    for k, (n, g) in enumerate(zip(new_outs, geos)):
        operands.append(_ew.Operand('a', _ew.ctype(n.dtype), True, 'ga_out%d' % k, n.dtype.itemsize))
        karrays.append(g)
    for k, p in enumerate(written):
        a = args[p]
        operands.append(_ew.Operand('a', _ew.ctype(a.dtype), True, 'ga_w%d' % k, a.itemsize))
        karrays.append(a)
    leaf_operand = {}
    for k, n in enumerate(leaves):
        a = args[n.param]
        kind = 'p' if a.size == 1 else 'a'
        op = _ew.Operand(kind, _ew.ctype(a.dtype), False, 'ga_in%d' % k, a.itemsize)
        leaf_operand[n.index] = (len(operands), op)
        operands.append(op)
        if kind == 'a':
            karrays.append(a)
    uses = _scalar_operands(live, operands, 'ga_s')
    plan.scalars = list(uses.values())
    layout = _ew.plan_layout(loop_shape, karrays)
    idx = 'long long' if layout.dense else _ew.index_type(n_elems)

    varying = _varying(live, {i for i, (_, op) in leaf_operand.items() if op.kind == 'a'})
    setup_lines = []
    for i, op in leaf_operand.values():
        if op.kind == 'p':
            setup_lines.append('const {} {}_v = {}[0];'.format(op.ctype, op.pname, op.pname))
    for u in plan.scalars:
        setup_lines.append('const {} {}_v = {};'.format(u.operand.ctype, u.operand.pname,
                                                        _ew.scalar_value(u.operand)))

    def leaf_of(refs):
        def leaf(node, dtype):
            if node.kind == 'scalar':
                u = uses[(node.index, dtype)]
                return u.operand.pname + '_v', u.operand.ctype
            i, op = leaf_operand[node.index]
            return (refs[i] if op.kind == 'a' else op.pname + '_v'), op.ctype
        return leaf

    # values that do not change along the loop are computed once
    fixed = _Emitter(leaf_of({}))
    for n in live:
        if n.kind == 'op' and n.index not in varying:
            fixed.emit(n)
    setup_lines += fixed.lines

    def body(refs):
        em = _Emitter(leaf_of(refs))
        em.done = dict(fixed.done)
        stores = []
        for k, n in enumerate(new_outs):
            stores.append('{} = {};'.format(refs[k], _held(em, n, leaf_of(refs))))
        for k, p in enumerate(written):
            n = trace.writes[p]
            i = len(new_outs) + k
            stores.append('{} = {};'.format(refs[i], _ew.cast(
                _held(em, n, leaf_of(refs)), _ew.ctype(n.dtype), operands[i].ctype)))
        return '{\n' + '\n'.join('    ' + s for s in em.lines + stores) + '\n}'

    head = _ew.prelude(_needs_complex(live) or any(_ew.is_complex_ctype(o.ctype) for o in operands),
                       _extra_sections(live))
    setup = '\n'.join(setup_lines)
    if layout.dense:
        src = _ew.gen_dense(kernel_name, operands, setup, body, _ew.dense_vec(operands), head)
        per_block = _ew.BLOCK * _ew.dense_vec(operands)
        g = (n_elems + per_block - 1) // per_block
        plan.grid = g if g <= _ew.MAX_BLOCKS else _ew.MAX_BLOCKS
        tail = [n_elems]
    else:
        src = _ew.gen_strided(kernel_name, operands, setup, body, len(layout.shape), idx, head)
        plan.grid = _ew.grid_for(n_elems, _ew.BLOCK)
        tail = [n_elems] + list(layout.shape[1:])
        for st in layout.strides:
            tail.extend(st)
    plan.block = _ew.BLOCK
    plan.tail = tail
    plan.kernel = _ew.get_kernel(('fuse', src), lambda: (src, kernel_name))
    return plan


def _held(em, node, leaf):
    """C expression of an output node's value in its own dtype's C type."""
    if node.kind == 'op':
        return em.emit(node)
    held, ct = leaf(node, node.dtype)
    return _ew.cast(held, ct, _ew.ctype(node.dtype))


def _varying(live, element_leaves):
    """Indices of the nodes whose value depends on an array element (the
    leaves read at every index, `element_leaves`)."""
    varying = set()
    for n in live:
        if n.index in element_leaves or any(a.index in varying for a in n.args):
            varying.add(n.index)
    return varying


def _plan_reduction(trace, args, shapes, kernel_name):
    """The fused map as the map expression of the reduction's kernels."""
    rnode = trace.outputs[0]
    make, axes, keepdims, _ = rnode.reduction
    src = rnode.args[0]
    live = _live([src])
    leaves = _array_leaves(live)
    shape = shapes[src.index]
    rshape = shapes[rnode.index]
    M = _ew.size_of(tuple(shape[d] for d in axes))
    red0, var_ct, extra = make(src.dtype, rnode.dtype, M)
    if M == 0 and red0.identity is None and _ew.size_of(rshape) != 0:
        raise ValueError(make.empty_message)

    operands = []
    uses = _scalar_operands(live, operands, 'ga_fs')
    inputs = [_red._Input(args[n.param], 'ga_fa%d' % k, _ew.ctype(args[n.param].dtype))
              for k, n in enumerate(leaves)]
    leaf_name = {n.index: i for n, i in zip(leaves, inputs)}

    def leaf(node, dtype):
        if node.kind == 'scalar':
            op = uses[(node.index, dtype)].operand
            return _ew.scalar_value(op), op.ctype
        i = leaf_name[node.index]
        return i.name, i.arr_ct

    em = _Emitter(leaf)
    value = _ew.cast(_held(em, src, leaf), _ew.ctype(src.dtype), var_ct)
    fparams = ['const {} {}'.format(i.arr_ct, i.name) for i in inputs]
    sparams = []
    for u in uses.values():
        sparams.extend(_ew._scalar_params(u.operand))
    fn = 'ga_fused_{}'.format(kernel_name)
    preamble = red0.preamble + 'GA_FN {} {}({}) {{\n{}\n    return {};\n}}\n'.format(
        var_ct, fn, ', '.join(fparams + sparams),
        '\n'.join('    ' + s for s in em.lines), value)
    call = '{}({})'.format(fn, ', '.join([i.name for i in inputs] + [
        p.split()[-1] for p in sparams]))
    map_expr = _replace_x0(red0.map_expr, call)
    red = _red._Reduction(
        kernel_name, red0.acc, red0.acc_size, map_expr, red0.reduce_expr, red0.post,
        red0.identity, out_name=red0.out_name, params=tuple(sparams) + red0.params,
        preamble=preamble, typedefs=red0.typedefs, options=red0.options,
        vector=red0.vector, order_matters=red0.order_matters,
        needs_complex=red0.needs_complex or _needs_complex(live))
    plan = _Launch()
    plan.aliases = ()
    plan.kernel = None
    plan.writes = ()
    plan.arrays = [n.param for n in leaves]
    plan.scalars = list(uses.values())
    plan.outs = [(rshape, rnode.dtype, 'C')]
    plan.results = (None,)
    plan.returns_tuple = trace.returns_tuple
    rp = _red.plan_run(red, inputs, shape, axes, _ew.ctype(rnode.dtype), _ew.size_of(rshape))
    plan.reduction = (rp, tuple(extra))
    return plan


def _replace_x0(map_expr, value):
    """The builtin reduction's map with its input x0 replaced by the fused
    value (x0 is the only input name the builtins use)."""
    return re.sub(r'\bx0\b', lambda m: value, map_expr)


# gpuarray's ufuncs, where and reductions record into the current trace
# when they meet a traced value (they cannot import this module: it
# imports them).
_ufuncs._fusion = _red._fusion = sys.modules[__name__]
