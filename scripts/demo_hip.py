#!/usr/bin/env python3
"""demo_hip.py - the demo table's HIP column: each example's CUDA C kernels
(the `RawKernel(r'''...''', 'name')` of its gpuarray_version.py) compiled
for an AMD target through gpuarray's HIP backend,

    gpuarray.hip.compile_for_target(source, name, arch='gfx90a', options=())
        -> bytes (an AMD code object); raises gpuarray.hip.HIPUnavailableError
           (a RuntimeError) naming the library that is missing

and never run: no AMD GPU is lent. A cell says one of

    HIP backend not built                       gpuarray.hip or the function is absent
    HIP unavailable: <what is missing>          HIPUnavailableError
    compiled, not run: no AMD GPU (N bytes, gfx90a)
    n/a: <why>                                  no kernel, or PTX (NVIDIA's alone)
    FAILED: <error>                             any other exception

scripts/demo.py runs this file as a child process (`python demo_hip.py`
prints {example: [cell, detail]} as JSON), so that loading the HIP
libraries cannot disturb the demo itself.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCH = "gfx90a"

#: Examples whose HIP cell cannot hold a code object, and why.
HIP_NA = {
    "01_device_info": "n/a: no kernel (device queries only)",
    "02_memory": "n/a: no kernel (memory operations only)",
    "06_transfer_cost": "n/a: no kernel (transfers only)",
    "07_ptx": "n/a: PTX is NVIDIA's virtual ISA; HIP compiles CUDA C, not PTX",
    "08_inline_ptx": "n/a: inline PTX asm is NVIDIA's; an AMD target has no PTX",
}

_KERNEL = re.compile(r"RawKernel\(\s*r?(?P<q>'''|\"\"\"|'|\")(?P<src>.*?)(?P=q)\s*,\s*['\"](?P<name>\w+)['\"]",
                     re.S)


def kernels_in(script_text):
    """[(name, CUDA C source)] of the RawKernel(...) literals of a script."""
    return [(m.group("name"), m.group("src")) for m in _KERNEL.finditer(script_text)]


def find_backend():
    """(compile_for_target, HIPUnavailableError) of gpuarray.hip, or (None,
    why) where the HIP backend is not built."""
    try:
        import gpuarray.hip as hip
    except ImportError as e:
        return None, f"gpuarray.hip is not importable ({e})"
    fn = getattr(hip, "compile_for_target", None)
    if fn is None:
        return None, "gpuarray.hip has no compile_for_target"
    return fn, getattr(hip, "HIPUnavailableError", RuntimeError)


def hip_cell(example, kernels, compile_fn, unavailable=RuntimeError, arch=ARCH, why_not_built=""):
    """(cell, detail) of one example: `kernels` as kernels_in returns them,
    `compile_fn` gpuarray.hip.compile_for_target or None (not built, then
    `why_not_built` says why), `unavailable` the exception that says the HIP
    libraries are missing."""
    if example in HIP_NA:
        return "n/a", HIP_NA[example]
    if not kernels:
        return "n/a", "n/a: no CUDA C kernel in gpuarray_version.py"
    if compile_fn is None:
        return "HIP backend not built", "HIP backend not built: " + (
            why_not_built or "gpuarray has no gpuarray.hip.compile_for_target")
    sizes = []
    for name, source in kernels:
        try:
            code = compile_fn(source, name, arch=arch, options=())
        except unavailable as e:
            return "HIP unavailable", f"HIP unavailable: {e}"
        except Exception as e:  # a compile error is the example's failure, shown in its cell
            return "FAILED", f"FAILED: compiling {name} for {arch}: {type(e).__name__}: {e}"
        if not isinstance(code, (bytes, bytearray)) or not code:
            return "FAILED", f"FAILED: compile_for_target({name!r}) returned {type(code).__name__}, not a code object"
        sizes.append((name, len(code)))
    if len(sizes) == 1:
        what = f"{sizes[0][1]} bytes, {arch}"
    else:
        what = ", ".join(f"{name} {n} bytes" for name, n in sizes) + f", {arch}"
    cell = f"compiled, not run: no AMD GPU ({what})"
    return cell, cell


def column(examples, compile_fn=None, unavailable=RuntimeError, arch=ARCH, why_not_built=""):
    """{example: (cell, detail)} for the example folders named."""
    out = {}
    for name in examples:
        path = os.path.join(ROOT, "examples", name, "gpuarray_version.py")
        text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        out[name] = hip_cell(name, kernels_in(text), compile_fn, unavailable, arch, why_not_built)
    return out


def main():
    names = sys.argv[1:] or sorted(d for d in os.listdir(os.path.join(ROOT, "examples")) if re.match(r"\d\d_", d))
    fn, unavailable = find_backend()
    if fn is None:
        print(json.dumps(column(names, why_not_built=unavailable)))
    else:
        print(json.dumps(column(names, fn, unavailable)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
