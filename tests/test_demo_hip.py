"""The demo table's HIP column (scripts/demo_hip.py): which kernels of each
example it compiles, and what its cells say. gpuarray.hip.compile_for_target
is replaced here by test doubles passed in, since the HIP backend (its own
issue) may not exist in this tree and no AMD GPU is lent anywhere: the
success path is checked on the doubles' output, not on a real code object."""
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("demo_hip", os.path.join(ROOT, "scripts", "demo_hip.py"))
demo_hip = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(demo_hip)


class FakeUnavailable(RuntimeError):
    """Stands in for gpuarray.hip.HIPUnavailableError."""


def fake_compile(source, name, arch="gfx90a", options=()):
    """A double of compile_for_target: a 'code object' whose size depends on
    the kernel, so that the cell's numbers can be checked."""
    assert name in source and arch == "gfx90a" and tuple(options) == ()
    return b"\x7fELF" + bytes(len(source) + len(name))


def _script(name):
    with open(os.path.join(ROOT, "examples", name, "gpuarray_version.py"), encoding="utf-8") as f:
        return f.read()


def test_kernels_are_found_in_each_example():
    found = {n: [k for k, _ in demo_hip.kernels_in(_script(n))]
             for n in ("03_saxpy", "04_streams", "05_event_timing", "09_wgpu", "10_spirv")}
    assert found == {"03_saxpy": ["saxpy"], "04_streams": ["linear"], "05_event_timing": ["saxpy", "empty"],
                     "09_wgpu": ["double_it", "matmul"], "10_spirv": ["main_cs"]}
    for name, src in demo_hip.kernels_in(_script("09_wgpu")):
        assert f"void {name}(" in src


def test_compiled_cell_gives_the_size_and_target():
    kernels = demo_hip.kernels_in(_script("10_spirv"))
    size = len(fake_compile(kernels[0][1], "main_cs"))
    cell, detail = demo_hip.hip_cell("10_spirv", kernels, fake_compile)
    assert cell == detail == f"compiled, not run: no AMD GPU ({size} bytes, gfx90a)"
    cell, _ = demo_hip.hip_cell("09_wgpu", demo_hip.kernels_in(_script("09_wgpu")), fake_compile)
    assert cell.startswith("compiled, not run: no AMD GPU (double_it ") and "matmul" in cell
    assert cell.endswith(", gfx90a)")


def test_cell_when_the_backend_is_absent_or_unavailable():
    kernels = demo_hip.kernels_in(_script("03_saxpy"))
    cell, detail = demo_hip.hip_cell("03_saxpy", kernels, None, why_not_built="No module named 'gpuarray.hip'")
    assert cell == "HIP backend not built" and "gpuarray.hip" in detail

    def missing(source, name, arch="gfx90a", options=()):
        raise FakeUnavailable("libamdhip64.so: cannot open shared object file")
    cell, detail = demo_hip.hip_cell("03_saxpy", kernels, missing, FakeUnavailable)
    assert cell == "HIP unavailable" and "libamdhip64.so" in detail


def test_cell_when_compiling_fails_or_returns_nothing():
    kernels = demo_hip.kernels_in(_script("03_saxpy"))

    def broken(source, name, arch="gfx90a", options=()):
        raise ValueError("error: unknown type name 'flaot'")
    cell, detail = demo_hip.hip_cell("03_saxpy", kernels, broken, FakeUnavailable)
    assert cell == "FAILED" and "flaot" in detail and "saxpy" in detail
    cell, detail = demo_hip.hip_cell("03_saxpy", kernels, lambda *a, **k: b"", FakeUnavailable)
    assert cell == "FAILED"


@pytest.mark.parametrize("name", ["01_device_info", "02_memory", "06_transfer_cost", "07_ptx", "08_inline_ptx"])
def test_examples_without_a_cuda_c_kernel_are_na(name):
    cell, detail = demo_hip.hip_cell(name, demo_hip.kernels_in(_script(name)), fake_compile)
    assert cell == "n/a" and detail.startswith("n/a: ")


def test_column_covers_every_example():
    names = sorted(d for d in os.listdir(os.path.join(ROOT, "examples")) if d[:2].isdigit())
    col = demo_hip.column(names, fake_compile, FakeUnavailable)
    assert set(col) == set(names)
    assert col["03_saxpy"][0].startswith("compiled, not run: no AMD GPU (")
