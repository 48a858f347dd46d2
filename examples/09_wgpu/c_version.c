/* c_version.c - the chapter's WGSL kernels (7.3) as CUDA C on gpuarray's C
 * API, the twin of gpuarray_version.py: the doubling of 1000 floats (with the
 * bounds check the WGSL shader lacks), the chapter's CUDA `matmul` that adds
 * (c = a + b), and the doubling timed on 16,776,960 floats, the largest 1-D
 * dispatch of WebGPU (65535 workgroups of 256), for comparison with the wgpu
 * versions. Prints the same `result:` and `time:` lines as they do.
 * Exit 77 (skipped) when there is no backend to run on, 1 on any other error.
 *
 *   make demo                (builds build/examples/09_wgpu, runs every version) */
#define _GNU_SOURCE
#include "gpuarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The second size: 16,776,960 floats, WebGPU's largest 1-D dispatch (65535
 * workgroups of 256), or EXAMPLE_BIG_N (the tests run a smaller one). */
static unsigned big_n(void)
{
    const char *s = getenv("EXAMPLE_BIG_N");
    long v = s ? strtol(s, NULL, 10) : 65535L * 256;
    if (v < 1024 || v > 65535L * 256) {
        fprintf(stderr, "EXAMPLE_BIG_N=%s: must be 1024 .. 16776960\n", s);
        exit(2);
    }
    return (unsigned)v;
}
#define BIG_N big_n()

static const char *source =
    "extern \"C\" __global__\n"
    "void double_it(const float* input, float* output, int n) {\n"
    "    int idx = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (idx < n) {\n"
    "        output[idx] = input[idx] * 2.0f;\n"
    "    }\n"
    "}\n"
    /* CUDA の例 (the chapter's, verbatim) */
    "extern \"C\" __global__ void matmul(\n"
    "    const float* a, const float* b, float* c, int n\n"
    ") {\n"
    "    int idx = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (idx < n) {\n"
    "        c[idx] = a[idx] + b[idx];\n"
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

/* Launch `fn` over n elements with 256 threads a block; args end in &n. */
static ga_status launch(ga_function *fn, int n, void **args)
{
    unsigned grid[3] = {(unsigned)((n + 255) / 256), 1, 1};
    unsigned block[3] = {256, 1, 1};
    return ga_launch(fn, grid, block, 0, NULL, args);
}

int main(void)
{
    ga_status st = ga_init();
    if (st == GA_ERROR_NO_DRIVER || st == GA_ERROR_NO_DEVICE || st == GA_ERROR_DRIVER_TOO_OLD) {
        printf("skipped: no backend: %s: %s\n", ga_status_name(st), ga_last_error());
        return 77;
    }
    if (st != GA_OK)
        return fail(st, "ga_init");

    ga_device *dev;
    if ((st = ga_device_get(0, &dev)) != GA_OK)
        return fail(st, "ga_device_get");
    ga_compile_request req = {.source = source, .source_name = "wgsl_twins.cu"};
    ga_program *prog;
    ga_module *mod;
    ga_function *double_it, *add;
    if ((st = ga_program_compile(dev, &req, &prog)) != GA_OK)
        return fail(st, "ga_program_compile");
    if ((st = ga_module_load_program(dev, prog, &mod)) != GA_OK)
        return fail(st, "ga_module_load_program");
    ga_program_release(prog);
    if ((st = ga_module_get_function(mod, "double_it", &double_it)) != GA_OK ||
        (st = ga_module_get_function(mod, "matmul", &add)) != GA_OK)
        return fail(st, "ga_module_get_function");

    /* Three device buffers of BIG_N floats serve every step below. */
    size_t bytes = (size_t)BIG_N * sizeof(float);
    float *host = malloc(bytes), *back = malloc(bytes);
    if (!host || !back) {
        fprintf(stderr, "out of host memory\n");
        return 1;
    }
    ga_buffer *bx, *by, *bz;
    if ((st = ga_buffer_alloc(dev, bytes, NULL, &bx)) != GA_OK ||
        (st = ga_buffer_alloc(dev, bytes, NULL, &by)) != GA_OK ||
        (st = ga_buffer_alloc(dev, bytes, NULL, &bz)) != GA_OK)
        return fail(st, "ga_buffer_alloc");
    ga_devptr x = ga_buffer_ptr(bx), y = ga_buffer_ptr(by), z = ga_buffer_ptr(bz);

    /* The doubling of 1000 floats. */
    int n = 1000;
    for (int i = 0; i < n; i++)
        host[i] = (float)i;
    if ((st = ga_memcpy_htod(dev, x, host, n * sizeof(float), NULL)) != GA_OK)
        return fail(st, "ga_memcpy_htod");
    void *dargs[] = {&x, &y, &n};
    if ((st = launch(double_it, n, dargs)) != GA_OK)
        return fail(st, "ga_launch double_it");
    if ((st = ga_memcpy_dtoh(dev, back, y, n * sizeof(float), NULL)) != GA_OK)
        return fail(st, "ga_memcpy_dtoh");
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += back[i];
    printf("output[999] = %.1f\n", back[999]);
    printf("result: double_last=%.1f\nresult: double_sum=%.1f\n", back[999], sum);

    /* c = a + b with a = i, b = 2 i: the chapter's `matmul`. */
    for (int i = 0; i < n; i++)
        host[i] = 2.0f * (float)i;
    if ((st = ga_memcpy_htod(dev, y, host, n * sizeof(float), NULL)) != GA_OK)
        return fail(st, "ga_memcpy_htod");
    void *aargs[] = {&x, &y, &z, &n};
    if ((st = launch(add, n, aargs)) != GA_OK)
        return fail(st, "ga_launch matmul");
    if ((st = ga_memcpy_dtoh(dev, back, z, n * sizeof(float), NULL)) != GA_OK)
        return fail(st, "ga_memcpy_dtoh");
    sum = 0;
    for (int i = 0; i < n; i++)
        sum += back[i];
    printf("result: add_last=%.1f\nresult: add_sum=%.1f\n", back[999], sum);

    /* The doubling on 16,776,960 floats, checked, then timed. */
    n = BIG_N;
    for (int i = 0; i < n; i++)
        host[i] = (float)i;
    if ((st = ga_memcpy_htod(dev, x, host, bytes, NULL)) != GA_OK)
        return fail(st, "ga_memcpy_htod");
    if ((st = launch(double_it, n, dargs)) != GA_OK)
        return fail(st, "ga_launch double_it");
    if ((st = ga_memcpy_dtoh(dev, back, y, bytes, NULL)) != GA_OK)
        return fail(st, "ga_memcpy_dtoh");
    long mismatches = 0;
    for (int i = 0; i < n; i++)
        mismatches += back[i] != host[i] * 2.0f;
    printf("result: big_n=%d\nresult: big_last=%.1f\nresult: big_mismatches=%ld\n",
           n, back[n - 1], mismatches);
    double times[5];
    for (int r = 0; r < 5; r++) {
        double t0 = now_ms();
        if ((st = launch(double_it, n, dargs)) != GA_OK)
            return fail(st, "ga_launch double_it");
        if ((st = ga_stream_synchronize(dev, NULL)) != GA_OK)
            return fail(st, "ga_stream_synchronize");
        times[r] = now_ms() - t0;
    }
    qsort(times, 5, sizeof times[0], cmp);
    printf("time: big_ms=%.4f ms (launch + synchronize, n = %d, median of 5)\n", times[2], n);
    printf("time: big_gbps=%.2f GB/s (read + write)\n", 2.0 * bytes / times[2] / 1e6);

    ga_buffer_free(bx);
    ga_buffer_free(by);
    ga_buffer_free(bz);
    ga_module_unload(mod);
    free(host);
    free(back);
    return 0;
}
