# Concurrent streams (chapter 7.2, "ストリームによる並行実行"): two streams,
# each running its own small model on its own input, then both synchronized.
# The chapter's Rust and PyTorch code are fragments (`kernel`, `model1`,
# `model2` are never defined); here the two models are real: model1 is a
# linear layer 256 -> 128, model2 a linear layer 256 -> 64 followed by ReLU,
# each on a batch of 512, written as one CUDA kernel. torch_version.py runs
# the same two models with torch.nn. Inputs and weights are small integers,
# so every version, in any summation order, gets exactly the same sums.
# cupy_version.py is this file with `import cupy as cp`.
import statistics
import time

import numpy as np

import gpuarray as cp

linear = cp.RawKernel(r'''
extern "C" __global__
void linear(const float* x, const float* w, const float* b, float* y,
            int batch, int n_in, int n_out, int relu) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= batch * n_out) return;
    int r = i / n_out, o = i % n_out;
    float acc = b[o];
    for (int k = 0; k < n_in; k++)
        acc += x[r * n_in + k] * w[o * n_in + k];
    y[i] = (relu && acc < 0.0f) ? 0.0f : acc;
}
''', 'linear')

BATCH, N_IN, OUT1, OUT2 = 512, 256, 128, 64
r, k = np.indices((BATCH, N_IN))
input1 = ((7 * r + k * k) % 11 - 5).astype(np.float32)
input2 = ((r * r + 3 * k) % 13 - 6).astype(np.float32)
o, k = np.indices((OUT1, N_IN))
w1, b1 = ((o * k + o) % 7 - 3).astype(np.float32), (np.arange(OUT1) % 5 - 2).astype(np.float32)
o, k = np.indices((OUT2, N_IN))
w2, b2 = ((o + k * k) % 5 - 2).astype(np.float32), (np.arange(OUT2) % 3 - 1).astype(np.float32)

# データ準備 (on the null stream, which the two streams wait for)
x1, x2 = cp.asarray(input1), cp.asarray(input2)
w1, b1, w2, b2 = cp.asarray(w1), cp.asarray(b1), cp.asarray(w2), cp.asarray(b2)
y1 = cp.empty((BATCH, OUT1), dtype=cp.float32)
y2 = cp.empty((BATCH, OUT2), dtype=cp.float32)

# 複数ストリーム作成
stream1 = cp.cuda.Stream()
stream2 = cp.cuda.Stream()
block = (256,)


def run_both():
    # 並行実行
    with stream1:
        linear(((BATCH * OUT1 + 255) // 256,), block, (x1, w1, b1, y1, BATCH, N_IN, OUT1, 0))
    with stream2:
        linear(((BATCH * OUT2 + 255) // 256,), block, (x2, w2, b2, y2, BATCH, N_IN, OUT2, 1))
    # 両方の完了を待機
    stream1.synchronize()
    stream2.synchronize()


run_both()
result1, result2 = cp.asnumpy(y1), cp.asnumpy(y2)
print(f"result: model1_sum={result1.sum(dtype=np.float64)}")
print(f"result: model2_sum={result2.sum(dtype=np.float64)}")
print(f"result: model1_y0={result1[0, 0]}")
print(f"result: model2_max={result2.max()}")

# Not in the textbook: both models, launched and synchronized, timed (median of 20).
times = []
for _ in range(20):
    t0 = time.perf_counter()
    run_both()
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: streams_ms={statistics.median(times):.4f} ms (two models on two streams + synchronize)")
