"""Compilation and the kernel cache (memory and disk): no GPU needed.

The compiler is the active backend's: NVRTC on CUDA (and where no backend
is usable), the system C++ compiler on the host backend. What only NVRTC
does (PTX and cubin output, C++-mangled lowered names, rejecting options it
does not know) is checked on CUDA only; the cache is checked on both.

Checks that depend on the cache directory run in a fresh interpreter with
GPUARRAY_CACHE_DIR set, since the directory is fixed at first use.
"""
import json
import os
import subprocess
import sys
import textwrap

import pytest

import gpuarray  # noqa: F401  (the package must import without a GPU)
from gpuarray.cuda import compiler
from gpuarray.cuda.compiler import CompileException

from conftest import BACKEND

SAXPY = r'''
extern "C" __global__
void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { y[i] = a * x[i] + y[i]; }
}
'''

TEMPLATE = r'''
template<typename T>
__global__ void scale(T* x, T a, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] *= a;
}
'''

# Line 3 holds the error.
BAD = 'extern "C" __global__\nvoid bad(int n) {\n    undefined_function(n);\n}\n'


def _compiler_usable():
    try:
        compiler.compile_with_cache(SAXPY, no_cache=True)
    except Exception as e:   # CUDAUnavailableError when the compiler is missing
        return str(e)
    return None


_COMPILER_PROBLEM = _compiler_usable()
pytestmark = pytest.mark.skipif(_COMPILER_PROBLEM is not None,
                                reason='no kernel compiler is usable here: {}'.format(
                                    _COMPILER_PROBLEM))
#: NVRTC compiles where the backend is CUDA, or where no backend is usable.
NVRTC = BACKEND != 'host'
nvrtc_only = pytest.mark.skipif(not NVRTC, reason='NVRTC output (PTX, cubin, its name '
                                'mangling and option checks): the host backend compiles with '
                                'the system C++ compiler')


def run_fresh(code, cache_dir, extra_env=None):
    """Run `code` in a new interpreter whose kernel cache is `cache_dir`;
    returns what it printed as JSON on its last line."""
    env = dict(os.environ)
    env['GPUARRAY_CACHE_DIR'] = str(cache_dir)
    env['PYTHONPATH'] = os.pathsep.join(p for p in sys.path if p)
    env.update(extra_env or {})
    prelude = textwrap.dedent('''
        import json, sys
        from gpuarray.cuda import compiler
        SAXPY = {!r}
        TEMPLATE = {!r}
    ''').format(SAXPY, TEMPLATE)
    proc = subprocess.run([sys.executable, '-c', prelude + textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cache_files(cache_dir):
    found = []
    for root, _, files in os.walk(str(cache_dir)):
        for f in files:
            found.append(os.path.join(root, f))
    return sorted(found)


# ------------------------------------------------------------------ program

@nvrtc_only
def test_program_carries_cubin_ptx_log_and_arch():
    prog = compiler.compile_with_cache(SAXPY, arch=90, no_cache=True)
    assert prog.arch == 90
    assert '.entry saxpy' in prog.ptx
    assert prog.cubin.startswith(b'\x7fELF')
    assert isinstance(prog.log, str)
    assert prog.cache_source == 'miss'


@pytest.mark.skipif(NVRTC, reason='the host backend only')
def test_host_program_is_a_shared_object_with_its_log():
    prog = compiler.compile_with_cache(SAXPY, no_cache=True)
    assert prog.image.startswith(b'\x7fELF')      # a shared object for this machine
    assert prog.cubin is None and prog.ptx is None
    assert isinstance(prog.log, str)
    assert prog.cache_source == 'miss'


@pytest.mark.parametrize('arch', [90, '90', 'sm_90', 'compute_90'])
def test_arch_forms(arch):
    assert compiler.compile_with_cache(SAXPY, arch=arch, no_cache=True).arch == 90


@pytest.mark.parametrize('arch', ['sm_x', -3, 0])
def test_bad_arch_is_value_error(arch):
    with pytest.raises(ValueError):
        compiler.compile_with_cache(SAXPY, arch=arch)


def test_name_expressions_give_lowered_names():
    prog = compiler.compile_with_cache(TEMPLATE, name_expressions=('scale<float>', 'scale<double>'),
                                       no_cache=True)
    low_f = prog.lowered_name('scale<float>')
    low_d = prog.lowered_name('scale<double>')
    assert isinstance(low_f, str) and low_f and low_f != low_d
    if NVRTC:   # C++ mangled names (the host backend's are its entry symbols)
        assert low_f.startswith('_Z') and low_d.startswith('_Z')
    assert prog.lowered_name('scale<int>') is None


# ------------------------------------------------------------------- errors

def test_compile_exception_carries_log_options_and_name():
    options = ('-DFOO=1', '--std=c++17')
    with pytest.raises(CompileException) as info:
        compiler.compile_with_cache(BAD, options=options, source_name='bad.cu', no_cache=True)
    e = info.value
    assert 'undefined_function' in e.log
    assert 'bad.cu(3)' in e.log or 'bad.cu:3:' in e.log   # the line (NVRTC's or g++'s form)
    assert e.options == options
    assert e.name == 'bad.cu'
    assert e.source == BAD
    assert 'undefined_function' in str(e)


def test_compile_exception_default_name_and_rawmodule():
    # A RawModule compiles for its ptx without a GPU too.
    mod = gpuarray.RawModule(code=BAD, options=('-DX=1',))
    with pytest.raises(CompileException) as info:
        mod.ptx
    assert info.value.options == ('-DX=1',)
    assert info.value.name
    assert 'undefined_function' in info.value.log


@nvrtc_only
def test_unknown_option_is_compile_exception():
    with pytest.raises(CompileException):
        compiler.compile_with_cache(SAXPY, options=('--definitely-not-an-nvrtc-option',),
                                    no_cache=True)


@pytest.mark.parametrize('options', [('-O3', 3), '-O3', (b'-O3',), 5, {'-O3': 1}])
def test_options_of_wrong_type_are_type_errors(options):
    with pytest.raises(TypeError):
        compiler.compile_with_cache(SAXPY, options=options)
    with pytest.raises(TypeError):
        gpuarray.RawKernel(SAXPY, 'saxpy', options=options)


def test_options_as_list_are_accepted():
    prog = compiler.compile_with_cache(SAXPY, options=['-DFOO=1'], no_cache=True)
    assert prog.image


def test_source_of_wrong_type_is_type_error():
    with pytest.raises(TypeError):
        compiler.compile_with_cache(b'__global__ void f() {}')


def test_cache_dir_must_be_the_active_one(tmp_path):
    with pytest.raises(ValueError):
        compiler.compile_with_cache(SAXPY, cache_dir=str(tmp_path / 'elsewhere'))
    prog = compiler.compile_with_cache(SAXPY, cache_dir=compiler.get_cache_dir())
    assert prog.image


# -------------------------------------------------------------------- cache

def test_memory_hit(tmp_path):
    r = run_fresh('''
        import time
        p1 = compiler.compile_with_cache(SAXPY)
        t = time.perf_counter()
        p2 = compiler.compile_with_cache(SAXPY)
        dt = time.perf_counter() - t
        print(json.dumps([p1.cache_source, p2.cache_source, p1.image == p2.image,
                          p1.ptx == p2.ptx, dt, compiler.get_cache_dir()]))
    ''', tmp_path)
    first, second, same_image, same_ptx, seconds, cache_dir = r
    assert (first, second) == ('miss', 'memory')
    assert same_image and same_ptx
    assert os.path.realpath(cache_dir) == os.path.realpath(str(tmp_path))
    print('memory hit: {:.1f} us'.format(seconds * 1e6))   # reported, never asserted


def test_disk_hit_after_clearing_memory(tmp_path):
    r = run_fresh('''
        p1 = compiler.compile_with_cache(SAXPY)
        compiler.clear_memory_cache()
        p2 = compiler.compile_with_cache(SAXPY)
        p3 = compiler.compile_with_cache(SAXPY)
        print(json.dumps([p1.cache_source, p2.cache_source, p3.cache_source,
                          p1.image == p2.image]))
    ''', tmp_path)
    assert r == ['miss', 'disk', 'memory', True]
    assert cache_files(tmp_path)


def test_disk_hit_in_a_new_process(tmp_path):
    code = '''
        p = compiler.compile_with_cache(SAXPY)
        print(json.dumps([p.cache_source, p.image.hex()]))
    '''
    first = run_fresh(code, tmp_path)
    second = run_fresh(code, tmp_path)
    assert first[0] == 'miss' and second[0] == 'disk'
    assert first[1] == second[1]


def test_corrupt_cache_file_is_recompiled_and_rewritten(tmp_path):
    code = '''
        p = compiler.compile_with_cache(SAXPY)
        print(json.dumps([p.cache_source, p.image[:4].hex()]))
    '''
    assert run_fresh(code, tmp_path)[0] == 'miss'
    files = cache_files(tmp_path)
    assert files
    garbage = b'not a cache entry' * 7
    for f in files:
        with open(f, 'wb') as fh:
            fh.write(garbage)
    source, magic = run_fresh(code, tmp_path)
    assert source == 'miss'
    assert magic == b'\x7fELF'.hex()
    rewritten = [f for f in cache_files(tmp_path) if open(f, 'rb').read() != garbage]
    assert rewritten, 'the corrupt entry was not rewritten'
    assert run_fresh(code, tmp_path)[0] == 'disk'


def test_truncated_cache_file_is_recompiled(tmp_path):
    code = '''
        p = compiler.compile_with_cache(SAXPY)
        print(json.dumps(p.cache_source))
    '''
    assert run_fresh(code, tmp_path) == 'miss'
    for f in cache_files(tmp_path):
        data = open(f, 'rb').read()
        with open(f, 'wb') as fh:
            fh.write(data[:len(data) // 2])
    assert run_fresh(code, tmp_path) == 'miss'
    assert run_fresh(code, tmp_path) == 'disk'


def test_different_inputs_are_different_entries(tmp_path):
    r = run_fresh('''
        variants = [
            dict(source=SAXPY),
            dict(source=SAXPY, options=('-DFOO=1',)),
            dict(source=SAXPY, options=('-DFOO=2',)),
            dict(source=SAXPY + '\\n// another source\\n'),
            dict(source=TEMPLATE, name_expressions=('scale<float>',)),
            dict(source=TEMPLATE, name_expressions=('scale<double>',)),
        ]
        import os
        def nfiles():
            return sum(len(f) for _, _, f in os.walk(compiler.get_cache_dir()))
        first, counts = [], []
        for v in variants:
            first.append(compiler.compile_with_cache(**v).cache_source)
            counts.append(nfiles())
        again = [compiler.compile_with_cache(**v).cache_source for v in variants]
        compiler.clear_memory_cache()
        disk = [compiler.compile_with_cache(**v).cache_source for v in variants]
        print(json.dumps([first, again, disk, counts]))
    ''', tmp_path)
    first, again, disk, counts = r
    assert first == ['miss'] * 6
    assert again == ['memory'] * 6
    assert disk == ['disk'] * 6
    assert all(b > a for a, b in zip(counts, counts[1:])), counts


# ------------------------------------------------------------- NVRTC search

def test_nvrtc_search_path_from_wheel_dirs(tmp_path):
    site = tmp_path / 'site'
    lib12 = site / 'nvidia' / 'cuda_nvrtc' / 'lib'
    lib13 = site / 'nvidia' / 'cu13' / 'lib'
    lib12.mkdir(parents=True)
    lib13.mkdir(parents=True)
    env = {'PYTHONPATH': os.pathsep.join([str(site)] + [p for p in sys.path if p])}
    code = '''
        import os
        print(json.dumps(os.environ.get('GPUARRAY_NVRTC_SEARCH_PATH', '')))
    '''
    old = os.environ.pop('GPUARRAY_NVRTC_SEARCH_PATH', None)
    try:
        found = run_fresh(code, tmp_path / 'cache', env).split(os.pathsep)
        assert str(lib12) in found and str(lib13) in found
        env['GPUARRAY_NVRTC_SEARCH_PATH'] = '/my/own/dir'
        assert run_fresh(code, tmp_path / 'cache', env) == '/my/own/dir'
    finally:
        if old is not None:
            os.environ['GPUARRAY_NVRTC_SEARCH_PATH'] = old
