/* c_graph_bench.c - the plain-C reference for bench_fuse.py's graph rows:
 * 200 dependent tiny elementwise operations (x * 1.0001, then + 0.5, on
 * 16 float32) captured from a stream into a CUDA graph with the driver API
 * and replayed, timed per operation.
 *
 *   inplace  every operation writes the same buffer: 200 kernel nodes
 *   alloc    every operation writes a new buffer from cuMemAllocAsync and
 *            frees its input with cuMemFreeAsync, as array code does: 200
 *            kernel nodes and the graph's memory nodes (what a gpuarray
 *            capture of `x = x * a` records)
 *
 * Output: `name value unit` lines (bench_fuse.py parses them); '#' lines
 * are information. Exit 77 without a GPU. Built by `make c-graph-bench`
 * (needs the toolkit's headers, as c_driver_bench.c). */
#define _GNU_SOURCE
#include <cuda.h>
#include <nvrtc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CK(call)                                                                    \
    do {                                                                            \
        CUresult r_ = (call);                                                       \
        if (r_ != CUDA_SUCCESS) {                                                   \
            const char *n_ = "?";                                                   \
            cuGetErrorName(r_, &n_);                                                \
            fprintf(stderr, "c_graph_bench: %s:%d: %s: %s\n", __FILE__, __LINE__,   \
                    #call, n_);                                                     \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

static const char *SOURCE =
    "extern \"C\" __global__ void axpb(const float* x, float* y, float a, float b, long long n) {\n"
    "    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) y[i] = x[i] * a + b;\n"
    "}\n";

enum { OPS = 200, N = 16, REPLAYS = 200, REPEATS = 15 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void launch(CUfunction f, CUstream s, CUdeviceptr in, CUdeviceptr out, float a, float b)
{
    long long n = N;
    void *args[] = {&in, &out, &a, &b, &n};
    CK(cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 0, s, args, NULL));
}

/* Capture the chain; `alloc`: each operation allocates its output. */
static CUgraphExec capture(CUfunction f, CUstream s, CUdeviceptr x, int alloc)
{
    CUgraph g;
    CUgraphExec exec;
    CK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_RELAXED));
    CUdeviceptr cur = x;
    for (int k = 0; k < OPS; k++) {
        float a = k % 2 ? 1.0f : 1.0001f, b = k % 2 ? 0.5f : 0.0f;
        CUdeviceptr out = x;
        if (alloc)
            CK(cuMemAllocAsync(&out, N * sizeof(float), s));
        launch(f, s, cur, out, a, b);
        if (alloc && cur != x)
            CK(cuMemFreeAsync(cur, s));
        cur = out;
    }
    if (alloc)
        CK(cuMemFreeAsync(cur, s));
    CK(cuStreamEndCapture(s, &g));
    CK(cuGraphInstantiateWithFlags(&exec, g, CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH));
    CK(cuGraphDestroy(g));
    return exec;
}

static double per_op(CUgraphExec exec, CUstream s)
{
    double t[REPEATS];
    for (int w = 0; w < 10; w++)
        CK(cuGraphLaunch(exec, s));
    CK(cuStreamSynchronize(s));
    for (int r = 0; r < REPEATS; r++) {
        CK(cuStreamSynchronize(s));
        double t0 = now();
        for (int k = 0; k < REPLAYS; k++)
            CK(cuGraphLaunch(exec, s));
        CK(cuStreamSynchronize(s));
        t[r] = (now() - t0) / REPLAYS / OPS;
    }
    qsort(t, REPEATS, sizeof t[0], cmp);
    return t[REPEATS / 2];
}

int main(void)
{
    int count = 0;
    if (cuInit(0) != CUDA_SUCCESS || cuDeviceGetCount(&count) != CUDA_SUCCESS || count == 0) {
        printf("# no GPU\n");
        return 77;
    }
    CUdevice dev;
    CUcontext ctx;
    CK(cuDeviceGet(&dev, 0));
    CK(cuDevicePrimaryCtxRetain(&ctx, dev));
    CK(cuCtxSetCurrent(ctx));
    int major = 0, minor = 0;
    CK(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
    CK(cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev));

    nvrtcProgram prog;
    char arch[32];
    snprintf(arch, sizeof arch, "--gpu-architecture=sm_%d%d", major, minor);
    const char *opts[] = {arch};
    if (nvrtcCreateProgram(&prog, SOURCE, "graph.cu", 0, NULL, NULL) != NVRTC_SUCCESS ||
        nvrtcCompileProgram(prog, 1, opts) != NVRTC_SUCCESS) {
        fprintf(stderr, "c_graph_bench: NVRTC failed\n");
        return 1;
    }
    size_t size;
    nvrtcGetCUBINSize(prog, &size);
    char *cubin = malloc(size);
    nvrtcGetCUBIN(prog, cubin);
    nvrtcDestroyProgram(&prog);
    CUmodule mod;
    CUfunction f;
    CK(cuModuleLoadData(&mod, cubin));
    CK(cuModuleGetFunction(&f, mod, "axpb"));
    free(cubin);

    CUstream s;
    CK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
    CUdeviceptr x;
    CK(cuMemAlloc(&x, N * sizeof(float)));
    float host[N];
    for (int i = 0; i < N; i++)
        host[i] = (float)(i % 7) + 1.0f;
    CK(cuMemcpyHtoD(x, host, sizeof host));

    for (int alloc = 0; alloc <= 1; alloc++) {
        CUgraphExec exec = capture(f, s, x, alloc);
        printf("graph_tiny_%s %.4f us_per_op\n", alloc ? "alloc" : "inplace", per_op(exec, s) * 1e6);
        CK(cuGraphExecDestroy(exec));
    }
    CK(cuMemFree(x));
    CK(cuStreamDestroy(s));
    return 0;
}
