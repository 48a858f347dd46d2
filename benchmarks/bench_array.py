"""bench_array.py - the array layer beside CuPy and PyTorch, in one run on
one GPU: `x + y` on tiny arrays including the output allocation, `a * x + y`
and `x + y` on 64M float32 (effective GB/s: 12 bytes per element read or
written, the way the expression is written), `sum` of 64M float32 (4 bytes
per element), and float32 matmul 4096 x 4096 (TFLOP/s; all three through
cuBLAS, TF32 off). Each result is checked against NumPy first. Prints a
table last; frameworks that are not importable are skipped with a reason.
"""
import statistics
import sys
import time

import numpy as np

N_BIG = 64 << 20
N_MM = 4096


def timed(fn, sync, repeats, inner=1):
    fn()
    sync()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        sync()
        ts.append((time.perf_counter() - t0) / inner)
    return statistics.median(ts)


def frameworks():
    out = {}
    import gpuarray as ga
    out["gpuarray"] = dict(asarray=ga.asarray, get=lambda a: a.get(),
                           sync=ga.cuda.Stream.null.synchronize, sum=lambda a: a.sum(),
                           matmul=ga.matmul)
    try:
        import cupy as cp
        out["CuPy"] = dict(asarray=cp.asarray, get=cp.asnumpy,
                           sync=cp.cuda.Stream.null.synchronize, sum=lambda a: a.sum(),
                           matmul=cp.matmul)
    except Exception as e:  # noqa: BLE001 - any import failure is a skip
        print(f"CuPy: skipped ({type(e).__name__}: {e})")
    try:
        import torch
        torch.backends.cuda.matmul.allow_tf32 = False
        out["PyTorch"] = dict(asarray=lambda h: torch.from_numpy(h).cuda(),
                              get=lambda a: a.cpu().numpy(), sync=torch.cuda.synchronize,
                              sum=lambda a: a.sum(), matmul=torch.matmul)
    except Exception as e:  # noqa: BLE001
        print(f"PyTorch: skipped ({type(e).__name__}: {e})")
    return out


def measure(fw):
    r = {}
    rng = np.random.default_rng(1)
    asarray, sync = fw["asarray"], fw["sync"]
    # tiny x + y, the output allocated each time
    xt, yt = asarray(rng.standard_normal(16, dtype=np.float32)), asarray(
        rng.standard_normal(16, dtype=np.float32))
    assert np.allclose(fw["get"](xt + yt), fw["get"](xt) + fw["get"](yt))
    r["add_tiny_us"] = timed(lambda: xt + yt, sync, 7, inner=2000) * 1e6
    # 64M elementwise
    xh = rng.standard_normal(N_BIG, dtype=np.float32)
    yh = rng.standard_normal(N_BIG, dtype=np.float32)
    x, y = asarray(xh), asarray(yh)
    a = np.float32(2.5)
    got = fw["get"](a * x + y)
    assert np.allclose(got, a * xh + yh, rtol=1e-5, atol=1e-5)
    r["axpy_64m_gbs"] = 12 * N_BIG / timed(lambda: a * x + y, sync, 9) / 1e9
    r["add_64m_gbs"] = 12 * N_BIG / timed(lambda: x + y, sync, 9) / 1e9
    s = float(fw["get"](fw["sum"](x)))
    assert abs(s - float(xh.astype(np.float64).sum())) < 1e-3 * np.abs(xh).sum() / np.sqrt(N_BIG)
    r["sum_64m_gbs"] = 4 * N_BIG / timed(lambda: fw["sum"](x), sync, 9) / 1e9
    del x, y
    # matmul
    ah = rng.standard_normal((N_MM, N_MM), dtype=np.float32)
    bh = rng.standard_normal((N_MM, N_MM), dtype=np.float32)
    A, B = asarray(ah), asarray(bh)
    C = fw["get"](fw["matmul"](A, B))
    ref = ah[:64].astype(np.float64) @ bh.astype(np.float64)
    err = np.linalg.norm(C[:64] - ref) / np.linalg.norm(ref)
    assert err < 1e-5, err
    r["matmul_4096_tflops"] = 2 * N_MM ** 3 / timed(lambda: fw["matmul"](A, B), sync, 9) / 1e12
    return r


ROWS = [
    ("add_tiny_us", "x + y, 16 float32, incl. output alloc", "us", "<= 6 us"),
    ("axpy_64m_gbs", "a * x + y, 64M float32 (12 B/elem)", "GB/s", ">= 0.95x PyTorch"),
    ("add_64m_gbs", "x + y, 64M float32 (12 B/elem)", "GB/s", ">= 0.95x PyTorch"),
    ("sum_64m_gbs", "sum, 64M float32 (4 B/elem)", "GB/s", ">= 0.95x best of CuPy/PyTorch"),
    ("matmul_4096_tflops", "matmul 4096^2 float32 (no TF32)", "TFLOP/s", ">= 0.95x CuPy"),
]


def main():
    fws = frameworks()
    results = {}
    for name, fw in fws.items():
        try:
            results[name] = measure(fw)
        except Exception as e:  # noqa: BLE001 - report and go on
            print(f"{name}: failed: {type(e).__name__}: {e}")
            results[name] = {}
    names = list(fws)
    print("\n| measurement | unit | " + " | ".join(names) + " | gpuarray vs target |")
    print("|---|---|" + "---|" * len(names) + "---|")
    for key, label, unit, target in ROWS:
        cells = [f"{results[n][key]:.4g}" if key in results.get(n, {}) else "–" for n in names]
        g = results.get("gpuarray", {}).get(key)
        verdict = ""
        if g is not None:
            if key == "add_tiny_us":
                verdict = f"{'ok' if g <= 6 else 'MISS'} ({target})"
            else:
                ref = {"axpy_64m_gbs": ["PyTorch"], "add_64m_gbs": ["PyTorch"],
                       "sum_64m_gbs": ["CuPy", "PyTorch"], "matmul_4096_tflops": ["CuPy"]}[key]
                refs = [results[n][key] for n in ref if key in results.get(n, {})]
                if refs:
                    ratio = g / max(refs)
                    verdict = f"{ratio:.2f}x {'ok' if ratio >= 0.95 else 'MISS'} ({target})"
        print(f"| {label} | {unit} | " + " | ".join(cells) + f" | {verdict} |")
    return 0 if results.get("gpuarray") else 1


if __name__ == "__main__":
    sys.exit(main())
