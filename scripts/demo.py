#!/usr/bin/env python3
"""demo.py - what `make demo` runs: the textbook's saxpy (chapter 7.1) in every
version this machine can run, side by side, then one table: version,
result[0], whether it agrees with 5.0 (= 2 * 1 + 3), and the time of one
launch + synchronize.

    examples/03_saxpy/gpuarray_version.py   the chapter's CuPy code, `import gpuarray as cp`
    build/saxpy_c                           the same on gpuarray's C API (c_version.c)
    examples/03_saxpy/cupy_version.py       the chapter's code unchanged, on CuPy
    examples/03_saxpy/torch_version.py      y = a * x + y in PyTorch

Where a version cannot run (no GPU, framework not installed) it says why.
Exit status: 0 when every gpuarray version that could run gave 5.0 (and
always where there is no GPU); 1 when a gpuarray version failed on a GPU.
"""
import ctypes
import importlib.util
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EX = os.path.join(ROOT, "examples", "03_saxpy")
TIMEOUT = int(os.environ.get("DEMO_TIMEOUT", "120"))


def cuda_probe():
    """(device count, why not) asked of the driver directly."""
    path = os.environ.get("GPUARRAY_LIBCUDA", "libcuda.so.1")
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        return 0, f"no CUDA driver ({path} not found)" if "No such file" in str(e) else str(e)
    r = lib.cuInit(0)
    if r != 0:
        name = ctypes.c_char_p()
        lib.cuGetErrorName(r, ctypes.byref(name))
        return 0, f"cuInit failed: {(name.value or b'?').decode()}"
    n = ctypes.c_int(0)
    lib.cuDeviceGetCount(ctypes.byref(n))
    return (n.value, "") if n.value else (0, "the driver reports no CUDA device")


def run(cmd):
    """(exit code, combined output) with a time limit."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
        return r.returncode, (r.stdout + r.stderr).strip()
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {TIMEOUT} s"
    except OSError as e:
        return 126, str(e)


def last_line(text):
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1].strip()[:160] if lines else "(no output)"


def parse(out):
    m = re.search(r"result\[0\]\s*=\s*(\S+)", out)
    t = re.search(r"time:\s*([0-9.eE+-]+)\s*ms", out)
    result = m.group(1) if m else None
    try:
        agrees = result is not None and abs(float(result) - 5.0) < 1e-6
    except ValueError:
        agrees = False
    return result, agrees, (float(t.group(1)) if t else None)


def main():
    ngpu, why = cuda_probe()
    no_gpu = f"no CUDA device: {why}; the host backend is issue 3"
    py = sys.executable
    saxpy_c = os.environ.get("SAXPY_C", os.path.join(ROOT, "build", "saxpy_c"))
    if not os.path.isabs(saxpy_c):
        saxpy_c = os.path.join(ROOT, saxpy_c)

    print(f"demo: the textbook's saxpy (n = 1000000, a = 2.0, x = 1, y = 3: "
          f"result[0] should be 5.0); {ngpu} CUDA device(s)" + (f": {why}" if not ngpu else ""))
    versions = [
        # name, command, is gpuarray's own, why it cannot run (None = try it)
        ("gpuarray (Python)", [py, os.path.join(EX, "gpuarray_version.py")], True, None),
        ("gpuarray (C API)", [saxpy_c], True,
         None if os.path.exists(saxpy_c) else f"{os.path.relpath(saxpy_c, ROOT)} was not built "
                                               "(see the output of make above)"),
        ("CuPy", [py, os.path.join(EX, "cupy_version.py")], False,
         "cupy is not installed" if importlib.util.find_spec("cupy") is None
         else (None if ngpu else "no CUDA device: " + why)),
        ("PyTorch", [py, os.path.join(EX, "torch_version.py")], False,
         "torch is not installed" if importlib.util.find_spec("torch") is None
         else (None if ngpu else "no CUDA device: " + why)),
    ]

    rows, failed = [], []
    for name, cmd, ours, cannot in versions:
        print(f"\n== {name}: {' '.join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)}")
        if cannot:
            print(f"   skipped: {cannot}")
            rows.append((name, "–", "skipped: " + cannot, None))
            if ours and ngpu:
                failed.append(name)
            continue
        rc, out = run(cmd)
        for line in out.splitlines()[-15:]:
            print(f"   {line}")
        result, agrees, ms = parse(out)
        if rc == 0 and result is not None:
            note = "yes" if agrees else "NO"
            if not agrees and name == "CuPy":
                note = "NO (CuPy passes a = 2.0 as a double to `float a`)"
            rows.append((name, result, note, ms))
            if ours and not agrees:
                failed.append(name)
        elif not ngpu:
            reason = out.splitlines()[0][len("skipped: "):] if rc == 77 and out.startswith(
                "skipped: ") else last_line(out)
            rows.append((name, "–", f"skipped: {no_gpu}; it said: {reason[:160]}", None))
        else:
            rows.append((name, "–", f"FAILED (exit {rc}): {last_line(out)}", None))
            if ours:
                failed.append(name)

    w = max(len(r[0]) for r in rows)
    print("\n| version" + " " * (w - 7) + " | result[0] | agrees with 5.0? | time (ms) |")
    print("|" + "-" * (w + 2) + "|-----------|-----------------|-----------|")
    for name, result, note, ms in rows:
        t = f"{ms:.4f}" if ms is not None else "–"
        print(f"| {name:<{w}} | {result:<9} | {note} | {t} |")
    if failed:
        print(f"\ndemo: FAILED: {', '.join(failed)} did not give 5.0 on a machine with a GPU")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
