"""The host backend's gpuarray.fft: NumPy's pocketfft on the arrays' own
memory. Device memory is host memory there, so NumPy reads the input in
place through a zero-copy view (DLPack, which waits for the current
stream) and writes either into `out`'s memory directly or into its own
result, which is copied into a new device array. NumPy checks the
arguments and raises its own errors."""

import numpy

from gpuarray._sorting import host_view, from_host
from gpuarray.fft import _arguments


def run(fname, a, args, out):
    """numpy.fft.<fname>(view of a, *args, out=...) as a device array."""
    func = getattr(numpy.fft, fname)
    h = host_view(a)
    if out is None:
        return from_host(func(h, *args))
    result = func(h, *args)
    _arguments.check_out(out, result.shape, result.dtype, fname)
    host_view(out)[...] = result
    return out
