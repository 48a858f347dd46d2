/* c_version.c - inline PTX (chapter 7.5, "インライン PTX") on gpuarray's C
 * API: a CUDA C kernel whose thread index comes from asm() statements
 * (`asm("mov.u32 %0, %%tid.x;" : "=r"(tid))`, then mad.lo.u32 for the grid
 * index), doubling 1,000,000 floats. Prints `result: key=value` lines that
 * make demo and tests/test_examples.py compare with the other versions.
 * Exit 77 (skipped) where there is no backend, or one that cannot run PTX. */
#define _GNU_SOURCE
#include "gpuarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call)                                                           \
    do {                                                                      \
        ga_status st_ = (call);                                               \
        if (st_ != GA_OK)                                                     \
            return fail(st_, #call);                                          \
    } while (0)

static const char *source =
    "extern \"C\" __global__\n"
    "void double_it(float* data, int n) {\n"
    "    unsigned int tid, ctaid, ntid, idx;\n"
    "    asm(\"mov.u32 %0, %%tid.x;\" : \"=r\"(tid));\n"
    "    asm(\"mov.u32 %0, %%ctaid.x;\" : \"=r\"(ctaid));\n"
    "    asm(\"mov.u32 %0, %%ntid.x;\" : \"=r\"(ntid));\n"
    "    asm(\"mad.lo.u32 %0, %1, %2, %3;\" : \"=r\"(idx) : \"r\"(ctaid), \"r\"(ntid), \"r\"(tid));\n"
    "    if ((int)idx < n) {\n"
    "        data[idx] *= 2.0f;\n"
    "    }\n"
    "}\n";

static int fail(ga_status st, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", what, ga_status_name(st), ga_last_error());
    return 1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    ga_status st = ga_init();
    if (st == GA_ERROR_NO_DRIVER || st == GA_ERROR_NO_DEVICE || st == GA_ERROR_DRIVER_TOO_OLD) {
        printf("skipped: no backend: %s: %s\n", ga_status_name(st), ga_last_error());
        return 77;
    }
    CHECK(st);
    if (strcmp(ga_backend_name(), "cuda") != 0) {
        printf("skipped: the %s backend cannot run inline PTX: asm() holds NVIDIA's virtual "
               "instructions, which only NVRTC and the CUDA driver compile\n", ga_backend_name());
        return 77;
    }
    ga_device *dev;
    CHECK(ga_device_get(0, &dev));

    ga_compile_request req = {.source = source, .source_name = "double_it.cu"};
    ga_program *prog;
    ga_module *mod;
    ga_function *double_it;
    CHECK(ga_program_compile(dev, &req, &prog));
    CHECK(ga_module_load_program(dev, prog, &mod));
    ga_program_release(prog);
    CHECK(ga_module_get_function(mod, "double_it", &double_it));

    int n = 1000000;
    float *host = malloc(n * sizeof(float));
    for (int i = 0; i < n; i++)
        host[i] = (float)(i % 1000);
    ga_buffer *data;
    CHECK(ga_buffer_alloc(dev, n * sizeof(float), NULL, &data));
    CHECK(ga_memcpy_htod(dev, ga_buffer_ptr(data), host, n * sizeof(float), NULL));
    unsigned grid[3] = {(unsigned)((n + 255) / 256), 1, 1}, block[3] = {256, 1, 1};
    ga_devptr dp = ga_buffer_ptr(data);
    void *args[] = {&dp, &n};
    CHECK(ga_launch(double_it, grid, block, 0, NULL, args));
    CHECK(ga_memcpy_dtoh(dev, host, dp, n * sizeof(float), NULL));

    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += host[i];
    printf("result: data999=%.1f\n", host[999]);
    printf("result: data_sum=%.1f\n", sum);

    double times[20];
    for (int r = 0; r < 20; r++) {
        double t0 = now_ms();
        CHECK(ga_launch(double_it, grid, block, 0, NULL, args));
        CHECK(ga_stream_synchronize(dev, NULL));
        times[r] = now_ms() - t0;
    }
    qsort(times, 20, sizeof times[0], cmp);
    printf("time: kernel_ms=%.4f ms (inline-PTX kernel launch + synchronize, n = %d)\n",
           0.5 * (times[9] + times[10]), n);

    ga_buffer_free(data);
    ga_module_unload(mod);
    free(host);
    return 0;
}
