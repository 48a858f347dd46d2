"""gpuarray._numpy_protocols - NumPy's dispatch protocols on gpuarray arrays.

- ``__array_ufunc__`` (NEP 13): ``numpy.add(g, g)``, ``numpy.exp(g, out=h)``,
  ``numpy.add.reduce(g, axis=0)``, ``numpy.multiply.outer(g, g)`` run
  gpuarray's ufunc of the same name (and its method) on the device.
- ``__array_function__`` (NEP 18): ``numpy.concatenate([g, g])``,
  ``numpy.mean(g)``, ``numpy.linalg.norm(g)``... call gpuarray's function of
  the same name in the same namespace, with the caller's arguments as given.
  NEP 35's ``like=`` (``numpy.zeros(3, like=g)``) arrives here too.

CuPy's semantics: Python scalars, NumPy scalars and 0-d NumPy arrays mix in
as scalars; an n-d host NumPy array is a TypeError that names the fix
(``gpuarray.asarray``), because moving it implicitly would hide a copy
across the bus; a ufunc, ufunc method or function gpuarray does not have is
a TypeError naming it, never a silent conversion to the host (which
``ndarray.__array__`` refuses anyway) or a wrong answer. Other array types
that implement the protocols (Dask arrays, ...) get NotImplemented, so that
NumPy asks them instead."""

import numpy

from gpuarray import _core
from gpuarray._ufuncs import ufunc as _gpuarray_ufunc, where as _select

_ndarray = _core.ndarray

# NumPy namespaces whose functions dispatch to the gpuarray namespace of the
# same name ('' is the main namespace).
_SUBMODULES = ('', 'linalg', 'fft', 'random')

# Functions that take host data on purpose: NEP 35's like= creation
# functions, whose whole point is to make a gpuarray array from host data.
_LIKE_FUNCTIONS = frozenset((
    'array', 'asarray', 'asanyarray', 'ascontiguousarray', 'asfortranarray', 'require',
    'arange', 'empty', 'zeros', 'ones', 'full', 'eye', 'identity', 'tri', 'fromfunction',
    'frombuffer', 'fromfile', 'fromiter', 'fromstring', 'loadtxt', 'genfromtxt',
))


def _host_array_error(what):
    return TypeError(
        '{}: a host numpy.ndarray cannot be mixed with gpuarray arrays (that would be a hidden '
        'copy to the device); move it there first with gpuarray.asarray(...)'.format(what))


# ------------------------------------------------------------- ufuncs

def _ufunc_operand(x, what):
    """An input of a ufunc call as gpuarray's ufuncs take it, or raise."""
    if isinstance(x, _ndarray):
        return x
    if isinstance(x, numpy.ndarray):
        if x.ndim == 0:
            return x[()]            # a NumPy scalar of the same dtype
        raise _host_array_error(what)
    return x


def _gpuarray_ufunc_for(np_ufunc):
    """gpuarray's ufunc of the name, or for NumPy's generalized ufuncs
    (matmul, vecdot, ...) gpuarray's function of the name, or None."""
    import gpuarray
    uf = getattr(gpuarray, np_ufunc.__name__, None)
    if isinstance(uf, _gpuarray_ufunc):
        return uf
    if np_ufunc.signature is not None and callable(uf) and \
            getattr(uf, '__module__', '').startswith('gpuarray'):
        return uf
    return None


def _is_foreign(x):
    """An operand of another array library that has its own protocol
    method (NumPy should ask it instead), e.g. a Dask array."""
    return (not isinstance(x, (_ndarray, numpy.ndarray, numpy.generic))
            and hasattr(type(x), '__array_ufunc__'))


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """NEP 13: run NumPy's `ufunc` (its `method`) with gpuarray's ufunc."""
    what = 'numpy.{}'.format(ufunc.__name__) if method == '__call__' else \
        'numpy.{}.{}'.format(ufunc.__name__, method)
    out = kwargs.get('out')
    outs = out if isinstance(out, tuple) else (() if out is None else (out,))
    for x in inputs + outs:
        if _is_foreign(x):
            return NotImplemented
    uf = _gpuarray_ufunc_for(ufunc)
    if uf is None:
        raise TypeError('{} is not supported on gpuarray arrays: gpuarray has no ufunc {!r}'.format(
            what, ufunc.__name__))
    impl = uf if method == '__call__' else getattr(uf, method, None)
    if impl is None:
        raise TypeError('{} is not supported on gpuarray arrays: gpuarray.{} has no method '
                        '{!r}'.format(what, uf.__name__, method))
    inputs = tuple(_ufunc_operand(x, what) for x in inputs)
    for o in outs:
        if o is not None and not isinstance(o, _ndarray):
            if isinstance(o, numpy.ndarray):
                raise TypeError('{}: out= must be a gpuarray.ndarray, not a host numpy.ndarray '
                                '(results stay on the device; read them back with .get())'
                                .format(what))
            raise TypeError('{}: out= must be a gpuarray.ndarray, not {}'.format(
                what, type(o).__name__))
    if out is not None:
        # NumPy always hands out= as a tuple; gpuarray's single-output
        # ufuncs and methods take the array itself.
        kwargs['out'] = outs[0] if len(outs) == 1 else outs
    if method == '__call__':
        return _call(uf, what, inputs, kwargs)
    return impl(*inputs, **kwargs)


def _call(uf, what, inputs, kwargs):
    """ufunc(*inputs, **kwargs) with NumPy's keywords that gpuarray's ufunc
    does not take itself: where=, and subok/order at their defaults."""
    where = kwargs.pop('where', True)
    if kwargs.pop('subok', True) is not True:
        raise TypeError('{}: subok=False is not supported'.format(what))
    order = kwargs.pop('order', 'K')
    if order not in ('K', 'A', 'C', None):
        raise TypeError('{}: order={!r} is not supported (results are C-ordered)'.format(
            what, order))
    if kwargs.get('signature') is not None or kwargs.get('sig') is not None:
        raise TypeError('{}: signature= is not supported; use dtype='.format(what))
    kwargs.pop('signature', None)
    kwargs.pop('sig', None)
    if where is True:
        return uf(*inputs, **kwargs)
    return _call_where(uf, what, inputs, kwargs, where)


def _call_where(uf, what, inputs, kwargs, where):
    """NumPy's where=: out keeps its values where the mask is False (and
    without out= those elements are unspecified, as in NumPy)."""
    if isinstance(where, numpy.ndarray) and where.ndim > 0:
        raise _host_array_error(what + ' (where=)')
    out = kwargs.pop('out', None)
    if isinstance(out, tuple):
        raise TypeError('{}: where= with several outputs is not supported'.format(what))
    result = uf(*inputs, **kwargs)
    if out is None:
        return result
    out[...] = _select(where, result, out)
    return out


# ---------------------------------------------------------- functions

_function_cache = {}


def _gpuarray_function_for(func):
    """gpuarray's implementation of NumPy's public function `func`, or None."""
    impl = _function_cache.get(func, False)
    if impl is not False:
        return impl
    import gpuarray
    impl = None
    module = getattr(func, '__module__', None) or ''
    name = getattr(func, '__name__', None)
    if name and (module == 'numpy' or module.startswith('numpy.')):
        sub = module[len('numpy.'):] if module != 'numpy' else ''
        if sub not in _SUBMODULES:
            # numpy.lib._shape_base_impl & co. publish their functions in
            # the main namespace
            sub = '' if getattr(numpy, name, None) is func else None
        if sub is not None:
            ns = gpuarray if not sub else getattr(gpuarray, sub, None)
            candidate = getattr(ns, name, None) if ns is not None else None
            # gpuarray's re-exports of NumPy objects (dtypes, constants) are
            # not implementations: calling NumPy's own function on device
            # arrays would only recurse into this protocol.
            if callable(candidate) and candidate is not func and \
                    getattr(candidate, '__module__', '').startswith('gpuarray'):
                impl = candidate
    _function_cache[func] = impl
    return impl


def _host_arrays_in(args, kwargs):
    """Whether an n-d host NumPy array is among the arguments (directly or
    in a list or tuple, as numpy.concatenate takes them)."""
    for x in list(args) + list(kwargs.values()):
        if isinstance(x, numpy.ndarray) and x.ndim > 0:
            return True
        if isinstance(x, (list, tuple)):
            if any(isinstance(y, numpy.ndarray) and y.ndim > 0 for y in x):
                return True
    return False


def array_function(self, func, types, args, kwargs):
    """NEP 18: run gpuarray's function of the same name as NumPy's `func`."""
    for t in types:
        if not (issubclass(t, _ndarray) or issubclass(t, numpy.ndarray)):
            return NotImplemented
    name = '{}.{}'.format(getattr(func, '__module__', 'numpy'), getattr(func, '__name__', func))
    impl = _gpuarray_function_for(func)
    if impl is None:
        raise TypeError('{} is not implemented for gpuarray arrays (gpuarray has no function of '
                        'that name); it is not run on the host either'.format(name))
    if func.__name__ not in _LIKE_FUNCTIONS and _host_arrays_in(args, kwargs):
        raise _host_array_error(name)
    return impl(*args, **kwargs)


def install(ndarray):
    ndarray.__array_ufunc__ = array_ufunc
    ndarray.__array_function__ = array_function
