/* sanitizer_control.c - the plain-C control of scripts/sanitizer_check.sh.
 *
 * Under compute-sanitizer memcheck, gpuarray's test_no_device_memory_leaks
 * sees the device's used memory grow by megabytes. To tell whether that is
 * gpuarray's doing or the tool's, this program does the same thing with no
 * gpuarray at all: a context, cuMemGetInfo, N cuMemAlloc/cuMemFree cycles of
 * the sizes the test uses, cuMemGetInfo again. Run with and without the
 * tool in the same stage; if the growth appears here too under memcheck
 * only, it is the tool's (its shadow and padding allocations).
 * libcuda is dlopen'ed; build: cc -O2 -o sanitizer_control sanitizer_control.c -ldl */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef unsigned long long CUdeviceptr;

int main(int argc, char **argv)
{
    int cycles = argc > 1 ? atoi(argv[1]) : 200;
    void *h = dlopen("libcuda.so.1", RTLD_NOW);
    if (!h) {
        printf("control: no libcuda.so.1 (%s)\n", dlerror());
        return 2;
    }
    CUresult (*init)(unsigned) = (CUresult(*)(unsigned))dlsym(h, "cuInit");
    CUresult (*dev_get)(CUdevice *, int) = (CUresult(*)(CUdevice *, int))dlsym(h, "cuDeviceGet");
    CUresult (*primary)(CUcontext *, CUdevice) =
        (CUresult(*)(CUcontext *, CUdevice))dlsym(h, "cuDevicePrimaryCtxRetain");
    CUresult (*set)(CUcontext) = (CUresult(*)(CUcontext))dlsym(h, "cuCtxSetCurrent");
    CUresult (*info)(size_t *, size_t *) = (CUresult(*)(size_t *, size_t *))dlsym(h, "cuMemGetInfo_v2");
    CUresult (*alloc)(CUdeviceptr *, size_t) = (CUresult(*)(CUdeviceptr *, size_t))dlsym(h, "cuMemAlloc_v2");
    CUresult (*mfree)(CUdeviceptr) = (CUresult(*)(CUdeviceptr))dlsym(h, "cuMemFree_v2");
    CUresult (*sync)(void) = (CUresult(*)(void))dlsym(h, "cuCtxSynchronize");
    if (!init || !dev_get || !primary || !set || !info || !alloc || !mfree || !sync) {
        printf("control: libcuda lacks a needed function\n");
        return 2;
    }
    CUdevice d;
    CUcontext c;
    if (init(0) || dev_get(&d, 0) || primary(&c, d) || set(c)) {
        printf("control: no usable CUDA device\n");
        return 2;
    }
    size_t free0, total, free1;
    sync();
    info(&free0, &total);
    static const size_t sizes[] = {4, 1000, 4096, 1 << 16, 1 << 20, 3 << 20};
    for (int i = 0; i < cycles; i++) {
        CUdeviceptr p[6];
        for (int k = 0; k < 6; k++)
            if (alloc(&p[k], sizes[k]))
                p[k] = 0;
        for (int k = 0; k < 6; k++)
            if (p[k])
                mfree(p[k]);
    }
    sync();
    info(&free1, &total);
    long long grown = (long long)free0 - (long long)free1;
    printf("control: %d alloc/free cycles, device memory in use grew by %lld bytes (%.2f MB)\n",
           cycles, grown, grown / 1e6);
    return 0;
}
