"""RawKernel and RawModule: the textbook's saxpy, modules, templates, globals,
hand-written PTX, streams, shared memory, attributes and leaks.

Launching needs a device backend (CUDA, or the host backend where there is
no GPU); loading PTX or a cubin needs CUDA. Construction (lazy) and PTX
detection need neither.
"""
import gc
import pickle

import numpy as np
import pytest

import gpuarray as ga
import gpuarray.cuda
from gpuarray._kernel import _is_ptx

from conftest import BACKEND

# Tests that launch carry the `device` marker (tests/conftest.py): skipped,
# with the reason, where no backend is usable.
requires_cuda = pytest.mark.device
needs_ptx = pytest.mark.cuda_only('loading PTX or a cubin: NVIDIA GPU code')

SAXPY = r'''
extern "C" __global__
void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
'''

# Hand-written PTX (the textbook's 7.5 shows the shape of one): x[i] *= 2.
# .target sm_52 is the minimum it needs; the driver compiles it for the GPU.
DOUBLE_PTX = r'''//
// double_it: x[i] = 2 * x[i] for i < n, written by hand.
//
.version 6.0
.target sm_52
.address_size 64

.visible .entry double_it(
    .param .u64 .ptr .global .align 4 double_it_x,
    .param .u32 double_it_n
)
{
    .reg .pred  %p<2>;
    .reg .b32   %r<6>;
    .reg .f32   %f<3>;
    .reg .b64   %rd<5>;

    ld.param.u64        %rd1, [double_it_x];
    ld.param.u32        %r1, [double_it_n];
    mov.u32             %r2, %ctaid.x;
    mov.u32             %r3, %ntid.x;
    mov.u32             %r4, %tid.x;
    mad.lo.s32          %r5, %r2, %r3, %r4;
    setp.ge.u32         %p1, %r5, %r1;
    @%p1 bra            DONE;
    cvta.to.global.u64  %rd2, %rd1;
    mul.wide.u32        %rd3, %r5, 4;
    add.s64             %rd4, %rd2, %rd3;
    ld.global.f32       %f1, [%rd4];
    add.f32             %f2, %f1, %f1;
    st.global.f32       [%rd4], %f2;
DONE:
    ret;
}
'''


# The same kernel as CUDA C.
DOUBLE_C = r'''
extern "C" __global__ void double_it(float* x, unsigned n) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] = 2.0f * x[i];
}
'''


def seeded():
    return np.random.default_rng(1234)


def blocks(n, threads=256):
    return ((n + threads - 1) // threads,)


def sync():
    ga.cuda.Device().synchronize()


# ------------------------------------------------------------ no GPU needed

def test_construction_is_lazy():
    k = ga.RawKernel('this is not CUDA', 'nothing')     # nothing compiled yet
    assert k.name == 'nothing' and k.code == 'this is not CUDA' and k.options == ()
    m = ga.RawModule(code='neither is this')
    assert m.code == 'neither is this'


@pytest.mark.parametrize('text, is_ptx', [
    (DOUBLE_PTX, True),
    ('.version 7.0\n.target sm_80\n', True),
    ('/* c */ // d\n  .target sm_90\n', True),
    (SAXPY, False),
    ('// a comment first\nextern "C" __global__ void f() {}', False),
    ('', False),
])
def test_ptx_text_is_told_from_cuda_source(text, is_ptx):
    assert _is_ptx(text) == is_ptx


def test_rawmodule_needs_exactly_one_of_code_and_path():
    with pytest.raises(TypeError):
        ga.RawModule()
    with pytest.raises(TypeError):
        ga.RawModule(code=SAXPY, path='x.cubin')


def test_launch_without_cuda_says_why():
    # In a fresh interpreter forced onto CUDA with a driver that cannot load.
    import os
    import subprocess
    import sys
    import textwrap
    env = dict(os.environ, GPUARRAY_BACKEND='cuda',
               GPUARRAY_LIBCUDA='/nonexistent/gpuarray-test/libcuda.so.1')
    code = textwrap.dedent('''
        import gpuarray as ga
        k = ga.RawKernel({!r}, 'saxpy')
        try:
            k((1,), (1,), (1, 2.0, None, None))
        except ga.cuda.CUDAUnavailableError as e:
            print('unavailable:', e)
    ''').format(SAXPY)
    r = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('unavailable:') and 'libcuda' in r.stdout


# ------------------------------------------------------------ the textbook

@requires_cuda
def test_textbook_saxpy_with_python_scalars_gives_5():
    saxpy_kernel = ga.RawKernel(SAXPY, 'saxpy')
    n = 1000000
    a = 2.0
    x = ga.ones(n, dtype=np.float32)
    y = ga.full(n, 3, dtype=np.float32)
    grid = ((n + 255) // 256,)
    block = (256,)
    saxpy_kernel(grid, block, (n, a, x, y))
    out = y.get()
    assert (out == 5.0).all()
    assert f'{y[0]}' == '5.0'
    assert f'result[0] = {y[0]}' == 'result[0] = 5.0'


@requires_cuda
@pytest.mark.parametrize('n', [1, 255, 257, 100003])
def test_saxpy_on_random_data_matches_numpy(n):
    r = seeded()
    xh = r.standard_normal(n).astype(np.float32)
    yh = r.standard_normal(n).astype(np.float32)
    a = float(r.uniform(-3, 3))
    x, y = ga.asarray(xh), ga.asarray(yh)
    ga.RawKernel(SAXPY, 'saxpy')(blocks(n), (256,), (n, a, x, y))
    np.testing.assert_allclose(y.get(), np.float32(a) * xh + yh, rtol=1e-6, atol=1e-6)


@requires_cuda
def test_numpy_scalars_and_list_args():
    n = 1000
    r = seeded()
    xh = r.standard_normal(n).astype(np.float32)
    yh = r.standard_normal(n).astype(np.float32)
    x, y = ga.asarray(xh), ga.asarray(yh)
    k = ga.RawKernel(SAXPY, 'saxpy')
    k(blocks(n), 256, [np.int32(n), np.float64(0.5), x, y])   # same kind converts
    np.testing.assert_allclose(y.get(), np.float32(0.5) * xh + yh, rtol=1e-6)


@requires_cuda
def test_out_of_place_output_is_fully_written():
    src = r'''
    extern "C" __global__ void axpy_out(int n, double a, const double* x, const double* y,
                                        double* out) {
        int i = blockIdx.x * blockDim.x + threadIdx.x;
        if (i < n) out[i] = a * x[i] + y[i];
    }
    '''
    n = 4099
    r = seeded()
    xh, yh = r.standard_normal(n), r.standard_normal(n)
    out = ga.full(n, np.nan)                      # poisoned
    ga.RawKernel(src, 'axpy_out')(blocks(n, 128), (128,),
                                  (n, -1.25, ga.asarray(xh), ga.asarray(yh), out))
    np.testing.assert_allclose(out.get(), -1.25 * xh + yh, rtol=1e-12)


# ------------------------------------------------------------------ modules

@requires_cuda
def test_rawmodule_with_two_kernels():
    src = r'''
    extern "C" __global__ void add(const float* a, const float* b, float* c, int n) {
        int i = blockIdx.x * blockDim.x + threadIdx.x;
        if (i < n) c[i] = a[i] + b[i];
    }
    extern "C" __global__ void mul(const float* a, const float* b, float* c, int n) {
        int i = blockIdx.x * blockDim.x + threadIdx.x;
        if (i < n) c[i] = a[i] * b[i];
    }
    '''
    mod = ga.RawModule(code=src)
    add, mul = mod.get_function('add'), mod.get_function('mul')
    assert isinstance(add, ga.RawKernel) and add.name == 'add'
    n = 3000
    r = seeded()
    ah = r.standard_normal(n).astype(np.float32)
    bh = r.standard_normal(n).astype(np.float32)
    a, b = ga.asarray(ah), ga.asarray(bh)
    c1, c2 = ga.full(n, np.nan, dtype=np.float32), ga.full(n, np.nan, dtype=np.float32)
    add(blocks(n), (256,), (a, b, c1, n))
    mul(blocks(n), (256,), (a, b, c2, n))
    np.testing.assert_allclose(c1.get(), ah + bh, rtol=1e-6)
    np.testing.assert_allclose(c2.get(), ah * bh, rtol=1e-6)
    with pytest.raises(Exception):
        mod.get_function('no_such_kernel')


@requires_cuda
def test_name_expressions_with_a_template_kernel():
    src = r'''
    template<typename T>
    __global__ void scale(T* x, T a, int n) {
        int i = blockIdx.x * blockDim.x + threadIdx.x;
        if (i < n) x[i] *= a;
    }
    '''
    exprs = ('scale<float>', 'scale<double>')
    mod = ga.RawModule(code=src, options=('--std=c++17',), name_expressions=exprs)
    n = 777
    r = seeded()
    hf = r.standard_normal(n).astype(np.float32)
    hd = r.standard_normal(n)
    xf, xd = ga.asarray(hf), ga.asarray(hd)
    mod.get_function('scale<float>')(blocks(n, 128), (128,), (xf, 3.0, n))
    mod.get_function('scale<double>')(blocks(n, 128), (128,), (xd, -0.5, n))
    np.testing.assert_allclose(xf.get(), hf * np.float32(3.0), rtol=1e-6)
    np.testing.assert_allclose(xd.get(), hd * -0.5, rtol=1e-12)
    # The instantiation's types are known: a double array is not a float*.
    with pytest.raises(TypeError, match="'x'"):
        mod.get_function('scale<float>')(blocks(n, 128), (128,), (xd, 3.0, n))


@requires_cuda
def test_get_global_of_a_device_int_written_by_a_kernel():
    src = r'''
    __device__ int counter;
    extern "C" __global__ void bump(int k) { atomicAdd(&counter, k); }
    extern "C" __global__ void read_counter(int* out) { *out = counter; }
    extern "C" __global__ void read_via(const int* p, int* out) { *out = *p; }
    '''
    mod = ga.RawModule(code=src)
    g = mod.get_global('counter')
    assert g.ptr != 0
    assert g.mem.size == 4
    g.memset(0, 4)
    mod.get_function('bump')((10,), (32,), (2,))
    out = ga.full(2, -1, dtype=np.int32)
    mod.get_function('read_counter')((1,), (1,), (out,))
    mod.get_function('read_via')((1,), (1,), (g, out[1:]))    # the pointer as an argument
    np.testing.assert_array_equal(out.get(), [640, 640])
    host = np.zeros(1, dtype=np.int32)
    g.copy_to_host(host.ctypes.data, 4)
    assert host[0] == 640
    with pytest.raises(Exception):
        mod.get_global('no_such_global')


# ---------------------------------------------------------------------- PTX

def _check_double(kernel):
    n = 1000
    xh = seeded().standard_normal(n).astype(np.float32)
    x = ga.asarray(xh)
    kernel(blocks(n), (256,), (x, n))
    np.testing.assert_array_equal(x.get(), 2 * xh)


@requires_cuda
@needs_ptx
def test_hand_written_ptx_from_code():
    mod = ga.RawModule(code=DOUBLE_PTX)
    assert mod.ptx == DOUBLE_PTX and mod.cubin is None
    _check_double(mod.get_function('double_it'))


@requires_cuda
@needs_ptx
def test_hand_written_ptx_from_a_file(tmp_path):
    path = tmp_path / 'double.ptx'
    path.write_text(DOUBLE_PTX)
    mod = ga.RawModule(path=str(path))
    assert mod.ptx == DOUBLE_PTX
    _check_double(mod.get_function('double_it'))


@requires_cuda
@needs_ptx
def test_cubin_from_a_file(tmp_path):
    cubin = ga.RawModule(code=SAXPY).cubin
    if cubin is None:
        pytest.skip('NVRTC kept PTX for this device (older than the GPU)')
    path = tmp_path / 'saxpy.cubin'
    path.write_bytes(cubin)
    mod = ga.RawModule(path=str(path))
    assert mod.cubin == cubin
    n = 500
    xh = seeded().standard_normal(n).astype(np.float32)
    x, y = ga.asarray(xh), ga.zeros(n, dtype=np.float32)
    # From a cubin only the parameter sizes are known: NumPy scalars of the
    # right size are unambiguous.
    mod.get_function('saxpy')(blocks(n), (256,), (np.int32(n), np.float32(2.0), x, y))
    np.testing.assert_allclose(y.get(), 2 * xh, rtol=1e-6)


# --------------------------------------------------- streams, shared memory

@requires_cuda
def test_launch_on_a_non_default_stream():
    n = 1 << 16
    r = seeded()
    xh = r.standard_normal(n).astype(np.float32)
    yh = r.standard_normal(n).astype(np.float32)
    k = ga.RawKernel(SAXPY, 'saxpy')
    s = ga.cuda.Stream(non_blocking=True)
    x, y = ga.asarray(xh), ga.asarray(yh)
    sync()
    k(blocks(n), (256,), (n, 2.0, x, y), stream=s)
    s.synchronize()
    y1 = np.float32(2) * xh + yh
    np.testing.assert_allclose(y.get(), y1, rtol=1e-6)
    with s:                                       # the current stream
        k(blocks(n), (256,), (n, 1.0, x, y))
    s.synchronize()
    np.testing.assert_allclose(y.get(), xh + y1, rtol=1e-6, atol=1e-6)


@requires_cuda
def test_static_shared_memory_kernel():
    src = r'''
    extern "C" __global__ void reverse_block(float* x) {
        __shared__ float tile[256];
        int t = threadIdx.x, base = blockIdx.x * blockDim.x;
        tile[t] = x[base + t];
        __syncthreads();
        x[base + t] = tile[blockDim.x - 1 - t];
    }
    '''
    k = ga.RawKernel(src, 'reverse_block')
    if BACKEND == 'cuda':
        assert k.shared_size_bytes == 256 * 4
    else:   # the host backend does not measure a kernel's static shared memory
        assert k.shared_size_bytes == 0
    xh = seeded().standard_normal(256 * 8).astype(np.float32)
    x = ga.asarray(xh)
    k((8,), (256,), (x,))
    np.testing.assert_array_equal(x.get(), xh.reshape(8, 256)[:, ::-1].ravel())


DYNAMIC = r'''
extern "C" __global__ void reverse_dyn(float* x, int per_block) {
    extern __shared__ float tile[];
    int base = blockIdx.x * per_block;
    for (int j = threadIdx.x; j < per_block; j += blockDim.x) tile[j] = x[base + j];
    __syncthreads();
    for (int j = threadIdx.x; j < per_block; j += blockDim.x)
        x[base + j] = tile[per_block - 1 - j];
}
'''


@requires_cuda
@pytest.mark.parametrize('per_block', [128, 4096])
def test_dynamic_shared_memory(per_block):
    k = ga.RawKernel(DYNAMIC, 'reverse_dyn')
    xh = seeded().standard_normal(per_block * 4).astype(np.float32)
    x = ga.asarray(xh)
    k((4,), (128,), (x, per_block), shared_mem=per_block * 4)
    np.testing.assert_array_equal(x.get(), xh.reshape(4, per_block)[:, ::-1].ravel())


@requires_cuda
def test_dynamic_shared_memory_over_48k_is_opted_in():
    optin = ga.cuda.Device().attributes.get('MaxSharedMemoryPerBlockOptin', 0)
    per_block = 96 * 1024 // 4                    # 96 KiB
    if optin < per_block * 4:
        pytest.skip('the device cannot give a block 96 KiB of shared memory')
    k = ga.RawKernel(DYNAMIC, 'reverse_dyn')
    xh = seeded().standard_normal(per_block * 2).astype(np.float32)
    x = ga.asarray(xh)
    k((2,), (256,), (x, per_block), shared_mem=per_block * 4)
    np.testing.assert_array_equal(x.get(), xh.reshape(2, per_block)[:, ::-1].ravel())
    assert k.max_dynamic_shared_size_bytes >= per_block * 4


# --------------------------------------------------------------- attributes

@requires_cuda
def test_kernel_attributes():
    k = ga.RawKernel(SAXPY, 'saxpy')
    assert 0 < k.max_threads_per_block <= 1024
    assert k.local_size_bytes >= 0 and k.const_size_bytes >= 0
    assert k.shared_size_bytes == 0
    if BACKEND == 'cuda':
        assert k.num_regs > 0
        assert k.ptx_version > 0 and k.binary_version > 0
        assert '.entry' in k.ptx and 'saxpy' in k.ptx
        assert k.cubin is None or k.cubin.startswith(b'\x7fELF')
    else:
        # A C++ function on the CPU: no registers, PTX or cubin to report.
        assert k.num_regs == 0 and k.ptx_version == 0 and k.binary_version == 0
        assert k.ptx is None and k.cubin is None
    attrs = k.attributes
    assert attrs['num_regs'] == k.num_regs
    assert set(attrs) >= {'max_threads_per_block', 'shared_size_bytes', 'const_size_bytes',
                          'local_size_bytes', 'num_regs', 'ptx_version', 'binary_version',
                          'max_dynamic_shared_size_bytes'}
    k.max_dynamic_shared_size_bytes = 1024
    assert k.max_dynamic_shared_size_bytes == 1024
    assert [name for name, _ in k.params] == ['n', 'a', 'x', 'y']
    assert k.kernel_name == 'saxpy' and k.device_id == ga.cuda.Device().id


@requires_cuda
def test_compile_loads_eagerly_and_errors_surface_at_first_use():
    k = ga.RawKernel(SAXPY, 'saxpy')
    k.compile()
    assert k._loaded
    bad = ga.RawKernel('extern "C" __global__ void f(int n) { oops; }', 'f')
    with pytest.raises(ga.cuda.compiler.CompileException):
        bad((1,), (1,), (1,))


@requires_cuda
def test_rawkernel_pickles():
    k = pickle.loads(pickle.dumps(ga.RawKernel(SAXPY, 'saxpy', options=('-DX=1',))))
    assert k.name == 'saxpy' and k.options == ('-DX=1',)
    n = 64
    x, y = ga.ones(n, dtype=np.float32), ga.ones(n, dtype=np.float32)
    k((1,), (64,), (n, 1.5, x, y))
    np.testing.assert_array_equal(y.get(), np.full(n, 2.5, np.float32))


# -------------------------------------------------------------------- leaks

@requires_cuda
def test_no_device_memory_leak_from_arrays_and_kernels():
    pool = ga.get_default_memory_pool()
    dev = ga.cuda.Device()

    # The PTX module where PTX loads, its CUDA C twin elsewhere.
    double_src = DOUBLE_PTX if BACKEND == 'cuda' else DOUBLE_C

    def cycle(i):
        k = ga.RawKernel(SAXPY + '\n// variant {}\n'.format(i % 3), 'saxpy')
        m = ga.RawModule(code=double_src)
        n = 10000
        x, y = ga.ones(n, dtype=np.float32), ga.zeros(n, dtype=np.float32)
        k(blocks(n), (256,), (n, 2.0, x, y))
        m.get_function('double_it')(blocks(n), (256,), (y, n))
        assert y[0].get() == 4.0

    cycle(0)                                       # warm up caches and contexts
    gc.collect()
    sync()
    used0 = pool.used_bytes()
    free0 = dev.mem_info[0]
    for i in range(40):
        cycle(i)
    gc.collect()
    sync()
    assert pool.used_bytes() == used0
    # Modules live outside the pool: 40 leaked modules would be tens of MiB.
    # On the host backend free "device" memory is the machine's free RAM,
    # which other processes move; only the GPU's figure is ours alone.
    if BACKEND == 'cuda':
        assert dev.mem_info[0] >= free0 - 8 * 2**20
