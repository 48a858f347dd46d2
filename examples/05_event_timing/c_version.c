/* c_version.c - timing a kernel with events (chapter 7.2, "イベントによる計測")
 * on gpuarray's C API: record an event, launch saxpy (chapter 7.1), record
 * another, synchronize, read the elapsed time; then, not in the chapter, the
 * launch overhead (host time per launch of an empty kernel). Prints
 * `result: key=value` lines that make demo and tests/test_examples.py
 * compare with the other versions.
 * Exit 77 (skipped) where there is no backend to run on, 1 on an error. */
#define _GNU_SOURCE
#include "gpuarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHECK(call)                                                           \
    do {                                                                      \
        ga_status st_ = (call);                                               \
        if (st_ != GA_OK)                                                     \
            return fail(st_, #call);                                          \
    } while (0)

static const char *source =
    "extern \"C\" __global__\n"
    "void saxpy(int n, float a, const float* x, float* y) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) {\n"
    "        y[i] = a * x[i] + y[i];\n"
    "    }\n"
    "}\n"
    "extern \"C\" __global__ void empty() {}\n";

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
    ga_device *dev;
    CHECK(ga_device_get(0, &dev));

    ga_compile_request req = {.source = source, .source_name = "saxpy.cu"};
    ga_program *prog;
    ga_module *mod;
    ga_function *saxpy, *empty;
    CHECK(ga_program_compile(dev, &req, &prog));
    CHECK(ga_module_load_program(dev, prog, &mod));
    ga_program_release(prog);
    CHECK(ga_module_get_function(mod, "saxpy", &saxpy));
    CHECK(ga_module_get_function(mod, "empty", &empty));

    int n = 1000000;
    float a = 2.0f;
    float *host = malloc(n * sizeof(float));
    ga_buffer *x, *y;
    CHECK(ga_buffer_alloc(dev, n * sizeof(float), NULL, &x));
    CHECK(ga_buffer_alloc(dev, n * sizeof(float), NULL, &y));
    for (int i = 0; i < n; i++)
        host[i] = 1.0f;
    CHECK(ga_memcpy_htod(dev, ga_buffer_ptr(x), host, n * sizeof(float), NULL));
    for (int i = 0; i < n; i++)
        host[i] = 3.0f;
    CHECK(ga_memcpy_htod(dev, ga_buffer_ptr(y), host, n * sizeof(float), NULL));
    unsigned grid[3] = {(unsigned)((n + 255) / 256), 1, 1}, block[3] = {256, 1, 1};
    ga_devptr xp = ga_buffer_ptr(x), yp = ga_buffer_ptr(y);
    void *args[] = {&n, &a, &xp, &yp};

    /* イベント作成 */
    ga_event *start, *end;
    CHECK(ga_event_create(dev, GA_EVENT_DEFAULT, &start));
    CHECK(ga_event_create(dev, GA_EVENT_DEFAULT, &end));

    CHECK(ga_event_record(start, NULL));                    /* 計測開始 */
    CHECK(ga_launch(saxpy, grid, block, 0, NULL, args));    /* カーネル実行 */
    CHECK(ga_event_record(end, NULL));                      /* 計測終了 */
    CHECK(ga_event_synchronize(end));
    float elapsed_ms;                                       /* 経過時間（ミリ秒） */
    CHECK(ga_event_elapsed_time(start, end, &elapsed_ms));
    printf("Kernel time: %.3f ms\n", elapsed_ms);

    CHECK(ga_memcpy_dtoh(dev, host, yp, n * sizeof(float), NULL));
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += host[i];
    printf("result: y0=%.1f\n", host[0]);
    printf("result: y_sum=%.1f\n", sum);

    /* Not in the textbook: the median of 20 such measurements, and the
     * launch overhead (1000 launches of an empty kernel). */
    double times[20];
    for (int r = 0; r < 20; r++) {
        CHECK(ga_event_record(start, NULL));
        CHECK(ga_launch(saxpy, grid, block, 0, NULL, args));
        CHECK(ga_event_record(end, NULL));
        CHECK(ga_event_synchronize(end));
        CHECK(ga_event_elapsed_time(start, end, &elapsed_ms));
        times[r] = elapsed_ms;
    }
    qsort(times, 20, sizeof times[0], cmp);
    printf("time: kernel_ms=%.4f ms (saxpy between two events, n = %d)\n",
           0.5 * (times[9] + times[10]), n);

    unsigned one[3] = {1, 1, 1};
    void *no_args[1] = {NULL};
    CHECK(ga_launch(empty, one, one, 0, NULL, no_args));
    CHECK(ga_device_synchronize(dev));
    double t0 = now_ms();
    for (int r = 0; r < 1000; r++)
        CHECK(ga_launch(empty, one, one, 0, NULL, no_args));
    double t1 = now_ms();
    CHECK(ga_device_synchronize(dev));
    printf("time: launch_us=%.3f us (host time per launch of an empty kernel, mean of 1000)\n", t1 - t0);

    ga_event_destroy(start);
    ga_event_destroy(end);
    ga_buffer_free(x);
    ga_buffer_free(y);
    ga_module_unload(mod);
    free(host);
    return 0;
}
