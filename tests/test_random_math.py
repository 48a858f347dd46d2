"""The math of kernels/random.cuh (gpuarray's own log, exp and
sin/cos(2 pi u), written with +, -, *, / and bits so that every backend
rounds alike) against NumPy: within a few ulp."""

import numpy
import pytest

import gpuarray as cp
from gpuarray.random import _kernels

TWO_PI = numpy.longdouble('6.283185307179586476925286766559005768394')


def _ulps(got, ref, dtype):
    """|got - ref| in ulps of the reference rounded to dtype (ref exact or
    wider)."""
    r = numpy.abs(ref).astype(dtype)
    sp = numpy.spacing(r).astype(numpy.float64)
    return numpy.abs(got.astype(numpy.longdouble) - ref).astype(numpy.float64) / sp


def _sincos2pi_reference(u):
    """sin and cos of 2 pi u from the exact quarter-turn reduction
    u = q/4 + f (what a reference evaluated at 2 pi u in any finite
    precision gets wrong near the zeros), in long double."""
    u = numpy.asarray(u, numpy.float64)
    q = numpy.floor(u * 4 + 0.5)
    f = (u - q * 0.25).astype(numpy.longdouble)
    s, c = numpy.sin(TWO_PI * f), numpy.cos(TWO_PI * f)
    quadrant = q.astype(numpy.int64) & 3
    sin = numpy.choose(quadrant, [s, c, -s, -c])
    cos = numpy.choose(quadrant, [c, -s, -c, s])
    return sin, cos


def _run_f64(x):
    n = x.size
    outs = [cp.empty(n) for _ in range(4)]
    _kernels.function('ga_rand_check_f64', True)(_kernels.grid(n), _kernels.BLOCK,
                                                  (cp.asarray(x), n, *outs))
    return [o.get() for o in outs]


def _run_f32(x):
    n = x.size
    outs = [cp.empty(n, dtype=numpy.float32) for _ in range(4)]
    _kernels.function('ga_rand_check_f32', True)(_kernels.grid(n), _kernels.BLOCK,
                                                  (cp.asarray(x), n, *outs))
    return [o.get() for o in outs]


def test_log_float64_within_an_ulp_or_two():
    rs = numpy.random.RandomState(0)
    x = numpy.concatenate([numpy.exp(rs.uniform(-700, 700, 20000)), rs.uniform(0.5, 2, 20000),
                           rs.uniform(0, 1, 20000), 1 - rs.uniform(0, 1e-8, 1000),
                           [5e-324, 1e-310, 2.2250738585072014e-308, 0.5, 2.0,
                            1.7976931348623157e308]])
    log = _run_f64(x)[0]
    ref = numpy.log(x.astype(numpy.longdouble))
    nz = x != 1.0
    assert _ulps(log[nz], ref[nz], numpy.float64).max() <= 2
    assert log[x == 1.0].tolist() == [0.0] * int((x == 1.0).sum())


def test_log_special_values():
    log = _run_f64(numpy.array([0.0, -1.0, numpy.inf, numpy.nan, 1.0]))[0]
    assert log[0] == -numpy.inf and numpy.isnan(log[1]) and log[2] == numpy.inf
    assert numpy.isnan(log[3]) and log[4] == 0.0


def test_exp_float64_within_an_ulp_or_two():
    rs = numpy.random.RandomState(1)
    x = numpy.concatenate([rs.uniform(-708, 709, 20000), rs.uniform(-1, 1, 20000),
                           rs.uniform(-745, -708, 2000)])
    e = _run_f64(x)[1]
    ref = numpy.exp(x.astype(numpy.longdouble))
    normal = ref > numpy.finfo(numpy.float64).tiny
    assert _ulps(e[normal], ref[normal], numpy.float64).max() <= 2
    # subnormal results: within an ulp of the subnormal spacing
    assert (numpy.abs(e[~normal] - ref[~normal].astype(numpy.float64)) <= 2 * 5e-324).all()
    big = _run_f64(numpy.array([710.0, -750.0, numpy.nan]))[1]
    assert big[0] == numpy.inf and big[1] == 0.0 and numpy.isnan(big[2])


def test_sincos2pi_float64_within_an_ulp_or_two():
    rs = numpy.random.RandomState(2)
    u = numpy.concatenate([rs.uniform(0, 1, 50000), numpy.arange(0, 1, 1 / 64),
                           [0.25 - 2 ** -53, 0.5 + 2 ** -53, 1 - 2 ** -53]])
    _, _, s, c = _run_f64(u)
    sr, cr = _sincos2pi_reference(u)
    nz = sr != 0
    assert _ulps(s[nz], sr[nz], numpy.float64).max() <= 2
    nz = cr != 0
    assert _ulps(c[nz], cr[nz], numpy.float64).max() <= 2
    # and close to NumPy's own sin(2 pi u) away from its rounding of 2 pi u
    numpy.testing.assert_allclose(s, numpy.sin(2 * numpy.pi * u), atol=1.5e-15)
    numpy.testing.assert_allclose(c, numpy.cos(2 * numpy.pi * u), atol=1.5e-15)
    # the quarter turns are exact
    q = _run_f64(numpy.array([0.0, 0.25, 0.5, 0.75]))
    assert q[2].tolist() == [0.0, 1.0, 0.0, -1.0] and q[3].tolist() == [1.0, 0.0, -1.0, 0.0]


def test_log_and_sincos_float32_within_an_ulp_or_two():
    rs = numpy.random.RandomState(3)
    x = numpy.concatenate([numpy.exp(rs.uniform(-87, 88, 20000)), rs.uniform(0, 1, 20000),
                           [1e-45, 1e-40, 0.5, 2.0]]).astype(numpy.float32)
    log, s, c, _ = _run_f32(x)
    ref = numpy.log(x.astype(numpy.longdouble))
    nz = x != 1
    assert _ulps(log[nz], ref[nz], numpy.float32).max() <= 2
    # the float32 angles are on the 24-bit grid of the draws: k / 2**24
    u = numpy.floor((x - numpy.floor(x)).astype(numpy.float64) * 2 ** 24) % 2 ** 24 / 2 ** 24
    sr, cr = _sincos2pi_reference(u)
    nz = sr != 0
    assert _ulps(s[nz], sr[nz], numpy.float32).max() <= 3
    nz = cr != 0
    assert _ulps(c[nz], cr[nz], numpy.float32).max() <= 3


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_normal_is_box_muller_of_the_stream(dtype):
    # element pairs are (r cos, r sin) of two uniforms of the stream:
    # r**2 = -2 log(1 - ua) to rounding
    g = cp.random.default_rng(21)
    z = g.standard_normal(4000, dtype=dtype).get().astype(numpy.float64)
    bits = cp.random.Philox4x3210(21).random_raw(4 * 2000 if dtype == numpy.float64 else 4000).get()
    if dtype == numpy.float64:
        w = bits.reshape(-1, 4).astype(numpy.uint64)
        ua = (((w[:, 0] << numpy.uint64(32)) | w[:, 1]) >> numpy.uint64(11)) * 2.0 ** -53
        r2 = z[0::2] ** 2 + z[1::2] ** 2
        tol = 1e-13
    else:
        w = bits.reshape(-1, 2)
        ua = (w[:, 0] >> 8) * 2.0 ** -24
        r2 = z[0::2] ** 2 + z[1::2] ** 2
        tol = 1e-5
    numpy.testing.assert_allclose(r2, -2 * numpy.log1p(-ua), rtol=tol, atol=tol)


def test_float32_math_on_the_draws_grid():
    # the float32 draws take log(1 - u) and sincos(2 pi u) of u = k / 2**24;
    # every 61st k (the whole grid: 1.25 and 2.2 ulp at most, checked once
    # by hand; the full run takes ~20 s on the host backend)
    k = numpy.arange(0, 2 ** 24, 61, dtype=numpy.float64)
    one_minus_u = ((2 ** 24 - k) / 2 ** 24).astype(numpy.float32)
    log = _run_f32(one_minus_u)[0]
    ref = numpy.log(one_minus_u.astype(numpy.longdouble))
    nz = one_minus_u != 1
    assert _ulps(log[nz], ref[nz], numpy.float32).max() <= 1.5
    _, s, c, _ = _run_f32((k / 2 ** 24).astype(numpy.float32))
    sr, cr = _sincos2pi_reference(k / 2 ** 24)
    assert _ulps(s[sr != 0], sr[sr != 0], numpy.float32).max() <= 2.5
    assert _ulps(c[cr != 0], cr[cr != 0], numpy.float32).max() <= 2.5


def test_exp_float32_within_an_ulp_or_two():
    # the float32 rejection samplers' exp
    rs = numpy.random.RandomState(4)
    x = numpy.concatenate([rs.uniform(-87, 88, 20000), rs.uniform(-1, 1, 20000),
                           rs.uniform(-103, -87, 2000)]).astype(numpy.float32)
    e = _run_f32(x)[3]
    ref = numpy.exp(x.astype(numpy.longdouble))
    normal = ref > numpy.finfo(numpy.float32).tiny
    assert _ulps(e[normal], ref[normal], numpy.float32).max() <= 2
    assert (numpy.abs(e[~normal] - ref[~normal].astype(numpy.float64)) <= 2 * 1.5e-45).all()
    big = _run_f32(numpy.array([89.0, -105.0, numpy.nan], numpy.float32))[3]
    assert big[0] == numpy.inf and big[1] == 0.0 and numpy.isnan(big[2])


def test_tables_are_the_scripts_output():
    # kernels/random.cuh's float32 tables are scripts/random_tables.py's
    # output, digit for digit
    import os
    import runpy
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tables = runpy.run_path(os.path.join(root, 'scripts', 'random_tables.py'))
    with open(os.path.join(root, 'kernels', 'random.cuh'), encoding='utf-8') as f:
        header = f.read()
    assert '\n'.join(tables['log_table']()) in header
    assert '\n'.join(tables['sincos_table']()) in header
