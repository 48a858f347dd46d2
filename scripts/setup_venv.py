#!/usr/bin/env python3
"""setup_venv.py - create the project's virtual environment (.venv) and
install into it only what is missing. Run by `make build` with the Python
that should host the environment:

    python3 scripts/setup_venv.py [.venv]

Why it is more than `python3 -m venv --system-site-packages .venv`:
- On the GPU machine `python3` is itself a virtual environment
  (/opt/torch/.venv) that holds numpy, cupy and torch. `--system-site-packages`
  of a venv made from a venv exposes the *base* interpreter's site-packages,
  not that environment's, so numpy/cupy/torch would vanish. A .pth file in
  the new environment adds the parent environment's site directories back.
- That machine has no network: nothing may be downloaded when everything is
  already importable, so each requirement is imported first and pip runs only
  for what is missing (on CI: a fresh clone, PyPI reachable, no numpy).
- The repository root goes on sys.path through a .pth file too (what an
  editable install does, without pip's cost), so `.venv/bin/python` imports
  the in-place built gpuarray from any directory.
"""
import os
import shutil
import site
import subprocess
import sys

# (module to import, distribution to install)
REQUIRED = [("numpy", "numpy"), ("pytest", "pytest"),
            ("setuptools", "setuptools>=61"), ("wheel", "wheel")]
# Installed along with the required ones when pip has to run anyway, and
# always under CI (CI=true, where PyPI is reachable), so that the tests that
# need them run there; never a reason to fail. Their tests skip, naming the
# package, where they are absent (the GPU machine has no network: they
# travel there as wheels, see DEVELOPERS.md).
OPTIONAL = [("pytest_timeout", "pytest-timeout"), ("xdist", "pytest-xdist"),
            ("dask", "dask>=2024.1"), ("distributed", "distributed>=2024.1"),
            ("array_api_strict", "array-api-strict>=2.0"),
            ("array_api_compat", "array-api-compat>=1.8"),
            ("scipy", "scipy>=1.11"),
            ("hypothesis", "hypothesis"),
            ("wgpu", "wgpu==0.32.0")]   # examples/09_wgpu, 10_spirv (scripts/demo_deps.py pins it too)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAMP = ".gpuarray-ready"


def log(msg):
    print(f"[venv] {msg}", flush=True)


def venv_python(venv):
    return os.path.join(venv, "bin", "python")


def run(cmd, **kw):
    return subprocess.run(cmd, **kw)


def venv_site_packages(py):
    out = run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
              capture_output=True, text=True, check=True)
    return out.stdout.strip()


def works(py):
    if not os.path.exists(py):
        return False
    r = run([py, "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() == str(tuple(sys.version_info[:2]))


def create(venv):
    """python -m venv --system-site-packages, without pip where ensurepip is
    missing (Debian/Ubuntu interpreters without python3-venv): the parent
    environment's pip is then used through the .pth file."""
    cmd = [sys.executable, "-m", "venv", "--system-site-packages", venv]
    log(" ".join(cmd))
    r = run(cmd, capture_output=True, text=True)
    if r.returncode == 0:
        return
    log("venv with pip failed (%s); retrying --without-pip"
        % (r.stderr.strip().splitlines() or ["?"])[-1])
    shutil.rmtree(venv, ignore_errors=True)
    run(cmd[:-1] + ["--without-pip", venv], check=True)


def parent_site_dirs():
    """Site directories of the running interpreter when it is itself a
    virtual environment (else [] : --system-site-packages covers it)."""
    if sys.prefix == getattr(sys, "base_prefix", sys.prefix):
        return []
    dirs = []
    for d in site.getsitepackages():
        if os.path.isdir(d) and d not in dirs:
            dirs.append(d)
    return dirs


def write_pth(sp, parents):
    # Parent environment: addsitedir also runs the parent's own .pth files.
    path = os.path.join(sp, "_gpuarray_parent_env.pth")
    if parents:
        with open(path, "w") as f:
            for d in parents:
                f.write("import site; site.addsitedir(%r)\n" % d)
        log("parent environment visible: " + ", ".join(parents))
    elif os.path.exists(path):
        os.remove(path)
    # The repository itself (in-place build of gpuarray._core).
    with open(os.path.join(sp, "_gpuarray_dev.pth"), "w") as f:
        f.write(ROOT + "\n")


def missing(py, reqs):
    code = ("import importlib.util, sys\n"
            "for m in sys.argv[1:]:\n"
            "    try:\n"
            "        __import__(m)\n"
            "    except Exception:\n"
            "        print(m)\n")
    r = run([py, "-c", code] + [m for m, _ in reqs], capture_output=True, text=True, check=True)
    gone = set(r.stdout.split())
    return [(m, d) for m, d in reqs if m in gone]


def pip_install(py, dists):
    cmd = [py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + dists
    log(" ".join(cmd[1:]))
    return run(cmd).returncode == 0


def main():
    venv = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".venv"))
    py = venv_python(venv)
    if not works(py):
        if os.path.exists(venv):
            log(f"{venv} is unusable with {sys.executable}: recreating it")
            shutil.rmtree(venv)
        create(venv)
    # Run by the environment's own python, the "parent" would be the
    # environment itself and its .pth would add itself forever.
    parents = [d for d in parent_site_dirs()
               if not os.path.realpath(d).startswith(os.path.realpath(venv) + os.sep)]
    write_pth(venv_site_packages(py), parents)

    need = missing(py, REQUIRED)
    under_ci = os.environ.get("CI") == "true"
    if need or under_ci:
        optional = [d for _, d in missing(py, OPTIONAL)]
    if under_ci and not need and optional:
        if not pip_install(py, optional):
            log("could not install the optional test packages " + ", ".join(optional)
                + ": their tests skip")
    if need:
        ok = pip_install(py, [d for _, d in need] + optional)
        if not ok and optional:
            ok = pip_install(py, [d for _, d in need])
        still = missing(py, REQUIRED)
        if still:
            names = ", ".join(m for m, _ in still)
            sys.exit(f"[venv] ERROR: {names} missing from {venv} and pip could not install "
                     f"{'them' if len(still) > 1 else 'it'} (no network, or no pip?). Install "
                     f"into the interpreter that runs make ({sys.executable}) and rerun.")
    versions = run([py, "-c", "import numpy, pytest, setuptools, sys; "
                    "print(f'python {sys.version.split()[0]}, numpy {numpy.__version__}, "
                    "pytest {pytest.__version__}, setuptools {setuptools.__version__}')"],
                   capture_output=True, text=True, check=True).stdout.strip()
    log(f"{venv}: {versions}")
    with open(os.path.join(venv, STAMP), "w") as f:
        f.write(versions + "\n")


if __name__ == "__main__":
    main()
