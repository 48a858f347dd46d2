# Concurrent streams (chapter 7.2, "Python（PyTorch）でのストリーム"), made
# runnable: model1 and model2 are real torch.nn models (a linear layer
# 256 -> 128, and a linear layer 256 -> 64 followed by ReLU) with the same
# integer weights and inputs as the kernel versions, so their sums agree.
import statistics
import time

import numpy as np
import torch

BATCH, N_IN, OUT1, OUT2 = 512, 256, 128, 64
r, k = np.indices((BATCH, N_IN))
x1 = ((7 * r + k * k) % 11 - 5).astype(np.float32)
x2 = ((r * r + 3 * k) % 13 - 6).astype(np.float32)
o, k = np.indices((OUT1, N_IN))
w1, b1 = ((o * k + o) % 7 - 3).astype(np.float32), (np.arange(OUT1) % 5 - 2).astype(np.float32)
o, k = np.indices((OUT2, N_IN))
w2, b2 = ((o + k * k) % 5 - 2).astype(np.float32), (np.arange(OUT2) % 3 - 1).astype(np.float32)

model1 = torch.nn.Linear(N_IN, OUT1).cuda()
model2 = torch.nn.Sequential(torch.nn.Linear(N_IN, OUT2), torch.nn.ReLU()).cuda()
with torch.no_grad():
    model1.weight.copy_(torch.from_numpy(w1))
    model1.bias.copy_(torch.from_numpy(b1))
    model2[0].weight.copy_(torch.from_numpy(w2))
    model2[0].bias.copy_(torch.from_numpy(b2))
input1 = torch.from_numpy(x1).cuda()
input2 = torch.from_numpy(x2).cuda()

stream1 = torch.cuda.Stream()
stream2 = torch.cuda.Stream()


def run_both():
    # PyTorch's streams do not wait for the default stream, where the inputs
    # and weights were copied: the chapter's fragment leaves this out.
    stream1.wait_stream(torch.cuda.current_stream())
    stream2.wait_stream(torch.cuda.current_stream())
    with torch.no_grad():
        with torch.cuda.stream(stream1):
            result1 = model1(input1)
        with torch.cuda.stream(stream2):
            result2 = model2(input2)
    torch.cuda.synchronize()  # 全ストリーム待機
    return result1, result2


result1, result2 = run_both()
result1, result2 = result1.cpu().numpy(), result2.cpu().numpy()
print(f"result: model1_sum={result1.sum(dtype=np.float64)}")
print(f"result: model2_sum={result2.sum(dtype=np.float64)}")
print(f"result: model1_y0={result1[0, 0]}")
print(f"result: model2_max={result2.max()}")

times = []
for _ in range(20):
    t0 = time.perf_counter()
    run_both()
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: streams_ms={statistics.median(times):.4f} ms (two models on two streams + synchronize)")
