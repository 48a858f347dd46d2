"""gpuarray.linalg._host - the host backend's LAPACK: NumPy's numpy.linalg
on zero-copy views of the device arrays (device memory is host memory
there), its results copied into gpuarray arrays. NumPy's checks, messages
and result types come with it."""

import numpy

from gpuarray.linalg._engine import from_host, host_view


def to_device(r):
    """NumPy's result as gpuarray's: arrays and scalars become device
    arrays; tuples (and NumPy's named results) keep their type; Python
    ints (a rank) stay."""
    if isinstance(r, tuple):
        items = [to_device(x) for x in r]
        return type(r)(*items) if hasattr(r, '_fields') else type(r)(items)
    if isinstance(r, (numpy.ndarray, numpy.generic)):
        return from_host(r)
    return r


def call(fn, arrays, *args, **kwargs):
    """fn(*host views of arrays, *args, **kwargs) as device arrays."""
    return to_device(fn(*[host_view(a) for a in arrays], *args, **kwargs))
