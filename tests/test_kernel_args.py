"""Kernel launch arguments are checked against the kernel's declared
parameters, and grid/block/shared_mem against the device's limits, before
the driver sees them. Every error names the parameter.

A loaded kernel is needed (so these need a GPU), but the bad launches never
reach the driver.
"""
import numpy as np
import pytest

import gpuarray as ga
import gpuarray.cuda

pytestmark = pytest.mark.cuda      # tests/conftest.py skips it, saying why, without CUDA

SAXPY = r'''
extern "C" __global__
void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
'''

# One kernel per scalar type: it stores its value parameter into out[0].
TYPES = r'''
struct Pair { int i; float f; };
extern "C" __global__ void k_bool(bool v, bool* out) { *out = v; }
extern "C" __global__ void k_i8(signed char v, signed char* out) { *out = v; }
extern "C" __global__ void k_u8(unsigned char v, unsigned char* out) { *out = v; }
extern "C" __global__ void k_i16(short v, short* out) { *out = v; }
extern "C" __global__ void k_u16(unsigned short v, unsigned short* out) { *out = v; }
extern "C" __global__ void k_i32(int v, int* out) { *out = v; }
extern "C" __global__ void k_u32(unsigned int v, unsigned int* out) { *out = v; }
extern "C" __global__ void k_i64(long long v, long long* out) { *out = v; }
extern "C" __global__ void k_u64(unsigned long long v, unsigned long long* out) { *out = v; }
extern "C" __global__ void k_f32(float v, float* out) { *out = v; }
extern "C" __global__ void k_f64(double v, double* out) { *out = v; }
extern "C" __global__ void k_pair(Pair v, int* oi, float* of) { *oi = v.i; *of = v.f; }
extern "C" __global__ void k_isnull(const float* p, int* out) { *out = p == nullptr; }
extern "C" __global__ void k_void(void* p, int* out) { *out = p != nullptr; }
'''

N = 64


@pytest.fixture(scope='module')
def saxpy():
    k = ga.RawKernel(SAXPY, 'saxpy')
    k.compile()
    return k


@pytest.fixture(scope='module')
def types():
    return ga.RawModule(code=TYPES)


@pytest.fixture
def xy():
    r = np.random.default_rng(7)
    xh = r.standard_normal(N).astype(np.float32)
    yh = r.standard_normal(N).astype(np.float32)
    return xh, yh, ga.asarray(xh), ga.asarray(yh)


def launch_ok(saxpy, xy, a):
    xh, yh, x, y = xy
    saxpy((1,), (N,), (N, a, x, y))
    np.testing.assert_allclose(y.get(), np.float32(a) * xh + yh, rtol=1e-6)


def roundtrip(types, name, value, dtype):
    out = ga.zeros(1, dtype=dtype)
    types.get_function(name)((1,), (1,), (value, out))
    return out.get()[0]


# ---------------------------------------------------------------- values

def test_python_float_converts_to_float_param(saxpy, xy):
    launch_ok(saxpy, xy, 2.5)


def test_python_int_converts_to_float_param(saxpy, xy):
    launch_ok(saxpy, xy, 3)


def test_numpy_float64_converts_to_float_param(saxpy, xy):
    launch_ok(saxpy, xy, np.float64(1.75))


def test_numpy_float32_passes_as_is(saxpy, xy):
    launch_ok(saxpy, xy, np.float32(-0.5))


def test_numpy_int32_to_float_param_is_type_error(saxpy, xy):
    _, _, x, y = xy
    with pytest.raises(TypeError, match="'a'"):
        saxpy((1,), (N,), (N, np.int32(2), x, y))


def test_float_to_int_param_is_type_error(saxpy, xy):
    _, _, x, y = xy
    with pytest.raises(TypeError, match=r"saxpy\(\): argument 'n'"):
        saxpy((1,), (N,), (64.0, 2.0, x, y))


@pytest.mark.parametrize('n', [2**31, -2**31 - 1, 2**64])
def test_int_overflow_names_the_parameter(saxpy, xy, n):
    _, _, x, y = xy
    with pytest.raises(OverflowError, match="'n'"):
        saxpy((1,), (N,), (n, 2.0, x, y))


def test_float_overflow_names_the_parameter(saxpy, xy):
    _, _, x, y = xy
    with pytest.raises(OverflowError, match="'a'"):
        saxpy((1,), (N,), (N, 1e300, x, y))


@pytest.mark.parametrize('name, dtype, good, bad', [
    ('k_bool', np.bool_, [True, False, 1], [1.0]),
    ('k_i8', np.int8, [-128, 127, np.int8(-5), np.int64(100)], [128, -129, np.int64(300), 1.0]),
    ('k_u8', np.uint8, [0, 255], [-1, 256]),
    ('k_i16', np.int16, [-32768, 32767], [32768]),
    ('k_u16', np.uint16, [65535], [65536, -1]),
    ('k_i32', np.int32, [-2**31, 2**31 - 1, np.int32(7)], [2**31, np.float32(1)]),
    ('k_u32', np.uint32, [2**32 - 1, np.uint32(9)], [2**32, -1]),
    ('k_i64', np.int64, [-2**63, 2**63 - 1], [2**63]),
    ('k_u64', np.uint64, [2**64 - 1, 0], [2**64, -1]),
    ('k_f32', np.float32, [1.5, 3, np.float16(0.25), np.float64(2.0), float('inf')],
     [1e39, np.int32(1), 1j]),
    ('k_f64', np.float64, [0.1, -7, np.float32(0.5)], [np.int64(1), 'x']),
])
def test_scalar_conversions(types, name, dtype, good, bad):
    for value in good:
        got = roundtrip(types, name, value, dtype)
        assert got == np.asarray(value).astype(dtype), (name, value, got)
    for value in bad:
        with pytest.raises((TypeError, OverflowError), match="'v'"):
            roundtrip(types, name, value, dtype)


def test_struct_param_takes_a_structured_numpy_scalar(types):
    pair = np.array((41, 2.5), dtype=[('i', '<i4'), ('f', '<f4')])[()]
    oi, of = ga.zeros(1, dtype=np.int32), ga.zeros(1, dtype=np.float32)
    types.get_function('k_pair')((1,), (1,), (pair, oi, of))
    assert oi.get()[0] == 41 and of.get()[0] == 2.5
    with pytest.raises(TypeError, match="'v'"):
        types.get_function('k_pair')((1,), (1,), (41, oi, of))
    with pytest.raises(TypeError, match="'v'"):
        types.get_function('k_pair')((1,), (1,), (np.float32(1), oi, of))


# -------------------------------------------------------------- pointers

def test_wrong_dtype_array_names_parameter_and_types(saxpy, xy):
    _, _, x, y = xy
    xi = ga.zeros(N, dtype=np.int32)
    with pytest.raises(TypeError) as info:
        saxpy((1,), (N,), (N, 2.0, xi, y))
    msg = str(info.value)
    assert "'x'" in msg and 'saxpy' in msg and 'float' in msg and 'int32' in msg


def test_host_numpy_array_is_type_error(saxpy, xy):
    xh, _, _, y = xy
    with pytest.raises(TypeError, match="argument 'x'.*host NumPy array"):
        saxpy((1,), (N,), (N, 2.0, xh, y))


@pytest.mark.parametrize('bad', ['a string', 1.5, object(), [1.0, 2.0], True])
def test_non_pointer_objects_are_type_errors(saxpy, xy, bad):
    _, _, _, y = xy
    with pytest.raises(TypeError, match="'x'"):
        saxpy((1,), (N,), (N, 2.0, bad, y))


def test_raw_addresses_and_memory_pointers_pass(saxpy, xy):
    xh, yh, x, y = xy
    saxpy((1,), (N,), (N, 1.0, x.data.ptr, y.data))    # no dtype check for these
    np.testing.assert_allclose(y.get(), xh + yh, rtol=1e-6)


def test_none_is_a_null_pointer_and_void_takes_any_array(types):
    out = ga.full(1, 7, dtype=np.int32)
    types.get_function('k_isnull')((1,), (1,), (None, out))
    assert out.get()[0] == 1
    types.get_function('k_void')((1,), (1,), (ga.zeros(3, dtype=np.complex128), out))
    assert out.get()[0] == 1


class Foreign:
    """An array of another library, seen through __cuda_array_interface__."""

    def __init__(self, arr, typestr):
        self.__cuda_array_interface__ = {
            'shape': arr.shape, 'typestr': typestr, 'data': (arr.data.ptr, False),
            'version': 3, 'strides': None, 'stream': None}


def test_cuda_array_interface_objects_are_checked_like_arrays(saxpy, xy):
    xh, yh, x, y = xy
    saxpy((1,), (N,), (N, 1.0, Foreign(x, '<f4'), y))
    np.testing.assert_allclose(y.get(), xh + yh, rtol=1e-6)
    with pytest.raises(TypeError, match="'x'"):
        saxpy((1,), (N,), (N, 1.0, Foreign(x, '<i4'), y))


def _device_count():
    try:
        return ga.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


@pytest.mark.skipif(_device_count() < 2, reason='needs two GPUs')
def test_array_on_another_device_is_value_error(saxpy, xy):
    _, _, x, y = xy
    with ga.cuda.Device(1):
        other = ga.zeros(N, dtype=np.float32)
    with pytest.raises(ValueError, match="'y'"):
        saxpy((1,), (N,), (N, 1.0, x, other))


# ---------------------------------------------------------- count, shape

@pytest.mark.parametrize('args', [(N, 2.0), (N, 2.0, None), (N, 2.0, None, None, None)])
def test_wrong_argument_count(saxpy, args):
    with pytest.raises(TypeError, match=r'saxpy\(\) takes 4 arguments \(\d given\)'):
        saxpy((1,), (N,), args)


@pytest.mark.parametrize('args', [5, None, 'abc', {1: 2}])
def test_args_must_be_a_tuple_or_list(saxpy, args):
    with pytest.raises(TypeError, match='args'):
        saxpy((1,), (N,), args)


def test_list_args_and_keywords(saxpy, xy):
    xh, yh, x, y = xy
    saxpy(grid=1, block=N, args=[N, 1.0, x, y], shared_mem=0, stream=None)
    np.testing.assert_allclose(y.get(), xh + yh, rtol=1e-6)
    with pytest.raises(TypeError):
        saxpy((1,), (N,), (N, 1.0, x, y), bogus=1)
    with pytest.raises(TypeError):
        saxpy((1,), (N,))


@pytest.mark.parametrize('block, exc', [
    ((1025, 1, 1), ValueError),
    ((1, 1, 65), ValueError),
    ((32, 32, 2), ValueError),
    ((0,), ValueError),
    (-1, ValueError),
    (0, ValueError),
    ((), ValueError),
    ((1, 1, 1, 1), ValueError),
    ('a', TypeError),
    ((1.5,), TypeError),
    (None, TypeError),
])
def test_bad_block(saxpy, xy, block, exc):
    _, _, x, y = xy
    with pytest.raises(exc, match='block'):
        saxpy((1,), block, (N, 2.0, x, y))


@pytest.mark.parametrize('grid, exc', [
    ((0,), ValueError),
    ((1, 70000), ValueError),
    ((1, 1, 70000), ValueError),
    (2**32, ValueError),
    ('a', TypeError),
    (1.0, TypeError),
])
def test_bad_grid(saxpy, xy, grid, exc):
    _, _, x, y = xy
    with pytest.raises(exc, match='grid'):
        saxpy(grid, (N,), (N, 2.0, x, y))


def test_int_grid_and_block_and_numpy_ints(saxpy, xy):
    xh, yh, x, y = xy
    saxpy(np.int64(1), np.int32(N), (N, 1.0, x, y))
    np.testing.assert_allclose(y.get(), xh + yh, rtol=1e-6)


@pytest.mark.parametrize('shared_mem, exc', [(1 << 30, ValueError), (-1, ValueError),
                                             (1.5, TypeError)])
def test_bad_shared_mem(saxpy, xy, shared_mem, exc):
    _, _, x, y = xy
    with pytest.raises(exc, match='shared_mem'):
        saxpy((1,), (N,), (N, 2.0, x, y), shared_mem=shared_mem)


def test_bad_stream_is_type_error(saxpy, xy):
    _, _, x, y = xy
    with pytest.raises(TypeError, match='stream'):
        saxpy((1,), (N,), (N, 2.0, x, y), stream=0)


def test_errors_leave_the_kernel_usable(saxpy, xy):
    _, _, x, y = xy
    for bad in [(N, 2.0, x), (N, 'a', x, y), (2**40, 2.0, x, y)]:
        with pytest.raises((TypeError, OverflowError)):
            saxpy((1,), (N,), bad)
    launch_ok(saxpy, xy, 0.5)
    ga.cuda.Device().synchronize()


def test_params_are_introspectable(saxpy):
    params = saxpy.params
    assert [name for name, _ in params] == ['n', 'a', 'x', 'y']
    assert 'int' in params[0][1] and 'float' in params[1][1]
    assert '*' in params[2][1] and 'const' in params[2][1]
