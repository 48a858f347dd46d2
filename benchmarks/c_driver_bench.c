/* c_driver_bench.c - the plain-C reference for benchmarks/bench.py: the same
 * measurements gpuarray, CuPy and PyTorch are timed on, written straight
 * against the CUDA driver API and NVRTC, the floor a Python library can
 * approach. Built only on a machine with the CUDA toolkit (`make bench`).
 *
 * Output: one machine-readable line per measurement, `name value unit`;
 * lines starting with '#' are information. Exit 77 when there is no GPU.
 *
 * Method: the device's primary context (what the libraries use), warm-up
 * before every timed loop, a host clock read only after a synchronize (or
 * events for device-side rates), the median of several repeats. Inputs are
 * never all zeros. */
#define _GNU_SOURCE
#include <cuda.h>
#include <nvrtc.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CK(call)                                                                    \
    do {                                                                            \
        CUresult r_ = (call);                                                       \
        if (r_ != CUDA_SUCCESS) {                                                   \
            const char *n_ = "?", *s_ = "?";                                        \
            cuGetErrorName(r_, &n_);                                                \
            cuGetErrorString(r_, &s_);                                              \
            fprintf(stderr, "c_driver_bench: %s:%d: %s: %s (%s)\n", __FILE__,       \
                    __LINE__, #call, n_, s_);                                       \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

#define NV(call)                                                                    \
    do {                                                                            \
        nvrtcResult r_ = (call);                                                    \
        if (r_ != NVRTC_SUCCESS) {                                                  \
            fprintf(stderr, "c_driver_bench: %s:%d: %s: %s\n", __FILE__, __LINE__,  \
                    #call, nvrtcGetErrorString(r_));                                \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

/* The same source bench.py compiles. */
static const char *SOURCE =
    "extern \"C\" __global__ void empty_kernel() {}\n"
    "extern \"C\" __global__ void saxpy(int n, float a, const float* x, float* y) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) {\n"
    "        y[i] = a * x[i] + y[i];\n"
    "    }\n"
    "}\n";

enum {
    LAUNCHES = 10000,      /* back-to-back launches per repeat */
    REPEATS = 7,           /* median of */
    ROUND_TRIPS = 2000,
    SMALL_COPIES = 2000,
    ALLOCS = 10000,
    SAXPY_SMALL_N = 4096,  /* launch-bound saxpy (bench.py: SAXPY_SMALL_N) */
    BIG_COPY_REPEATS = 10
};
#define BIG_BYTES ((size_t)100 * 1000 * 1000)     /* 100 MB */
#define SAXPY_BIG_N ((size_t)64 << 20)             /* 64M float32 */
#define DTOD_BYTES ((size_t)256 << 20)             /* 256 MB */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void report(const char *name, double value, const char *unit)
{
    printf("%s %.4g %s\n", name, value, unit);
    fflush(stdout);
}

/* NVRTC to cubin for sm_<arch> (PTX for compute_<arch> where this NVRTC
 * does not know the device). *is_cubin says which came out. */
static char *compile(const char *src, int arch, size_t *size, int *is_cubin)
{
    nvrtcProgram prog;
    char opt[64];
    const char *opts[1] = {opt};
    NV(nvrtcCreateProgram(&prog, src, "bench.cu", 0, NULL, NULL));
    snprintf(opt, sizeof opt, "--gpu-architecture=sm_%d", arch);
    nvrtcResult r = nvrtcCompileProgram(prog, 1, opts);
    *is_cubin = 1;
    if (r == NVRTC_ERROR_INVALID_OPTION) {
        snprintf(opt, sizeof opt, "--gpu-architecture=compute_%d", arch);
        r = nvrtcCompileProgram(prog, 1, opts);
        *is_cubin = 0;
    }
    if (r != NVRTC_SUCCESS) {
        size_t n = 0;
        nvrtcGetProgramLogSize(prog, &n);
        char *log = malloc(n + 1);
        nvrtcGetProgramLog(prog, log);
        fprintf(stderr, "c_driver_bench: compile failed (%s):\n%s\n", nvrtcGetErrorString(r), log);
        exit(1);
    }
    char *image;
    if (*is_cubin) {
        NV(nvrtcGetCUBINSize(prog, size));
        image = malloc(*size);
        NV(nvrtcGetCUBIN(prog, image));
    } else {
        NV(nvrtcGetPTXSize(prog, size));
        image = malloc(*size);
        NV(nvrtcGetPTX(prog, image));
    }
    NV(nvrtcDestroyProgram(&prog));
    return image;
}

static void fill_f32(CUdeviceptr p, float v, size_t n)
{
    uint32_t bits;
    memcpy(&bits, &v, 4);
    CK(cuMemsetD32(p, bits, n));
}

int main(int argc, char **argv)
{
    double t[64];
    /* --launch-only: the launch rows alone (bench.py alternates them with
     * gpuarray's in rounds, so the ratio is not one process against another) */
    int launch_only = argc > 1 && strcmp(argv[1], "--launch-only") == 0;
    CUresult r = cuInit(0);
    if (r != CUDA_SUCCESS) {
        const char *n = "?";
        cuGetErrorName(r, &n);
        printf("# skipped: cuInit failed: %s\n", n);
        return 77;
    }
    int count = 0;
    CK(cuDeviceGetCount(&count));
    if (count == 0) {
        printf("# skipped: no CUDA device\n");
        return 77;
    }
    CUdevice dev;
    CUcontext ctx;
    CK(cuDeviceGet(&dev, 0));
    CK(cuDevicePrimaryCtxRetain(&ctx, dev));
    CK(cuCtxSetCurrent(ctx));

    char name[256];
    int major, minor, drv, nv_major, nv_minor;
    CK(cuDeviceGetName(name, sizeof name, dev));
    CK(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
    CK(cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev));
    CK(cuDriverGetVersion(&drv));
    NV(nvrtcVersion(&nv_major, &nv_minor));
    int arch = major * 10 + minor;
    printf("# device %s, sm_%d, driver API %d.%d, NVRTC %d.%d\n", name, arch, drv / 1000,
           (drv % 1000) / 10, nv_major, nv_minor);

    /* ---- NVRTC: first compile in the process, then fresh sources */
    size_t image_size;
    int is_cubin;
    double t0 = now_s();
    char *image = compile(SOURCE, arch, &image_size, &is_cubin);
    report("compile_first", (now_s() - t0) * 1e3, "ms");
    printf("# compiled to %s (%zu bytes)\n", is_cubin ? "cubin" : "PTX (NVRTC older than the device)",
           image_size);
    if (!launch_only) {
        size_t len = strlen(SOURCE) + 64;
        char *src = malloc(len);
        for (int i = 0; i < 5; i++) {
            snprintf(src, len, "// fresh source %d\n%s", i, SOURCE);
            size_t sz;
            int cub;
            t0 = now_s();
            free(compile(src, arch, &sz, &cub));
            t[i] = (now_s() - t0) * 1e3;
        }
        report("compile_next", median(t, 5), "ms");
        /* what a user waits for: compile, load the module, find the kernel
         * (gpuarray's and CuPy's RawKernel.compile() do all three) */
        for (int i = 0; i < 5; i++) {
            snprintf(src, len, "// fresh loaded source %d\n%s", i, SOURCE);
            size_t sz;
            int cub;
            CUmodule m;
            CUfunction f;
            t0 = now_s();
            char *img = compile(src, arch, &sz, &cub);
            CK(cuModuleLoadData(&m, img));
            CK(cuModuleGetFunction(&f, m, "saxpy"));
            t[i] = (now_s() - t0) * 1e3;
            CK(cuModuleUnload(m));
            free(img);
        }
        report("compile_next_load", median(t, 5), "ms");
        free(src);
    }

    CUmodule mod;
    CUfunction f_empty, f_saxpy;
    t0 = now_s();
    CK(cuModuleLoadData(&mod, image));
    report("module_load", (now_s() - t0) * 1e3, "ms");
    CK(cuModuleGetFunction(&f_empty, mod, "empty_kernel"));
    CK(cuModuleGetFunction(&f_saxpy, mod, "saxpy"));
    free(image);

    /* ---- launch overhead: back to back, synchronized at the end */
    CK(cuLaunchKernel(f_empty, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
    CK(cuCtxSynchronize());
    for (int rep = 0; rep < REPEATS; rep++) {
        t0 = now_s();
        for (int i = 0; i < LAUNCHES; i++)
            CK(cuLaunchKernel(f_empty, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
        CK(cuCtxSynchronize());
        t[rep] = (now_s() - t0) * 1e6 / LAUNCHES;
    }
    report("launch_empty", median(t, REPEATS), "us");

    {
        int n = SAXPY_SMALL_N;
        float a = 2.0f;
        CUdeviceptr x, y;
        CK(cuMemAlloc(&x, (size_t)n * 4));
        CK(cuMemAlloc(&y, (size_t)n * 4));
        fill_f32(x, 1.0f, (size_t)n);
        fill_f32(y, 3.0f, (size_t)n);
        void *args[4] = {&n, &a, &x, &y};
        unsigned grid = (unsigned)((n + 255) / 256);
        CK(cuLaunchKernel(f_saxpy, grid, 1, 1, 256, 1, 1, 0, NULL, args, NULL));
        CK(cuCtxSynchronize());
        float y0;
        CK(cuMemcpyDtoH(&y0, y, 4));
        if (y0 != 5.0f) {
            fprintf(stderr, "c_driver_bench: saxpy gave %g, not 5\n", (double)y0);
            return 1;
        }
        for (int rep = 0; rep < REPEATS; rep++) {
            t0 = now_s();
            for (int i = 0; i < LAUNCHES; i++)
                CK(cuLaunchKernel(f_saxpy, grid, 1, 1, 256, 1, 1, 0, NULL, args, NULL));
            CK(cuCtxSynchronize());
            t[rep] = (now_s() - t0) * 1e6 / LAUNCHES;
        }
        report("launch_saxpy", median(t, REPEATS), "us");
        report("launch_saxpy_np", median(t, REPEATS), "us");
        CK(cuMemFree(x));
        CK(cuMemFree(y));
    }

    /* ---- launch + stream synchronize round trip */
    for (int rep = 0; rep < 5; rep++) {
        t0 = now_s();
        for (int i = 0; i < ROUND_TRIPS; i++) {
            CK(cuLaunchKernel(f_empty, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
            CK(cuStreamSynchronize(NULL));
        }
        t[rep] = (now_s() - t0) * 1e6 / ROUND_TRIPS;
    }
    report("launch_sync", median(t, 5), "us");
    if (launch_only)
        goto done;

    /* ---- 4-byte copies, pageable host memory */
    {
        CUdeviceptr d;
        float h = 1.5f;
        CK(cuMemAlloc(&d, 4));
        CK(cuMemcpyHtoD(d, &h, 4));
        for (int rep = 0; rep < 5; rep++) {
            t0 = now_s();
            for (int i = 0; i < SMALL_COPIES; i++)
                CK(cuMemcpyHtoD(d, &h, 4));
            t[rep] = (now_s() - t0) * 1e6 / SMALL_COPIES;
        }
        report("htod_4b", median(t, 5), "us");
        for (int rep = 0; rep < 5; rep++) {
            t0 = now_s();
            for (int i = 0; i < SMALL_COPIES; i++)
                CK(cuMemcpyDtoH(&h, d, 4));
            t[rep] = (now_s() - t0) * 1e6 / SMALL_COPIES;
        }
        report("dtoh_4b", median(t, 5), "us");
        CK(cuMemFree(d));
    }

    /* ---- 100 MB copies: pageable (touched first) and pinned */
    {
        CUdeviceptr d;
        CK(cuMemAlloc(&d, BIG_BYTES));
        CK(cuMemsetD8(d, 0x3f, BIG_BYTES));
        char *pageable = malloc(BIG_BYTES);
        void *pinned;
        memset(pageable, 0x3f, BIG_BYTES);
        CK(cuMemAllocHost(&pinned, BIG_BYTES));
        memset(pinned, 0x3f, BIG_BYTES);
        struct { const char *name; int htod; void *host; } cases[] = {
            {"htod_100mb_pageable", 1, pageable}, {"dtoh_100mb_pageable", 0, pageable},
            {"htod_100mb_pinned", 1, pinned},     {"dtoh_100mb_pinned", 0, pinned},
        };
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            for (int rep = -1; rep < BIG_COPY_REPEATS; rep++) {
                t0 = now_s();
                if (cases[c].htod)
                    CK(cuMemcpyHtoD(d, cases[c].host, BIG_BYTES));
                else
                    CK(cuMemcpyDtoH(cases[c].host, d, BIG_BYTES));
                if (rep >= 0)
                    t[rep] = BIG_BYTES / (now_s() - t0) / 1e9;
            }
            report(cases[c].name, median(t, BIG_COPY_REPEATS), "GB/s");
        }
        /* into fresh host memory every time (what asnumpy/.get() must do) */
        for (int rep = -1; rep < BIG_COPY_REPEATS; rep++) {
            t0 = now_s();
            char *fresh = malloc(BIG_BYTES);
            CK(cuMemcpyDtoH(fresh, d, BIG_BYTES));
            free(fresh);
            if (rep >= 0)
                t[rep] = BIG_BYTES / (now_s() - t0) / 1e9;
        }
        report("dtoh_100mb_new", median(t, BIG_COPY_REPEATS), "GB/s");
        CK(cuMemFreeHost(pinned));
        free(pageable);
        CK(cuMemFree(d));
    }

    /* ---- allocation: stream-ordered on the driver's pool, and plain */
    {
        CUdeviceptr p;
        const size_t mb = (size_t)1 << 20;
        CK(cuMemAllocAsync(&p, mb, NULL));
        CK(cuMemFreeAsync(p, NULL));
        for (int rep = 0; rep < 5; rep++) {
            t0 = now_s();
            for (int i = 0; i < ALLOCS; i++) {
                CK(cuMemAllocAsync(&p, mb, NULL));
                CK(cuMemFreeAsync(p, NULL));
            }
            t[rep] = (now_s() - t0) * 1e6 / ALLOCS;
        }
        CK(cuCtxSynchronize());
        report("empty_1mb", median(t, 5), "us");
        for (int rep = 0; rep < 5; rep++) {
            t0 = now_s();
            for (int i = 0; i < 100; i++) {
                CK(cuMemAlloc(&p, mb));
                CK(cuMemFree(p));
            }
            t[rep] = (now_s() - t0) * 1e6 / 100;
        }
        report("alloc_free_sync_1mb", median(t, 5), "us");
    }

    /* ---- device-side rates, timed with events */
    {
        CUevent e0, e1;
        CK(cuEventCreate(&e0, CU_EVENT_DEFAULT));
        CK(cuEventCreate(&e1, CU_EVENT_DEFAULT));
        int n = (int)SAXPY_BIG_N;
        float a = 2.0f, ms;
        CUdeviceptr x, y;
        CK(cuMemAlloc(&x, SAXPY_BIG_N * 4));
        CK(cuMemAlloc(&y, SAXPY_BIG_N * 4));
        fill_f32(x, 1.25f, SAXPY_BIG_N);
        fill_f32(y, -0.5f, SAXPY_BIG_N);
        void *args[4] = {&n, &a, &x, &y};
        unsigned grid = (unsigned)((SAXPY_BIG_N + 255) / 256);
        CK(cuLaunchKernel(f_saxpy, grid, 1, 1, 256, 1, 1, 0, NULL, args, NULL));
        for (int rep = 0; rep < REPEATS; rep++) {
            CK(cuEventRecord(e0, NULL));
            for (int i = 0; i < 10; i++)
                CK(cuLaunchKernel(f_saxpy, grid, 1, 1, 256, 1, 1, 0, NULL, args, NULL));
            CK(cuEventRecord(e1, NULL));
            CK(cuEventSynchronize(e1));
            CK(cuEventElapsedTime(&ms, e0, e1));
            t[rep] = 12.0 * (double)SAXPY_BIG_N * 10 / (ms * 1e-3) / 1e9;
        }
        report("saxpy_64m", median(t, REPEATS), "GB/s");
        CK(cuMemFree(x));
        CK(cuMemFree(y));

        CUdeviceptr s, d;
        CK(cuMemAlloc(&s, DTOD_BYTES));
        CK(cuMemAlloc(&d, DTOD_BYTES));
        CK(cuMemsetD8(s, 0x5a, DTOD_BYTES));
        CK(cuMemcpyDtoDAsync(d, s, DTOD_BYTES, NULL));
        for (int rep = 0; rep < REPEATS; rep++) {
            CK(cuEventRecord(e0, NULL));
            for (int i = 0; i < 10; i++)
                CK(cuMemcpyDtoDAsync(d, s, DTOD_BYTES, NULL));
            CK(cuEventRecord(e1, NULL));
            CK(cuEventSynchronize(e1));
            CK(cuEventElapsedTime(&ms, e0, e1));
            t[rep] = 2.0 * (double)DTOD_BYTES * 10 / (ms * 1e-3) / 1e9;
        }
        report("dtod_256mb", median(t, REPEATS), "GB/s");
        CK(cuMemFree(s));
        CK(cuMemFree(d));
        CK(cuEventDestroy(e0));
        CK(cuEventDestroy(e1));
    }

done:
    CK(cuModuleUnload(mod));
    CK(cuDevicePrimaryCtxRelease(dev));
    return 0;
}
