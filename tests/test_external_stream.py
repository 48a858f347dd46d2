"""gpuarray.cuda.ExternalStream / Stream.from_external (a stream another
library made) and gpuarray.cuda.memory.Memory as a base class."""

import gc
import weakref

import numpy
import pytest

import gpuarray
from gpuarray.cuda._external_stream import _stream_handle

ON_HOST = gpuarray.get_backend() == 'host'


class TorchLike:
    cuda_stream = 0x1234


class CupyLike:
    ptr = 0x5678


class CudaCoreLike:
    def __cuda_stream__(self):
        return (0, 0x9abc)


def test_handles_from_other_libraries():
    assert _stream_handle(7) == 7
    assert _stream_handle(TorchLike()) == 0x1234
    assert _stream_handle(CupyLike()) == 0x5678
    assert _stream_handle(CudaCoreLike()) == 0x9abc
    with pytest.raises(TypeError, match='cuda_stream'):
        _stream_handle(object())


def test_null_handle_is_the_null_stream():
    s = gpuarray.cuda.ExternalStream(0)
    assert s.ptr == 0 and s == gpuarray.cuda.Stream.null
    assert gpuarray.cuda.Stream.from_external(0) == gpuarray.cuda.Stream.null
    with s:
        a = gpuarray.arange(5)
        s.synchronize()
    assert a.get().tolist() == list(range(5))


@pytest.mark.skipif(not ON_HOST, reason='host backend behaviour')
def test_host_backend_refuses_foreign_pointer():
    with pytest.raises(NotImplementedError, match='no foreign streams'):
        gpuarray.cuda.ExternalStream(0x1234)
    with pytest.raises(NotImplementedError):
        gpuarray.cuda.Stream.from_external(TorchLike())


@pytest.mark.skipif(ON_HOST, reason='needs CUDA streams')
def test_wraps_a_foreign_cuda_stream_and_never_destroys_it():
    owner = gpuarray.cuda.Stream(non_blocking=True)     # stands for another library's
    ext = gpuarray.cuda.ExternalStream(owner.ptr)
    assert isinstance(ext, gpuarray.cuda.Stream) and ext.ptr == owner.ptr
    assert ext == owner and hash(ext) == hash(owner)
    h = numpy.random.default_rng(1).standard_normal(1000)
    with ext:
        assert gpuarray.cuda.get_current_stream().ptr == owner.ptr
        a = gpuarray.asarray(h) * 2
        ev = ext.record()
    ev.synchronize()
    ext.synchronize()
    numpy.testing.assert_allclose(a.get(), h * 2)
    ext.use()
    gpuarray.cuda.Stream.null.use()
    del ext, a
    gc.collect()
    owner.synchronize()     # still alive: the wrapper did not destroy it
    b = gpuarray.cuda.Stream.from_external(owner)
    assert b.ptr == owner.ptr


@pytest.mark.skipif(ON_HOST, reason='needs torch on CUDA')
def test_torch_stream():
    torch = pytest.importorskip('torch')
    if not torch.cuda.is_available():
        pytest.skip('torch has no CUDA')
    ts = torch.cuda.Stream()
    s = gpuarray.cuda.Stream.from_external(ts)
    assert s.ptr == ts.cuda_stream
    with s:
        x = gpuarray.arange(10, dtype=numpy.float32) + 1
    s.synchronize()
    assert x.get().sum() == 55


# ---------------------------------------------------------------- Memory subclass


def test_memory_subclass_type_call():
    M = type('M', (gpuarray.cuda.memory.Memory,), {})
    m = M(128)
    assert isinstance(m, gpuarray.cuda.memory.Memory) and m.size == 128 and m.ptr != 0


def test_memory_subclass_as_custom_allocator_backing():
    freed = []

    class TrackedMemory(gpuarray.cuda.memory.Memory):
        """A CuPy-style custom allocator's memory: extra state, a
        constructor of its own."""
        def __init__(self, size, pool_name):
            self.pool_name = pool_name

        def __del__(self):
            freed.append(self.pool_name)

    def allocator(nbytes):
        return gpuarray.cuda.MemoryPointer(TrackedMemory(nbytes, pool_name='p'), 0)

    h = numpy.random.default_rng(2).standard_normal(64).astype(numpy.float32)
    ptr = allocator(h.nbytes)
    a = gpuarray.ndarray(h.shape, h.dtype, memptr=ptr)
    a.set(h)
    numpy.testing.assert_array_equal((a * 3).get(), h * 3)
    assert a.data.mem.pool_name == 'p'
    ref = weakref.ref(a.data.mem)
    del a, ptr
    gc.collect()
    assert ref() is None and freed == ['p']


def test_memory_subclass_needs_size():
    class M(gpuarray.cuda.memory.Memory):
        pass
    with pytest.raises(TypeError):
        M()
    with pytest.raises(ValueError):
        M(-1)
    assert M(size=16).size == 16


def test_set_allocator_with_a_memory_subclass():
    """CuPy's custom allocator pattern: allocator(nbytes) -> MemoryPointer
    over a Memory subclass; every new array takes its memory from it."""
    calls = []

    class CountedMemory(gpuarray.cuda.memory.Memory):
        pass

    def allocator(nbytes):
        calls.append(nbytes)
        return gpuarray.cuda.MemoryPointer(CountedMemory(nbytes + 64), 32)

    assert gpuarray.cuda.get_allocator() is None
    h = numpy.random.default_rng(3).standard_normal(100)
    with gpuarray.cuda.using_allocator(allocator):
        assert gpuarray.cuda.get_allocator() is allocator
        a = gpuarray.asarray(h)
        b = a * 2 + 1
    assert gpuarray.cuda.get_allocator() is None
    assert len(calls) >= 2 and 800 in calls
    assert isinstance(b.data.mem, CountedMemory) and b.data.ptr == b.data.mem.ptr + 32
    numpy.testing.assert_allclose(b.get(), h * 2 + 1)
    c = gpuarray.zeros(3)
    assert not isinstance(c.data.mem, CountedMemory)


def test_set_allocator_errors():
    with pytest.raises(TypeError):
        gpuarray.cuda.set_allocator(5)
    with gpuarray.cuda.using_allocator(lambda n: None):
        with pytest.raises(TypeError, match='MemoryPointer'):
            gpuarray.zeros(4)
    small = lambda n: gpuarray.cuda.MemoryPointer(gpuarray.cuda.Memory(1), 0)  # noqa: E731
    with gpuarray.cuda.using_allocator(small):
        with pytest.raises(ValueError, match='bytes'):
            gpuarray.zeros(4)
    assert gpuarray.cuda.get_allocator() is None
