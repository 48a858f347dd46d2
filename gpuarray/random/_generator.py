"""gpuarray.random._generator - the distributions, and NumPy's Generator API
over them.

Every draw reserves its Philox blocks from the bit generator (one locked
step) and launches one kernel of kernels/random.cuh on the current stream:
no host synchronisation, no allocation beyond the output, except where
NumPy's checks need the parameters' values (array parameters, `p`).

Stream continuation: a draw of n values followed by one of m gives the
values of one draw of n + m where n fills whole Philox blocks: n a
multiple of 4 for float32 random/uniform/normal/exponential and raw
words, of 2 for float64 ones, any n for integers and the rejection
samplers (one block or sub-stream per element); a partial block's unused
words are skipped, never reused. permutation/choice take their keys from
the raw-word stream (2 words per key).

What is bit-identical on every backend (the kernels use only IEEE
operations, compiled without contraction): random/uniform, integers,
permutation/shuffle/choice, normal/standard_normal, exponential. gamma,
beta, binomial and poisson run the same rejection samplers everywhere
(each element on its own sub-stream) with the same own log/exp, so they
agree too in practice, but they are checked statistically only.

Array parameters (normal's loc, uniform's bounds, ...) are applied by
gpuarray's ufuncs after the standard draw, one operation per kernel, so
that they round the same everywhere too.
"""

import numbers
import operator

import numpy

from gpuarray import _core
from gpuarray.random import _kernels
from gpuarray.random._bit_generator import BitGenerator, Philox4x3210
from gpuarray.random._derived import DerivedDraws

_ndarray = _core.ndarray
_empty = _core.empty


# ------------------------------------------------------------------ helpers

def _shape(size):
    """NumPy's `size`: None (one value: a 0-d result, as CuPy's), an int or
    a tuple of ints."""
    if size is None:
        return ()
    if isinstance(size, (numbers.Integral, numpy.integer)) and not isinstance(size, bool):
        shape = (operator.index(size),)
    else:
        try:
            shape = tuple(operator.index(s) for s in size)
        except TypeError:
            raise TypeError("'{}' object cannot be interpreted as an integer".format(
                type(size).__name__)) from None
    if any(s < 0 for s in shape):
        raise ValueError('negative dimensions are not allowed')
    return shape


def _count(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _float_dtype(dtype, what):
    dt = numpy.dtype(dtype)
    if dt not in (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64)):
        raise TypeError('Unsupported dtype {!r} for {}'.format(dt, what))
    return dt


def _is_scalar(x):
    if isinstance(x, _ndarray):
        return x.ndim == 0
    return numpy.ndim(x) == 0


def _scalar(x):
    """A Python number of a scalar parameter (a 0-d device array is read)."""
    if isinstance(x, _ndarray):
        x = x.get()
    return numpy.asarray(x).item()


def _host(x, dtype=numpy.float64):
    """A NumPy copy of a parameter (device arrays are copied back: NumPy's
    checks need their values)."""
    if isinstance(x, _ndarray):
        return x.get().astype(dtype, copy=False)
    return numpy.asarray(x, dtype=dtype)


def _out_shape(size, *params):
    """The result shape: `size` (which the parameters must broadcast to),
    or the parameters' broadcast shape."""
    bshape = numpy.broadcast_shapes(*[p.shape if isinstance(p, _ndarray) else numpy.shape(p)
                                      for p in params])
    if size is None:
        return bshape
    shape = _shape(size)
    try:
        fits = numpy.broadcast_shapes(bshape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError('shape mismatch: objects cannot be broadcast to a single shape: the '
                         'parameters have shape {} and size is {}'.format(bshape, shape))
    return shape


def _device_param(x, shape, dtype):
    """(device array, step) of a parameter for a sub-stream kernel: a scalar
    as one element read by all (step 0), an array broadcast to `shape`."""
    if _is_scalar(x):
        return _core.asarray(numpy.asarray([_scalar(x)], dtype=dtype)), 0
    import gpuarray
    a = x if isinstance(x, _ndarray) else _core.asarray(numpy.asarray(x, dtype=dtype))
    if a.dtype != dtype:
        a = a.astype(dtype)
    a = gpuarray.ascontiguousarray(gpuarray.broadcast_to(a, shape))
    return a, 1


def _check(cond, message):
    """Raise ValueError(message) where any element of the boolean NumPy
    array `cond` holds."""
    if numpy.any(cond):
        raise ValueError(message)


def _emit(shape, dtype, out, fill):
    """The result of a standard draw: `fill(buf)` writes a C-contiguous
    buffer, which is `out` itself where it can be."""
    if out is not None:
        if not isinstance(out, _ndarray):
            raise TypeError('out must be a gpuarray.ndarray, not {}'.format(type(out).__name__))
        if out.dtype != dtype:
            raise TypeError('Supplied output array has the wrong type. Expected {}, got '
                            '{}'.format(dtype, out.dtype))
        if shape is not None and tuple(shape) != out.shape:
            raise ValueError('size must match out.shape when used together')
        if out.flags.c_contiguous:
            fill(out)
            return out
        buf = _empty(out.shape, dtype)
        fill(buf)
        out[...] = buf
        return out
    buf = _empty(shape, dtype)
    fill(buf)
    return buf


class _Draws(DerivedDraws):
    """The distributions over a bit generator; Generator and RandomState
    are the two faces (NumPy's and CuPy's signatures) of this one body."""

    def __init__(self, bit_generator):
        self._bit_generator = bit_generator

    # ------------------------------------------------------ standard draws

    def _standard(self, kind, shape, dtype, out=None, a=None, b=None):
        """A bit-identical draw: kind 'uniform' (a + b * u), 'normal'
        (a + b * z) or 'exponential' (b * e); shape None: out's."""
        dt = numpy.dtype(dtype)
        bg = self._bit_generator

        def fill(buf):
            n = buf.size
            per = 4 if dt == numpy.float32 else 2
            key, off = bg.reserve(_kernels.blocks_for(n, per))
            ct = numpy.float32 if dt == numpy.float32 else float
            if kind == 'uniform':
                _kernels.uniform(key, off, n, ct(a), ct(b), buf)
            elif kind == 'normal':
                _kernels.normal(key, off, n, ct(a), ct(b), buf)
            else:
                _kernels.exponential(key, off, n, ct(b), buf)
        return _emit(shape, dt, out, fill)

    def _affine(self, kind, loc, scale, size, dtype):
        """loc + scale * (standard draw), in-kernel for scalar parameters,
        by ufuncs (one rounding each, as the kernel) for arrays."""
        if _is_scalar(loc) and _is_scalar(scale):
            shape = _shape(size)
            return self._standard(kind, shape, dtype, None, _scalar(loc), _scalar(scale))
        import gpuarray
        shape = _out_shape(size, loc, scale)
        z = self._standard(kind, shape, dtype, None, 0.0, 1.0)
        dt = numpy.dtype(dtype)
        loc = loc if _is_scalar(loc) else _as_device(loc, dt)
        scale = scale if _is_scalar(scale) else _as_device(scale, dt)
        return gpuarray.add(loc, gpuarray.multiply(scale, z)).astype(dt, copy=False)

    def random(self, size=None, dtype=numpy.float64, out=None):
        """Uniform floats in [0, 1): float64 from 53 bits, float32 from 24."""
        dt = _float_dtype(dtype, 'random')
        return self._standard('uniform', None if out is not None and size is None else _shape(size),
                              dt, out, 0.0, 1.0)

    def uniform(self, low=0.0, high=1.0, size=None, dtype=numpy.float64):
        """low + (high - low) * random(): NumPy's formula."""
        dt = _float_dtype(dtype, 'uniform')
        if _is_scalar(low) and _is_scalar(high):
            lo, hi = float(_scalar(low)), float(_scalar(high))
            if not numpy.isfinite(hi - lo):
                raise OverflowError('high - low range exceeds valid bounds')
            return self._standard('uniform', _shape(size), dt, None, lo, hi - lo)
        import gpuarray
        shape = _out_shape(size, low, high)
        u = self._standard('uniform', shape, dt, None, 0.0, 1.0)
        lo = low if _is_scalar(low) else _as_device(low, dt)
        hi = high if _is_scalar(high) else _as_device(high, dt)
        return gpuarray.add(lo, gpuarray.multiply(gpuarray.subtract(hi, lo), u)).astype(
            dt, copy=False)

    def standard_normal(self, size=None, dtype=numpy.float64, out=None):
        """Box-Muller over gpuarray's own log and sincos."""
        dt = _float_dtype(dtype, 'standard_normal')
        return self._standard('normal', None if out is not None and size is None else _shape(size),
                              dt, out, 0.0, 1.0)

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=numpy.float64):
        dt = _float_dtype(dtype, 'normal')
        _check(_host(scale) < 0, 'scale < 0')
        return self._affine('normal', loc, scale, size, dt)

    def standard_exponential(self, size=None, dtype=numpy.float64, method='zig', out=None):
        """-log(1 - u). method: NumPy's 'zig' or 'inv'; both give the
        inversion here (one method, so every backend agrees)."""
        if method not in ('zig', 'inv'):
            raise ValueError("'method' argument must be either 'zig' or 'inv'")
        dt = _float_dtype(dtype, 'standard_exponential')
        return self._standard('exponential',
                              None if out is not None and size is None else _shape(size),
                              dt, out, 0.0, 1.0)

    def exponential(self, scale=1.0, size=None, dtype=numpy.float64):
        """scale * -log(1 - u)."""
        dt = _float_dtype(dtype, 'exponential')
        _check(_host(scale) < 0, 'scale < 0')
        if _is_scalar(scale):
            return self._standard('exponential', _shape(size), dt, None, 0.0, _scalar(scale))
        import gpuarray
        shape = _out_shape(size, scale)
        e = self._standard('exponential', shape, dt, None, 0.0, 1.0)
        return gpuarray.multiply(_as_device(scale, dt), e).astype(dt, copy=False)

    # ------------------------------------------------------------ integers

    def integers(self, low, high=None, size=None, dtype=numpy.int64, endpoint=False,
                 _what='integers'):
        """Uniform integers in [low, high) ([low, high] with endpoint),
        unbiased (Lemire's multiply-and-reject on a per-element sub-stream);
        every integer dtype and the full 64-bit ranges."""
        dt = numpy.dtype(dtype)
        if dt.kind not in 'iub':
            raise TypeError('Unsupported dtype {!r} for {}'.format(dt, _what))
        if high is None:
            if _is_scalar(low) and _scalar(low) <= 0 and not endpoint:
                raise ValueError('high <= 0')
            low, high = 0, low
        info = (numpy.iinfo(dt) if dt.kind != 'b' else None)
        dmin, dmax = (info.min, info.max) if info is not None else (0, 1)
        if _is_scalar(low) and _is_scalar(high):
            lo, hi = _int_param(low, 'low'), _int_param(high, 'high')
            top = hi if endpoint else hi - 1
            if lo < dmin:
                raise ValueError('low is out of bounds for {}'.format(dt.name))
            if top > dmax:
                raise ValueError('high is out of bounds for {}'.format(dt.name))
            if lo > top:
                raise ValueError('low > high' if endpoint else 'low >= high')
            shape = _shape(size)
            lo_p, rm_p = lo, top - lo
        else:
            # Python ints (object arrays): the bounds of uint64 and int64
            # and their difference are exact
            lo_h, hi_h = _host(low, object), _host(high, object)
            shape = _out_shape(size, lo_h, hi_h)
            as_int = numpy.vectorize(int, otypes=[object])
            lo_b = as_int(numpy.broadcast_to(lo_h, shape)) if _count(shape) else \
                numpy.zeros(shape, object)
            top_b = (as_int(numpy.broadcast_to(hi_h, shape)) if _count(shape) else
                     numpy.zeros(shape, object)) - (0 if endpoint else 1)
            _check(lo_b < dmin, 'low is out of bounds for {}'.format(dt.name))
            _check(top_b > dmax, 'high is out of bounds for {}'.format(dt.name))
            _check(lo_b > top_b, 'low > high' if endpoint else 'low >= high')
            lo_p = (_core.asarray(numpy.array([int(v) & 0xFFFFFFFFFFFFFFFF for v in lo_b.ravel()],
                                              numpy.uint64)), 1)
            rm_p = (_core.asarray(numpy.array([int(t) - int(v) for t, v in
                                               zip(top_b.ravel(), lo_b.ravel())],
                                              numpy.uint64)), 1)
        n = _count(shape)
        out = _empty(shape, dt)
        key, off = self._bit_generator.reserve(n)
        _kernels.integers(key, off, n, lo_p, rm_p, out)
        return out

    # ------------------------------------------------- permutations, choice

    def _permutation_indices(self, n):
        """A uniformly random permutation of range(n) (int64): the stable
        argsort of n random 64-bit keys (gpuarray's radix sort, NumPy's
        stable sort on the host backend: the same order, ties included)."""
        import gpuarray
        words = _empty((2 * n,), numpy.uint32)
        key, off = self._bit_generator.reserve(_kernels.blocks_for(2 * n, 4))
        _kernels.bits32(key, off, 2 * n, words)
        return gpuarray.argsort(words.view(numpy.uint64), kind='stable')

    def permutation(self, x, axis=0):
        """A permuted range (x an int) or a shuffled copy of x along axis."""
        import gpuarray
        if isinstance(x, (numbers.Integral, numpy.integer)) and not isinstance(x, bool):
            n = operator.index(x)
            if n < 0:
                raise ValueError('negative dimensions are not allowed')
            return self._permutation_indices(n)
        arr = x if isinstance(x, _ndarray) else gpuarray.asarray(x)
        if arr.ndim < 1:
            raise IndexError('x must be an integer or at least 1-dimensional')
        ax = _axis(axis, arr.ndim)
        perm = self._permutation_indices(arr.shape[ax])
        return gpuarray.take(arr, perm, axis=ax, mode='clip')

    def shuffle(self, x, axis=0):
        """Shuffle the device array x in place along axis."""
        import gpuarray
        if not isinstance(x, _ndarray):
            raise TypeError('x must be a gpuarray.ndarray, not {}'.format(type(x).__name__))
        if x.ndim < 1:
            raise TypeError('shuffle of a 0-d array: x must be at least 1-dimensional')
        ax = _axis(axis, x.ndim)
        perm = self._permutation_indices(x.shape[ax])
        x[...] = gpuarray.take(x, perm, axis=ax, mode='clip')

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True, _legacy=False):
        """Samples of range(a) (a an int) or of a's elements along axis, with
        or without replacement, uniform or with probabilities p (an inverse
        CDF over NumPy's cumsum of p; without replacement, the smallest of
        exponential keys / p: Efraimidis and Spirakis)."""
        import gpuarray
        shape = _shape(size)
        n = _count(shape)
        if isinstance(a, (numbers.Integral, numpy.integer)) and not isinstance(a, bool):
            pop = operator.index(a)
            arr = None
            if pop <= 0 and n:
                raise ValueError('a must be greater than 0 unless no samples are taken' if _legacy
                                 else 'a must be a positive integer unless no samples are taken')
            pop = max(pop, 0)
            ax = 0
        else:
            arr = a if isinstance(a, _ndarray) else gpuarray.asarray(a)
            if arr.ndim == 0:
                raise ValueError('a must be 1-dimensional or an integer' if _legacy else
                                 'a must be a sequence or an integer, not {}'.format(type(a)))
            if _legacy and arr.ndim != 1:
                raise ValueError('a must be 1-dimensional')
            ax = _axis(axis, arr.ndim)
            pop = arr.shape[ax]
        if pop == 0 and n:
            raise ValueError('a cannot be empty unless no samples are taken')
        ph = None
        if p is not None:
            ph = _host(p)
            if ph.ndim != 1:
                raise ValueError('p must be 1-dimensional')
            if ph.size != pop:
                raise ValueError('a and p must have same size')
            if numpy.isnan(ph).any():
                raise ValueError('probabilities contain NaN')
            if (ph < 0).any():
                raise ValueError('probabilities are not non-negative')
            if abs(float(numpy.sum(ph)) - 1.0) > numpy.sqrt(numpy.finfo(numpy.float64).eps):
                raise ValueError('probabilities do not sum to 1')
        if replace:
            if ph is None:
                idx = self.integers(0, pop, shape) if n else _core.zeros(shape, numpy.int64)
            else:
                cdf = numpy.cumsum(ph)
                cdf /= cdf[-1]
                u = self.random(shape)
                idx = gpuarray.searchsorted(_core.asarray(cdf), u, side='right')
                idx = gpuarray.minimum(idx, pop - 1)
        else:
            if n > pop:
                raise ValueError("Cannot take a larger sample than population when 'replace=False'"
                                 if _legacy else
                                 'Cannot take a larger sample than population when replace is '
                                 'False')
            if ph is None:
                idx = self._permutation_indices(pop)[:n].reshape(shape)
            else:
                if numpy.count_nonzero(ph) < n:
                    raise ValueError('Fewer non-zero entries in p than size')
                e = self.standard_exponential(pop)
                keys = gpuarray.divide(e, _core.asarray(ph))
                idx = gpuarray.argsort(keys, kind='stable')[:n].reshape(shape)
            if not shuffle and n > 1:
                idx = gpuarray.sort(idx)
        if arr is None:
            return idx
        return gpuarray.take(arr, idx, axis=ax, mode='clip')

    # ------------------------------------------------- rejection samplers

    def _substream(self, kernel, out_dtype, size, params):
        """A sub-stream kernel over (value, dtype) parameters."""
        shape = _out_shape(size, *[v for v, _ in params])
        dev = [_device_param(v, shape, numpy.dtype(t)) for v, t in params]
        n = _count(shape)
        out = _empty(shape, out_dtype)
        key, off = self._bit_generator.reserve(n)
        _kernels.substream(kernel, key, off, n, dev, out)
        return out

    def standard_gamma(self, shape, size=None, dtype=numpy.float64, out=None):
        """gamma(shape, 1); float32 is drawn in float32 (not cast)."""
        dt = _float_dtype(dtype, 'standard_gamma')
        r = self._gamma(shape, 1.0, size if out is None or size is not None else out.shape, dt)
        if out is not None:
            if out.dtype != dt:
                raise TypeError('Supplied output array has the wrong type. Expected {}, got '
                                '{}'.format(dt, out.dtype))
            out[...] = r
            return out
        return r

    def gamma(self, shape, scale=1.0, size=None):
        """Marsaglia and Tsang's method (shape < 1: the U**(1/shape) boost)."""
        return self._gamma(shape, scale, size, numpy.dtype(numpy.float64))

    def _gamma(self, shape, scale, size, dt):
        sh = _host(shape)
        _check(sh < 0, 'shape < 0')
        _check(numpy.isnan(sh), 'shape < 0')
        _check(_host(scale) < 0, 'scale < 0')
        name = 'ga_rand_gamma_f32' if dt == numpy.float32 else 'ga_rand_gamma_f64'
        return self._substream(name, dt, size, [(shape, dt), (scale, dt)])

    def beta(self, a, b, size=None):
        """Johnk's algorithm where a, b <= 1, else X / (X + Y) of gammas."""
        return self._beta(a, b, size, numpy.dtype(numpy.float64))

    def _beta(self, a, b, size, dt):
        _check(~(_host(a) > 0), 'a <= 0')
        _check(~(_host(b) > 0), 'b <= 0')
        name = 'ga_rand_beta_f32' if dt == numpy.float32 else 'ga_rand_beta_f64'
        return self._substream(name, dt, size, [(a, dt), (b, dt)])

    def binomial(self, n, p, size=None):
        """Inversion for n p < 10, Hormann's BTRS above."""
        nh = _host(n, numpy.float64)
        ph = _host(p)
        _check(nh < 0, 'n < 0')
        _check(ph < 0, 'p < 0')
        _check(ph > 1, 'p > 1')
        _check(numpy.isnan(ph), 'p is nan')
        return self._substream('ga_rand_binomial_i64', numpy.int64, size,
                               [(n, numpy.int64), (p, numpy.float64)])

    def poisson(self, lam=1.0, size=None):
        """Inversion for lam < 10, Hormann's PTRS above."""
        lh = _host(lam)
        _check(lh < 0, 'lam < 0')
        _check(numpy.isnan(lh), 'lam < 0')
        _check(lh > 9.223372006484771e18, 'lam value too large')
        return self._substream('ga_rand_poisson_i64', numpy.int64, size,
                               [(lam, numpy.float64)])


def _as_device(x, dtype):
    if isinstance(x, _ndarray):
        return x
    return _core.asarray(numpy.asarray(x, dtype=dtype))


def _int_param(x, name):
    v = _scalar(x)
    if isinstance(v, float):
        if not numpy.isfinite(v):
            raise ValueError('{} is out of bounds'.format(name))
        v = int(v)
    return operator.index(v)


def _axis(axis, ndim):
    ax = operator.index(axis)
    if not -ndim <= ax < ndim:
        from gpuarray.exceptions import AxisError
        raise AxisError('axis {} is out of bounds for array of dimension {}'.format(axis, ndim))
    return ax % ndim


class Generator(_Draws):
    """NumPy's Generator API over a gpuarray bit generator (Philox4x3210):
    ``Generator(Philox4x3210(seed))``, or ``default_rng(seed)``."""

    def __init__(self, bit_generator):
        if not isinstance(bit_generator, BitGenerator):
            raise TypeError('bit_generator must be a gpuarray.random.BitGenerator, not '
                            '{}'.format(type(bit_generator).__name__))
        super().__init__(bit_generator)

    @property
    def bit_generator(self):
        return self._bit_generator

    def __repr__(self):
        return 'Generator({})'.format(type(self._bit_generator).__name__)


def default_rng(seed=None):
    """A Generator over Philox4x3210(seed); a Generator is returned as is,
    a BitGenerator wrapped."""
    if isinstance(seed, Generator):
        return seed
    if isinstance(seed, BitGenerator):
        return Generator(seed)
    return Generator(Philox4x3210(seed))
