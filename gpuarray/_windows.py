"""gpuarray._windows - NumPy's window functions (bartlett, blackman,
hamming, hanning) computed on the device from a range, with NumPy's
formulas, as float64 arrays of M points."""

import numpy

from gpuarray import _core


def _points(M):
    """(M as a float, as NumPy takes it; n = arange(1 - M, M, 2) on the
    device, NumPy's abscissa, or None where M < 2: the window is then
    empty or [1.])."""
    M = float(numpy.array([0.0, M])[1])
    return M, (_core.arange(1 - M, M, 2, dtype=numpy.float64) if M > 1 else None)


def _short(M):
    return _core.ones((1,), numpy.float64) if M == 1 else _core.empty((0,), numpy.float64)


def bartlett(M):
    """The triangular window of M points (numpy.bartlett)."""
    from gpuarray import _ufuncs
    M, n = _points(M)
    if n is None:
        return _short(M)
    # 1 - |n| / (M - 1), with NumPy's ordering of the operations
    return _ufuncs.where(n <= 0, 1 + n / (M - 1), 1 - n / (M - 1))


def blackman(M):
    """The Blackman window of M points (numpy.blackman)."""
    from gpuarray import _ufuncs
    M, n = _points(M)
    if n is None:
        return _short(M)
    return (0.42 + 0.5 * _ufuncs.cos(numpy.pi * n / (M - 1)) +
            0.08 * _ufuncs.cos(2.0 * numpy.pi * n / (M - 1)))


def hamming(M):
    """The Hamming window of M points (numpy.hamming)."""
    from gpuarray import _ufuncs
    M, n = _points(M)
    if n is None:
        return _short(M)
    return 0.54 + 0.46 * _ufuncs.cos(numpy.pi * n / (M - 1))


def hanning(M):
    """The Hann window of M points (numpy.hanning)."""
    from gpuarray import _ufuncs
    M, n = _points(M)
    if n is None:
        return _short(M)
    return 0.5 + 0.5 * _ufuncs.cos(numpy.pi * n / (M - 1))
