/* test_graph.c - stream capture and graph replay through the public C API
 * on whichever backend is active: a captured chain of launches and copies
 * runs only when the graph is launched, as often as it is launched, on
 * the inputs as they are at each launch; what cannot be captured fails
 * with GA_ERROR_UNSUPPORTED and leaves the capture usable; memory
 * allocated and freed during the capture stays valid for every replay and
 * is given back with the graph. Exit 77 (skipped) where there is no
 * backend or no kernel compiler. */
#include "gpuarray.h"
#include "kernel_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char source[] =
    "extern \"C\" __global__ void axpb(float* x, int n, float a, float b) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) x[i] = x[i] * a + b;\n"
    "}\n";

enum { N = 4099 };

static int passed, failed;

static void check(int ok, const char *what)
{
    printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what, ok ? "" : ": ", ok ? "" : ga_last_error());
    if (ok)
        passed++;
    else
        failed++;
}

static int launch(ga_function *f, ga_stream *s, ga_devptr p, float a, float b)
{
    int n = N;
    void *args[] = {&p, &n, &a, &b};
    const unsigned grid[3] = {(N + 255) / 256, 1, 1}, block[3] = {256, 1, 1};
    return ga_launch(f, grid, block, 0, s, args) == GA_OK;
}

static int all_equal(const float *v, float want)
{
    for (int i = 0; i < N; i++)
        if (v[i] != want)
            return 0;
    return 1;
}

int main(void)
{
    ga_device *dev;
    ga_program *prog;
    ga_module *mod;
    ga_function *axpb = NULL;
    int status = open_kernel(source, "axpb", &dev, &prog, &mod, &axpb);
    if (status)
        return status;
    size_t used_before = 0, used_after = 1;
    ga_mempool_used_bytes(dev, &used_before);

    check(ga_stream_begin_capture(NULL, GA_CAPTURE_RELAXED) == GA_ERROR_INVALID_VALUE,
          "the null stream cannot capture");
    ga_stream *s = NULL;
    ga_buffer *x = NULL, *y = NULL;
    float *pinned = NULL, *pageable = malloc(N * sizeof(float));
    if (ga_stream_create(dev, GA_STREAM_NON_BLOCKING, &s) || ga_buffer_alloc(dev, N * 4, s, &x) ||
        ga_buffer_alloc(dev, N * 4, s, &y) || ga_host_alloc(N * 4, (void **)&pinned) || !pageable) {
        printf("FAIL setup: %s\n", ga_last_error());
        return 1;
    }
    for (int i = 0; i < N; i++)
        pinned[i] = 1.0f;
    ga_devptr xp = ga_buffer_ptr(x), yp = ga_buffer_ptr(y);
    check(ga_memcpy_htod(dev, xp, pinned, N * 4, s) == GA_OK, "x = 1 before the capture");

    int capturing = -1;
    check(ga_stream_begin_capture(s, GA_CAPTURE_RELAXED) == GA_OK, "begin_capture");
    check(ga_stream_is_capturing(s, &capturing) == GA_OK && capturing == 1, "is_capturing");
    check(ga_stream_begin_capture(s, GA_CAPTURE_RELAXED) == GA_ERROR_INVALID_VALUE,
          "a capturing stream cannot begin again");

    /* the graph: t = x * 2 + 1 (t allocated and freed inside), y = t,
     * x = x + 1, y = y * 1 + 0.5, pinned = y */
    ga_buffer *t = NULL;
    int ok = ga_buffer_alloc(dev, N * 4, s, &t) == GA_OK &&
             ga_memcpy_dtod_async(dev, ga_buffer_ptr(t), xp, N * 4, s) == GA_OK &&
             launch(axpb, s, ga_buffer_ptr(t), 2.0f, 1.0f) &&
             ga_memcpy_dtod_async(dev, yp, ga_buffer_ptr(t), N * 4, s) == GA_OK &&
             ga_buffer_free(t) == GA_OK && launch(axpb, s, xp, 1.0f, 1.0f) &&
             launch(axpb, s, yp, 1.0f, 0.5f) &&
             ga_memcpy_dtoh_async(dev, pinned, yp, N * 4, s) == GA_OK;
    check(ok, "launches, copies, an allocation and a free are captured");
    check(ga_memcpy_dtoh_async(dev, pageable, yp, N * 4, s) == GA_ERROR_UNSUPPORTED &&
              strstr(ga_last_error(), "pageable") != NULL,
          "a copy to pageable memory is refused, naming it");
    check(ga_stream_synchronize(dev, s) == GA_ERROR_UNSUPPORTED, "synchronizing is refused");
    check(ga_device_synchronize(dev) == GA_ERROR_UNSUPPORTED, "so is synchronizing the device");
    ga_graph *g = NULL;
    check(ga_stream_end_capture(s, &g) == GA_OK && g != NULL, "end_capture gives a graph");
    check(ga_stream_is_capturing(s, &capturing) == GA_OK && capturing == 0, "no longer capturing");
    ga_graph *again = NULL;
    check(ga_stream_end_capture(s, &again) == GA_ERROR_INVALID_VALUE && !again,
          "ending twice is refused");

    /* nothing ran during the capture */
    float *host = malloc(N * sizeof(float));
    check(ga_memcpy_dtoh(dev, host, xp, N * 4, s) == GA_OK && all_equal(host, 1.0f),
          "the captured work did not run");

    check(ga_graph_upload(g, s) == GA_OK, "upload");
    for (int k = 1; k <= 3; k++) {
        /* each replay sees x as it is: 1, 2, 3 */
        for (int i = 0; i < N; i++)
            pinned[i] = -1.0f;
        ok = ga_graph_launch(g, s) == GA_OK && ga_stream_synchronize(dev, s) == GA_OK &&
             all_equal(pinned, (float)k * 2.0f + 1.0f + 0.5f);
        char what[64];
        snprintf(what, sizeof what, "replay %d gives y = 2x + 1.5 into pinned memory", k);
        check(ok, what);
    }
    /* the inputs changed in place between replays */
    for (int i = 0; i < N; i++)
        host[i] = 10.0f;
    ok = ga_memcpy_htod(dev, xp, host, N * 4, s) == GA_OK && ga_graph_launch(g, NULL) == GA_OK &&
         ga_device_synchronize(dev) == GA_OK && all_equal(pinned, 21.5f) &&
         ga_memcpy_dtoh(dev, host, xp, N * 4, s) == GA_OK && all_equal(host, 11.0f);
    check(ok, "a replay on the null stream after x changed in place");

    check(ga_graph_destroy(g) == GA_OK, "graph destroyed");
    ga_buffer_free(x);
    ga_buffer_free(y);
    check(ga_stream_destroy(s) == GA_OK, "stream destroyed");
    ga_device_synchronize(dev);
    ga_mempool_used_bytes(dev, &used_after);
    check(used_after == used_before, "no buffer leaked");

    /* a stream destroyed while capturing ends its capture */
    ga_stream *s2 = NULL;
    ok = ga_stream_create(dev, 0, &s2) == GA_OK && ga_stream_begin_capture(s2, GA_CAPTURE_GLOBAL) == GA_OK &&
         ga_buffer_alloc(dev, 64, s2, &t) == GA_OK && ga_buffer_free(t) == GA_OK &&
         ga_stream_destroy(s2) == GA_OK;
    check(ok, "a stream destroyed while capturing");

    ga_host_free(pinned);
    free(pageable);
    free(host);
    ga_module_unload(mod);
    ga_program_release(prog);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
