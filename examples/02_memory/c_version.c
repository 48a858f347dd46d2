/* c_version.c - memory operations (chapter 7.1, "メモリ操作") on gpuarray's
 * C API: 1000 floats 0..999 copied host to device, a zeroed allocation,
 * both copied back device to host. Prints `result: key=value` lines that
 * make demo and tests/test_examples.py compare with the other versions.
 * Exit 77 (skipped) where there is no backend to run on, 1 on an error. */
#define _GNU_SOURCE
#include "gpuarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 1000

#define CHECK(call)                                                           \
    do {                                                                      \
        ga_status st_ = (call);                                               \
        if (st_ != GA_OK)                                                     \
            return fail(st_, #call);                                          \
    } while (0)

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

/* htod of host_data, a zeroed allocation, dtoh of both (what one round of
 * the chapter's code does); the buffers are freed, the results kept. */
static int round_trip(ga_device *dev, const float *host_data, float *result, float *data_back)
{
    ga_buffer *device_data, *output;
    /* CPU → GPU（ホスト・トゥ・デバイス） */
    CHECK(ga_buffer_alloc(dev, N * sizeof(float), NULL, &device_data));
    CHECK(ga_memcpy_htod(dev, ga_buffer_ptr(device_data), host_data, N * sizeof(float), NULL));
    /* GPU上でメモリ確保 (zeroed) */
    CHECK(ga_buffer_alloc(dev, N * sizeof(float), NULL, &output));
    CHECK(ga_memset_async(dev, ga_buffer_ptr(output), 0, sizeof(float), N * sizeof(float), NULL));
    /* カーネル実行（省略） */
    /* GPU → CPU（デバイス・トゥ・ホスト）: the plain copy waits for the memset */
    CHECK(ga_memcpy_dtoh(dev, result, ga_buffer_ptr(output), N * sizeof(float), NULL));
    CHECK(ga_memcpy_dtoh(dev, data_back, ga_buffer_ptr(device_data), N * sizeof(float), NULL));
    CHECK(ga_buffer_free(device_data));
    CHECK(ga_buffer_free(output));
    return 0;
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

    /* CPU側データ */
    static float host_data[N], result[N], data_back[N];
    for (int i = 0; i < N; i++)
        host_data[i] = (float)i;
    memset(result, 0xff, sizeof result);       /* poisoned: the copies must overwrite */
    memset(data_back, 0xff, sizeof data_back);
    if (round_trip(dev, host_data, result, data_back))
        return 1;

    double output_sum = 0, data_sum = 0;
    for (int i = 0; i < N; i++) {
        output_sum += result[i];
        data_sum += data_back[i];
    }
    printf("result: output_len=%d\n", N);
    printf("result: output_sum=%.1f\n", output_sum);
    printf("result: data_sum=%.1f\n", data_sum);
    printf("result: data_last=%.1f\n", data_back[N - 1]);
    printf("result: data_equal=%d\n", memcmp(data_back, host_data, sizeof host_data) == 0);

    /* Not in the textbook: the same round trip timed (median of 20). */
    double times[20];
    for (int r = 0; r < 20; r++) {
        double t0 = now_ms();
        if (round_trip(dev, host_data, result, data_back))
            return 1;
        times[r] = now_ms() - t0;
    }
    qsort(times, 20, sizeof times[0], cmp);
    printf("time: roundtrip_ms=%.4f ms (htod + zeros + 2 dtoh of 1000 floats)\n",
           0.5 * (times[9] + times[10]));
    return 0;
}
