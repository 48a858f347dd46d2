"""gpuarray.fft against numpy.fft on random inputs, on whichever backend
runs. On the host backend NumPy's pocketfft does the work, so the plan
path (cuFFT on CUDA) is checked here too, with each plan emulated by
NumPy over exactly the advanced layout cuFFT would be given: every
layout, crop, pad, loop and copy decision of gpuarray/fft/_planned.py
runs without a GPU, and the emulation checks that no plan reads or writes
outside its arrays."""

import ctypes
import os
import subprocess
import sys
import warnings

import numpy
import pytest

import gpuarray
from gpuarray.fft import _planned, _transforms, config

ON_HOST = gpuarray.get_backend() == 'host'
RNG = numpy.random.default_rng(20261202)

# ---------------------------------------------------------------- emulation


class EmulatedPlan:
    """A cuFFT plan done by NumPy: reads and writes device memory (host
    memory on the host backend) at the addresses cuFFT's advanced layout
    gives, and scribbles over a C2R input as cuFFT may."""

    def __init__(self, fft_type, double, n, inembed, istride, idist, onembed, ostride, odist,
                 batch):
        self.args = (fft_type, double, tuple(n), tuple(inembed), istride, idist,
                     tuple(onembed), ostride, odist, batch)
        self.work_size = 1024 * len(n)
        self.fft_type = ('C2C', 'R2C', 'C2R')[fft_type]
        self.alive = True
        for v in (istride, idist, ostride, odist, batch):
            assert v >= 1

    @staticmethod
    def _view(arr, offset, dtype, shape, elem_strides):
        es = numpy.dtype(dtype).itemsize
        mem = arr.data.mem
        start = arr.data.ptr + offset
        extent = sum((s - 1) * st for s, st in zip(shape, elem_strides)) + 1
        assert mem.ptr <= start and start + extent * es <= mem.ptr + mem.size, 'plan outside array'
        buf = (ctypes.c_char * (extent * es)).from_address(start)
        flat = numpy.frombuffer(buf, dtype=dtype)
        return numpy.lib.stride_tricks.as_strided(
            flat, shape, [s * es for s in elem_strides], writeable=True)

    @staticmethod
    def _strides(embed, stride, dist):
        k = len(embed)
        st = [0] * k
        acc = stride
        for i in range(k - 1, -1, -1):
            st[i] = acc
            acc *= embed[i]
        return [dist] + st

    def execute(self, x, y, inverse, xo=0, yo=0):
        fft_type, double, n, inembed, istride, idist, onembed, ostride, odist, batch = self.args
        real = numpy.float64 if double else numpy.float32
        cplx = numpy.complex128 if double else numpy.complex64
        k = len(n)
        half = n[:-1] + (n[-1] // 2 + 1,)
        ishape = (batch,) + (half if fft_type == 2 else n)
        oshape = (batch,) + (half if fft_type == 1 else n)
        idt = real if fft_type == 1 else cplx
        odt = real if fft_type == 2 else cplx
        assert x.dtype == idt and y.dtype == odt
        gpuarray.cuda.get_current_stream().synchronize()
        xin = self._view(x, xo, idt, ishape, self._strides(inembed, istride, idist))
        yout = self._view(y, yo, odt, oshape, self._strides(onembed, ostride, odist))
        axes = tuple(range(1, k + 1))
        if fft_type == 0:
            r = numpy.fft.ifftn(xin, axes=axes, norm='forward') if inverse else \
                numpy.fft.fftn(xin, axes=axes)
        elif fft_type == 1:
            assert not inverse
            r = numpy.fft.rfftn(xin, axes=axes)
        else:
            assert inverse
            r = numpy.fft.irfftn(xin, s=n, axes=axes, norm='forward')
            xin[...] = numpy.nan         # cuFFT's C2R may overwrite its input
        yout[...] = r


@pytest.fixture(params=['native', 'plans'] if ON_HOST else ['native'])
def path(request, monkeypatch):
    """'native': the backend's own path; 'plans': (host backend) the cuFFT
    plan path with emulated plans."""
    if request.param == 'plans':
        monkeypatch.setattr(_transforms, 'FORCE_PLANS', True)
        monkeypatch.setattr(_planned, 'make_plan', EmulatedPlan)
    config.get_plan_cache().clear()
    yield request.param
    config.get_plan_cache().clear()


def _rand(shape, dtype):
    dtype = numpy.dtype(dtype)
    if dtype.kind == 'c':
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)
    if dtype.kind in 'iu':
        return RNG.integers(-50, 50, size=shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def _tol(dtype):
    return dict(rtol=2e-4, atol=2e-4) if dtype in (numpy.float32, numpy.complex64) else \
        dict(rtol=1e-10, atol=1e-10)


def _check(got, want, scale=None):
    assert isinstance(got, gpuarray.ndarray)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    h = got.get()
    m = max(1.0, float(numpy.abs(want).max())) if want.size else 1.0
    tol = _tol(want.dtype)
    numpy.testing.assert_allclose(h / m, want / m, rtol=tol['rtol'], atol=tol['atol'])


NORMS = [None, 'backward', 'ortho', 'forward']

# ---------------------------------------------------------------- 1-D


@pytest.mark.parametrize('name', ['fft', 'ifft'])
@pytest.mark.parametrize('dtype', [numpy.complex64, numpy.complex128, numpy.float32, numpy.float64,
                                   numpy.int32])
def test_c2c_1d_dtypes(path, name, dtype):
    a = _rand((3, 17), dtype)
    _check(getattr(gpuarray.fft, name)(gpuarray.asarray(a)), getattr(numpy.fft, name)(a))


@pytest.mark.parametrize('norm', NORMS)
@pytest.mark.parametrize('name', ['fft', 'ifft', 'rfft', 'irfft', 'hfft', 'ihfft'])
def test_1d_norms(path, name, norm):
    dtype = numpy.complex128 if name in ('fft', 'ifft', 'irfft', 'hfft') else numpy.float64
    a = _rand((2, 12), dtype)
    _check(getattr(gpuarray.fft, name)(gpuarray.asarray(a), norm=norm),
           getattr(numpy.fft, name)(a, norm=norm))


@pytest.mark.parametrize('n', [1, 7, 13, 16, 31, 40])   # crop, pad, odd, prime, even
@pytest.mark.parametrize('name', ['fft', 'ifft', 'rfft', 'irfft', 'hfft', 'ihfft'])
def test_1d_n_crop_pad(path, name, n):
    dtype = numpy.complex64 if name in ('fft', 'ifft', 'irfft', 'hfft') else numpy.float32
    a = _rand((4, 16), dtype)
    _check(getattr(gpuarray.fft, name)(gpuarray.asarray(a), n=n),
           getattr(numpy.fft, name)(a, n=n))


@pytest.mark.parametrize('axis', [0, 1, -1, -2, 2, -3])
@pytest.mark.parametrize('name', ['fft', 'rfft', 'irfft'])
def test_1d_axes_batched(path, name, axis):
    dtype = numpy.float64 if name == 'rfft' else numpy.complex128
    a = _rand((5, 6, 7), dtype)
    _check(getattr(gpuarray.fft, name)(gpuarray.asarray(a), axis=axis),
           getattr(numpy.fft, name)(a, axis=axis))


@pytest.mark.parametrize('view', ['step', 'transpose', 'reverse', 'offset', 'broadcast'])
@pytest.mark.parametrize('name', ['fft', 'rfft', 'irfft'])
def test_1d_noncontiguous(path, name, view):
    dtype = numpy.float32 if name == 'rfft' else numpy.complex64
    h = _rand((6, 10, 9), dtype)
    d = gpuarray.asarray(h)
    sel = {'step': lambda x: x[:, ::3, 1::2], 'transpose': lambda x: x.transpose(2, 0, 1),
           'reverse': lambda x: x[::-1, :, ::-2], 'offset': lambda x: x[1:, 2:, 3:],
           'broadcast': lambda x: gpuarray.broadcast_to(x[0, 0], (4, 9))
           if isinstance(x, gpuarray.ndarray) else numpy.broadcast_to(x[0, 0], (4, 9))}[view]
    for axis in (0, -1):
        _check(getattr(gpuarray.fft, name)(sel(d), axis=axis), getattr(numpy.fft, name)(sel(h), axis=axis))


def test_irfft_leaves_input_alone(path):
    h = _rand((3, 9), numpy.complex64)
    d = gpuarray.asarray(h)
    gpuarray.fft.irfft(d)
    gpuarray.fft.irfftn(d)
    gpuarray.fft.hfft(d)
    numpy.testing.assert_array_equal(d.get(), h)


def test_empty_batch(path):
    h = numpy.zeros((0, 8), numpy.complex64)
    _check(gpuarray.fft.fft(gpuarray.asarray(h)), numpy.fft.fft(h))
    _check(gpuarray.fft.rfft(gpuarray.asarray(h.real)), numpy.fft.rfft(h.real))


def test_many_unmergeable_batches_copy(path):
    # three batch dims that do not merge, more loops than MAX_LOOP: a copy
    h = _rand((5, 6, 8, 7), numpy.complex128)
    d = gpuarray.asarray(h)
    for axis in (1, 2):
        _check(gpuarray.fft.fft(d[:, :, ::2], axis=axis), numpy.fft.fft(h[:, :, ::2], axis=axis))


# ---------------------------------------------------------------- n-d


@pytest.mark.parametrize('axes', [None, (0, 1), (1, 0), (-1, -2), (0, 2), (2,), (0, 1, 2),
                                  (0, 0), (1, 2, 0)])
@pytest.mark.parametrize('name', ['fftn', 'ifftn', 'rfftn', 'irfftn'])
def test_nd_axes(path, name, axes):
    dtype = numpy.float64 if name == 'rfftn' else numpy.complex128
    h = _rand((4, 5, 6), dtype)
    _check(getattr(gpuarray.fft, name)(gpuarray.asarray(h), axes=axes),
           getattr(numpy.fft, name)(h, axes=axes))


@pytest.mark.parametrize('s', [(3, 4), (8, 5), (5, 12), (1, 1)])
@pytest.mark.parametrize('name', ['fft2', 'ifft2', 'rfft2', 'irfft2'])
def test_2d_sizes(path, name, s):
    dtype = numpy.float32 if name == 'rfft2' else numpy.complex64
    h = _rand((2, 6, 7), dtype)
    _check(getattr(gpuarray.fft, name)(gpuarray.asarray(h), s=s),
           getattr(numpy.fft, name)(h, s=s))


@pytest.mark.parametrize('norm', NORMS)
@pytest.mark.parametrize('name', ['fftn', 'ifftn', 'rfftn', 'irfftn'])
def test_nd_norms(path, name, norm):
    dtype = numpy.float32 if name == 'rfftn' else numpy.complex64
    h = _rand((3, 4, 10), dtype)
    _check(getattr(gpuarray.fft, name)(gpuarray.asarray(h), axes=(1, 2), norm=norm),
           getattr(numpy.fft, name)(h, axes=(1, 2), norm=norm))


@pytest.mark.parametrize('name', ['fftn', 'rfftn', 'irfftn'])
def test_nd_noncontiguous_and_4d(path, name):
    dtype = numpy.float64 if name == 'rfftn' else numpy.complex128
    h = _rand((3, 4, 5, 6), dtype)
    d = gpuarray.asarray(h)
    for axes in [(1, 2, 3), (0, 1, 2, 3), (3, 1)]:
        _check(getattr(gpuarray.fft, name)(d[:, ::2, 1:, ::-1], axes=axes),
               getattr(numpy.fft, name)(h[:, ::2, 1:, ::-1], axes=axes))
        _check(getattr(gpuarray.fft, name)(d.transpose(3, 2, 1, 0), axes=axes),
               getattr(numpy.fft, name)(h.transpose(3, 2, 1, 0), axes=axes))


def test_nd_planning_off(path, monkeypatch):
    monkeypatch.setattr(config, 'enable_nd_planning', False)
    h = _rand((4, 6, 8), numpy.complex64)
    _check(gpuarray.fft.fftn(gpuarray.asarray(h)), numpy.fft.fftn(h))
    _check(gpuarray.fft.irfftn(gpuarray.asarray(h)), numpy.fft.irfftn(h))


def test_s_without_axes_warns_as_numpy(path):
    h = _rand((4, 6), numpy.complex128)
    with pytest.warns(DeprecationWarning):
        g = gpuarray.fft.fftn(gpuarray.asarray(h), s=(4, 4))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        _check(g, numpy.fft.fftn(h, s=(4, 4)))


# ---------------------------------------------------------------- out=


@pytest.mark.parametrize('name', ['fft', 'rfft', 'irfft', 'fftn', 'rfftn', 'irfft2'])
def test_out(path, name):
    dtype = numpy.float64 if name.startswith('rfft') else numpy.complex128
    h = _rand((4, 8), dtype)
    want = getattr(numpy.fft, name)(h)
    out = gpuarray.full(want.shape, 7, dtype=want.dtype)
    got = getattr(gpuarray.fft, name)(gpuarray.asarray(h), out=out)
    assert got is out
    _check(out, want)
    # a strided out and an out of lower precision (same_kind) work too
    big = gpuarray.zeros((want.shape[0], 2 * want.shape[1]), dtype=want.dtype)
    getattr(gpuarray.fft, name)(gpuarray.asarray(h), out=big[:, ::2])
    _check(big[:, ::2], want)
    low = numpy.complex64 if want.dtype.kind == 'c' else numpy.float32
    o2 = gpuarray.empty(want.shape, dtype=low)
    getattr(gpuarray.fft, name)(gpuarray.asarray(h), out=o2)
    numpy.testing.assert_allclose(o2.get(), want, rtol=1e-4, atol=1e-4 * numpy.abs(want).max())


def test_out_errors(path):
    d = gpuarray.asarray(_rand(8, numpy.complex128))
    with pytest.raises(ValueError, match='wrong shape'):
        gpuarray.fft.fft(d, out=gpuarray.empty(7, dtype=numpy.complex128))
    with pytest.raises(TypeError):
        gpuarray.fft.fft(d, out=gpuarray.empty(8, dtype=numpy.float64))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize('call, exc, match', [
    (lambda d: gpuarray.fft.fft(d, 0), ValueError, r'Invalid number of FFT data points \(0\)'),
    (lambda d: gpuarray.fft.fft(d, -3), ValueError, 'Invalid number of FFT data points'),
    (lambda d: gpuarray.fft.fft(d, 2.5), TypeError, None),
    (lambda d: gpuarray.fft.fft(d, norm='x'), ValueError, 'Invalid norm value x'),
    (lambda d: gpuarray.fft.ifftn(d, norm='ortho2'), ValueError, 'Invalid norm value'),
    (lambda d: gpuarray.fft.fft(d, axis=2), IndexError, None),
    (lambda d: gpuarray.fft.fftn(d, axes=(0, 5)), IndexError, None),
    (lambda d: gpuarray.fft.fftn(d, s=(3,), axes=(0, 1)), ValueError, 'different lengths'),
    (lambda d: gpuarray.fft.fftn(d, s=(3, 3, 3)), IndexError, None),
    (lambda d: gpuarray.fft.irfft(d[:, :1]), ValueError, r'Invalid number of FFT data points \(0\)'),
    (lambda d: gpuarray.fft.rfft(d), TypeError, None),
    (lambda d: gpuarray.fft.fft(d[0, 0]), IndexError, None),
])
def test_errors_as_numpy(path, call, exc, match):
    h = _rand((4, 6), numpy.complex128)
    with pytest.raises(exc, match=match):
        call(gpuarray.asarray(h))
    with pytest.raises(exc):     # NumPy raises the same class
        call(h if not ON_HOST else h)


# ---------------------------------------------------------------- helpers


@pytest.mark.parametrize('n, d', [(1, 1.0), (8, 0.1), (9, 2.0)])
def test_freqs(n, d):
    for name in ('fftfreq', 'rfftfreq'):
        g = getattr(gpuarray.fft, name)(n, d)
        numpy.testing.assert_allclose(g.get(), getattr(numpy.fft, name)(n, d))
        assert g.dtype == numpy.float64


@pytest.mark.parametrize('axes', [None, 0, 1, (0, 1), (-1,)])
def test_shifts(axes):
    h = _rand((5, 8), numpy.float32)
    for name in ('fftshift', 'ifftshift'):
        numpy.testing.assert_array_equal(getattr(gpuarray.fft, name)(gpuarray.asarray(h), axes).get(),
                                         getattr(numpy.fft, name)(h, axes))


def test_numpy_dispatch_lands_in_gpuarray(path):
    h = _rand((3, 8), numpy.float32)
    d = gpuarray.asarray(h)
    for name in ('fft', 'rfft', 'fft2', 'irfftn', 'fftshift'):
        _r = getattr(numpy.fft, name)(d)
        assert isinstance(_r, gpuarray.ndarray)
        numpy.testing.assert_allclose(_r.get(), getattr(numpy.fft, name)(h), rtol=2e-4, atol=2e-4)


def test_dtypes_follow_numpy2(path):
    for dt in (numpy.float16, numpy.float32, numpy.float64, numpy.complex64, numpy.complex128,
               numpy.int64, numpy.bool_):
        h = _rand(8, dt) if dt != numpy.bool_ else RNG.integers(0, 2, 8).astype(bool)
        assert gpuarray.fft.fft(gpuarray.asarray(h)).dtype == numpy.fft.fft(h).dtype
        if numpy.dtype(dt).kind != 'c':
            assert gpuarray.fft.rfft(gpuarray.asarray(h)).dtype == numpy.fft.rfft(h).dtype
        assert gpuarray.fft.irfft(gpuarray.asarray(h)).dtype == numpy.fft.irfft(h).dtype


# ---------------------------------------------------------------- plan cache


@pytest.mark.skipif(not ON_HOST, reason='uses the emulated plans of the host backend')
def test_plan_cache_hits_limit_clear(monkeypatch):
    monkeypatch.setattr(_transforms, 'FORCE_PLANS', True)
    made = []

    def factory(*args):
        made.append(args)
        return EmulatedPlan(*args)

    monkeypatch.setattr(_planned, 'make_plan', factory)
    cache = config.get_plan_cache()
    cache.clear()
    cache.set_size(3)
    hits0 = cache.hits
    try:
        d = gpuarray.asarray(_rand((4, 16), numpy.complex64))
        gpuarray.fft.fft(d)
        gpuarray.fft.fft(d)
        gpuarray.fft.ifft(d)           # same plan, inverse direction
        assert len(made) == 1 and cache.get_curr_size() == 1 and cache.hits - hits0 == 2
        assert cache.get_curr_memsize() == 1024
        for n in (5, 6, 7):
            gpuarray.fft.fft(d, n=n)
        assert cache.get_curr_size() == 3 and len(made) == 4
        gpuarray.fft.fft(d)            # evicted (least recently used): made again
        assert len(made) == 5
        gpuarray.fft.fft(d, n=7)       # still there
        assert len(made) == 5
        cache.set_memsize(2048)
        assert cache.get_curr_size() == 2
        info = cache._info()
        assert 'current / max size   : 2 / 3' in info
        cache.clear()
        assert cache.get_curr_size() == 0 and cache.get_curr_memsize() == 0
        cache.set_size(0)              # disabled: a plan per call, none kept
        gpuarray.fft.fft(d)
        assert cache.get_curr_size() == 0
        with pytest.raises(ValueError):
            cache.set_size(-2)
    finally:
        cache.set_size(16)
        cache.set_memsize(-1)
        cache.clear()


def test_plan_cache_per_thread():
    import threading
    seen = []
    t = threading.Thread(target=lambda: seen.append(config.get_plan_cache()))
    t.start()
    t.join()
    assert seen[0] is not config.get_plan_cache()
    assert config.get_plan_cache() is config.get_plan_cache()


# ---------------------------------------------------------------- cuFFT loader


def test_cufft_loader_finds_the_library():
    if not os.path.exists('/usr/local/cuda/lib64') and not os.environ.get('CUDA_PATH'):
        pytest.skip('no CUDA toolkit here')
    path, version = gpuarray._core._fft_library()
    assert 'libcufft' in path and os.path.exists(path)
    assert version >= 10000


def test_cufft_override_not_found_names_every_place():
    code = ('import gpuarray\n'
            'try:\n'
            '    gpuarray._core._fft_library()\n'
            'except gpuarray.cuda.CUDAUnavailableError as e:\n'
            '    print(e)\n'
            'else:\n'
            '    print("LOADED")\n')
    env = dict(os.environ, GPUARRAY_CUFFT='/nonexistent/libcufft.so.99', LD_LIBRARY_PATH='',
               CUDA_PATH='/nonexistent-cuda', CUDA_HOME='/nonexistent-cuda')
    r = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    if 'LOADED' in out:
        # ld.so.cache or /usr/local/cuda/lib64 holds it, so a bad override
        # does not stop the search: hide the library's directory in a
        # private mount namespace (where unshare may make one) and ask again
        import shutil
        found = os.path.dirname(os.path.realpath(gpuarray._core._fft_library()[0]))
        unshare = shutil.which('unshare')
        if unshare:
            r = subprocess.run(
                [unshare, '--mount', '--map-root-user', 'sh', '-c',
                 'mount -t tmpfs none "$0" && exec "$1" -c "$2"', found, sys.executable, code],
                env=env, capture_output=True, text=True, timeout=60)
            out = r.stdout if r.returncode == 0 else 'LOADED'
    if 'LOADED' in out:
        pytest.skip('cuFFT is always found here (ld.so.cache, /usr/local/cuda/lib64) and no '
                    'mount namespace can hide it')
    assert 'cuFFT' in out and '/nonexistent/libcufft.so.99' in out and 'GPUARRAY_CUFFT' in out
    assert 'libcufft.so.12' in out or 'libcufft.so.13' in out


def test_cufft_override_is_taken_first():
    try:
        found, _ = gpuarray._core._fft_library()
    except gpuarray.cuda.CUDAUnavailableError:
        pytest.skip('no cuFFT here')
    code = 'import gpuarray; print(gpuarray._core._fft_library()[0])'
    env = dict(os.environ, GPUARRAY_CUFFT=found)
    r = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert os.path.realpath(r.stdout.strip()) == os.path.realpath(found)


@pytest.mark.skipif(not ON_HOST, reason='the host backend has no FFT plans')
def test_fftplan_on_host_is_a_clear_error():
    with pytest.raises(NotImplementedError, match='pocketfft'):
        gpuarray._core.FFTPlan(0, False, (8,), (8,), 1, 8, (8,), 1, 8, 1)


def test_cufft_declarations_match_the_toolkit_header(tmp_path):
    """libcufft.h declares cuFFT's enums itself (no toolkit at build time):
    they must equal cufft.h's, and every entry point in libcufft.fn must be
    one cufft.h declares."""
    import re
    import shutil
    header = '/usr/local/cuda/include/cufft.h'
    cc = shutil.which('cc') or shutil.which('gcc')
    if not os.path.exists(header) or not cc:
        pytest.skip('no CUDA toolkit headers or C compiler here')
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ours = open(os.path.join(root, 'csrc/loaders/libcufft.h')).read()
    values = re.findall(r'GA_CUFFT_(\w+) = (-?(?:0x[0-9a-fA-F]+|\d+))', ours)
    assert len(values) > 20
    fn = open(os.path.join(root, 'csrc/loaders/libcufft.fn')).read()
    names = re.findall(r'^CUFFT_(?:REQ|OPT)\(\w+, (\w+),', fn, re.M)
    assert 'cufftMakePlanMany64' in names and 'cufftSetStream' in names
    lines = ['#include <cufft.h>']
    lines += ['_Static_assert(CUFFT_{0} == {1}, "CUFFT_{0}");'.format(k, v) for k, v in values]
    lines += ['void *use_{0}(void) {{ return (void *)&{0}; }}'.format(n) for n in names]
    src = tmp_path / 'abi.c'
    src.write_text('\n'.join(lines) + '\n')
    r = subprocess.run([cc, '-std=c11', '-c', '-I/usr/local/cuda/include', str(src), '-o',
                        str(tmp_path / 'abi.o')], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize('name', ['hfft', 'ihfft'])
def test_out_hermitian(path, name):
    dtype = numpy.complex128 if name == 'hfft' else numpy.float64
    h = _rand((3, 9), dtype)
    want = getattr(numpy.fft, name)(h)
    out = gpuarray.full(want.shape, 3, dtype=want.dtype)
    assert getattr(gpuarray.fft, name)(gpuarray.asarray(h), out=out) is out
    _check(out, want)


def test_runs_on_the_current_stream(path):
    h = _rand((8, 64), numpy.complex64)
    s = gpuarray.cuda.Stream(non_blocking=True)
    with s:
        d = gpuarray.asarray(h) * 2          # queued on s
        y = gpuarray.fft.fft(d, axis=0)
        z = gpuarray.fft.irfft(y)
    s.synchronize()
    _check(y, numpy.fft.fft(h * 2, axis=0))
    _check(z, numpy.fft.irfft(numpy.fft.fft(h * 2, axis=0)))


def test_threads_have_their_own_plans(path):
    import threading
    h = _rand((4, 32), numpy.complex128)
    want = numpy.fft.fft(h)
    errors, caches = [], []

    def work():
        try:
            d = gpuarray.asarray(h)
            for _ in range(5):
                numpy.testing.assert_allclose(gpuarray.fft.fft(d).get(), want, atol=1e-10)
            caches.append(config.get_plan_cache())
        except Exception as e:      # noqa: BLE001 - reported below
            errors.append(e)

    ts = [threading.Thread(target=work) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
    assert len({id(c) for c in caches}) == 3
    if path == 'plans' or not ON_HOST:
        assert all(c.get_curr_size() == 1 for c in caches)


@pytest.mark.skipif(not ON_HOST, reason='uses the emulated plans of the host backend')
def test_evicted_plans_are_freed(monkeypatch):
    import gc
    import weakref
    monkeypatch.setattr(_transforms, 'FORCE_PLANS', True)
    refs = []

    def factory(*args):
        p = EmulatedPlan(*args)
        refs.append(weakref.ref(p))
        return p

    monkeypatch.setattr(_planned, 'make_plan', factory)
    cache = config.get_plan_cache()
    cache.clear()
    d = gpuarray.asarray(_rand(16, numpy.complex64))
    for n in range(3, 9):
        gpuarray.fft.fft(d, n=n)
    cache.set_size(2)
    gc.collect()
    assert sum(r() is not None for r in refs) == 2
    cache.set_size(16)
    cache.clear()
    gc.collect()
    assert all(r() is None for r in refs)


@pytest.mark.skipif(ON_HOST, reason='cuFFT plans exist on CUDA only')
def test_cufft_plans_are_cached_on_cuda():
    cache = config.get_plan_cache()
    cache.clear()
    d = gpuarray.asarray(_rand((4, 1000), numpy.complex64))
    gpuarray.fft.fft(d)
    gpuarray.fft.ifft(d)
    assert cache.get_curr_size() == 1
    gpuarray.fft.rfft(d.real.copy())
    gpuarray.fft.fft2(d)
    assert cache.get_curr_size() == 3
    plans = list(cache._plans.values())
    assert {p.fft_type for p in plans} == {'C2C', 'R2C'}
    assert cache.get_curr_memsize() == sum(p.work_size for p in plans)
    cache.show_info()
    cache.clear()
    assert cache.get_curr_size() == 0


@pytest.mark.skipif(not ON_HOST, reason='uses the emulated plans of the host backend')
def test_refused_strided_layout_falls_back_to_packed(monkeypatch):
    """Where cuFFT refuses a strided layout, the transform runs again on a
    packed copy (batches outermost, unit stride)."""
    monkeypatch.setattr(_transforms, 'FORCE_PLANS', True)
    tried = []

    def picky(*args):
        tried.append(args)
        if args[4] != 1:        # istride
            raise ValueError('cufftMakePlanMany64: CUFFT_INVALID_VALUE')
        return EmulatedPlan(*args)

    monkeypatch.setattr(_planned, 'make_plan', picky)
    config.get_plan_cache().clear()
    h = _rand((6, 5), numpy.complex64)
    out = gpuarray.empty((6, 5), dtype=numpy.complex64)
    _check(gpuarray.fft.fft(gpuarray.asarray(h), axis=0), numpy.fft.fft(h, axis=0))
    gpuarray.fft.fft(gpuarray.asarray(h), axis=0, out=out)
    _check(out, numpy.fft.fft(h, axis=0))
    assert tried[0][4] == 5 and tried[1][4] == 1
    config.get_plan_cache().clear()


def test_cufft_wheel_dirs_reach_the_search(tmp_path):
    """A site-packages directory holding NVIDIA wheels (nvidia/cufft/lib)
    is handed to the library search, which looks for nvidia/cufft/lib and
    nvidia/cu13/lib under it."""
    site = tmp_path / 'site'
    (site / 'nvidia' / 'cufft' / 'lib').mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site)] + [p for p in sys.path if p]))
    env.pop('GPUARRAY_NVRTC_SEARCH_PATH', None)
    r = subprocess.run([sys.executable, '-c', 'import os, gpuarray; '
                        'print(os.environ.get("GPUARRAY_NVRTC_SEARCH_PATH", ""))'],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert str(site) in r.stdout.strip().split(os.pathsep)


@pytest.mark.parametrize('n', [1009, 1 << 14, 3 * 5 * 7 * 11])
def test_long_prime_and_power_of_two_lengths(path, n):
    h = _rand((2, n), numpy.complex64)
    _check(gpuarray.fft.fft(gpuarray.asarray(h)), numpy.fft.fft(h))
    r = _rand(n, numpy.float64)
    _check(gpuarray.fft.irfft(gpuarray.fft.rfft(gpuarray.asarray(r)), n=n), r)


def test_numpy_dispatch_with_out(path):
    h = _rand((3, 8), numpy.complex128)
    out = gpuarray.empty((3, 8), dtype=numpy.complex128)
    r = numpy.fft.ifft(gpuarray.asarray(h), norm='ortho', out=out)
    assert r is out
    _check(out, numpy.fft.ifft(h, norm='ortho'))
