"""fftfreq, rfftfreq, fftshift and ifftshift (numpy.fft's helpers), on the
device."""

import operator

import numpy

from gpuarray import _core
from gpuarray._sorting import as_device

__all__ = ['fftfreq', 'rfftfreq', 'fftshift', 'ifftshift']


def _check_device(device):
    if device is not None and device not in ('cpu',) and not isinstance(device, _core.Device):
        raise ValueError('device must be None or a gpuarray.cuda.Device, not {!r}'.format(device))


def fftfreq(n, d=1.0, device=None):
    """The sample frequencies of an n-point transform with sample spacing
    d: [0, 1, ..., (n-1)//2, -(n//2), ..., -1] / (d*n) (numpy.fft.fftfreq)."""
    _check_device(device)
    n = operator.index(n)
    val = 1.0 / (n * d)
    k = _core.empty(n, dtype=numpy.int64)
    half = (n - 1) // 2 + 1
    from gpuarray import arange
    k[:half] = arange(0, half, dtype=numpy.int64)
    k[half:] = arange(-(n // 2), 0, dtype=numpy.int64)
    return k * val


def rfftfreq(n, d=1.0, device=None):
    """The sample frequencies of rfft: [0, 1, ..., n//2] / (d*n)
    (numpy.fft.rfftfreq)."""
    _check_device(device)
    n = operator.index(n)
    val = 1.0 / (n * d)
    from gpuarray import arange
    return arange(0, n // 2 + 1, dtype=numpy.int64) * val


def _shift(x, axes, sign):
    from gpuarray import roll
    x = as_device(x, 'fftshift')
    if axes is None:
        axes = tuple(range(x.ndim))
        shift = [sign * (dim // 2) for dim in x.shape]
    elif isinstance(axes, (int, numpy.integer)):
        shift = sign * (x.shape[axes] // 2)
    else:
        shift = [sign * (x.shape[ax] // 2) for ax in axes]
    return roll(x, shift, axes)


def fftshift(x, axes=None):
    """Move the zero frequency to the centre (numpy.fft.fftshift)."""
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    """The inverse of fftshift (numpy.fft.ifftshift)."""
    return _shift(x, axes, -1)
