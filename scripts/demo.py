#!/usr/bin/env python3
"""demo.py - what `make demo` runs: every example of the textbook chapter
(examples/NN_name/) in every version this machine can run, a check that the
versions agree, ONE table (example x version -> agreed?, time), a table of
transfer bandwidths, and a PNG chart of the timings.

    build/examples/NN_name                 c_version.c on gpuarray's C API
    examples/NN_name/gpuarray_version.py   CuPy code with `import gpuarray as cp`
    examples/NN_name/cupy_version.py       the same on CuPy (where CuPy and a GPU exist)
    examples/NN_name/torch_version.py      the same in PyTorch (where PyTorch and a GPU exist)
    examples/NN_name/wgpu_version.py       wgpu-py: WGSL (09) or SPIR-V (10) (where wgpu and an adapter exist)
    build/wgpu/wgpu_native [--spirv F]     examples/09_wgpu/wgpu_native.c on wgpu-native's C API
    build/wgpu/vulkan_version F            examples/10_spirv/vulkan_version.c, plain Vulkan
    HIP                                    each example's kernels compiled for gfx90a (scripts/demo_hip.py)

Every version prints `result: key=value` lines (compared with the expected
values and across versions: same numbers, same device name) and `time:
key=value unit` lines (shown, never compared). A version that cannot run
says why in its cell: no backend, no GPU, not installed, or a version that
cannot exist (PyTorch loads no PTX). CuPy's saxpy with a Python float `a`
gives 3.0, not 5.0 (CuPy passes a double to `float a`): its cell says so.

The chart (launch overhead, transfer bandwidth, saxpy time across C,
gpuarray, CuPy and PyTorch; examples 09 and 10 on 16,776,960 floats across
CUDA C and wgpu/Vulkan) needs matplotlib, which `make demo` installs
(scripts/demo_deps.py); without it the demo says so and writes no chart. It goes to $OUT when set, else build/demo/, with the
table as demo_table.md beside it.

Exit status: 1 when a gpuarray version (C or Python) failed or disagreed on
a machine where gpuarray has a backend; else 0.
"""
import ctypes
import importlib.util
import json
import math
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p))
TIMEOUT = int(os.environ.get("DEMO_TIMEOUT", "120"))
if not os.environ.get("XDG_RUNTIME_DIR"):
    # Mesa's Vulkan and EGL warn on every start without one (a 0700 directory).
    import tempfile
    ENV["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="gpuarray-demo-xdg-")

# folder, table label, the time shown in the table (a `time:` key)
EXAMPLES = [
    ("01_device_info", "1 device info (7.1)", None),
    ("02_memory", "2 memory ops (7.1)", "roundtrip_ms"),
    ("03_saxpy", "3 saxpy (7.1)", "saxpy_ms"),
    ("04_streams", "4 two streams (7.2)", "streams_ms"),
    ("05_event_timing", "5 event timing (7.2)", "kernel_ms"),
    ("06_transfer_cost", "6 100 MB transfers (7.1)", "htod_pinned"),
    ("07_ptx", "7 hand-written PTX (7.5)", "saxpy_ms"),
    ("08_inline_ptx", "8 inline PTX asm (7.5)", "kernel_ms"),
    ("09_wgpu", "9 WGSL x * 2, a + b (7.3)", "big_ms"),
    ("10_spirv", "10 SPIR-V x * 2 + 1 (7.4)", "big_ms"),
]
VERSIONS = ["C", "gpuarray", "CuPy", "PyTorch", "wgpu-py", "wgpu-native C", "Vulkan C"]
SCRIPT = {"gpuarray": "gpuarray_version.py", "CuPy": "cupy_version.py", "PyTorch": "torch_version.py",
          "wgpu-py": "wgpu_version.py"}
# The wgpu and Vulkan versions (examples 09 and 10 only): the programs the
# Makefile's wgpu-examples rules build, with their arguments.
WGPU_BUILD = os.path.join(BUILD, "wgpu")
SPIRV = os.path.join(WGPU_BUILD, "shader.spv")
WGPU_PROGRAMS = {
    ("09_wgpu", "wgpu-native C"): [os.path.join(WGPU_BUILD, "wgpu_native")],
    ("10_spirv", "wgpu-native C"): [os.path.join(WGPU_BUILD, "wgpu_native"), "--spirv", SPIRV],
    ("10_spirv", "Vulkan C"): [os.path.join(WGPU_BUILD, "vulkan_version"), SPIRV],
}
WGPU_VERSIONS = ("wgpu-py", "wgpu-native C", "Vulkan C")
WGPU_EXAMPLES = ("09_wgpu", "10_spirv")
# What each wgpu/Vulkan program needs to be built, named in its cell.
WGPU_NEEDS = {"wgpu_native": "the wgpu wheel's webgpu.h and library (PyPI wgpu==0.32.0)",
              "vulkan_version": "vulkan/vulkan.h and libvulkan (Debian libvulkan-dev)"}

# Why a version does not exist, where the chapter's subject rules it out.
NO_VERSION = {
    ("07_ptx", "PyTorch"): "PyTorch has no API to load a PTX module",
    ("08_inline_ptx", "PyTorch"): "PyTorch has no raw-kernel API to run a CUDA C kernel with "
                                  "inline asm (short of building a C++ extension with nvcc)",
    ("09_wgpu", "PyTorch"): "PyTorch has no raw-kernel API to run the CUDA C twin (short of a C++ "
                            "extension built with nvcc)",
    ("10_spirv", "PyTorch"): "PyTorch has no raw-kernel API to run the CUDA C twin (short of a C++ "
                             "extension built with nvcc)",
    ("09_wgpu", "Vulkan C"): "Vulkan takes SPIR-V, and nothing here compiles WGSL to SPIR-V (no naga "
                             "CLI is packaged); 10_spirv runs SPIR-V through Vulkan",
}
for _name, _, _ in EXAMPLES:
    if _name not in WGPU_EXAMPLES:
        for _v in WGPU_VERSIONS:
            NO_VERSION[_name, _v] = "the chapter has no wgpu or Vulkan version of this example"
# What the chapter says of examples 09 and 10 that their cells cannot: shown
# under the table.
CHAPTER_NOTES = [
    "9 (7.3): the chapter's WGSL shader has no bounds check: 4 workgroups of 256 are 1024 invocations for "
    "1000 elements, harmless only because WebGPU keeps out-of-range accesses inside the buffer; its Rust "
    "code never reads the result back (it ends at device.poll) and uses a `bind_group` it never creates; "
    "its WGSL `a + b` kernel is named `matmul`. A 1-D dispatch is limited to 65535 workgroups: with "
    "workgroup_size 256, n <= 16,776,960, the size timed here (2**24 fails validation).",
    "10 (7.4): the chapter's Rust-GPU shader (examples/10_spirv/rust_gpu_shader.rs) is not built: rust-gpu "
    "needs a pinned nightly toolchain with rustc-dev and the spirv-std crate, which cannot be fetched here, "
    "and `cargo build --target spirv-unknown-vulkan1.2` fails with \"could not find specification for "
    "target\". Its `id: Vec3` should be `UVec3` (global_invocation_id is u32). The SPIR-V that runs comes "
    "from GLSL (shader.comp, glslangValidator), not from Rust.",
]
# Disagreements that are right, and why.
KNOWN = {
    ("03_saxpy", "CuPy"): "CuPy's known bug: the Python float a = 2.0 is passed as a double "
                          "to the kernel's `float a`, which reads 0.0",
}
# The values every version must print (the arithmetic of the examples).
EXPECTED = {
    "02_memory": {"output_len": 1000, "output_sum": 0.0, "data_sum": 499500.0,
                  "data_last": 999.0, "data_equal": 1},
    "03_saxpy": {"y0": 5.0, "y_sum": 5000000.0},
    "04_streams": {"model1_sum": 23059.0, "model2_sum": 171160.0, "model1_y0": 787.0,
                   "model2_max": 23.0},
    "05_event_timing": {"y0": 5.0, "y_sum": 5000000.0},
    "06_transfer_cost": {"pageable_equal": 1, "pinned_equal": 1, "bytes": 100000000},
    "07_ptx": {"y0": 5.0, "y_sum": 5000000.0},
    "08_inline_ptx": {"data999": 1998.0, "data_sum": 999000000.0},
    "09_wgpu": {"double_last": 1998.0, "double_sum": 999000.0, "add_last": 2997.0, "add_sum": 1498500.0,
                "big_n": 16776960, "big_mismatches": 0},
    "10_spirv": {"out_last": 1999.0, "out_sum": 1000000.0, "big_n": 16776960, "big_mismatches": 0},
}


# ------------------------------------------------------------------ probes

def cuda_probe():
    """(device count, why none) asked of the CUDA driver directly."""
    path = os.environ.get("GPUARRAY_LIBCUDA", "libcuda.so.1")
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        return 0, f"no CUDA driver ({path}: {e})"
    r = lib.cuInit(0)
    if r != 0:
        name = ctypes.c_char_p()
        lib.cuGetErrorName(r, ctypes.byref(name))
        return 0, f"cuInit failed: {(name.value or b'?').decode()}"
    n = ctypes.c_int(0)
    lib.cuDeviceGetCount(ctypes.byref(n))
    return (n.value, "") if n.value else (0, "the CUDA driver reports no device")


def gpuarray_probe():
    """(backend name or None, why none), asked in a child process so that
    this one holds no context while the examples run."""
    code = ("import json, gpuarray; c = gpuarray._core.config(); "
            "print(json.dumps([c['backend'] if c['available'] else None, c['unavailable_reason']]))")
    rc, out = run([sys.executable, "-c", code])
    try:
        backend, why = json.loads(out.strip().splitlines()[-1])
        return backend, why or ""
    except (ValueError, IndexError):
        return None, f"import gpuarray failed: {last_line(out)}"


def versions():
    """'numpy 2.x, cupy 13.x, ...' of what is installed, without importing it."""
    from importlib import metadata
    dists = metadata.packages_distributions()
    out = []
    for module in ("numpy", "cupy", "torch", "matplotlib", "wgpu"):
        found = [f"{module} {metadata.version(d)}" for d in dists.get(module, [])[:1]]
        out.append(found[0] if found else f"{module} not installed")
    return ", ".join(out)


def run(cmd):
    """(exit code, stdout + stderr) with a time limit."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT, env=ENV)
        return r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {TIMEOUT} s"
    except OSError as e:
        return 126, str(e)


def last_line(text):
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "(no output)"


def build_c(name):
    """Path of the C version's program, compiled here (as the Makefile does)
    when make did not build it; (None, why) when it cannot be."""
    exe = os.path.join(BUILD, "examples", name)
    src = os.path.join(ROOT, "examples", name, "c_version.c")
    if os.path.exists(exe) and os.path.getmtime(exe) >= os.path.getmtime(src):
        return exe, None
    if not os.path.exists(os.path.join(BUILD, "libgpuarray.so")):
        return None, "build/libgpuarray.so is missing (run make build)"
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    cmd = [os.environ.get("CC", "cc"), "-O2", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter",
           "-I" + os.path.join(ROOT, "csrc", "include"), "-o", exe, src, "-L" + BUILD, "-lgpuarray",
           "-Wl,-rpath,$ORIGIN/..", "-pthread", "-ldl"]
    print("demo: " + " ".join(cmd))
    rc, out = run(cmd)
    return (exe, None) if rc == 0 else (None, f"compiling c_version.c failed: {last_line(out)}")


# ------------------------------------------------------------ one version

def parse(out):
    """{key: value} of the `result:` lines and {key: (float, unit)} of the
    `time:` lines."""
    results, times = {}, {}
    for line in out.splitlines():
        m = re.match(r"\s*result:\s*(\w+)=(.*)$", line)
        if m:
            results[m.group(1)] = m.group(2).strip()
        m = re.match(r"\s*time:\s*(\w+)=([-+0-9.eE]+)\s*(\S*)", line)
        if m:
            times[m.group(1)] = (float(m.group(2)), m.group(3))
    return results, times


def same(a, b):
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


class Cell:
    """What one version of one example did."""

    def __init__(self, status, detail="", results=None, times=None):
        self.status = status          # ran, skipped, failed
        self.detail = detail          # short reason (skipped/failed) or verdict
        self.results = results or {}
        self.times = times or {}
        self.agrees = None            # True/False once compared; None if it did not run
        self.known = False            # a disagreement that is right (KNOWN)
        self.adapter = None           # the wgpu adapter / Vulkan device it ran on


def run_version(name, version, ctx):
    """Run one version of one example and return its Cell."""
    if (name, version) in NO_VERSION:
        return Cell("skipped", "n/a: " + NO_VERSION[name, version])
    if version == "C":
        exe, why = build_c(name)
        if exe is None:
            return Cell("failed" if ctx["backend"] else "skipped", "not built: " + why)
        cmd = [exe]
    elif (name, version) in WGPU_PROGRAMS:
        cmd = WGPU_PROGRAMS[name, version]
        if not os.path.exists(cmd[0]):
            prog = os.path.basename(cmd[0])
            return Cell("skipped", f"not built: {os.path.relpath(cmd[0], ROOT)} (make demo builds it; "
                                   f"it needs {WGPU_NEEDS[prog]})")
    else:
        script = os.path.join(ROOT, "examples", name, SCRIPT[version])
        if not os.path.exists(script):
            return Cell("skipped", f"n/a: no {SCRIPT[version]}")
        if version in ("CuPy", "PyTorch"):
            module = "cupy" if version == "CuPy" else "torch"
            if importlib.util.find_spec(module) is None:
                return Cell("skipped", f"not installed: {module} is not importable")
            if not ctx["ngpu"]:
                return Cell("skipped", "no GPU: " + ctx["gpu_why"])
        if version == "wgpu-py" and importlib.util.find_spec("wgpu") is None:
            return Cell("skipped", "not installed: wgpu is not importable (PyPI wgpu==0.32.0; make demo "
                                   "installs it)")
        cmd = [sys.executable, script]

    print(f"\n== {name} / {version}: {' '.join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)}")
    rc, out = run(cmd)
    for line in out.rstrip().splitlines():
        print("   " + line)
    results, times = parse(out)
    skipped = re.search(r"^skipped:\s*(.*)$", out, re.M)
    if rc == 77 and skipped:
        return Cell("skipped", skipped.group(1).strip())
    if rc != 0 and version in ("C", "gpuarray") and not ctx["backend"]:
        return Cell("skipped", "no backend: " + ctx["backend_why"])
    if rc != 0:
        return Cell("failed", f"FAILED (exit {rc}): {last_line(out)}", results, times)
    if not results:
        return Cell("failed", "FAILED: printed no result lines", results, times)
    cell = Cell("ran", "", results, times)
    adapter = re.search(r"^(?:adapter|device): (.*)$", out, re.M)
    cell.adapter = adapter.group(1).strip() if adapter else None
    return cell


def judge(name, cells):
    """Compare every version that ran with the expected values and with the
    first version that ran (device name, compute capability, ...)."""
    expected = dict(EXPECTED.get(name, {}))
    ran = [v for v in VERSIONS if cells[v].status == "ran"]
    reference = {}
    for v in ran:
        if (name, v) in KNOWN:
            continue
        for k, val in cells[v].results.items():
            reference.setdefault(k, val)
    for k, val in expected.items():
        reference[k] = val
    for v in ran:
        cell = cells[v]
        wrong = [f"{k}={cell.results.get(k, 'missing')} (expected {reference[k]})"
                 for k in reference
                 if (k in expected or k in cell.results) and not same(cell.results.get(k), reference[k])]
        cell.agrees = not wrong
        if wrong and (name, v) in KNOWN:
            cell.known = True
            cell.detail = "; ".join(wrong)
        elif wrong:
            cell.detail = "DISAGREES: " + "; ".join(wrong)


# ----------------------------------------------------------------- output

def fmt_time(name, metric, cell):
    if not metric or metric not in cell.times:
        return ""
    value, unit = cell.times[metric]
    if unit == "GB/s":
        return f"{value:.1f} GB/s pinned htod"
    return f"{value:.4f} {unit}" if value < 1 else f"{value:.2f} {unit}"


def table(cells, footnotes, hip=None):
    """The Markdown table: example x version -> agreed?, time, and the HIP
    column (`hip`: {example: (cell, detail)} of scripts/demo_hip.py). Long
    reasons go to numbered footnotes, so that the table stays readable."""
    def note(text):
        if text not in footnotes:
            footnotes.append(text)
        return f"[{footnotes.index(text) + 1}]"

    rows = []
    for name, label, metric in EXAMPLES:
        row = [label]
        for v in VERSIONS:
            c = cells[name][v]
            if c.status == "ran" and c.agrees:
                t = fmt_time(name, metric, c)
                row.append("yes" + (", " + t if t else ""))
            elif c.status == "ran" and c.known:
                t = fmt_time(name, metric, c)
                row.append("disagrees (CuPy's known bug) " + note(KNOWN[name, v] + ": " + c.detail)
                           + (", " + t if t else ""))
            elif c.status == "ran":
                row.append("NO " + note(c.detail))
            elif c.status == "skipped":
                short = c.detail.split(":")[0]
                if short.startswith("the ") and "backend cannot" in short:
                    short = short[4:]
                row.append(short + " " + note(c.detail))
            else:
                row.append("FAILED " + note(c.detail))
        if hip is not None:
            cell, detail = hip.get(name, ("?", "scripts/demo_hip.py gave no cell"))
            row.append(cell if cell == detail else cell + " " + note(detail))
        rows.append(row)
    head = ["example"] + VERSIONS + (["HIP (gfx90a)"] if hip is not None else [])
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
    return lines


def bandwidth_table(cells):
    keys = ["htod_pageable", "dtoh_pageable", "htod_pinned", "dtoh_pinned"]
    have = [v for v in VERSIONS if cells["06_transfer_cost"][v].status == "ran"]
    if not have:
        return []
    lines = ["| 100 MB transfer (GB/s) | " + " | ".join(keys) + " |",
             "|---|" + "---|" * len(keys)]
    for v in have:
        t = cells["06_transfer_cost"][v].times
        lines.append(f"| {v} | " + " | ".join(f"{t[k][0]:.1f}" if k in t else "-" for k in keys) + " |")
    for gen, gbps in (("3.0", 12), ("4.0", 25), ("5.0", 50)):
        lines.append(f"| chapter: PCIe {gen} x16, effective | " + " | ".join([f"~{gbps}"] * len(keys)) + " |")
    return lines


def chart(cells, outdir):
    """The PNG chart; returns its path, or None and why not."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as e:  # ImportError, or a broken install
        return None, f"matplotlib is not importable here ({type(e).__name__}: {e})"

    cuda_versions = VERSIONS[:4]    # examples 01-08 have no wgpu or Vulkan version
    big_versions = ["C", "gpuarray", "CuPy"] + list(WGPU_VERSIONS)

    def series(name, key, versions=cuda_versions):
        out = []
        for v in versions:
            c = cells[name][v]
            out.append(c.times[key][0] if c.status == "ran" and key in c.times else None)
        return out

    panels = [
        ("launch overhead (us per launch)\nempty kernel; PyTorch: fill_ of 1 element", cuda_versions,
         [("host time per launch", series("05_event_timing", "launch_us"))]),
        ("100 MB transfer bandwidth (GB/s)", cuda_versions,
         [(k.replace("_", " "), series("06_transfer_cost", k))
          for k in ("htod_pageable", "dtoh_pageable", "htod_pinned", "dtoh_pinned")]),
        ("saxpy, n = 1,000,000 (ms)", cuda_versions,
         [("launch + synchronize (host clock)", series("03_saxpy", "saxpy_ms")),
          ("kernel between two events", series("05_event_timing", "kernel_ms"))]),
        ("n = 16,776,960 floats (ms): 9, 10 across CUDA C and wgpu/Vulkan\n"
         "launch or dispatch + wait (host clock)", big_versions,
         [("9: x * 2 (CUDA C / WGSL)", series("09_wgpu", "big_ms", big_versions)),
          ("10: x * 2 + 1 (CUDA C / SPIR-V)", series("10_spirv", "big_ms", big_versions))]),
    ]
    if not any(v is not None for _, _, groups in panels for _, values in groups for v in values):
        return None, "no version measured anything to draw"
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 5.5))
    for ax, (title, versions, groups) in zip(axes, panels):
        width = 0.8 / len(groups)
        for g, (label, values) in enumerate(groups):
            xs = [i + (g - (len(groups) - 1) / 2) * width for i in range(len(versions))]
            bars = ax.bar(xs, [v or 0 for v in values], width, label=label)
            for bar, v in zip(bars, values):
                ax.annotate("n/a" if v is None else f"{v:.3g}", (bar.get_x() + bar.get_width() / 2,
                            bar.get_height()), ha="center", va="bottom", fontsize=7)
        if title.startswith("100 MB"):
            for gbps, gen, style in ((12, "3.0", ":"), (25, "4.0", "-."), (50, "5.0", "--")):
                ax.axhline(gbps, color="grey", linestyle=style, linewidth=0.8,
                           label=f"chapter: PCIe {gen} x16, ~{gbps} GB/s")
        ax.set_xticks(range(len(versions)))
        ax.set_xticklabels(versions, rotation=20, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylim(top=ax.get_ylim()[1] * 1.45)   # room for the legend above the bars
        ax.legend(fontsize=7, loc="upper center", ncol=2)
    fig.suptitle("gpuarray examples: C, gpuarray, CuPy, PyTorch, wgpu-py, wgpu-native and Vulkan on one machine")
    fig.tight_layout()
    path = os.path.join(outdir, "demo_timings.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path, None


def hip_column():
    """{example: (cell, detail)} of the HIP column, from scripts/demo_hip.py
    in a child process (it loads the HIP libraries where they exist)."""
    names = [name for name, _, _ in EXAMPLES]
    rc, out = run([sys.executable, os.path.join(ROOT, "scripts", "demo_hip.py")] + names)
    try:
        return {k: tuple(v) for k, v in json.loads(out.strip().splitlines()[-1]).items()}
    except (ValueError, IndexError, AttributeError):
        why = f"FAILED: scripts/demo_hip.py (exit {rc}): {last_line(out)}"
        return {name: ("FAILED", why) for name in names}


# ------------------------------------------------------------------- main

def main():
    ngpu, gpu_why = cuda_probe()
    backend, backend_why = gpuarray_probe()
    ctx = {"ngpu": ngpu, "gpu_why": gpu_why, "backend": backend, "backend_why": backend_why}
    print(f"demo: {ngpu} CUDA device(s)" + (f" ({gpu_why})" if not ngpu else "")
          + f"; gpuarray backend: {backend or 'none (' + backend_why + ')'}; "
          + f"Python {sys.version.split()[0]}, {versions()}")

    cells = {}
    for name, _, _ in EXAMPLES:
        cells[name] = {v: run_version(name, v, ctx) for v in VERSIONS}
        judge(name, cells[name])
    hip = hip_column()

    footnotes = []
    lines = table(cells, footnotes, hip)
    dev = cells["01_device_info"]
    gpu = next((dev[v].results.get("name") for v in VERSIONS if dev[v].status == "ran"), None)
    title = (f"demo: every example x version on {gpu or 'no device'} (gpuarray backend: "
             f"{backend or 'none'}): result agreed?, time")
    bw = bandwidth_table(cells)
    notes = [f"[{i + 1}] {text}" for i, text in enumerate(footnotes)]
    adapters = sorted({f"{v}: {cells[n][v].adapter}" for n in WGPU_EXAMPLES for v in WGPU_VERSIONS
                       if cells[n][v].status == "ran" and cells[n][v].adapter})
    notes += [""] + ["wgpu/Vulkan ran on " + "; ".join(adapters) if adapters else
                     "wgpu/Vulkan: no version ran (see the footnotes)"] + [""] + CHAPTER_NOTES
    print("\n" + title + "\n")
    print("\n".join(lines))
    if bw:
        print("\n" + "\n".join(bw))
    print()
    print("\n".join(notes))

    outdir = os.environ.get("OUT") or os.path.join(BUILD, "demo")
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "demo_table.md"), "w") as f:
        f.write(title + "\n\n" + "\n".join(lines) + "\n\n" + ("\n".join(bw) + "\n\n" if bw else "")
                + "\n".join(notes) + "\n")
    path, why = chart(cells, outdir)
    if path:
        print(f"\ndemo: chart written to {path} (table: {os.path.join(outdir, 'demo_table.md')})")
    else:
        print(f"\ndemo: no chart: {why}; table written to {os.path.join(outdir, 'demo_table.md')}")

    bad = [f"{name}/{v}" for name, _, _ in EXAMPLES for v in ("C", "gpuarray")
           if backend and (cells[name][v].status == "failed"
                           or (cells[name][v].status == "ran" and not cells[name][v].agrees))]
    # A wgpu or Vulkan version that ran is held to its results too.
    bad += [f"{name}/{v}" for name in WGPU_EXAMPLES for v in WGPU_VERSIONS
            if cells[name][v].status == "failed"
            or (cells[name][v].status == "ran" and not cells[name][v].agrees)]
    if bad:
        print(f"demo: FAILED: {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
