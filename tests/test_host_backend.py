"""The same CUDA kernels on whichever backend is active (CUDA on a GPU, the
host backend elsewhere): each is compiled through RawKernel/RawModule, run
on random inputs and compared with NumPy. Then streams (asynchronous,
ordered, concurrent), events (elapsed time, `done`), compile errors, inline
PTX, backend selection, and GPUARRAY_HOST_CHECK.

Nothing here asserts a speed. Concurrency and asynchrony are shown by
kernels that wait for a flag set by other work, so the outcome is decided
by ordering, not by timing."""
import os
import re
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import gpuarray as ga
import gpuarray.cuda  # noqa: F401

from conftest import BACKEND

pytestmark = pytest.mark.device


def blocks(n, threads=256):
    return ((n + threads - 1) // threads,)


def sync():
    ga.cuda.Device().synchronize()


def run_fresh(code, **env):
    """Run `code` in a new interpreter with extra environment; returns the
    completed process (stdout and stderr as text)."""
    e = dict(os.environ)
    e['PYTHONPATH'] = os.pathsep.join(p for p in sys.path if p)
    e.update(env)
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], env=e,
                          capture_output=True, text=True, timeout=300)


# ------------------------------------------------------------------ saxpy

SAXPY = r'''
extern "C" __global__
void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
'''


@pytest.mark.parametrize('n', [1, 1000, 100003])
def test_saxpy(rng, n):
    xh = rng.standard_normal(n).astype(np.float32)
    yh = rng.standard_normal(n).astype(np.float32)
    a = float(rng.uniform(-3, 3))
    x, y = ga.asarray(xh), ga.asarray(yh)
    ga.RawKernel(SAXPY, 'saxpy')(blocks(n), (256,), (n, a, x, y))
    np.testing.assert_allclose(y.get(), np.float32(a) * xh + yh, rtol=1e-6, atol=1e-6)


# ------------------------------------------- shared memory and barriers

BLOCK_SUM = r'''
extern "C" __global__ void block_sum(const float* x, float* partial, int n) {
    __shared__ float buf[256];
    int t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    buf[t] = i < n ? x[i] : 0.0f;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) buf[t] += buf[t + s];
        __syncthreads();
    }
    if (t == 0) partial[blockIdx.x] = buf[0];
}
'''


def test_block_reduction_with_static_shared_memory(rng):
    n = 10007
    xh = rng.standard_normal(n).astype(np.float32)
    nb = blocks(n)[0]
    out = ga.full(nb, np.nan, dtype=np.float32)
    ga.RawKernel(BLOCK_SUM, 'block_sum')((nb,), (256,), (ga.asarray(xh), out, n))
    want = np.pad(xh, (0, nb * 256 - n)).reshape(nb, 256).sum(axis=1, dtype=np.float64)
    np.testing.assert_allclose(out.get(), want, rtol=1e-5, atol=1e-4)


DYN_REVERSE = r'''
extern "C" __global__ void reverse_chunks(const double* x, double* y, int per_block) {
    extern __shared__ double tile[];
    int base = blockIdx.x * per_block;
    for (int j = threadIdx.x; j < per_block; j += blockDim.x) tile[j] = x[base + j];
    __syncthreads();
    for (int j = threadIdx.x; j < per_block; j += blockDim.x)
        y[base + j] = tile[per_block - 1 - j];
}
'''


@pytest.mark.parametrize('per_block', [96, 1000, 4096])
def test_dynamic_shared_memory(rng, per_block):
    nb = 5
    xh = rng.standard_normal(nb * per_block)
    y = ga.full(nb * per_block, np.nan)
    ga.RawKernel(DYN_REVERSE, 'reverse_chunks')((nb,), (64,), (ga.asarray(xh), y, per_block),
                                               shared_mem=per_block * 8)
    np.testing.assert_array_equal(y.get(), xh.reshape(nb, per_block)[:, ::-1].ravel())


EARLY_RETURN = r'''
// Threads past the end leave before the barrier; the rest must still meet.
extern "C" __global__ void neighbour_diff(const int* x, int* y, int n) {
    __shared__ int tile[128];
    int t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
    if (i >= n) return;
    tile[t] = x[i];
    __syncthreads();
    int last = min((int)blockDim.x, n - (int)(blockIdx.x * blockDim.x)) - 1;
    y[i] = tile[t] - (t < last ? tile[t + 1] : 0);
}
'''


@pytest.mark.parametrize('n', [128, 300, 1])
def test_early_return_before_a_barrier(rng, n):
    xh = rng.integers(-1000, 1000, size=n, dtype=np.int32)
    y = ga.full(n, -7, dtype=np.int32)
    ga.RawKernel(EARLY_RETURN, 'neighbour_diff')(blocks(n, 128), (128,), (ga.asarray(xh), y, n))
    want = xh.copy()
    for b in range(0, n, 128):
        seg = xh[b:b + 128]
        want[b:b + len(seg) - 1] = seg[:-1] - seg[1:]
    np.testing.assert_array_equal(y.get(), want)


TRANSPOSE = r'''
#define TILE 32
extern "C" __global__ void transpose(const float* in, float* out, int rows, int cols) {
    __shared__ float tile[TILE][TILE + 1];
    int x = blockIdx.x * TILE + threadIdx.x;
    int y = blockIdx.y * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += blockDim.y)
        if (x < cols && y + j < rows) tile[threadIdx.y + j][threadIdx.x] = in[(y + j) * cols + x];
    __syncthreads();
    x = blockIdx.y * TILE + threadIdx.x;
    y = blockIdx.x * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += blockDim.y)
        if (x < rows && y + j < cols) out[(y + j) * rows + x] = tile[threadIdx.x][threadIdx.y + j];
}
'''


@pytest.mark.parametrize('shape', [(64, 96), (37, 71)])
def test_tiled_transpose_2d(rng, shape):
    rows, cols = shape
    ah = rng.standard_normal(shape).astype(np.float32)
    out = ga.full((cols, rows), np.nan, dtype=np.float32)
    grid = ((cols + 31) // 32, (rows + 31) // 32)
    ga.RawKernel(TRANSPOSE, 'transpose')(grid, (32, 8), (ga.asarray(ah), out, rows, cols))
    np.testing.assert_array_equal(out.get(), ah.T)


# --------------------------------------------------------------- atomics

HISTOGRAM = r'''
extern "C" __global__ void histogram(const unsigned char* data, int n, unsigned int* bins) {
    int stride = gridDim.x * blockDim.x;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        atomicAdd(&bins[data[i]], 1u);
}
'''


def test_histogram_with_atomic_add(rng):
    n = 200003
    data = rng.integers(0, 256, size=n, dtype=np.uint8)
    bins = ga.zeros(256, dtype=np.uint32)
    ga.RawKernel(HISTOGRAM, 'histogram')((64,), (256,), (ga.asarray(data), n, bins))
    np.testing.assert_array_equal(bins.get(), np.bincount(data, minlength=256))


FLOAT_ATOMICS = r'''
extern "C" __global__ void float_sum(const float* x, int n, float* total, int* biggest) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        atomicAdd(total, x[i]);
        atomicMax(biggest, (int)(x[i] * 1000.0f));
    }
}
'''


def test_float_atomic_add_and_atomic_max(rng):
    n = 5000
    xh = rng.uniform(-1, 1, n).astype(np.float32)
    total = ga.zeros(1, dtype=np.float32)
    big = ga.full(1, -2 ** 31, dtype=np.int32)
    ga.RawKernel(FLOAT_ATOMICS, 'float_sum')(blocks(n), (256,), (ga.asarray(xh), n, total, big))
    np.testing.assert_allclose(total.get()[0], xh.sum(dtype=np.float64), rtol=1e-4, atol=1e-3)
    assert big.get()[0] == (xh * np.float32(1000)).astype(np.int32).max()


# ------------------------------------------------------------ warp shuffle

WARP_SUM = r'''
__device__ float warp_sum(float v) {
    for (int offset = warpSize / 2; offset > 0; offset >>= 1)
        v += __shfl_down_sync(0xffffffff, v, offset);
    return v;
}

extern "C" __global__ void warp_reduce(const float* x, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = warp_sum(i < n ? x[i] : 0.0f);
    if ((threadIdx.x & (warpSize - 1)) == 0) out[i / warpSize] = v;
}
'''


def test_warp_shuffle_reduction(rng):
    n = 4096 + 77
    xh = rng.standard_normal(n).astype(np.float32)
    nwarps = (n + 31) // 32
    grid = blocks(n, 128)
    out = ga.full(grid[0] * 4, np.nan, dtype=np.float32)
    ga.RawKernel(WARP_SUM, 'warp_reduce')(grid, (128,), (ga.asarray(xh), out, n))
    want = np.pad(xh, (0, nwarps * 32 - n)).reshape(nwarps, 32).sum(axis=1, dtype=np.float64)
    np.testing.assert_allclose(out.get()[:nwarps], want, rtol=1e-5, atol=1e-4)


# --------------------------------------------------- templates, half, names

SCALE = r'''
template<typename T, int K>
__global__ void scale_add(T* x, T a, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] = x[i] * a + T(K);
}
'''


def test_template_kernel_through_name_expressions(rng):
    exprs = ('scale_add<float, 1>', 'scale_add<double, 3>')
    mod = ga.RawModule(code=SCALE, options=('-std=c++17',), name_expressions=exprs)
    n = 777
    hf = rng.standard_normal(n).astype(np.float32)
    hd = rng.standard_normal(n)
    xf, xd = ga.asarray(hf), ga.asarray(hd)
    mod.get_function('scale_add<float, 1>')(blocks(n), (256,), (xf, 2.5, n))
    mod.get_function('scale_add<double, 3>')(blocks(n), (256,), (xd, -0.5, n))
    # NVRTC fuses x * a + K into one FMA (one rounding where NumPy rounds
    # twice): the results may differ by an ulp of the larger term.
    np.testing.assert_allclose(xf.get(), hf * np.float32(2.5) + 1, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(xd.get(), hd * -0.5 + 3, rtol=1e-12)
    with pytest.raises(TypeError, match="'x'"):     # the instantiation's types are known
        mod.get_function('scale_add<float, 1>')(blocks(n), (256,), (xd, 2.5, n))


HALF = r'''
#include <cuda_fp16.h>
extern "C" __global__ void half_fma(const __half* a, const __half* b, __half* c, float* wide, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        __half p = __hmul(a[i], b[i]);
        c[i] = __hadd(p, __float2half(1.0f));
        wide[i] = __half2float(a[i]) * __half2float(b[i]);
    }
}
'''


def fp16_options():
    """Options that let the compiler find cuda_fp16.h: NVRTC needs the
    toolkit's include directory (the host prelude provides __half itself);
    and no contraction of a * b + c into one half FMA, so that each
    operation rounds to half as NumPy's float16 does."""
    if BACKEND != 'cuda':
        return ()
    for root in (os.environ.get('CUDA_PATH'), os.environ.get('CUDA_HOME'), '/usr/local/cuda'):
        if root and os.path.exists(os.path.join(root, 'include', 'cuda_fp16.h')):
            return ('-I' + os.path.join(root, 'include'), '--fmad=false')
    pytest.skip('cuda_fp16.h not found for NVRTC (set CUDA_PATH to the toolkit)')


def test_float16_arithmetic(rng):
    options = fp16_options()
    n = 3001
    ah = rng.uniform(-4, 4, n).astype(np.float16)
    bh = rng.uniform(-4, 4, n).astype(np.float16)
    c = ga.full(n, np.nan, dtype=np.float16)
    wide = ga.full(n, np.nan, dtype=np.float32)
    ga.RawKernel(HALF, 'half_fma', options=options)(
        blocks(n), (256,), (ga.asarray(ah), ga.asarray(bh), c, wide, n))
    # Each operation rounds to half, as NumPy's float16 does.
    np.testing.assert_array_equal(c.get(), (ah * bh) + np.float16(1))
    np.testing.assert_array_equal(wide.get(), ah.astype(np.float32) * bh.astype(np.float32))


LIBC_NAMED = r'''
extern "C" __global__ void NAME(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = expf(x[i]) + sinf(x[i]) * rsqrtf(fabsf(x[i]) + 1.0f);
}
'''


@pytest.mark.parametrize('name', ['exp', 'remove', 'y0'])
def test_kernel_named_like_a_libc_function(rng, name):
    n = 1000
    xh = rng.uniform(-5, 5, n).astype(np.float32)
    y = ga.full(n, np.nan, dtype=np.float32)
    k = ga.RawKernel(LIBC_NAMED.replace('NAME', name), name)
    try:
        k(blocks(n), (256,), (ga.asarray(xh), y, n))
    except ga.cuda.compiler.CompileException as e:
        # CUDA's own math headers declare exp and y0 with C linkage.
        if BACKEND == 'cuda' and 'linkage' in e.log:
            pytest.skip('NVRTC declares %s() itself: a CUDA kernel cannot take its name' % name)
        raise
    x64 = xh.astype(np.float64)
    np.testing.assert_allclose(y.get(), np.exp(x64) + np.sin(x64) / np.sqrt(np.abs(x64) + 1),
                               rtol=2e-5, atol=1e-5)
    assert k.kernel_name == name


def test_device_global_and_struct_parameter(rng):
    src = r'''
    struct Affine { float scale; int shift; double extra; };
    __device__ int calls;
    extern "C" __global__ void affine(float* x, Affine p, int n) {
        int i = blockIdx.x * blockDim.x + threadIdx.x;
        if (i < n) { x[i] = x[i] * p.scale + p.shift + (float)p.extra; atomicAdd(&calls, 1); }
    }
    '''
    mod = ga.RawModule(code=src)
    g = mod.get_global('calls')
    assert g.mem.size == 4
    g.memset(0, 4)
    n = 300
    xh = rng.standard_normal(n).astype(np.float32)
    x = ga.asarray(xh)
    p = np.array((1.5, -2, 0.25), dtype=[('scale', '<f4'), ('shift', '<i4'), ('extra', '<f8')])[()]
    mod.get_function('affine')(blocks(n, 128), (128,), (x, p, n))
    # One FMA on the GPU where NumPy rounds twice: an ulp of the larger term.
    np.testing.assert_allclose(x.get(), xh * np.float32(1.5) - 2 + np.float32(0.25), rtol=1e-6,
                               atol=1e-6)
    host = np.zeros(1, dtype=np.int32)
    g.copy_to_host(host.ctypes.data, 4)
    assert host[0] == n


# ------------------------------------------------------- streams and events

# Waits (bounded) until *flag becomes nonzero; records whether it saw it.
WAITER = r'''
extern "C" __global__ void wait_for(volatile int* flag, int* saw, long long limit) {
    long long spins = 0;
    while (*flag == 0 && spins < limit) ++spins;
    *saw = *flag != 0;
}
extern "C" __global__ void set_flag(int* flag) { *flag = 1; }
extern "C" __global__ void step(float* x, int n, float a) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] = x[i] * a + 1.0f;
}
'''
LIMIT = 1 << 34          # far more spins than any wait here needs (it ends on the flag)


@pytest.fixture
def waiter():
    mod = ga.RawModule(code=WAITER)
    return mod.get_function('wait_for'), mod.get_function('set_flag'), mod.get_function('step')


def test_launch_is_asynchronous_and_done_is_honest(waiter):
    wait_for, set_flag, _ = waiter
    flag, saw = ga.zeros(1, dtype=np.int32), ga.full(1, -1, dtype=np.int32)
    s1, s2 = ga.cuda.Stream(non_blocking=True), ga.cuda.Stream(non_blocking=True)
    sync()
    wait_for((1,), (1,), (flag, saw, LIMIT), stream=s1)   # returns with the kernel waiting
    assert not s1.done                                      # it cannot finish before the flag
    e = s1.record()
    assert not e.done
    set_flag((1,), (1,), (flag,), stream=s2)
    s1.synchronize()
    assert s1.done and e.done
    assert saw.get()[0] == 1


def test_two_streams_run_concurrently(waiter):
    # Stream 1's kernel can only end once stream 2's kernel has run: on a
    # backend that ran them one after the other it would give up (saw = 0).
    wait_for, set_flag, _ = waiter
    flag, saw = ga.zeros(1, dtype=np.int32), ga.full(1, -1, dtype=np.int32)
    s1, s2 = ga.cuda.Stream(non_blocking=True), ga.cuda.Stream(non_blocking=True)
    sync()
    wait_for((1,), (1,), (flag, saw, LIMIT), stream=s1)
    set_flag((1,), (1,), (flag,), stream=s2)
    sync()
    assert saw.get()[0] == 1


def test_work_on_one_stream_runs_in_order(rng, waiter):
    _, _, step = waiter
    n = 5000
    xh = rng.standard_normal(n).astype(np.float32)
    s = ga.cuda.Stream()
    with s:
        x = ga.asarray(xh)
        want = xh.copy()
        for a in rng.uniform(-1.5, 1.5, 20).astype(np.float32):
            step(blocks(n), (256,), (x, n, float(a)))
            want = want * a + np.float32(1)
        got = x.get(stream=s)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_wait_event_orders_two_streams(waiter):
    wait_for, set_flag, _ = waiter
    flag, saw = ga.zeros(1, dtype=np.int32), ga.full(1, -1, dtype=np.int32)
    s1, s2 = ga.cuda.Stream(non_blocking=True), ga.cuda.Stream(non_blocking=True)
    sync()
    set_flag((1,), (1,), (flag,), stream=s1)
    e = s1.record()
    s2.wait_event(e)
    # Only after s1's set_flag: the flag is already set when it runs.
    wait_for((1,), (1,), (flag, saw, 1), stream=s2)
    s2.synchronize()
    assert saw.get()[0] == 1


def test_wait_event_across_devices():
    if ga.cuda.runtime.getDeviceCount() < 2:
        pytest.skip('needs two devices')
    with ga.cuda.Device(1):
        mod1 = ga.RawModule(code=WAITER)
        wait1, set1 = mod1.get_function('wait_for'), mod1.get_function('set_flag')
        flag1, saw1 = ga.zeros(1, dtype=np.int32), ga.full(1, -1, dtype=np.int32)
        s1, s1b = ga.cuda.Stream(non_blocking=True), ga.cuda.Stream(non_blocking=True)
        ga.cuda.Device().synchronize()
        wait1((1,), (1,), (flag1, saw1, LIMIT), stream=s1)
        e = s1.record()
    step = ga.RawModule(code=WAITER).get_function('step')
    x = ga.zeros(4, dtype=np.float32)
    s0 = ga.cuda.Stream(non_blocking=True)
    s0.wait_event(e)                 # device 0 waits for device 1's kernel
    step((1,), (4,), (x, 4, 1.0), stream=s0)
    assert not s0.done
    with ga.cuda.Device(1):
        set1((1,), (1,), (flag1,), stream=s1b)
    s0.synchronize()
    assert s0.done and e.done
    assert x.get().tolist() == [1.0] * 4
    with ga.cuda.Device(1):
        assert saw1.get()[0] == 1


def test_null_stream_waits_for_blocking_streams(rng, waiter):
    # Legacy default stream: work queued on it waits for earlier work of
    # blocking streams, so the copy below sees every step.
    _, _, step = waiter
    n = 1 << 16
    xh = rng.standard_normal(n).astype(np.float32)
    x = ga.asarray(xh)
    sync()
    s = ga.cuda.Stream()          # blocking
    for _ in range(5):
        step(blocks(n), (256,), (x, n, 0.5), stream=s)
    got = x.get()                 # the null stream
    want = xh
    for _ in range(5):
        want = want * np.float32(0.5) + np.float32(1)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_event_elapsed_time_measures_a_waiting_kernel(waiter):
    wait_for, set_flag, _ = waiter
    flag, saw = ga.zeros(1, dtype=np.int32), ga.full(1, -1, dtype=np.int32)
    s1, s2 = ga.cuda.Stream(non_blocking=True), ga.cuda.Stream(non_blocking=True)
    start, end = ga.cuda.Event(), ga.cuda.Event()
    sync()
    t0 = time.perf_counter()
    start.record(s1)
    wait_for((1,), (1,), (flag, saw, LIMIT), stream=s1)
    end.record(s1)
    time.sleep(0.25)              # the kernel keeps waiting meanwhile
    set_flag((1,), (1,), (flag,), stream=s2)
    end.synchronize()
    wall_ms = (time.perf_counter() - t0) * 1e3
    ms = ga.cuda.get_elapsed_time(start, end)
    assert saw.get()[0] == 1
    # The kernel cannot have ended before the flag, set 250 ms after start.
    assert 200 <= ms <= wall_ms + 1, (ms, wall_ms)


def test_stream_destroyed_with_pending_work_completes_it(rng, waiter):
    _, _, step = waiter
    n = 1 << 15
    xh = rng.standard_normal(n).astype(np.float32)
    x = ga.asarray(xh)
    sync()
    s = ga.cuda.Stream(non_blocking=True)
    for _ in range(3):
        step(blocks(n), (256,), (x, n, 2.0), stream=s)
    del s
    sync()
    want = xh
    for _ in range(3):
        want = want * np.float32(2) + np.float32(1)
    np.testing.assert_allclose(x.get(), want, rtol=1e-6)


def test_freeing_a_buffer_another_stream_still_uses_does_not_crash(waiter):
    # A user bug that a GPU forgives (its pool keeps freed memory mapped):
    # the host backend must not hand the memory back to the system while a
    # kernel of another stream can still touch it.
    src = r'''
    extern "C" __global__ void wait_then_write(volatile int* flag, float* big, long long n,
                                               long long limit) {
        long long spins = 0;
        while (*flag == 0 && spins < limit) ++spins;
        big[0] = 1.0f;
        big[n - 1] = 2.0f;
    }
    '''
    _, set_flag, _ = waiter
    k = ga.RawKernel(src, 'wait_then_write')
    flag = ga.zeros(1, dtype=np.int32)
    n = 16 << 20                                    # 64 MiB: mapped on its own
    big = ga.empty(n, dtype=np.float32)
    s1, s2 = ga.cuda.Stream(non_blocking=True), ga.cuda.Stream(non_blocking=True)
    sync()
    k((1,), (1,), (flag, big, n, LIMIT), stream=s1)
    del big                                         # freed on the null stream, still in use
    set_flag((1,), (1,), (flag,), stream=s2)
    sync()
    assert ga.arange(3, dtype=np.float32).get().tolist() == [0.0, 1.0, 2.0]


# ---------------------------------------------------------- compile errors

BAD = 'extern "C" __global__\nvoid bad(int n) {\n    undefined_function(n);\n}\n'


def test_compile_error_points_at_the_users_line():
    mod = ga.RawModule(code=BAD, options=('-DX=1',))
    with pytest.raises(ga.cuda.compiler.CompileException) as info:
        mod.get_function('bad')
    log = info.value.log
    assert 'undefined_function' in log
    # NVRTC writes name(3), g++ name:3:col: either way, the user's line 3.
    assert re.search(r'(\(3\)|:3:)', log), log


INLINE_ASM = r'''
extern "C" __global__ void lane_id(int* out) {
    unsigned lane;
    asm("mov.u32 %0, %%laneid;" : "=r"(lane));
    out[threadIdx.x] = lane;
}
'''


def test_inline_ptx_asm_runs_on_cuda_and_is_a_clear_error_on_the_host():
    k = ga.RawKernel(INLINE_ASM, 'lane_id')
    out = ga.full(64, -1, dtype=np.int32)
    if BACKEND == 'cuda':
        k((1,), (64,), (out,))
        np.testing.assert_array_equal(out.get(), np.arange(64) % 32)
        return
    with pytest.raises(NotImplementedError, match='inline PTX') as info:
        k((1,), (64,), (out,))
    assert 'host backend' in str(info.value)


def test_ptx_cannot_load_on_the_host_and_says_why():
    if BACKEND == 'cuda':
        pytest.skip('PTX loads on CUDA (tests/test_rawkernel.py runs it)')
    ptx = '.version 7.0\n.target sm_52\n.address_size 64\n.visible .entry f() { ret; }\n'
    with pytest.raises(NotImplementedError, match='PTX'):
        ga.RawModule(code=ptx).get_function('f')


# ------------------------------------------------------- backend selection

def test_get_backend_names_the_active_backend():
    assert ga.get_backend() == BACKEND
    assert BACKEND in ('cuda', 'host')


def test_show_config_prints_the_backend(capsys):
    ga.show_config()
    out = capsys.readouterr().out
    line = [ln for ln in out.splitlines() if ln.startswith('Backend')][0]
    assert BACKEND in line


def test_forcing_the_host_backend():
    r = run_fresh('''
        import gpuarray as ga, numpy as np
        print(ga.get_backend(), ga.cuda.Device().attributes['ComputeCapabilityMajor'])
        print(float(ga.arange(5, dtype=np.float32).get().sum()))
    ''', GPUARRAY_BACKEND='host')
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ['host', '0', '10.0']


def test_an_unknown_backend_is_a_clear_error():
    r = run_fresh('''
        import gpuarray as ga
        print(ga.get_backend())
        try:
            ga.empty(3)
        except Exception as e:
            print(type(e).__name__, e)
    ''', GPUARRAY_BACKEND='tpu')
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.strip().splitlines()
    assert first == 'None'
    assert 'GPUARRAY_BACKEND=tpu' in second and "'cuda'" in second and "'host'" in second


def test_forcing_cuda_without_a_driver_says_why():
    r = run_fresh('''
        import gpuarray as ga
        try:
            ga.empty(3)
        except ga.cuda.CUDAUnavailableError as e:
            print('unavailable:', e)
    ''', GPUARRAY_BACKEND='cuda', GPUARRAY_LIBCUDA='/nonexistent/gpuarray-test/libcuda.so.1')
    assert r.returncode == 0, r.stderr
    assert 'GPUARRAY_BACKEND=cuda' in r.stdout and 'libcuda' in r.stdout


# ------------------------------------------------------ GPUARRAY_HOST_CHECK

OOB = r'''
extern "C" __global__ void write_past(float* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i <= n) x[i] = 1.0f;          // one element too many
}
'''


def test_host_check_catches_an_out_of_bounds_write():
    if BACKEND != 'host':
        pytest.skip('GPUARRAY_HOST_CHECK is a host backend feature (a GPU has compute-sanitizer)')
    r = run_fresh('''
        import gpuarray as ga, numpy as np
        src = {!r}
        x = ga.zeros(1024, dtype=np.float32)
        k = ga.RawKernel(src, 'write_past')
        k((5,), (256,), (x, 1024))
        try:
            ga.cuda.Device().synchronize()
            print('no error')
        except ga.cuda.CUDADriverError as e:
            print('error:', e)
        # the error is reported once; the process goes on
        print('sum', float(x.get().sum()))
    '''.format(OOB), GPUARRAY_HOST_CHECK='1', GPUARRAY_BACKEND='host')
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert 'error:' in out, out
    assert "kernel 'write_past'" in out
    assert 'thread (0,0,0) block (4,0,0)' in out          # i = 1024 = 4 * 256 + 0
    assert '0 bytes past the end of a 4096-byte device buffer' in out
    assert 'CUDA_ERROR_ILLEGAL_ADDRESS' in out
    assert 'sum 1024.0' in out


def test_host_check_leaves_correct_kernels_alone(rng):
    if BACKEND != 'host':
        pytest.skip('GPUARRAY_HOST_CHECK is a host backend feature')
    r = run_fresh('''
        import gpuarray as ga, numpy as np
        src = {!r}
        n = 1001
        x = ga.arange(n, dtype=np.float32); y = ga.ones(n, dtype=np.float32)
        ga.RawKernel(src, 'saxpy')((4,), (256,), (n, 2.0, x, y))
        print(float(y.get().sum()))
    '''.format(SAXPY), GPUARRAY_HOST_CHECK='1', GPUARRAY_BACKEND='host')
    assert r.returncode == 0, r.stdout + r.stderr
    assert float(r.stdout.split()[-1]) == float(2 * np.arange(1001).sum() + 1001)
