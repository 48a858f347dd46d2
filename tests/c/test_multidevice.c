/* test_multidevice.c - several devices through the public C API: buffers,
 * streams, events and launches belong to their device, copies between
 * devices (ga_memcpy_peer_async / ga_memcpy_peer) agree with the source
 * on random data, whatever the pending work on the source device, and
 * mismatched devices are clear errors. Runs on the real devices where
 * there are two or more; elsewhere on two simulated host devices
 * (GPUARRAY_HOST_DEVICES=2, set here before ga_init unless already set).
 * Exit 77 (skipped, saying why) with fewer than 2 devices or no kernel
 * compiler. */
#define _POSIX_C_SOURCE 200809L
#include "gpuarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                            \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            failures++;                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                    \
            fprintf(stderr, __VA_ARGS__);                                                           \
            fprintf(stderr, " [%s]\n", ga_last_error());                                            \
        }                                                                                           \
    } while (0)

#define OK(call) CHECK((call) == GA_OK, "%s", #call)

static const char source[] =
    "extern \"C\" __global__ void axpb(float* x, int n, float a, float b) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) x[i] = x[i] * a + b;\n"
    "}\n";

enum { N = 1 << 20 };

static unsigned rng = 12345u;
static float rand_float(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)(rng >> 8) / (float)(1u << 24) * 200.0f - 100.0f;
}

static ga_function *load_axpb(ga_device *dev, ga_module **mod)
{
    ga_compile_request req = {.source = source, .source_name = "axpb.cu"};
    ga_program *prog = NULL;
    ga_function *fn = NULL;
    if (ga_program_compile(dev, &req, &prog) != GA_OK)
        return NULL;
    if (ga_module_load_program(dev, prog, mod) == GA_OK)
        ga_module_get_function(*mod, "axpb", &fn);
    ga_program_release(prog);
    return fn;
}

static void launch_axpb(ga_function *fn, ga_devptr x, int n, float a, float b, ga_stream *s)
{
    unsigned grid[3] = {(unsigned)((n + 255) / 256), 1, 1}, block[3] = {256, 1, 1};
    void *args[] = {&x, &n, &a, &b};
    OK(ga_launch(fn, grid, block, 0, s, args));
}

int main(void)
{
    /* Two simulated devices where the host backend runs; CUDA ignores it. */
    setenv("GPUARRAY_HOST_DEVICES", "2", 0);
    ga_status st = ga_init();
    if (st != GA_OK) {
        printf("SKIP: no backend: %s\n", ga_last_error());
        return 77;
    }
    int count = 0;
    OK(ga_device_count(&count));
    if (count < 2) {
        printf("SKIP: needs 2 devices, the %s backend has %d\n", ga_backend_name(), count);
        return 77;
    }
    printf("backend %s, %d devices\n", ga_backend_name(), count);

    ga_device *d0, *d1;
    OK(ga_device_get(0, &d0));
    OK(ga_device_get(1, &d1));
    CHECK(d0 != d1 && ga_device_ordinal(d1) == 1, "distinct device handles");

    /* Peer access: a device is not its own peer (CUDA's answer). */
    int can01 = -1, can00 = -1;
    OK(ga_device_can_access_peer(d0, d1, &can01));
    OK(ga_device_can_access_peer(d0, d0, &can00));
    CHECK(can01 == 0 || can01 == 1, "can_access_peer(0, 1) = %d", can01);
    CHECK(can00 == 0, "can_access_peer(0, 0) = %d", can00);
    printf("peer access 0 -> 1: %d\n", can01);

    /* Kernels per device. */
    ga_module *m0 = NULL, *m1 = NULL;
    ga_function *k0 = load_axpb(d0, &m0), *k1 = load_axpb(d1, &m1);
    if (!k0 || !k1) {
        printf("SKIP: no kernel compiler: %s\n", ga_last_error());
        return 77;
    }
    CHECK(ga_module_device(m0) == d0 && ga_module_device(m1) == d1, "modules belong to their device");

    float *host = malloc(N * sizeof(float)), *want = malloc(N * sizeof(float)),
          *got = malloc(N * sizeof(float));
    for (int i = 0; i < N; i++)
        host[i] = rand_float();

    ga_stream *s0 = NULL, *s1 = NULL;
    OK(ga_stream_create(d0, GA_STREAM_DEFAULT, &s0));
    OK(ga_stream_create(d1, GA_STREAM_NON_BLOCKING, &s1));
    CHECK(ga_stream_device(s0) == d0 && ga_stream_device(s1) == d1, "streams belong to their device");

    ga_buffer *b0 = NULL, *b1 = NULL;
    OK(ga_buffer_alloc(d0, N * sizeof(float), s0, &b0));
    OK(ga_buffer_alloc(d1, N * sizeof(float), s1, &b1));
    CHECK(ga_buffer_device(b0) == d0 && ga_buffer_device(b1) == d1, "buffers belong to their device");

    /* Pending work on device 0 (a kernel on a blocking stream), then the
     * copy to device 1 on device 1's stream: it must see the kernel's
     * result without any synchronization by the caller. */
    OK(ga_memcpy_htod(d0, ga_buffer_ptr(b0), host, N * sizeof(float), s0));
    for (int r = 0; r < 4; r++)
        launch_axpb(k0, ga_buffer_ptr(b0), N, 1.5f, (float)r, s0);
    for (int i = 0; i < N; i++) {
        float x = host[i];
        for (int r = 0; r < 4; r++)
            x = x * 1.5f + (float)r;
        want[i] = x;
    }
    memset(got, 0xff, N * sizeof(float));   /* poison: NaNs */
    OK(ga_memcpy_peer_async(d1, ga_buffer_ptr(b1), d0, ga_buffer_ptr(b0), N * sizeof(float), s1));
    /* Device 0's later work waits for the copy: overwrite the source at once. */
    OK(ga_memset_async(d0, ga_buffer_ptr(b0), 0, 4, N * sizeof(float), s0));
    OK(ga_memcpy_dtoh(d1, got, ga_buffer_ptr(b1), N * sizeof(float), s1));
    int bad = 0;
    for (int i = 0; i < N; i++) {
        float tol = 1e-5f * (1.0f + (want[i] < 0 ? -want[i] : want[i]));
        float diff = got[i] - want[i];
        if (!(diff <= tol && -diff <= tol) && bad++ < 3)
            fprintf(stderr, "  [%d] got %g want %g\n", i, got[i], want[i]);
    }
    CHECK(bad == 0, "peer copy 0 -> 1 after a pending kernel: %d of %d wrong", bad, N);

    /* And back, synchronous form, on device 0's null stream, after a kernel
     * on device 1 (b1 = b1 * 2 + 1); the source of the copy above is zero. */
    launch_axpb(k1, ga_buffer_ptr(b1), N, 2.0f, 1.0f, s1);
    OK(ga_stream_synchronize(d1, s1));
    OK(ga_memcpy_peer(d0, ga_buffer_ptr(b0), d1, ga_buffer_ptr(b1), N * sizeof(float), NULL));
    memset(got, 0xff, N * sizeof(float));
    OK(ga_memcpy_dtoh(d0, got, ga_buffer_ptr(b0), N * sizeof(float), NULL));
    bad = 0;
    for (int i = 0; i < N; i++) {
        float w = want[i] * 2.0f + 1.0f, tol = 1e-5f * (1.0f + (w < 0 ? -w : w)), diff = got[i] - w;
        if (!(diff <= tol && -diff <= tol))
            bad++;
    }
    CHECK(bad == 0, "peer copy 1 -> 0: %d of %d wrong", bad, N);

    /* An odd size and offsets inside the buffers. */
    size_t off = 4 * 1001, n = 12345 * 4 + 3;
    memset(got, 0, N * sizeof(float));
    OK(ga_memcpy_htod(d1, ga_buffer_ptr(b1), host, N * sizeof(float), NULL));
    OK(ga_memcpy_peer(d0, ga_buffer_ptr(b0) + off, d1, ga_buffer_ptr(b1) + 8, n, NULL));
    OK(ga_memcpy_dtoh(d0, got, ga_buffer_ptr(b0) + off, n, NULL));
    CHECK(memcmp(got, (const char *)host + 8, n) == 0, "peer copy of %zu bytes at offsets", n);

    /* Same device: a plain device-to-device copy. */
    OK(ga_memcpy_peer(d0, ga_buffer_ptr(b0), d0, ga_buffer_ptr(b0) + off, 64, NULL));
    /* Zero bytes is nothing. */
    OK(ga_memcpy_peer_async(d1, ga_buffer_ptr(b1), d0, ga_buffer_ptr(b0), 0, s1));

    /* Mismatches are errors that say which devices. */
    CHECK(ga_memcpy_peer_async(d0, ga_buffer_ptr(b0), d1, ga_buffer_ptr(b1), 64, s1) == GA_ERROR_INVALID_VALUE,
          "a peer copy on a stream of the source device is refused");
    CHECK(strstr(ga_last_error(), "device 1") != NULL, "detail names the device: %s", ga_last_error());
    CHECK(ga_memcpy_peer_async(NULL, 0, d0, ga_buffer_ptr(b0), 64, NULL) == GA_ERROR_INVALID_VALUE,
          "NULL device refused");
    ga_event *e0 = NULL, *e1 = NULL;
    OK(ga_event_create(d0, GA_EVENT_DEFAULT, &e0));
    OK(ga_event_create(d1, GA_EVENT_DEFAULT, &e1));
    CHECK(ga_event_record(e0, s1) == GA_ERROR_INVALID_VALUE,
          "recording an event of device 0 on a stream of device 1 is refused");
    CHECK(strstr(ga_last_error(), "device 0") && strstr(ga_last_error(), "device 1"),
          "detail names both devices: %s", ga_last_error());
    CHECK(ga_memcpy_dtod_async(d0, ga_buffer_ptr(b0), ga_buffer_ptr(b0) + off, 64, s1) == GA_ERROR_INVALID_VALUE,
          "a copy on device 0 with a stream of device 1 is refused");

    /* Events order streams across devices: device 1 waits for device 0. */
    OK(ga_memcpy_htod(d0, ga_buffer_ptr(b0), host, N * sizeof(float), s0));
    launch_axpb(k0, ga_buffer_ptr(b0), N, 3.0f, -1.0f, s0);
    OK(ga_event_record(e0, s0));
    OK(ga_stream_wait_event(d1, s1, e0));
    OK(ga_event_record(e1, s1));
    OK(ga_event_synchronize(e1));
    int done = 0;
    OK(ga_event_query(e0, &done));
    CHECK(done == 1, "device 0's event is complete once device 1 waited for it");

    /* A stream keeps its device whatever device the caller used last. */
    OK(ga_memcpy_htod(d1, ga_buffer_ptr(b1), host, N * sizeof(float), s1));
    launch_axpb(k1, ga_buffer_ptr(b1), N, 0.5f, 0.25f, s1);   /* d0 was entered last above */
    memset(got, 0xff, N * sizeof(float));
    OK(ga_memcpy_dtoh(NULL, got, ga_buffer_ptr(b1), N * sizeof(float), s1));
    bad = 0;
    for (int i = 0; i < N; i++) {
        float w = host[i] * 0.5f + 0.25f, tol = 1e-5f * (1.0f + (w < 0 ? -w : w)), diff = got[i] - w;
        if (!(diff <= tol && -diff <= tol))
            bad++;
    }
    CHECK(bad == 0, "kernel and copy on device 1's stream: %d of %d wrong", bad, N);

    OK(ga_event_destroy(e0));
    OK(ga_event_destroy(e1));
    OK(ga_buffer_free(b0));
    OK(ga_buffer_free(b1));
    OK(ga_stream_destroy(s0));
    OK(ga_stream_destroy(s1));
    OK(ga_device_synchronize(d0));
    OK(ga_device_synchronize(d1));
    OK(ga_module_unload(m0));
    OK(ga_module_unload(m1));
    free(host);
    free(want);
    free(got);
    if (failures) {
        printf("test_multidevice: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_multidevice: all passed\n");
    return 0;
}
