/* c_version.c - the cost of moving data (chapter 7.1, "メモリ転送のコスト")
 * on gpuarray's C API: 100 MB host to device (htod) and device to host
 * (dtoh), from pageable (malloc) and from pinned (ga_host_alloc) memory,
 * the median of 5 copies each, printed beside the chapter's PCIe figures.
 * Prints `result: key=value` lines that make demo and tests/test_examples.py
 * compare with the other versions, and `time: key=value GB/s` lines.
 * Exit 77 (skipped) where there is no backend to run on, 1 on an error. */
#define _GNU_SOURCE
#include "gpuarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBYTES 100000000u  /* the chapter's 100 MB */
#define N (NBYTES / 4)
#define REPS 5

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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* GB/s of one htod (dir 0) or dtoh (dir 1) copy of NBYTES: a warm-up, then
 * the median of REPS copies (the plain copies return when done). */
static int bandwidth(ga_device *dev, int dir, ga_devptr d, float *host, double *gbps)
{
    double times[REPS];
    for (int r = -1; r < REPS; r++) {
        double t0 = now_s();
        if (dir == 0)
            CHECK(ga_memcpy_htod(dev, d, host, NBYTES, NULL));
        else
            CHECK(ga_memcpy_dtoh(dev, host, d, NBYTES, NULL));
        CHECK(ga_device_synchronize(dev));
        if (r >= 0)
            times[r] = now_s() - t0;
    }
    qsort(times, REPS, sizeof times[0], cmp);
    *gbps = NBYTES / times[REPS / 2] / 1e9;
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

    ga_buffer *device;
    CHECK(ga_buffer_alloc(dev, NBYTES, NULL, &device));
    float *data = malloc(NBYTES);
    if (!data)
        return fail(GA_ERROR_HOST_OUT_OF_MEMORY, "malloc");
    for (unsigned i = 0; i < N; i++)
        data[i] = (float)i;

    static const char *kinds[2] = {"pageable", "pinned"};
    double gbps[2][2];  /* [kind][htod, dtoh] */
    for (int pinned = 0; pinned < 2; pinned++) {
        float *host, *back;
        if (pinned) {
            CHECK(ga_host_alloc(NBYTES, (void **)&host));
            CHECK(ga_host_alloc(NBYTES, (void **)&back));
        } else if (!(host = malloc(NBYTES)) || !(back = malloc(NBYTES))) {
            return fail(GA_ERROR_HOST_OUT_OF_MEMORY, "malloc");
        }
        memcpy(host, data, NBYTES);
        if (bandwidth(dev, 0, ga_buffer_ptr(device), host, &gbps[pinned][0]) ||
            bandwidth(dev, 1, ga_buffer_ptr(device), back, &gbps[pinned][1]))
            return 1;
        printf("result: %s_equal=%d\n", kinds[pinned], memcmp(back, data, NBYTES) == 0);
        if (pinned) {
            ga_host_free(host);
            ga_host_free(back);
        } else {
            free(host);
            free(back);
        }
    }
    printf("result: bytes=%u\n", NBYTES);

    static const struct { const char *gen; int theory, effective; } pcie[] = {
        {"3.0", 16, 12}, {"4.0", 32, 25}, {"5.0", 64, 50}};
    printf("%-24s%10s%7s%11s%7s\n", "transfer of 100 MB", "htod GB/s", "ms", "dtoh GB/s", "ms");
    for (int k = 0; k < 2; k++) {
        char label[32];
        snprintf(label, sizeof label, "measured, %s", kinds[k]);
        printf("%-24s%10.1f%7.2f%11.1f%7.2f\n", label, gbps[k][0], NBYTES / gbps[k][0] / 1e6,
               gbps[k][1], NBYTES / gbps[k][1] / 1e6);
    }
    for (int g = 0; g < 3; g++) {
        char label[32], eff[8];
        snprintf(label, sizeof label, "chapter, PCIe %s x16", pcie[g].gen);
        snprintf(eff, sizeof eff, "~%d", pcie[g].effective);
        printf("%-24s%10s%7.1f   (theory %d GB/s)\n", label, eff, NBYTES / (pcie[g].effective * 1e9) * 1e3,
               pcie[g].theory);
    }
    for (int k = 0; k < 2; k++) {
        printf("time: htod_%s=%.2f GB/s\n", kinds[k], gbps[k][0]);
        printf("time: dtoh_%s=%.2f GB/s\n", kinds[k], gbps[k][1]);
    }

    ga_buffer_free(device);
    free(data);
    return 0;
}
