"""gpuarray.linalg - NumPy's (and CuPy's) linear algebra on device arrays.

norm, det, slogdet, inv, solve, lstsq, pinv, cholesky, qr, svd, eig,
eigvals, eigh, eigvalsh, matrix_power, matrix_rank, cond, multi_dot,
tensorsolve, tensorinv, and NumPy 2's matrix_norm, vector_norm, vecdot,
outer, diagonal, trace, svdvals, cross, matrix_transpose, matmul and
tensordot: batched over leading axes and broadcast where NumPy does, real
and complex, NumPy's result dtypes and errors. LinAlgError is NumPy's own
class. On CUDA the factorizations run cuSOLVER (loaded at first use; a
missing library is an error naming the places searched), on the host
backend NumPy's LAPACK on the same memory (see _engine.py)."""

from numpy.linalg import LinAlgError  # noqa: F401  NumPy's class itself, as in CuPy

from gpuarray.linalg._decompositions import (  # noqa: F401
    cholesky, qr, svd, svdvals, eig, eigvals, eigh, eigvalsh)
from gpuarray.linalg._solve import (  # noqa: F401
    solve, inv, det, slogdet, matrix_power, tensorsolve, tensorinv, multi_dot)
from gpuarray.linalg._norms import (  # noqa: F401
    norm, vector_norm, matrix_norm, cond, matrix_rank, pinv, lstsq)
from gpuarray.linalg._array_api import (  # noqa: F401
    matmul, tensordot, vecdot, outer, diagonal, trace, cross, matrix_transpose)

__all__ = [
    'LinAlgError', 'cholesky', 'qr', 'svd', 'svdvals', 'eig', 'eigvals', 'eigh', 'eigvalsh',
    'solve', 'inv', 'det', 'slogdet', 'matrix_power', 'tensorsolve', 'tensorinv', 'multi_dot',
    'norm', 'vector_norm', 'matrix_norm', 'cond', 'matrix_rank', 'pinv', 'lstsq', 'matmul',
    'tensordot', 'vecdot', 'outer', 'diagonal', 'trace', 'cross', 'matrix_transpose',
]
