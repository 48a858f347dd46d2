"""gpuarray.fft - discrete Fourier transforms under numpy.fft's (and
cupy.fft's) names, with NumPy 2's parameters and dtypes: float32 and
complex64 compute in complex64, everything else in complex128.

On CUDA the transforms run through cuFFT, loaded at first use (a clear
error naming every place searched when it is absent), with plans cached
per thread and device (gpuarray.fft.config) and run on the current stream.
On the host backend NumPy's pocketfft runs on the arrays' own memory.
NumPy's numpy.fft.* called on a gpuarray array lands here
(__array_function__).
"""

from gpuarray.fft._transforms import (  # noqa: F401
    fft, ifft, rfft, irfft, hfft, ihfft, fft2, ifft2, rfft2, irfft2, fftn, ifftn, rfftn, irfftn,
)
from gpuarray.fft._helpers import fftfreq, rfftfreq, fftshift, ifftshift  # noqa: F401
from gpuarray.fft import config  # noqa: F401

__all__ = ['fft', 'ifft', 'rfft', 'irfft', 'hfft', 'ihfft', 'fft2', 'ifft2', 'rfft2', 'irfft2',
           'fftn', 'ifftn', 'rfftn', 'irfftn', 'fftfreq', 'rfftfreq', 'fftshift', 'ifftshift',
           'config']
