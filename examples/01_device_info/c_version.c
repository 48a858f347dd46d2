/* c_version.c - device discovery and properties (chapter 7.1) on gpuarray's
 * C API: the device count, device 0's name, compute capability and a few
 * attributes. Prints the chapter's lines, then `result: key=value` lines
 * that make demo and tests/test_examples.py compare with the other versions.
 * Exit 77 (skipped) where there is no backend to run on, 1 on an error. */
#include "gpuarray.h"

#include <stdio.h>
#include <stdlib.h>

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

int main(void)
{
    ga_status st = ga_init();
    if (st == GA_ERROR_NO_DRIVER || st == GA_ERROR_NO_DEVICE || st == GA_ERROR_DRIVER_TOO_OLD) {
        printf("skipped: no backend: %s: %s\n", ga_status_name(st), ga_last_error());
        return 77;
    }
    CHECK(st);

    /* デバイス数の取得 */
    int count;
    CHECK(ga_device_count(&count));
    printf("Found %d CUDA devices\n", count);

    /* デバイス0を使用 */
    ga_device *dev;
    CHECK(ga_device_get(0, &dev));

    /* デバイス情報 */
    char name[256];
    int major, minor, sms, warp, max_threads;
    CHECK(ga_device_name(dev, name, sizeof name));
    CHECK(ga_device_compute_capability(dev, &major, &minor));
    CHECK(ga_device_attribute(dev, GA_DEV_ATTR_MULTIPROCESSOR_COUNT, &sms));
    CHECK(ga_device_attribute(dev, GA_DEV_ATTR_WARP_SIZE, &warp));
    CHECK(ga_device_attribute(dev, GA_DEV_ATTR_MAX_THREADS_PER_BLOCK, &max_threads));
    printf("Device: %s\n", name);
    printf("Compute Capability: %d.%d\n", major, minor);

    printf("result: count=%d\n", count);
    printf("result: name=%s\n", name);
    printf("result: cc=%d.%d\n", major, minor);
    printf("result: sm_count=%d\n", sms);
    printf("result: warp_size=%d\n", warp);
    printf("result: max_threads_per_block=%d\n", max_threads);
    return 0;
}
