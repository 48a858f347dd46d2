/* launch_forms.c - plain driver API probe: is cuLaunchKernel cheaper with
 * one packed argument buffer (CU_LAUNCH_PARAM_BUFFER_POINTER) than with the
 * kernelParams array? And how long does dlopen of NVRTC take (it bounds a
 * disk-cache hit that needs NVRTC's version for its key)? GPU machine only:
 *   gcc -O2 -I$CUDA/include launch_forms.c -L$CUDA/lib64/stubs -lcuda -lnvrtc -ldl */
#include <cuda.h>
#include <dlfcn.h>
#include <nvrtc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CK(x) do { CUresult r_ = (x); if (r_) { const char *s; cuGetErrorName(r_, &s); \
    fprintf(stderr, "%s: %s\n", #x, s); exit(1); } } while (0)

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(void)
{
    double t0 = now();
    void *h = dlopen("libnvrtc.so.13", RTLD_NOW | RTLD_LOCAL);
    printf("dlopen_nvrtc_ms %.3f (%s)\n", (now() - t0) * 1e3, h ? "ok" : dlerror());
    CK(cuInit(0));
    CUdevice dev; CUcontext ctx;
    CK(cuDeviceGet(&dev, 0));
    CK(cuDevicePrimaryCtxRetain(&ctx, dev));
    CK(cuCtxSetCurrent(ctx));
    const char *src = "extern \"C\" __global__ void saxpy(int n, float a, const float* x, float* y)"
                      "{ int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) y[i] = a * x[i] + y[i]; }";
    nvrtcProgram prog;
    nvrtcCreateProgram(&prog, src, "s.cu", 0, NULL, NULL);
    const char *opt = "--gpu-architecture=sm_90";
    if (nvrtcCompileProgram(prog, 1, &opt)) { puts("compile failed"); return 1; }
    size_t n; nvrtcGetCUBINSize(prog, &n);
    char *cubin = malloc(n); nvrtcGetCUBIN(prog, cubin);
    CUmodule mod; CUfunction f;
    CK(cuModuleLoadData(&mod, cubin));
    CK(cuModuleGetFunction(&f, mod, "saxpy"));
    int N = 4096; float a = 2.0f;
    CUdeviceptr x, y;
    CK(cuMemAlloc(&x, N * 4)); CK(cuMemAlloc(&y, N * 4));
    void *params[] = {&N, &a, &x, &y};
    struct { int n; float a; CUdeviceptr x, y; } packed = {N, a, x, y};
    size_t psize = sizeof packed;
    void *extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, &packed, CU_LAUNCH_PARAM_BUFFER_SIZE, &psize, CU_LAUNCH_PARAM_END};
    enum { L = 20000, R = 9 };
    for (int form = 0; form < 2; form++) {
        double ts[R];
        for (int r = 0; r < R + 1; r++) {
            double s = now();
            for (int i = 0; i < L; i++)
                CK(cuLaunchKernel(f, 16, 1, 1, 256, 1, 1, 0, 0, form ? NULL : params, form ? extra : NULL));
            CK(cuCtxSynchronize());
            if (r) ts[r - 1] = (now() - s) / L * 1e6;
        }
        qsort(ts, R, sizeof ts[0], cmp);
        printf("launch_%s_us median %.3f min %.3f\n", form ? "packed" : "kernelParams", ts[R / 2], ts[0]);
    }
    /* interleave once more to see the drift */
    for (int form = 0; form < 2; form++) {
        double s = now();
        for (int i = 0; i < L; i++)
            CK(cuLaunchKernel(f, 16, 1, 1, 256, 1, 1, 0, 0, form ? NULL : params, form ? extra : NULL));
        CK(cuCtxSynchronize());
        printf("again_%s_us %.3f\n", form ? "packed" : "kernelParams", (now() - s) / L * 1e6);
    }
    return 0;
}
