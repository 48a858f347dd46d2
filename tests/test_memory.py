"""Device memory (Memory, MemoryPointer), the pool (get_default_memory_pool)
and page-locked host memory (empty_pinned, zeros_pinned,
alloc_pinned_memory): allocation, freeing, limits, copies, leaks."""
import ctypes
import gc
import sys
import weakref

import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.cuda


@pytest.fixture
def pool():
    """The default pool, with no limit before and after the test, and no
    garbage of earlier tests (arrays in reference cycles) left to be
    collected during this one, which would change used_bytes under it."""
    p = cp.get_default_memory_pool()
    p.set_limit(size=0)
    gc.collect()
    yield p
    p.set_limit(size=0)


# ----------------------------------------------------------------- the pool

def test_default_pool_is_one_object():
    assert cp.get_default_memory_pool() is cp.get_default_memory_pool()
    assert isinstance(cp.get_default_memory_pool(), cp.cuda.MemoryPool)
    assert cp.cuda.memory.get_default_memory_pool is cp.get_default_memory_pool


def test_used_bytes_follow_live_arrays(pool, rng):
    start = pool.used_bytes()
    sizes = [int(n) for n in rng.integers(1, 1 << 20, size=5)]
    arrays = [cp.empty(n, dtype=cp.uint8) for n in sizes]
    assert pool.used_bytes() == start + sum(sizes)
    assert pool.total_bytes() >= pool.used_bytes()
    assert pool.free_bytes() == pool.total_bytes() - pool.used_bytes()
    del arrays
    assert pool.used_bytes() == start


def test_views_keep_their_memory(pool):
    start = pool.used_bytes()
    a = cp.arange(1000, dtype=cp.int32)
    v = a[10:20]
    del a
    assert pool.used_bytes() == start + 4000
    np.testing.assert_array_equal(v.get(), np.arange(10, 20, dtype=np.int32))
    del v
    assert pool.used_bytes() == start


def test_free_all_blocks_keeps_live_memory(pool):
    keep = cp.ones(1000)
    junk = [cp.empty(1 << 16) for _ in range(8)]
    del junk
    pool.free_all_blocks()
    assert pool.total_bytes() >= pool.used_bytes() >= 8000
    np.testing.assert_array_equal(keep.get(), np.ones(1000))


def test_limit_turns_allocation_into_out_of_memory(pool):
    used = pool.used_bytes()
    pool.set_limit(size=used + (1 << 20))
    assert pool.get_limit() == used + (1 << 20)
    a = cp.empty(1 << 19, dtype=cp.uint8)          # fits
    with pytest.raises(cp.cuda.OutOfMemoryError) as info:
        cp.empty(1 << 20, dtype=cp.uint8)          # does not
    assert isinstance(info.value, MemoryError) and str(info.value)
    del a
    pool.set_limit(size=0)
    assert pool.get_limit() == 0
    cp.empty(1 << 20, dtype=cp.uint8)              # no limit again


def test_limit_as_a_fraction(pool):
    pool.set_limit(fraction=0.5)
    total = cp.cuda.Device().mem_info[1]
    assert abs(pool.get_limit() - total // 2) <= 1
    pool.set_limit()
    assert pool.get_limit() == 0


@pytest.mark.parametrize('kwargs,exc', [({'size': -1}, ValueError), ({'fraction': 1.5}, ValueError),
                                        ({'fraction': -0.1}, ValueError),
                                        ({'size': 10, 'fraction': 0.5}, ValueError),
                                        ({'size': 'big'}, TypeError)])
def test_bad_limits(pool, kwargs, exc):
    with pytest.raises(exc):
        pool.set_limit(**kwargs)
    assert pool.get_limit() == 0


def test_more_than_the_device_has_is_out_of_memory(pool):
    total = cp.cuda.Device().mem_info[1]
    start = pool.used_bytes()
    with pytest.raises(cp.cuda.memory.OutOfMemoryError):
        cp.empty(2 * total, dtype=cp.uint8)
    assert pool.used_bytes() == start
    np.testing.assert_array_equal(cp.arange(5).get(), np.arange(5))   # still works


# --------------------------------------------------------- Memory, pointers

def test_memory_object(pool):
    start = pool.used_bytes()
    m = cp.cuda.Memory(1000)
    assert m.size == 1000 and m.ptr != 0 and m.device_id == 0 and m.device == cp.cuda.Device(0)
    assert pool.used_bytes() == start + 1000
    del m
    assert pool.used_bytes() == start
    with pytest.raises(ValueError):
        cp.cuda.Memory(-1)
    assert cp.cuda.Memory(0).size == 0


def test_memory_keeps_its_stream_alive():
    s = cp.cuda.Stream()
    alive = weakref.ref(s)
    with s:
        a = cp.empty(100)
    assert a.data.mem.stream is s
    del s
    gc.collect()
    assert alive() is not None          # the array's memory is freed on it later
    del a
    gc.collect()
    assert alive() is None


def test_memory_pointer(pool, rng):
    h = rng.integers(0, 255, size=64, dtype=np.uint8)
    p = cp.cuda.alloc(64)
    assert isinstance(p, cp.cuda.MemoryPointer) and p.mem.size == 64 and p.ptr == p.mem.ptr
    p.copy_from_host(h.ctypes.data, 64)
    back = np.empty(64, np.uint8)
    p.copy_to_host(back.ctypes.data_as(ctypes.c_void_p), 64)
    np.testing.assert_array_equal(back, h)
    q = p + 16
    assert q.ptr == p.ptr + 16 and (q - 16).ptr == p.ptr and q.mem is p.mem
    dst = cp.cuda.alloc(48)
    dst.copy_from_device(q, 48)
    dst.copy_to_host(back.ctypes.data, 48)
    np.testing.assert_array_equal(back[:48], h[16:])
    dst.memset(0xAB, 48)
    dst.copy_to_host(back.ctypes.data, 48)
    assert (back[:48] == 0xAB).all()
    s = cp.cuda.Stream()
    dst.memset_async(7, 8, s)
    dst.copy_to_host_async(back.ctypes.data, 8, s)
    s.synchronize()
    assert (back[:8] == 7).all()


def test_memory_pointer_bad_sizes():
    p = cp.cuda.alloc(16)
    buf = np.empty(64, np.uint8)
    with pytest.raises(ValueError, match='past the end'):
        p.copy_to_host(buf.ctypes.data, 17)
    with pytest.raises(ValueError, match='past the end'):
        (p + 8).memset(0, 9)
    with pytest.raises(ValueError, match='negative'):
        p.copy_from_host(buf.ctypes.data, -1)
    with pytest.raises(ValueError):
        p + 17
    with pytest.raises(ValueError, match='byte'):
        p.memset(256, 4)
    with pytest.raises(TypeError):
        p.copy_from_device(buf, 4)


def test_ndarray_on_foreign_memory_pointer():
    p = cp.cuda.alloc(24)
    a = cp.ndarray((3,), cp.float64, memptr=p)
    a.set(np.array([1.5, 2.5, 3.5]))
    assert a.data.ptr == p.ptr and a.data.mem is p.mem
    np.testing.assert_array_equal(a.get(), [1.5, 2.5, 3.5])


# ---------------------------------------------------------- pinned memory

@pytest.mark.parametrize('dtype', [np.float32, np.int64, np.complex128, np.bool_])
def test_empty_and_zeros_pinned(dtype):
    a = cp.empty_pinned((3, 4), dtype=dtype)
    assert type(a) is np.ndarray and a.shape == (3, 4) and a.dtype == dtype
    assert a.flags.writeable and a.flags.c_contiguous
    assert isinstance(a.base, cp.cuda.PinnedMemory) and a.base.size == a.nbytes
    assert cp.cuda.memory.is_pinned(a)
    z = cp.zeros_pinned(7, dtype=dtype)
    np.testing.assert_array_equal(z, np.zeros(7, dtype))
    assert cp.zeros_pinned((2, 3), order='F').flags.f_contiguous
    assert cp.empty_pinned(0).size == 0
    assert cp.empty_pinned(5).dtype == np.float64


def test_pinned_arrays_bad_arguments():
    with pytest.raises(ValueError, match='negative'):
        cp.empty_pinned(-1)
    with pytest.raises(TypeError):
        cp.empty_pinned(3, dtype=object)
    with pytest.raises(ValueError, match='order'):
        cp.zeros_pinned(3, order='K')


def test_pageable_memory_is_not_pinned():
    assert not cp.cuda.memory.is_pinned(np.zeros(10))


def test_pinned_views_outlive_their_array(rng):
    a = cp.empty_pinned(1000, dtype=np.float64)
    a[:] = rng.standard_normal(1000)
    want = a[100:200].copy()
    v = a[100:200]
    del a
    gc.collect()
    np.testing.assert_array_equal(v, want)


def test_alloc_pinned_memory_is_a_buffer():
    m = cp.cuda.alloc_pinned_memory(64)
    assert isinstance(m, cp.cuda.PinnedMemory) and m.size == 64 and len(m) == 64 and m.ptr != 0
    view = np.frombuffer(m, dtype=np.uint8)
    view[:] = np.arange(64, dtype=np.uint8)
    assert bytes(memoryview(m))[:4] == b'\x00\x01\x02\x03'
    with pytest.raises(ValueError):
        cp.cuda.alloc_pinned_memory(-5)
    pp = cp.get_default_pinned_memory_pool()
    pp.free_all_blocks()
    assert pp.n_free_blocks() == 0


def test_async_copies_through_pinned_memory(rng):
    n = 1 << 20
    src = cp.empty_pinned(n, dtype=np.float32)
    src[:] = rng.standard_normal(n, dtype=np.float32)
    dst = cp.zeros_pinned(n, dtype=np.float32)
    s = cp.cuda.Stream(non_blocking=True)
    a = cp.empty(n, dtype=cp.float32)
    a.set(src, stream=s)
    got = a.get(stream=s, out=dst, blocking=False)
    assert got is dst
    s.synchronize()
    np.testing.assert_array_equal(dst, src)
    with s:
        b = cp.asarray(src)                       # asynchronous from pinned memory
        np.testing.assert_array_equal(cp.asnumpy(b, stream=s), src)


# --------------------------------------------------------------------- leaks

def test_no_device_memory_leaks(pool, rng):
    h = rng.standard_normal((64, 64))
    start = pool.used_bytes()
    s = cp.cuda.Stream()
    for i in range(50):
        a = cp.asarray(h)
        b = a.copy()
        c = b[::2, 1:]
        d = cp.zeros_like(c)
        e = c.get()
        with s:
            f = cp.full(100, float(i))
        g = a.astype(np.float32)
        del a, b, c, d, e, f, g
    assert pool.used_bytes() == start


def test_no_leaks_on_error_paths(pool):
    start = pool.used_bytes()
    a = cp.empty((2, 3), dtype=np.float32)
    for _ in range(20):
        for bad in [lambda: a.set(np.zeros(5, np.float32)), lambda: a.get(out=np.empty(2)),
                    lambda: cp.full(3, [1, 2]), lambda: cp.asarray(['x']),
                    lambda: cp.full(3, 300, dtype=np.int8)]:
            with pytest.raises((TypeError, ValueError, OverflowError)):
                bad()
    del a
    assert pool.used_bytes() == start


def test_pinned_memory_is_freed(rng):
    # The driver frees page-locked memory at once; a leak would exhaust it.
    for _ in range(200):
        a = cp.empty_pinned(1 << 16, dtype=np.uint8)
        a[0] = 1
        del a
    m = cp.cuda.alloc_pinned_memory(8)
    before = sys.getrefcount(m)
    arr = np.frombuffer(m, np.uint8)
    del arr
    assert sys.getrefcount(m) == before
