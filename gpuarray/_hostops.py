"""Arithmetic and comparison operators of gpuarray.ndarray, computed by
NumPy on the host: a stopgap so that CuPy code such as
``cp.ones(n, dtype=cp.float32) * 3`` runs before device elementwise kernels
exist. Each operation copies its device operands to the host, computes with
NumPy (so dtype promotion and casting are NumPy's, as CuPy's are) and copies
the result back: correct, not fast. Host NumPy arrays as operands are a
TypeError, as in CuPy.
"""

import operator

import numpy

_BINARY = {
    'add': operator.add, 'sub': operator.sub, 'mul': operator.mul,
    'truediv': operator.truediv, 'floordiv': operator.floordiv, 'mod': operator.mod,
    'pow': operator.pow, 'and': operator.and_, 'or': operator.or_, 'xor': operator.xor,
    'lshift': operator.lshift, 'rshift': operator.rshift, 'matmul': operator.matmul,
}
_INPLACE = {
    'add': operator.iadd, 'sub': operator.isub, 'mul': operator.imul,
    'truediv': operator.itruediv, 'floordiv': operator.ifloordiv, 'mod': operator.imod,
    'pow': operator.ipow, 'and': operator.iand, 'or': operator.ior, 'xor': operator.ixor,
    'lshift': operator.ilshift, 'rshift': operator.irshift,
}
_COMPARE = {'eq': operator.eq, 'ne': operator.ne, 'lt': operator.lt, 'le': operator.le,
            'gt': operator.gt, 'ge': operator.ge}
_UNARY = {'neg': operator.neg, 'pos': operator.pos, 'abs': operator.abs, 'invert': operator.invert}


def install(ndarray):
    """Give `ndarray` its operators."""
    from gpuarray._core import asarray

    def host(x):
        """The host value of an operand, or None for an unsupported one."""
        if isinstance(x, ndarray):
            return x.get()
        if isinstance(x, (bool, int, float, complex, numpy.generic)):
            return x
        return None

    def binary(op):
        def forward(self, other):
            o = host(other)
            if o is None:
                return NotImplemented
            return asarray(op(self.get(), o))

        def reflected(self, other):
            o = host(other)
            if o is None:
                return NotImplemented
            return asarray(op(o, self.get()))
        return forward, reflected

    def inplace(op):
        def method(self, other):
            o = host(other)
            if o is None:
                return NotImplemented
            h = self.get()
            op(h, o)           # NumPy's in-place casting rules
            self.set(h)
            return self
        return method

    def unary(op):
        def method(self):
            return asarray(op(self.get()))
        return method

    for name, op in _BINARY.items():
        fwd, ref = binary(op)
        setattr(ndarray, '__%s__' % name, fwd)
        setattr(ndarray, '__r%s__' % name, ref)
    for name, op in _INPLACE.items():
        setattr(ndarray, '__i%s__' % name, inplace(op))
    for name, op in _COMPARE.items():
        setattr(ndarray, '__%s__' % name, binary(op)[0])
    for name, op in _UNARY.items():
        setattr(ndarray, '__%s__' % name, unary(op))
    # __eq__ without __hash__ leaves arrays unhashable, as NumPy's.
    ndarray.__hash__ = None
