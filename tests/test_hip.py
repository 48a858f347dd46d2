"""The HIP backend, checked for real without an AMD GPU: Debian 12's ROCm
5.2 libraries load, every required entry point resolves, hiprtc compiles
gpuarray's kernels (and the test suite's) for real gfx targets, each code
object holds the kernel, its .kd descriptor and the .args layout gpuarray
computes, and asking for HIP where there is no AMD GPU says so by name.

Skipped, naming the Debian package, where libamdhip64 is not installed
(scripts/install_optional.sh hip installs it). What needs an AMD GPU
(module load, launches, copies, events, the pool) is not tested here:
docs/architecture.md lists it as never run."""

import glob
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import gpuarray
from gpuarray import hip
from gpuarray.hip import check

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INFO = hip.library_info()
needs_hip = pytest.mark.skipif(
    INFO['runtime_error'] is not None or INFO['hiprtc_error'] is not None,
    reason='needs the HIP runtime and hiprtc (Debian package libamdhip64-dev: '
           'scripts/install_optional.sh hip)')
READELF = shutil.which('llvm-readelf') or shutil.which('llvm-readelf-15') or \
    ('/usr/lib/llvm-15/bin/llvm-readelf' if os.path.exists('/usr/lib/llvm-15/bin/llvm-readelf')
     else None)

SAXPY = r'''
extern "C" __global__ void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
'''

#: Kernels of the test suite written to fail to compile (they test the
#: compile error): hiprtc must reject them too.
INVALID_ON_PURPOSE = {'test_rawkernel.py nothing', 'test_rawkernel.py f'}


def run_python(code, env_extra, timeout=120):
    env = dict(os.environ)
    env.update(env_extra)
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


# ------------------------------------------------------------- the libraries

@needs_hip
def test_every_required_runtime_and_hiprtc_symbol_resolves():
    # The loaders accept a library only when every HIP_REQ/HIPRTC_REQ entry
    # resolves; these counts are the .fn lists' lengths.
    assert INFO['runtime_required_symbols'] == 42
    assert INFO['hiprtc_symbols'] == 11
    assert INFO['runtime_version'] >= 50000000
    opt = INFO['runtime_optional_symbols']
    if INFO['runtime_version'] < 60000000:
        # ROCm 5.x: the stream-ordered pool is there, R0600 is not.
        assert opt['hipMallocAsync'] and opt['hipDeviceGetDefaultMemPool']
        assert not opt['hipGetDevicePropertiesR0600'] and opt['hipGetDeviceProperties']


def test_missing_hiprtc_raises_hip_unavailable_naming_the_library():
    r = run_python(
        'import gpuarray.hip as h\n'
        'try:\n'
        '    h.compile_for_target("extern \\"C\\" __global__ void k() {}", "k")\n'
        'except h.HIPUnavailableError as e:\n'
        '    assert isinstance(e, RuntimeError); print("MSG", e)\n',
        {'GPUARRAY_HIPRTC': '/nonexistent/libhiprtc.so.6'})
    assert r.returncode == 0, r.stderr
    assert 'MSG hiprtc' in r.stdout and 'GPUARRAY_HIPRTC' in r.stdout
    assert '/nonexistent/libhiprtc.so.6' in r.stdout and 'libamdhip64-dev' in r.stdout


def test_missing_runtime_names_where_it_looked():
    r = run_python('import gpuarray as g\ntry:\n    g.zeros(1)\nexcept Exception as e:\n'
                   '    print("MSG", e)\n',
                   {'GPUARRAY_BACKEND': 'hip', 'GPUARRAY_HIP': '/nonexistent/libamdhip64.so'})
    assert r.returncode == 0, r.stderr
    assert 'GPUARRAY_BACKEND=hip' in r.stdout and 'HIP runtime' in r.stdout
    assert '/nonexistent/libamdhip64.so' in r.stdout


# ------------------------------------------------------------------ selection

@needs_hip
def test_forcing_hip_without_an_amd_gpu_says_no_amd_gpu():
    r = run_python('import gpuarray as g\ntry:\n    g.zeros(1)\nexcept RuntimeError as e:\n'
                   '    print("MSG", e)\n', {'GPUARRAY_BACKEND': 'hip'})
    assert r.returncode == 0, r.stderr
    assert 'no AMD GPU' in r.stdout and 'hipErrorNoDevice' in r.stdout, r.stdout


@needs_hip
def test_auto_falls_back_to_host_and_reports_not_hip():
    r = run_python('import gpuarray as g, gpuarray.cuda.runtime as rt\n'
                   'print(g.get_backend(), rt.is_hip)', {'GPUARRAY_BACKEND': 'auto'})
    assert r.returncode == 0, r.stderr
    backend, is_hip = r.stdout.split()
    assert backend in ('host', 'cuda') and is_hip == 'False'


def test_unknown_backend_lists_hip():
    r = run_python('import gpuarray as g\ntry:\n    g.zeros(1)\nexcept Exception as e:\n'
                   '    print("MSG", e)\n', {'GPUARRAY_BACKEND': 'rocm'})
    assert "'hip'" in r.stdout, r.stdout


# ------------------------------------------------------------------ compiling

@needs_hip
@pytest.mark.parametrize('arch', ['gfx90a', 'gfx1030'])
def test_saxpy_code_object_holds_kernel_descriptor_and_layout(arch):
    image = hip.compile_for_target(SAXPY, 'saxpy', arch)
    assert image[:4] == b'\x7fELF' and image[18] == 224          # EM_AMDGPU
    info = hip.code_object_info(image)
    assert info['target'] == 'amdgcn-amd-amdhsa--' + arch
    (k,) = info['kernels']
    assert k['name'] == 'saxpy' and k['symbol'] == 'saxpy.kd' and k['has_descriptor']
    args = [(a['offset'], a['size']) for a in k['args'] if not a['value_kind'].startswith('hidden_')]
    assert args == [(0, 4), (4, 4), (8, 8), (16, 8)]
    assert args == [tuple(p) for p in gpuarray._core.kernel_param_layout(SAXPY, 'saxpy')]
    assert k['wavefront_size'] == (64 if arch == 'gfx90a' else 32)


@needs_hip
@pytest.mark.skipif(READELF is None, reason='needs llvm-readelf (Debian package llvm-15)')
def test_metadata_reader_agrees_with_llvm_readelf():
    # gpuarray reads the msgpack note itself; LLVM's reader is the reference.
    src = ('extern "C" __global__ void mixed(char c, double d, const short* p, int n, '
           'long long q) { __shared__ float s[96]; s[threadIdx.x % 96] = c + d + n + q; '
           '__syncthreads(); if (p) ((short*)p)[0] = (short)s[(threadIdx.x + 1) % 96]; }')
    image = hip.compile_for_target(src, 'mixed', 'gfx90a')
    path = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'gpuarray_test_mixed_%d.co' % os.getpid())
    with open(path, 'wb') as f:
        f.write(image)
    try:
        out = subprocess.run([READELF, '--notes', path], capture_output=True, text=True,
                             timeout=60).stdout
    finally:
        os.unlink(path)
    (k,) = hip.code_object_info(image)['kernels']
    offsets = [int(line.split()[-1]) for line in out.splitlines() if '.offset:' in line]
    sizes = [int(line.split()[-1]) for line in out.splitlines() if line.strip().startswith('.size:')]
    assert offsets == [a['offset'] for a in k['args']]
    assert sizes == [a['size'] for a in k['args']]
    lds = [int(l.split()[-1]) for l in out.splitlines() if '.group_segment_fixed_size:' in l]
    assert lds == [k['group_segment_fixed_size']] and lds[0] >= 96 * 4
    vgpr = [int(l.split()[-1]) for l in out.splitlines() if l.strip().startswith('.vgpr_count:')]
    assert vgpr == [k['vgpr_count']]
    assert [(a['offset'], a['size']) for a in k['args'] if not a['value_kind'].startswith('hidden')] \
        == [tuple(p) for p in gpuarray._core.kernel_param_layout(src, 'mixed')]


@needs_hip
def test_template_by_name_expression_and_cuda_sync_intrinsics():
    src = r'''
    template<typename T, int N> __global__ void scale(T* x, int n) {
        int i = blockIdx.x * blockDim.x + threadIdx.x;
        T v = i < n ? x[i] : T(0);
        for (int o = warpSize / 2; o > 0; o /= 2) v += __shfl_down_sync(0xffffffffu, v, o);
        __syncwarp();
        if (i < n) x[i] = v * N;
    }'''
    image = hip.compile_for_target(src, 'scale<float, 2>', 'gfx90a')
    names = [k['name'] for k in hip.code_object_info(image)['kernels']]
    assert names == ['_Z5scaleIfLi2EEvPT_i']


@needs_hip
def test_compile_error_carries_the_log_and_refused_targets_do_not_abort():
    from gpuarray.cuda.compiler import CompileException
    with pytest.raises(CompileException, match='undeclared identifier'):
        hip.compile_for_target('extern "C" __global__ void k() { oops; }', 'k', 'gfx90a')
    with pytest.raises(ValueError, match="no kernel 'missing'"):
        hip.compile_for_target(SAXPY, 'missing', 'gfx90a')
    with pytest.raises(ValueError, match='gfx'):
        hip.compile_for_target(SAXPY, 'saxpy', 'sm_90')
    if INFO['hiprtc_rocm_version'] < 60000000:
        for arch in hip.ROCM5_REFUSED_ARCHS:
            with pytest.raises(NotImplementedError, match='aborts'):
                hip.compile_for_target(SAXPY, 'saxpy', arch)


@needs_hip
def test_test_suite_kernels_compile_for_amd():
    kernels, seen = [], set()
    for path in sorted(glob.glob(os.path.join(HERE, 'test_*.py'))):
        for k in check.raw_kernels_in_file(path, os.path.basename(path) + ' '):
            if k['source'] not in seen:
                seen.add(k['source'])
                kernels.append(k)
    assert len(kernels) >= 10
    compiled = 0
    for k in kernels:
        if check.cuda_only_reason(k['source']):
            continue
        row = check.check_one(k, 'gfx90a', True)
        if k['label'] in INVALID_ON_PURPOSE:
            assert not row['ok'] and 'CompileException' in row['error'], k['label']
        else:
            assert row['ok'], (k['label'], row.get('error'))
            compiled += 1
    assert compiled >= 8


@needs_hip
def test_check_tool_compiles_every_generated_kernel(tmp_path):
    # A sample of the families (the whole tool runs in .ci/run); the disk
    # cache makes a second run fast.
    out = tmp_path / 'rows.json'
    r = subprocess.run([sys.executable, '-m', 'gpuarray.hip.check', '--arch', 'gfx90a,gfx1030',
                        '--families', 'float32,int64', '--cache', '--json', str(out)],
                       capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert {row['arch'] for row in rows['rows']} == {'gfx90a', 'gfx1030'}
    labels = {row['label'] for row in rows['rows']}
    for want in ('float32 ga_add', 'float32 ga_reduce_sum', 'int64 ga_floor_divide',
                 'user sample_elementwise', 'user ga_reduce_sample_l2norm', '03_saxpy saxpy'):
        assert want in labels
    assert all(row['ok'] for row in rows['rows'])
    assert [s['label'] for s in rows['skipped']] == ['08_inline_ptx double_it']
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith('%d kernels x 2 targets' % (len(rows['rows']) // 2)), last
    assert ' 0 failed' in last


def test_arch_numbers():
    assert hip.arch_number('gfx90a') == 0x90a and hip.arch_number('gfx1030:xnack-') == 0x1030
    assert hip.arch_name(0x90a) == 'gfx90a'
    for bad in ('sm_90', 'gfx', 'gfx90z', ''):
        with pytest.raises(ValueError):
            hip.arch_number(bad)
    with pytest.raises(TypeError):
        hip.arch_number(3.5)


def test_code_object_reader_rejects_what_is_not_one():
    for bad in (b'', b'\x7fELF' + bytes(60), b'not an elf at all' * 8, np.zeros(100, np.uint8)):
        with pytest.raises(ValueError):
            hip.code_object_info(bad)
