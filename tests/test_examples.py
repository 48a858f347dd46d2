"""The textbook's examples (examples/NN_name/): the C version and the
gpuarray version of each run on whatever backend is here, print the results
NumPy expects, and agree with each other; the CuPy versions are the gpuarray
versions with only the import changed. Skipped, saying why, where gpuarray
has no backend, and for the PTX examples on a backend that cannot run PTX."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import gpuarray

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
LIB = os.path.join(ROOT, "build", "libgpuarray.so")
NAMES = sorted(d for d in os.listdir(EXAMPLES) if re.match(r"\d\d_", d))
PTX_EXAMPLES = {"07_ptx", "08_inline_ptx"}
#: cupy_version.py is gpuarray_version.py with `import cupy as cp` (and its
#: own opening comment) in these; the others differ for a reason they state.
SAME_AS_CUPY = ["02_memory", "03_saxpy", "04_streams", "05_event_timing", "06_transfer_cost",
                "09_wgpu", "10_spirv"]

_CONFIG = gpuarray._core.config()
BACKEND = _CONFIG["backend"] if _CONFIG["available"] else None


def _linear(x, w, b, relu):
    y = x.astype(np.float64) @ w.T.astype(np.float64) + b
    return np.maximum(y, 0) if relu else y


def _streams_expected():
    """The two models of 04_streams, computed by NumPy in float64."""
    r, k = np.indices((512, 256))
    x1, x2 = (7 * r + k * k) % 11 - 5, (r * r + 3 * k) % 13 - 6
    o, k = np.indices((128, 256))
    w1, b1 = (o * k + o) % 7 - 3, np.arange(128) % 5 - 2
    o, k = np.indices((64, 256))
    w2, b2 = (o + k * k) % 5 - 2, np.arange(64) % 3 - 1
    y1, y2 = _linear(x1, w1, b1, False), _linear(x2, w2, b2, True)
    return {"model1_sum": y1.sum(), "model2_sum": y2.sum(), "model1_y0": y1[0, 0],
            "model2_max": y2.max()}


def _expected(name):
    """What every version of example `name` must print, from NumPy."""
    saxpy = 2.0 * np.ones(1000000) + 3.0
    if name == "02_memory":
        data = np.arange(1000, dtype=np.float32)
        return {"output_len": 1000, "output_sum": 0.0, "data_sum": data.sum(dtype=np.float64),
                "data_last": data[-1], "data_equal": 1}
    if name in ("03_saxpy", "05_event_timing", "07_ptx"):
        return {"y0": saxpy[0], "y_sum": saxpy.sum()}
    if name == "04_streams":
        return _streams_expected()
    if name == "06_transfer_cost":
        return {"pageable_equal": 1, "pinned_equal": 1, "bytes": 100000000}
    if name == "08_inline_ptx":
        data = (np.arange(1000000) % 1000).astype(np.float32) * 2
        return {"data999": data[999], "data_sum": data.sum(dtype=np.float64)}
    if name in ("09_wgpu", "10_spirv"):
        x, big = np.arange(1000, dtype=np.float32), np.arange(BIG_N, dtype=np.float32)
        f = (lambda v: v * np.float32(2)) if name == "09_wgpu" else (lambda v: v * np.float32(2) + np.float32(1))
        key = "double" if name == "09_wgpu" else "out"
        out = {f"{key}_last": f(x)[-1], f"{key}_sum": f(x).sum(dtype=np.float64),
               "big_n": big.size, "big_last": f(big)[-1], "big_mismatches": 0}
        if name == "09_wgpu":
            c = x + np.float32(2) * x
            out.update(add_last=c[-1], add_sum=c.sum(dtype=np.float64))
        return out
    return {}


def _results(out):
    return dict(re.findall(r"^result:\s*(\w+)=(.*?)\s*$", out, re.M))


def _same(a, b):
    try:
        return np.isclose(float(a), float(b), rtol=1e-6, atol=1e-9)
    except (TypeError, ValueError):
        return str(a) == str(b)


#: The second size of examples 09 and 10 (16,776,960 floats in the demo):
#: smaller here, so that their six versions stay fast on a CPU.
BIG_N = 1024 * 256


def _run(cmd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (ROOT, os.environ.get("PYTHONPATH")) if p), EXAMPLE_BIG_N=str(BIG_N))
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    return r.returncode, r.stdout + r.stderr


@pytest.fixture(scope="module")
def c_programs(tmp_path_factory):
    """The C versions, compiled against build/libgpuarray.so."""
    if not os.path.exists(LIB):
        pytest.skip("build/libgpuarray.so is not built (make build)")
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip(f"no C compiler ({cc})")
    out = tmp_path_factory.mktemp("examples")
    progs = {}
    for name in NAMES:
        exe = str(out / name)
        rc, log = _run([cc, "-O2", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter",
                        "-I" + os.path.join(ROOT, "csrc", "include"), "-o", exe,
                        os.path.join(EXAMPLES, name, "c_version.c"), "-L" + os.path.dirname(LIB),
                        "-lgpuarray", "-Wl,-rpath," + os.path.dirname(LIB), "-pthread", "-ldl"])
        progs[name] = (exe, None) if rc == 0 else (None, log)
    return progs


def test_every_example_has_a_c_and_a_gpuarray_version():
    assert NAMES == ["01_device_info", "02_memory", "03_saxpy", "04_streams", "05_event_timing",
                     "06_transfer_cost", "07_ptx", "08_inline_ptx", "09_wgpu", "10_spirv"]
    for name in NAMES:
        for f in ("c_version.c", "gpuarray_version.py"):
            assert os.path.exists(os.path.join(EXAMPLES, name, f)), (name, f)


@pytest.mark.parametrize("name", SAME_AS_CUPY)
def test_cupy_version_is_the_gpuarray_version_with_another_import(name):
    def code(path, module):
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[0].startswith("#"):
            lines.pop(0)   # the opening comment says which library
        return [ln for ln in lines if ln != f"import {module} as cp"]

    here = os.path.join(EXAMPLES, name)
    assert code(os.path.join(here, "cupy_version.py"), "cupy") == \
        code(os.path.join(here, "gpuarray_version.py"), "gpuarray")


def test_handwritten_ptx_assembles():
    ptxas = shutil.which("ptxas") or shutil.which("ptxas", path="/usr/local/cuda/bin")
    if ptxas is None:
        pytest.skip("ptxas (CUDA toolkit) is not installed")
    r = subprocess.run([ptxas, "-arch=sm_90", os.path.join(EXAMPLES, "07_ptx", "saxpy.ptx"),
                        "-o", os.devnull], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("name", NAMES)
def test_c_and_gpuarray_versions_agree(name, c_programs):
    if BACKEND is None:
        pytest.skip("gpuarray has no backend here: " + _CONFIG["unavailable_reason"])
    if name in PTX_EXAMPLES and BACKEND != "cuda":
        pytest.skip(f"the {BACKEND} backend cannot run PTX (only the CUDA driver compiles it)")
    exe, log = c_programs[name]
    assert exe, f"c_version.c did not compile:\n{log}"

    outputs = {}
    for version, cmd in (("C", [exe]),
                         ("gpuarray", [sys.executable, os.path.join(EXAMPLES, name, "gpuarray_version.py")])):
        rc, out = _run(cmd)
        assert rc == 0, f"{version} version of {name} exited with {rc}:\n{out}"
        outputs[version] = _results(out)
        assert outputs[version], f"{version} version of {name} printed no result lines:\n{out}"

    expected = _expected(name)
    for version, results in outputs.items():
        for key, value in expected.items():
            assert key in results and _same(results[key], value), \
                f"{version} version of {name}: {key}={results.get(key)}, expected {value}"
    c, py = outputs["C"], outputs["gpuarray"]
    assert set(c) == set(py), f"{name}: the versions print different keys: {sorted(c)} vs {sorted(py)}"
    for key in c:
        assert _same(c[key], py[key]), f"{name}: {key}: C says {c[key]}, gpuarray says {py[key]}"
    if name == "01_device_info":
        assert int(c["count"]) >= 1 and c["name"]


# --------------------------------------------------- the wgpu and Vulkan versions
# examples/09_wgpu and 10_spirv also run through wgpu-py, wgpu-native's C API
# and plain Vulkan. Each test skips, naming the package, where wgpu (PyPI),
# a Vulkan or OpenGL driver (Debian mesa-vulkan-drivers, libvulkan1),
# glslangValidator (Debian glslang-tools) or vulkan.h (Debian libvulkan-dev)
# is missing; scripts/install_optional.sh (group wgpu) installs the Debian ones.

def _needs_wgpu():
    try:
        import wgpu
    except ImportError:
        pytest.skip("wgpu is not installed (PyPI package wgpu==0.32.0; `make demo` installs it)")
    return wgpu


@pytest.fixture(scope="module")
def spirv_module(tmp_path_factory):
    """examples/10_spirv/shader.comp compiled to SPIR-V as the Makefile does."""
    glslang = shutil.which("glslangValidator")
    if glslang is None:
        pytest.skip("glslangValidator is not installed (Debian package glslang-tools)")
    spv = str(tmp_path_factory.mktemp("spirv") / "shader.spv")
    rc, log = _run([glslang, "-V", "--target-env", "vulkan1.2", "-e", "main_cs", "--source-entrypoint", "main",
                    "-o", spv, os.path.join(EXAMPLES, "10_spirv", "shader.comp")])
    assert rc == 0, log
    return spv


def test_spirv_module_is_valid_for_vulkan_1_2(spirv_module):
    val = shutil.which("spirv-val")
    if val is None:
        pytest.skip("spirv-val is not installed (Debian package spirv-tools)")
    rc, log = _run([val, "--target-env", "vulkan1.2", spirv_module])
    assert rc == 0, log


def _compile(tmp_path, src, name, flags):
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip(f"no C compiler ({cc})")
    exe = str(tmp_path / name)
    rc, log = _run([cc, "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
                    "-o", exe, src] + flags)
    assert rc == 0, log
    return exe


def _check_version(name, cmd):
    rc, out = _run(cmd)
    skipped = re.search(r"^skipped:\s*(.*)$", out, re.M)
    if rc == 77 and skipped:
        pytest.skip(skipped.group(1))
    assert rc == 0, f"{' '.join(cmd)} exited with {rc}:\n{out}"
    results = _results(out)
    for key, value in _expected(name).items():
        assert key in results and _same(results[key], value), \
            f"{name}: {key}={results.get(key)}, expected {value}:\n{out}"
    assert re.search(r"^(adapter|device): .+ \(type \w+", out, re.M), out   # says what it ran on


@pytest.mark.parametrize("name", ["09_wgpu", "10_spirv"])
def test_wgpu_py_version(name, request):
    _needs_wgpu()
    cmd = [sys.executable, os.path.join(EXAMPLES, name, "wgpu_version.py")]
    if name == "10_spirv":
        cmd.append(request.getfixturevalue("spirv_module"))
    _check_version(name, cmd)


@pytest.mark.parametrize("name", ["09_wgpu", "10_spirv"])
def test_wgpu_native_c_version(name, tmp_path, request):
    wgpu = _needs_wgpu()
    res = os.path.join(os.path.dirname(wgpu.__file__), "resources")
    if not os.path.exists(os.path.join(res, "webgpu.h")):
        pytest.skip(f"the wgpu wheel at {res} ships no webgpu.h (PyPI package wgpu==0.32.0 does)")
    exe = _compile(tmp_path, os.path.join(EXAMPLES, "09_wgpu", "wgpu_native.c"), "wgpu_native",
                   ["-I" + res, "-L" + res, "-l:libwgpu_native-release.so", "-Wl,-rpath," + res])
    cmd = [exe] if name == "09_wgpu" else [exe, "--spirv", request.getfixturevalue("spirv_module")]
    _check_version(name, cmd)


def test_vulkan_c_version(tmp_path, spirv_module):
    cc = os.environ.get("CC", "cc")
    r = subprocess.run([cc, "-E", "-x", "c", "-"], input="#include <vulkan/vulkan.h>\n", capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.skip("vulkan/vulkan.h is not installed (Debian package libvulkan-dev)")
    exe = _compile(tmp_path, os.path.join(EXAMPLES, "10_spirv", "vulkan_version.c"), "vulkan_version",
                   ["-lvulkan"])
    _check_version("10_spirv", [exe, spirv_module])


def test_wgpu_version_says_what_is_missing_without_an_adapter(tmp_path):
    """With no Vulkan or OpenGL driver to be found, wgpu_version.py exits 77
    and names the Debian packages, rather than failing."""
    _needs_wgpu()
    empty = tmp_path / "icd.json"
    env = dict(os.environ, VK_ICD_FILENAMES=str(empty), VK_DRIVER_FILES=str(empty),
               WGPU_BACKEND_TYPE="Vulkan")
    r = subprocess.run([sys.executable, os.path.join(EXAMPLES, "09_wgpu", "wgpu_version.py")],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 77, r.stdout + r.stderr
    assert "mesa-vulkan-drivers" in r.stdout
