"""gpuarray._arguments - the conversion of array arguments that the
array functions share.

A gpuarray function takes gpuarray arrays, Python scalars and sequences,
NumPy scalars and 0-d values, and foreign device arrays (CuPy, PyTorch,
anything with __cuda_array_interface__ or __dlpack__, zero-copy through
gpuarray.asarray). A host NumPy array of one or more elements is refused
with a TypeError that names gpuarray.asarray: copying it to the device
behind the caller's back would hide a transfer that costs more than the
function itself (CuPy refuses it too)."""

import numpy

from gpuarray import _core

_ndarray = _core.ndarray


def as_device_array(x, fname):
    """`x` as a gpuarray.ndarray for the function `fname` (named in the
    error): a gpuarray array as it is; a host NumPy array is a TypeError;
    anything else goes through gpuarray.asarray."""
    if isinstance(x, _ndarray):
        return x
    if isinstance(x, numpy.ndarray):
        raise TypeError('{}: a host NumPy array is not a gpuarray.ndarray (use '
                        'gpuarray.asarray)'.format(fname))
    return _core.asarray(x)
