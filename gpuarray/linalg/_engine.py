"""gpuarray.linalg._engine - what every linalg function shares: the input
checks and dtypes NumPy's linalg applies, the choice of backend, the
column-major workspaces cuSOLVER factors in place, and the one read of the
solver's info per call.

Backends. On the host backend device memory is host memory, so the LAPACK
functions run NumPy's own ``numpy.linalg`` on a zero-copy NumPy view of the
input (``host_view``) and the results are copied into gpuarray arrays. On
CUDA they run cuSOLVER through ``_core._solver`` (``ga_solver`` in the C
core): each function copies its input once into a column-major workspace
of the result dtype (cuSOLVER overwrites its input; the copy also does the
dtype promotion and any broadcasting), queues the factorization on the
current stream and reads the per-matrix info once.

Errors. NumPy raises ``LinAlgError`` for a singular matrix (solve, inv),
one that is not positive definite (cholesky) and a decomposition that did
not converge; gpuarray does too, where CuPy returns NaNs unless asked. The
check is one small device-to-host copy of the int32 info array per call
(which waits for the factorization). Inside a CUDA graph capture (a later
issue) that copy cannot run: a captured call would have to skip the check
and leave NaN/Inf in the result, as CuPy does, or record the info array
for the caller to read after the graph ran.
"""

import numpy

from gpuarray import _capture
from gpuarray import _core
from gpuarray import _elementwise as _ew
# the host backend's zero-copy view and the upload of NumPy's results, as
# the sorting and fft functions use them
from gpuarray._sorting import from_host, host_view  # noqa: F401

LinAlgError = numpy.linalg.LinAlgError

_ndarray = _core.ndarray

# Set by the tests to run the CUDA path's Python half on the host backend
# against an emulation of ga_solver written with NumPy (_emulation.py):
# the layouts, transposes and batch strides then get checked without a GPU.
EMULATE_SOLVER = False


def result(name):
    """NumPy's named result type (SVDResult, EighResult, ...), or a plain
    tuple's maker on a NumPy that has none."""
    mod = getattr(numpy.linalg, '_linalg', None) or getattr(numpy.linalg, 'linalg', None)
    cls = getattr(mod, name, None)
    return cls if cls is not None else (lambda *items: tuple(items))


def on_host():
    """Whether NumPy's LAPACK should run (the host backend), rather than
    cuSOLVER or its emulation."""
    return _ew.device_info()[1] and not EMULATE_SOLVER


def as_device(a, what):
    """`a` as a gpuarray array; a host numpy.ndarray of more than 0
    dimensions is a TypeError naming the fix (no hidden copy)."""
    if isinstance(a, _ndarray):
        return a
    if isinstance(a, numpy.ndarray) and a.ndim > 0:
        raise TypeError('{}: a host numpy.ndarray cannot be used as a gpuarray argument (that '
                        'would be a hidden copy to the device); move it first with '
                        'gpuarray.asarray(...)'.format(what))
    return _core.asarray(a)


def result_type(*arrays):
    """The dtype NumPy's linalg computes and returns in: float32/float64/
    complex64/complex128 stay, integers and bool become float64, a mix
    promotes; float16 and longdouble are TypeErrors, as in NumPy."""
    is_complex = False
    single = True
    for a in arrays:
        t = a.dtype
        if t.kind in 'fc':
            if t.itemsize not in ((4, 8) if t.kind == 'f' else (8, 16)):
                raise TypeError('array type %s is unsupported in linalg' % t.name)
            if t.kind == 'c':
                is_complex = True
            if t not in (numpy.dtype(numpy.float32), numpy.dtype(numpy.complex64)):
                single = False
        elif t.kind in 'biu':
            single = False
        else:
            raise TypeError('array type %s is unsupported in linalg' % t.name)
    if is_complex:
        return numpy.dtype(numpy.complex64 if single else numpy.complex128)
    return numpy.dtype(numpy.float32 if single else numpy.float64)


def real_dtype(t):
    return numpy.dtype(numpy.float32) if t.char in 'fF' else numpy.dtype(numpy.float64)


def complex_dtype(t):
    return numpy.dtype(numpy.complex64) if t.char in 'fF' else numpy.dtype(numpy.complex128)


def assert_stacked_2d(*arrays):
    for a in arrays:
        if a.ndim < 2:
            raise LinAlgError('%d-dimensional array given. Array must be at least '
                              'two-dimensional' % a.ndim)


def assert_stacked_square(*arrays):
    for a in arrays:
        if a.shape[-1] != a.shape[-2]:
            raise LinAlgError('Last 2 dimensions of the array must be square')


def batch_size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


# ------------------------------------------------------------ workspaces

def row_major(a, dtype, shape=None):
    """A new C-contiguous array of `dtype` holding `a` broadcast to `shape`:
    read column-major, each matrix is the transpose of a's."""
    shape = a.shape if shape is None else tuple(shape)
    out = _core.empty(shape, dtype)
    if out.size:
        out[...] = a
    return out


def column_major(a, dtype, shape=None):
    """A new array of `dtype`, C-contiguous with the last two axes swapped,
    holding `a` (broadcast to `shape`): read column-major, each matrix is
    a's own. Returns the buffer (..., n, m) for a (..., m, n) matrix."""
    shape = a.shape if shape is None else tuple(shape)
    out = _core.empty(shape[:-2] + (shape[-1], shape[-2]), dtype)
    if out.size:
        out[...] = _core.asarray(a).swapaxes(-1, -2) if a.ndim >= 2 else a
    return out


def ptr(x):
    return 0 if x is None else x.data.ptr


def run(a, op, **kw):
    """ga_solver on the current stream (or its emulation)."""
    if EMULATE_SOLVER:
        from gpuarray.linalg import _emulation
        return _emulation.run(a, op, **kw)
    return _core._solver(a, op, **kw)


def new_info(batch):
    return _core.zeros((max(batch, 1),), numpy.int32)


def check_info(info, message):
    """The one device-to-host read per call: raise LinAlgError(message)
    when a matrix of the batch failed (info > 0). A negative info is a bad
    argument gpuarray passed, i.e. a bug: say so."""
    _capture.refuse_while_capturing("linalg's check for a singular (or not positive-definite) matrix")
    h = info.get()
    if h.size and h.max() > 0:
        raise LinAlgError(message)
    if h.size and h.min() < 0:
        raise RuntimeError('cuSOLVER rejected argument %d (a gpuarray bug)' % -int(h.min()))
