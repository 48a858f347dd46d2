"""NumPy parity items met by fuzzing (issue 15): each compared with NumPy."""
import numpy as np
import pytest

import gpuarray as ga

pytestmark = pytest.mark.device


@pytest.mark.parametrize('axis', [0, -1])
def test_reduction_of_a_0d_array_takes_axis_0_like_numpy(axis):
    x = np.float32(np.random.default_rng(0).standard_normal())
    for name in ('sum', 'amax', 'amin', 'prod'):
        got = getattr(ga, name)(ga.asarray(np.asarray(x)), axis=axis)
        assert float(got) == pytest.approx(float(getattr(np, name)(np.asarray(x), axis=axis)))
    with pytest.raises(np.exceptions.AxisError if hasattr(np, 'exceptions') else np.AxisError):
        ga.sum(ga.asarray(np.asarray(x)), axis=1)


def test_python_integer_out_of_range_is_overflowerror_on_empty_arrays_too():
    for shape in [(0,), (3,)]:
        with pytest.raises(OverflowError):
            np.zeros(shape, np.int8) + 300
        with pytest.raises(OverflowError):
            ga.zeros(shape, np.int8) + 300
    assert (ga.zeros(0, np.int8) + 3).shape == (0,)


@pytest.mark.parametrize('name', ['argmin', 'argmax', 'amin', 'amax'])
def test_reductions_without_identity_over_an_empty_axis_raise_valueerror(name):
    with pytest.raises(ValueError):
        getattr(np, name)(np.zeros((0, 3)), axis=0)
    with pytest.raises(ValueError):
        getattr(ga, name)(ga.zeros((0, 3)), axis=0)
    # over the non-empty axis the result is empty, as in NumPy
    assert getattr(ga, name)(ga.zeros((0, 3)), axis=1).shape == getattr(np, name)(
        np.zeros((0, 3)), axis=1).shape


def test_kernel_name_with_a_nul_is_valueerror():
    src = 'extern "C" __global__ void k(int *p) { p[0] = 1; }'
    with pytest.raises(ValueError, match='NUL'):
        ga.RawKernel(src, 'k\0x')
    with pytest.raises(ValueError, match='NUL'):
        ga.RawModule(code=src).get_function('k\0x')
