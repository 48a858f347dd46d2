/* c_version.c - concurrent streams (chapter 7.2, "ストリームによる並行実行")
 * on gpuarray's C API: two streams, each running its own small model (a
 * linear layer 256 -> 128; a linear layer 256 -> 64 and ReLU) on its own
 * batch of 512, then both synchronized. The weights and inputs are the
 * small integers of gpuarray_version.py, so the sums agree exactly.
 * Prints `result: key=value` lines that make demo and tests/test_examples.py
 * compare with the other versions.
 * Exit 77 (skipped) where there is no backend to run on, 1 on an error. */
#define _GNU_SOURCE
#include "gpuarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BATCH 512
#define N_IN 256
#define OUT1 128
#define OUT2 64

#define CHECK(call)                                                           \
    do {                                                                      \
        ga_status st_ = (call);                                               \
        if (st_ != GA_OK)                                                     \
            return fail(st_, #call);                                          \
    } while (0)

static const char *source =
    "extern \"C\" __global__\n"
    "void linear(const float* x, const float* w, const float* b, float* y,\n"
    "            int batch, int n_in, int n_out, int relu) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i >= batch * n_out) return;\n"
    "    int r = i / n_out, o = i % n_out;\n"
    "    float acc = b[o];\n"
    "    for (int k = 0; k < n_in; k++)\n"
    "        acc += x[r * n_in + k] * w[o * n_in + k];\n"
    "    y[i] = (relu && acc < 0.0f) ? 0.0f : acc;\n"
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

/* A device copy of n floats. */
static int upload(ga_device *dev, const float *host, size_t n, ga_buffer **buf)
{
    CHECK(ga_buffer_alloc(dev, n * sizeof(float), NULL, buf));
    CHECK(ga_memcpy_htod(dev, ga_buffer_ptr(*buf), host, n * sizeof(float), NULL));
    return 0;
}

/* One model: y = relu?(x w^T + b), one thread per output, on `stream`. */
static ga_status launch_linear(ga_function *linear, ga_stream *stream, ga_buffer *x, ga_buffer *w,
                               ga_buffer *b, ga_buffer *y, int n_out, int relu)
{
    int batch = BATCH, n_in = N_IN;
    ga_devptr xp = ga_buffer_ptr(x), wp = ga_buffer_ptr(w), bp = ga_buffer_ptr(b), yp = ga_buffer_ptr(y);
    void *args[] = {&xp, &wp, &bp, &yp, &batch, &n_in, &n_out, &relu};
    unsigned grid[3] = {(unsigned)(BATCH * n_out + 255) / 256, 1, 1}, block[3] = {256, 1, 1};
    return ga_launch(linear, grid, block, 0, stream, args);
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

    ga_compile_request req = {.source = source, .source_name = "linear.cu"};
    ga_program *prog;
    ga_module *mod;
    ga_function *linear;
    CHECK(ga_program_compile(dev, &req, &prog));
    CHECK(ga_module_load_program(dev, prog, &mod));
    ga_program_release(prog);
    CHECK(ga_module_get_function(mod, "linear", &linear));

    /* データ準備: the integer inputs and weights of gpuarray_version.py */
    static float x1[BATCH * N_IN], x2[BATCH * N_IN], w1[OUT1 * N_IN], w2[OUT2 * N_IN];
    static float b1[OUT1], b2[OUT2], y1[BATCH * OUT1], y2[BATCH * OUT2];
    for (int r = 0; r < BATCH; r++)
        for (int k = 0; k < N_IN; k++) {
            x1[r * N_IN + k] = (float)((7 * r + k * k) % 11 - 5);
            x2[r * N_IN + k] = (float)((r * r + 3 * k) % 13 - 6);
        }
    for (int o = 0; o < OUT1; o++) {
        for (int k = 0; k < N_IN; k++)
            w1[o * N_IN + k] = (float)((o * k + o) % 7 - 3);
        b1[o] = (float)(o % 5 - 2);
    }
    for (int o = 0; o < OUT2; o++) {
        for (int k = 0; k < N_IN; k++)
            w2[o * N_IN + k] = (float)((o + k * k) % 5 - 2);
        b2[o] = (float)(o % 3 - 1);
    }
    ga_buffer *dx1, *dx2, *dw1, *dw2, *db1, *db2, *dy1, *dy2;
    if (upload(dev, x1, BATCH * N_IN, &dx1) || upload(dev, x2, BATCH * N_IN, &dx2) ||
        upload(dev, w1, OUT1 * N_IN, &dw1) || upload(dev, w2, OUT2 * N_IN, &dw2) ||
        upload(dev, b1, OUT1, &db1) || upload(dev, b2, OUT2, &db2))
        return 1;
    CHECK(ga_buffer_alloc(dev, sizeof y1, NULL, &dy1));
    CHECK(ga_buffer_alloc(dev, sizeof y2, NULL, &dy2));

    /* 複数ストリーム作成 (blocking: they wait for the uploads on the null stream) */
    ga_stream *stream1, *stream2;
    CHECK(ga_stream_create(dev, GA_STREAM_DEFAULT, &stream1));
    CHECK(ga_stream_create(dev, GA_STREAM_DEFAULT, &stream2));

    double times[21];
    for (int rep = 0; rep < 21; rep++) {   /* the first run gives the results */
        double t0 = now_ms();
        /* 並行実行 */
        CHECK(launch_linear(linear, stream1, dx1, dw1, db1, dy1, OUT1, 0));
        CHECK(launch_linear(linear, stream2, dx2, dw2, db2, dy2, OUT2, 1));
        /* 両方の完了を待機 */
        CHECK(ga_stream_synchronize(dev, stream1));
        CHECK(ga_stream_synchronize(dev, stream2));
        times[rep] = now_ms() - t0;
        if (rep == 0) {
            CHECK(ga_memcpy_dtoh(dev, y1, ga_buffer_ptr(dy1), sizeof y1, NULL));
            CHECK(ga_memcpy_dtoh(dev, y2, ga_buffer_ptr(dy2), sizeof y2, NULL));
        }
    }

    double sum1 = 0, sum2 = 0;
    float max2 = y2[0];
    for (int i = 0; i < BATCH * OUT1; i++)
        sum1 += y1[i];
    for (int i = 0; i < BATCH * OUT2; i++) {
        sum2 += y2[i];
        max2 = y2[i] > max2 ? y2[i] : max2;
    }
    printf("result: model1_sum=%.1f\n", sum1);
    printf("result: model2_sum=%.1f\n", sum2);
    printf("result: model1_y0=%.1f\n", y1[0]);
    printf("result: model2_max=%.1f\n", max2);

    qsort(times + 1, 20, sizeof times[0], cmp);
    printf("time: streams_ms=%.4f ms (two models on two streams + synchronize)\n",
           0.5 * (times[10] + times[11]));

    ga_stream_destroy(stream1);
    ga_stream_destroy(stream2);
    ga_buffer *bufs[] = {dx1, dx2, dw1, dw2, db1, db2, dy1, dy2};
    for (int i = 0; i < 8; i++)
        ga_buffer_free(bufs[i]);
    ga_module_unload(mod);
    return 0;
}
