"""gpuarray.random._bit_generator - the state of a Philox4x32-10 stream: a
64-bit key made from the seed and a 64-bit block offset.

The seed -> key mapping (gpuarray's own; CuPy's numbers are not matched,
every gpuarray backend's are):

    h = 0x6A09E667F3BCC908                   (a fixed start)
    for each 64-bit word c of the seed, least significant first
    (an integer seed: at least one word; a sequence: each element's words
    in turn):
        h = splitmix64(h ^ c)
    key = (h mod 2**32, h div 2**32)

splitmix64 is Steele, Lea and Flood's finaliser (the golden-ratio
increment, then two xor-shift-multiply steps), so seeds that differ in
one bit give unrelated keys. The offset starts at 0 and each draw
advances it by the Philox blocks it used (see kernels/random.cuh), under
a lock, so that threads sharing one generator never share a block.
"""

import operator
import secrets
import threading

import numpy

_MASK64 = (1 << 64) - 1
_START = 0x6A09E667F3BCC908


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def _seed_words(seed):
    """The 64-bit words of a seed: a non-negative integer, or a sequence of
    them (NumPy's rules: floats and negative numbers are refused)."""
    if isinstance(seed, (bool, numpy.bool_)):
        seed = int(seed)
    if isinstance(seed, (int, numpy.integer)):
        values = [int(seed)]
    else:
        arr = numpy.asarray(seed)
        if arr.dtype.kind not in 'iu' and not (arr.dtype == object and arr.size and all(
                isinstance(v, (int, numpy.integer)) for v in arr.ravel())):
            if arr.dtype.kind == 'f' or arr.dtype.kind == 'c':
                raise TypeError('SeedSequence expects int or sequence of ints for entropy not '
                                '{!r}'.format(seed))
            raise TypeError('seed must be an integer or a sequence of integers, not '
                            '{!r}'.format(seed))
        if arr.size == 0:
            raise ValueError('seed must not be an empty sequence')
        values = [int(v) for v in arr.ravel()]
    words = []
    for v in values:
        v = operator.index(v)
        if v < 0:
            raise ValueError('expected non-negative integer')
        words.append(v & _MASK64)
        v >>= 64
        while v:
            words.append(v & _MASK64)
            v >>= 64
    return words


def key_from_seed(seed):
    """The Philox key (two uint32 words) of a seed (see the module doc)."""
    h = _START
    for c in _seed_words(seed):
        h = splitmix64(h ^ c)
    return (h & 0xffffffff, h >> 32)


class BitGenerator:
    """A counter-based bit generator: its numbers are a function of a key
    and a counter, so any part of the stream is computed without the rest.
    Subclasses name the algorithm; gpuarray has Philox4x3210."""

    def __init__(self, seed=None):
        self._lock = threading.Lock()
        self.seed(seed)

    def seed(self, seed=None):
        """Restart from `seed` (None: fresh entropy from the OS)."""
        if seed is None:
            seed = secrets.randbits(128)
        key = key_from_seed(seed)
        with self._lock:
            self._key = key
            self._offset = 0

    def reserve(self, nblocks):
        """The offset of a draw of `nblocks` Philox blocks, advancing the
        counter past them (thread-safe: the one place the state changes)."""
        with self._lock:
            off = self._offset
            self._offset = (off + nblocks) & _MASK64
            return self._key, off

    @property
    def state(self):
        """{'bit_generator': name, 'key': (k0, k1), 'offset': blocks used}."""
        with self._lock:
            return {'bit_generator': type(self).__name__, 'key': tuple(self._key),
                    'offset': self._offset}

    @state.setter
    def state(self, value):
        if not isinstance(value, dict) or 'key' not in value or 'offset' not in value:
            raise ValueError('state must be a dict with "key" and "offset"')
        name = value.get('bit_generator', type(self).__name__)
        if name != type(self).__name__:
            raise ValueError('state must be for a {} PRNG'.format(type(self).__name__))
        k0, k1 = (int(w) for w in value['key'])
        off = int(value['offset'])
        if not (0 <= k0 < 2 ** 32 and 0 <= k1 < 2 ** 32 and 0 <= off < 2 ** 64):
            raise ValueError('key words must be uint32 and the offset uint64')
        with self._lock:
            self._key = (k0, k1)
            self._offset = off

    def advance(self, delta):
        """Skip `delta` Philox blocks (4 words each) of the stream."""
        delta = operator.index(delta)
        if delta < 0:
            raise ValueError('delta must be non-negative')
        with self._lock:
            self._offset = (self._offset + delta) & _MASK64
        return self

    def random_raw(self, size=None, output=True):
        """The next raw 32-bit words of the stream as a uint32 device array
        (word i is word i % 4 of block i // 4); a 0-d result for size None."""
        from gpuarray.random import _kernels
        from gpuarray.random._generator import _shape
        shape = _shape(size)
        n = int(numpy.prod(shape, dtype=numpy.int64))
        key, off = self.reserve(_kernels.blocks_for(n, 4))
        from gpuarray import _core
        out = _core.empty(shape, numpy.uint32)
        _kernels.bits32(key, off, n, out)
        return out if output else None


class Philox4x3210(BitGenerator):
    """Philox4x32-10 (Salmon et al., Random123): 10 rounds of two 32x32-bit
    multiplies on a 128-bit counter under a 64-bit key. CuPy's name.

    ``Philox4x3210(seed=None)``: `seed` a non-negative integer or a sequence
    of them, or None for fresh entropy."""

    def __init__(self, seed=None, *, size=None):
        # size: CuPy's (the length of curand's state array); no state array here
        super().__init__(seed)

    def __repr__(self):
        return '<{}.{} object at {:#x}>'.format(type(self).__module__, type(self).__name__,
                                                id(self))
