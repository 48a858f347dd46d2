#!/usr/bin/env python3
"""demo_deps.py - install into the venv the Python packages that `make demo`
needs beyond the build's: matplotlib (the chart) and wgpu (examples 09 and
10: wgpu-py, and the headers and library that wgpu_native.c builds on).
Run by `make demo` with the venv's python:

    .venv/bin/python scripts/demo_deps.py

What is importable already is left alone (the GPU machine holds matplotlib,
and gpu_check.sh puts the carried wheels of .whl/ on PYTHONPATH). What is
missing is installed from the wheels in .whl/ when they hold it (no network
needed: scripts/fetch_test_wheels.sh downloads them), else from PyPI, except
where GPUARRAY_OFFLINE=1 (then nothing is downloaded). It
never runs apt-get: the Debian packages (Vulkan loader, lavapipe, glslang)
come from scripts/install_optional.sh. A package that cannot be installed is
reported, and the demo's cells that need it say so; the exit status is 0
either way, so that the rest of the demo runs.
"""
import glob
import importlib.util
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WHEELS = os.path.join(ROOT, ".whl")
#: (module, requirement): wgpu is pinned, the version whose wgpu-native C API
#: (webgpu.h of wgpu-native 29) examples/09_wgpu/wgpu_native.c is written for.
WGPU_PIN = "wgpu==0.32.0"
PACKAGES = [("matplotlib", "matplotlib"), ("wgpu", WGPU_PIN)]


def missing():
    return [(m, req) for m, req in PACKAGES if importlib.util.find_spec(m) is None]


def pip(args):
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + args
    print("demo_deps: " + " ".join(cmd[1:]), flush=True)
    try:
        return subprocess.run(cmd, timeout=600).returncode == 0
    except subprocess.TimeoutExpired:
        print("demo_deps: pip timed out", flush=True)
        return False


def main():
    todo = missing()
    if not todo:
        return 0
    reqs = [req for _, req in todo]
    # GPUARRAY_OFFLINE=1 (gpu_check.sh sets it on the machine without
    # network): the carried wheels only, never PyPI.
    offline = os.environ.get("GPUARRAY_OFFLINE") == "1"
    if glob.glob(os.path.join(WHEELS, "*.whl")):
        pip(["--no-index", "--find-links", WHEELS] + reqs)
    if missing() and not offline:
        # PyPI, briefly: a machine without network fails fast rather than hanging.
        pip(["--timeout", "20", "--retries", "1"] + [req for _, req in missing()])
    importlib.invalidate_caches()
    for m, req in missing():
        print(f"demo_deps: {m} is still missing (PyPI package {req}); the demo's cells that need it "
              "say so", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
