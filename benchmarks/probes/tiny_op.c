/* tiny_op.c - where the time of a tiny `x + y` goes, in C: the raw driver
 * (cuMemAllocAsync + cuLaunchKernel + cuMemFreeAsync, each alone and all
 * three) beside the same through gpuarray's C API (ga_buffer_alloc,
 * ga_launch, ga_buffer_free). The floor the Python operator is held to.
 * GPU machine only:
 *   cc -O2 -I$CUDA/include -Icsrc/include tiny_op.c -Lbuild -lgpuarray \
 *      -L$CUDA/lib64/stubs -lcuda -Wl,-rpath,$PWD/build */
#define _POSIX_C_SOURCE 199309L
#include <cuda.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gpuarray.h"

#define CK(x) do { CUresult r_ = (x); if (r_) { const char *s; cuGetErrorName(r_, &s); \
    fprintf(stderr, "%s: %s\n", #x, s); exit(1); } } while (0)
#define GK(x) do { ga_status s_ = (x); if (s_) { fprintf(stderr, "%s: %s\n", #x, ga_last_error()); exit(1); } } while (0)

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

static const char *SRC =
    "extern \"C\" __global__ void add(float* o, const float* x, const float* y, long long n)"
    "{ long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; if (i < n) o[i] = x[i] + y[i]; }";

enum { L = 4000, R = 7, N = 16 };

typedef void (*body_fn)(void);
static CUfunction cf;
static ga_function *gf;
static ga_device *gdev;
static CUdeviceptr cx, cy, co;

static void drv_launch(void) { long long n = N; void *p[] = {&co, &cx, &cy, &n};
    CK(cuLaunchKernel(cf, 1, 1, 1, 256, 1, 1, 0, 0, p, NULL)); }
static void drv_alloc_free(void) { CUdeviceptr o; CK(cuMemAllocAsync(&o, N * 4, 0)); CK(cuMemFreeAsync(o, 0)); }
static void drv_add(void) { CUdeviceptr o; long long n = N; CK(cuMemAllocAsync(&o, N * 4, 0));
    void *p[] = {&o, &cx, &cy, &n}; CK(cuLaunchKernel(cf, 1, 1, 1, 256, 1, 1, 0, 0, p, NULL)); CK(cuMemFreeAsync(o, 0)); }
static void ga_launch_only(void) { long long n = N; void *p[] = {&co, &cx, &cy, &n, NULL};
    unsigned g[3] = {1, 1, 1}, b[3] = {256, 1, 1}; GK(ga_launch(gf, g, b, 0, NULL, p)); }
static void ga_alloc_free(void) { ga_buffer *o; GK(ga_buffer_alloc(gdev, N * 4, NULL, &o)); GK(ga_buffer_free(o)); }
static void ga_add(void) { ga_buffer *o; long long n = N; GK(ga_buffer_alloc(gdev, N * 4, NULL, &o));
    ga_devptr op = ga_buffer_ptr(o); void *p[] = {&op, &cx, &cy, &n, NULL};
    unsigned g[3] = {1, 1, 1}, b[3] = {256, 1, 1}; GK(ga_launch(gf, g, b, 0, NULL, p)); GK(ga_buffer_free(o)); }

static void run(const char *name, body_fn f)
{
    double ts[R];
    for (int r = 0; r <= R; r++) {
        double s = now();
        for (int i = 0; i < L; i++)
            f();
        CK(cuCtxSynchronize());
        if (r) ts[r - 1] = (now() - s) / L * 1e6;
    }
    qsort(ts, R, sizeof ts[0], cmp);
    printf("%-22s median %.3f us  min %.3f\n", name, ts[R / 2], ts[0]);
}

int main(void)
{
    GK(ga_init());
    GK(ga_device_get(0, &gdev));
    ga_compile_request req = {.source = SRC};
    ga_program *prog; ga_module *mod;
    GK(ga_program_compile(gdev, &req, &prog));
    GK(ga_module_load_program(gdev, prog, &mod));
    GK(ga_module_get_function(mod, "add", &gf));
    /* the same cubin through the driver itself, in the primary context
     * gpuarray made current */
    size_t sz; ga_image_kind kind;
    const void *img = ga_program_image(prog, &sz, &kind);
    CUmodule cm;
    CK(cuModuleLoadData(&cm, img));
    CK(cuModuleGetFunction(&cf, cm, "add"));
    CK(cuMemAlloc(&cx, N * 4)); CK(cuMemAlloc(&cy, N * 4)); CK(cuMemAlloc(&co, N * 4));
    for (int round = 0; round < 2; round++) {
        run("driver launch", drv_launch);
        run("driver alloc+free", drv_alloc_free);
        run("driver alloc+launch+free", drv_add);
        run("ga launch", ga_launch_only);
        run("ga alloc+free", ga_alloc_free);
        run("ga alloc+launch+free", ga_add);
    }
    return 0;
}
