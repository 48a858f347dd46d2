"""bench_sort.py - gpuarray's sorting and searching beside CuPy and PyTorch,
in one run on one GPU:

- sort of 64M float32 (PyTorch's torch.sort also returns the indices: it
  has no values-only sort),
- argsort of 16M float32 (stable everywhere),
- unique of 16M int32 (about 4M distinct values),
- searchsorted of 1M float32 keys into 64M sorted float32.

Each result is checked first (against NumPy, and against CuPy where it is
there). The frameworks run interleaved: every repeat times each of them in
turn, so that clock and thermal drift hit all alike; the table gives the
median of the repeats, their spread (min-max, in % of the median) and
gpuarray's speed relative to the faster of CuPy and PyTorch (>= 0.9x is
the target). Frameworks that are not importable are skipped with a reason.
The first line says which sort gpuarray ran (its own radix kernels, with
their tile shape).

    python benchmarks/bench_sort.py [--repeats N] [--scale F]

--scale shrinks every size (e.g. 0.01 for a quick try on the host backend).
"""
import argparse
import statistics
import sys
import time

import numpy as np

N_SORT = 64 << 20
N_ARGSORT = 16 << 20
N_UNIQUE = 16 << 20
N_SEARCH_A = 64 << 20
N_SEARCH_V = 1 << 20


def frameworks():
    out = {}
    import gpuarray as ga
    out["gpuarray"] = dict(
        asarray=ga.asarray, get=lambda a: a.get(), sync=ga.cuda.Stream.null.synchronize,
        sort=ga.sort, argsort=lambda x: ga.argsort(x), unique=ga.unique,
        searchsorted=ga.searchsorted)
    try:
        import cupy as cp
        out["CuPy"] = dict(
            asarray=cp.asarray, get=cp.asnumpy, sync=cp.cuda.Stream.null.synchronize,
            sort=cp.sort, argsort=lambda x: cp.argsort(x), unique=cp.unique,
            searchsorted=cp.searchsorted)
    except Exception as e:  # noqa: BLE001 - any import failure is a skip
        print(f"CuPy: skipped ({type(e).__name__}: {e})")
    try:
        import torch
        if not torch.cuda.is_available():
            raise RuntimeError("torch.cuda.is_available() is False")
        out["PyTorch"] = dict(
            asarray=lambda h: torch.from_numpy(h).cuda(), get=lambda a: a.cpu().numpy(),
            sync=torch.cuda.synchronize, sort=lambda x: torch.sort(x).values,
            argsort=lambda x: torch.argsort(x, stable=True),
            unique=lambda x: torch.unique(x, sorted=True),
            searchsorted=lambda a, v: torch.searchsorted(a, v))
    except Exception as e:  # noqa: BLE001
        print(f"PyTorch: skipped ({type(e).__name__}: {e})")
    return out


def sort_note():
    from gpuarray import _radix
    return ("gpuarray sort: its own LSD radix sort (kernels/sort.cuh: onesweep passes of 8-bit "
            f"digits, decoupled look-back); threads per block {_radix.BLOCKS}, keys per "
            f"thread {_radix.ITEMS}, resident-block caps (keys only, with payload) "
            f"{_radix.MIN_BLOCKS} by key width; ranking form {_radix.RANK}")


def cases(scale, rng):
    """(key, label, unit count, inputs as NumPy arrays, call name, checker)."""
    n = max(1, int(N_SORT * scale))
    x_sort = rng.standard_normal(n, dtype=np.float32)
    n = max(1, int(N_ARGSORT * scale))
    x_arg = rng.standard_normal(n, dtype=np.float32)
    n = max(1, int(N_UNIQUE * scale))
    x_uni = rng.integers(0, max(2, n // 4), n, dtype=np.int32)
    na, nv = max(1, int(N_SEARCH_A * scale)), max(1, int(N_SEARCH_V * scale))
    a_srch = np.sort(rng.standard_normal(na, dtype=np.float32))
    v_srch = rng.standard_normal(nv, dtype=np.float32)

    def check_sort(got):
        assert np.array_equal(got, np.sort(x_sort))

    def check_argsort(got):
        assert np.array_equal(got, np.argsort(x_arg, kind="stable"))

    def check_unique(got):
        assert np.array_equal(got, np.unique(x_uni))

    def check_search(got):
        assert np.array_equal(got, np.searchsorted(a_srch, v_srch))

    return [
        ("sort", f"sort {x_sort.size / 2**20:g}M float32", x_sort.size, (x_sort,), "sort",
         check_sort),
        ("argsort", f"argsort {x_arg.size / 2**20:g}M float32", x_arg.size, (x_arg,), "argsort",
         check_argsort),
        ("unique", f"unique {x_uni.size / 2**20:g}M int32", x_uni.size, (x_uni,), "unique",
         check_unique),
        ("searchsorted", f"searchsorted {v_srch.size / 2**20:g}M keys into "
         f"{a_srch.size / 2**20:g}M float32", v_srch.size, (a_srch, v_srch), "searchsorted",
         check_search),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    fws = frameworks()
    names = list(fws)
    print(sort_note())
    rows = []
    for key, label, count, inputs, call, check in cases(args.scale, rng):
        dev = {}
        for name in names:
            fw = fws[name]
            try:
                args_d = tuple(fw["asarray"](h) for h in inputs)
                fn = fw[call]
                got = fw["get"](fn(*args_d))          # warm-up: compiles, caches
                check(got)
                fw["sync"]()
                dev[name] = (fn, args_d, fw["sync"])
            except Exception as e:  # noqa: BLE001 - report and go on
                print(f"{name} {key}: failed: {type(e).__name__}: {e}")
        times = {name: [] for name in dev}
        for _ in range(args.repeats):
            for name, (fn, args_d, sync) in dev.items():
                sync()
                t0 = time.perf_counter()
                fn(*args_d)
                sync()
                times[name].append(time.perf_counter() - t0)
        rows.append((label, count, times))
        del dev

    print("\n| measurement | " + " | ".join(f"{n} ms (spread)" for n in names)
          + " | gpuarray vs faster of CuPy/PyTorch |")
    print("|---|" + "---|" * len(names) + "---|")
    worst = None
    for label, count, times in rows:
        med = {n: statistics.median(t) for n, t in times.items() if t}
        cells = []
        for n in names:
            if n in med:
                t = times[n]
                spread = (max(t) - min(t)) / med[n] * 100
                cells.append(f"{med[n] * 1e3:.3f} ({spread:.0f}%)")
            else:
                cells.append("-")
        verdict = ""
        others = [med[n] for n in ("CuPy", "PyTorch") if n in med]
        if "gpuarray" in med and others:
            ratio = min(others) / med["gpuarray"]
            worst = ratio if worst is None else min(worst, ratio)
            verdict = f"{ratio:.2f}x {'ok' if ratio >= 0.9 else 'MISS'} (>= 0.9x)"
        if "gpuarray" in med:
            verdict += f"; {count / med['gpuarray'] / 1e9:.2f} G/s"
        print(f"| {label} | " + " | ".join(cells) + f" | {verdict} |")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
