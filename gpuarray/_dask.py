"""gpuarray._dask - gpuarray arrays as Dask array chunks.

Dask runs NumPy functions on its chunks, which reach gpuarray through
NumPy's protocols (``gpuarray._numpy_protocols``). A few of its chunk
operations go instead through Dask's own type-dispatch tables
(``dask.array.dispatch``: how to count the elements of a reduction, how to
concatenate or take, ...), whose fallback for an unknown type builds host
NumPy arrays; Dask fills those tables for CuPy itself, and gpuarray fills
them here for its own type, the same way: when ``dask.array`` is imported
(before or after gpuarray), never importing Dask itself.

``dask.sizeof`` learns the arrays' device bytes too, so that
``dask.distributed`` accounts for chunks it holds; moving chunks between
workers needs nothing more, since arrays pickle (through the host, as
CuPy's do)."""

import importlib.abc
import math
import sys

import numpy

_DASK_MODULE = 'dask.array'


def _register():
    import gpuarray
    from dask.array import dispatch
    from dask.sizeof import sizeof

    nd = gpuarray.ndarray
    dispatch.concatenate_lookup.register(nd, gpuarray.concatenate)
    dispatch.empty_lookup.register(nd, gpuarray.empty)
    dispatch.numel_lookup.register(nd, _numel)
    dispatch.nannumel_lookup.register(nd, _nannumel)
    dispatch.to_numpy_dispatch.register(nd, _to_numpy)
    # tables whose gpuarray function a build may lack keep Dask's fallback
    # (NumPy's function, which dispatches back here or names what is missing)
    for table, name, impl in ((dispatch.take_lookup, 'take', None),
                              (dispatch.tensordot_lookup, 'tensordot', None),
                              (dispatch.einsum_lookup, 'einsum', _einsum),
                              (dispatch.percentile_lookup, 'percentile', _percentile)):
        if hasattr(gpuarray, name):
            table.register(nd, impl or getattr(gpuarray, name))
    sizeof.register(nd)(lambda x: int(x.nbytes))


def _reduced_shape(x, axis, keepdims):
    """The product of the reduced axes' lengths and the result's shape."""
    ndim = x.ndim
    if axis is None:
        axes = tuple(range(ndim))
    else:
        axes = tuple(a % ndim if ndim else a
                     for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    count = math.prod(x.shape[a] for a in axes)
    if keepdims:
        shape = tuple(1 if d in axes else n for d, n in enumerate(x.shape))
    else:
        shape = tuple(n for d, n in enumerate(x.shape) if d not in axes)
    return count, shape


def _numel(x, **kwargs):
    """Dask's numel protocol: how many elements a reduction over `axis`
    counts, as a device array of the reduction's result shape (a NumPy
    scalar for a full reduction without keepdims, as Dask's own)."""
    import gpuarray
    axis, keepdims = kwargs.get('axis'), kwargs.get('keepdims', False)
    dtype = kwargs.get('dtype') or numpy.float64
    count, shape = _reduced_shape(x, axis, keepdims)
    if axis is None and not keepdims:
        return numpy.dtype(dtype).type(count)
    return gpuarray.full(shape, count, dtype=dtype)


def _nannumel(x, **kwargs):
    """Dask's nannumel protocol: the count of the non-NaN elements."""
    import gpuarray
    return gpuarray.sum(~gpuarray.isnan(x), **kwargs)


def _to_numpy(x, **kwargs):
    import gpuarray
    return gpuarray.asnumpy(x, **kwargs)


def _einsum(*args, **kwargs):
    import gpuarray
    # Dask passes NumPy's casting= and order=, which leave the result's
    # values alone
    kwargs.pop('casting', None)
    kwargs.pop('order', None)
    return gpuarray.einsum(*args, **kwargs)


def _percentile(a, q, method='linear'):
    """Dask's percentile protocol: (percentiles, number of values)."""
    import gpuarray
    return gpuarray.percentile(a, gpuarray.asarray(q), method=method), a.size


class _RegisterWhenDaskLoads(importlib.abc.MetaPathFinder):
    """Runs _register right after ``dask.array`` finishes importing: the
    module is found by the other finders as usual, its loader is wrapped."""

    def find_spec(self, name, path=None, target=None):
        if name != _DASK_MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None and \
                    hasattr(spec.loader, 'exec_module'):
                spec.loader = _LoaderThenRegister(spec.loader)
                return spec
        return None


class _LoaderThenRegister(importlib.abc.Loader):
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def __getattr__(self, name):
        # everything else (is_package, get_resource_reader, ...) is the
        # real loader's
        return getattr(self._loader, name)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _uninstall_hook()
        _register()


_hook = None


def _uninstall_hook():
    global _hook
    if _hook is not None and _hook in sys.meta_path:
        sys.meta_path.remove(_hook)
    _hook = None


def install():
    """Fill Dask's tables now if dask.array is loaded, else when it is."""
    global _hook
    if _DASK_MODULE in sys.modules:
        _register()
    elif _hook is None:
        _hook = _RegisterWhenDaskLoads()
        sys.meta_path.insert(0, _hook)
