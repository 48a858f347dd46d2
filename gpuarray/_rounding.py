"""gpuarray._rounding - ``around``/``round`` (to a number of decimals),
``fix`` (toward zero) and ``ndarray.round``, NumPy's definitions composed
from the elementwise ufuncs.

round follows NumPy's algorithm step by step (so that results agree bit
for bit): decimals = 0 is rint (half to even); decimals > 0 multiplies by
10**decimals, rounds and divides, decimals < 0 divides, rounds and
multiplies, each step in the array's dtype (integers with decimals < 0 in
float64, cast back); integers with decimals >= 0 are copied; complex
numbers round their two parts apart.
"""

import operator

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array as _as_array
from gpuarray import _elementwise as _ew

__all__ = ['around', 'round', 'fix']

_ndarray = _core.ndarray



def around(a, decimals=0, out=None):
    """`a` rounded to `decimals` decimals (half to even), as numpy.around."""
    from gpuarray import _ufuncs as u
    from gpuarray import _complex
    a = _as_array(a, 'around')
    decimals = operator.index(decimals)
    if out is not None and not isinstance(out, _ndarray):
        raise TypeError('around: out must be a gpuarray.ndarray, not {}'.format(type(out)))
    if a.dtype.kind == 'c':
        if out is None:
            out = _core.empty(a.shape, a.dtype)
        elif out.dtype.kind != 'c':
            raise TypeError('around: the output of a complex array must be complex, not '
                            '{}'.format(out.dtype))
        around(_complex.real(a), decimals, _complex.real(out))
        around(_complex.imag(a), decimals, _complex.imag(out))
        return out
    if decimals >= 0:
        if a.dtype.kind in 'iu':
            if out is None:
                return _ew.copy(a)
            _ew.copy_into(a, out)
            return out
        if decimals == 0:
            return u.rint(a, out=out)
        op1, op2 = u.multiply, u.true_divide
    else:
        op1, op2 = u.true_divide, u.multiply
        decimals = -decimals
    to_int = None
    if out is None:
        if a.dtype.kind in 'iu':
            to_int = a.dtype
            out = _core.empty(a.shape, numpy.float64)
        else:
            out = _core.empty(a.shape, a.dtype)
    f = float(10.0 ** decimals)
    op1(a, f, out=out)
    u.rint(out, out=out)
    op2(out, f, out=out)
    if to_int is not None:
        return out.astype(to_int)
    return out


round = around


def fix(x, out=None):
    """Round toward zero (numpy.fix): floor of positives, ceil of
    negatives; integers and bools keep their dtype."""
    from gpuarray import _ufuncs as u
    return u.trunc(_as_array(x, 'fix'), out=out)


def install(ndarray):
    def _round(self, decimals=0, out=None):
        """a.round(decimals=0, out=None): gpuarray.around(a, ...)."""
        return around(self, decimals, out)
    ndarray.round = _round
