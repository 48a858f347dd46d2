/* test_streams.c - streams, events and stream-ordered memory under load,
 * through the public C API on whichever backend is active: six threads,
 * each with streams of its own (blocking and non-blocking, destroyed and
 * re-created while work is queued), allocate, copy, launch, record and
 * wait on events, and free, and every result is checked. Exit 77 (skipped)
 * where there is no backend or no kernel compiler. */
#include "gpuarray.h"
#include "kernel_fixture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char source[] =
    "extern \"C\" __global__ void axpb(float* x, int n, float a, float b) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) x[i] = x[i] * a + b;\n"
    "}\n";

enum { THREADS = 6, ROUNDS = 120, N = 10007 };

static ga_device *dev;
static ga_function *axpb;
static atomic_int failures;
static char first_failure[512];
static pthread_mutex_t failure_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *what, long thread, int round)
{
    pthread_mutex_lock(&failure_lock);
    if (atomic_fetch_add(&failures, 1) == 0)
        snprintf(first_failure, sizeof first_failure, "thread %ld round %d: %s (%s)", thread, round,
                 what, ga_last_error());
    pthread_mutex_unlock(&failure_lock);
}

static void *worker(void *arg)
{
    long id = (long)arg;
    ga_stream *s = NULL;
    ga_event *start = NULL, *end = NULL;
    float *host = malloc(N * sizeof(float));
    if (!host || ga_stream_create(dev, id % 2 ? GA_STREAM_NON_BLOCKING : GA_STREAM_DEFAULT, &s) ||
        ga_event_create(dev, GA_EVENT_DEFAULT, &start) || ga_event_create(dev, GA_EVENT_DEFAULT, &end)) {
        fail("setup", id, -1);
        free(host);
        return NULL;
    }
    for (int round = 0; round < ROUNDS; round++) {
        /* Every third round on the null stream, the rest on our own. */
        ga_stream *on = round % 3 == 0 ? NULL : s;
        ga_buffer *buf = NULL;
        if (ga_buffer_alloc(dev, N * sizeof(float), on, &buf)) {
            fail("ga_buffer_alloc", id, round);
            break;
        }
        float a = 1.0f + (float)(id % 3), b = (float)round;
        for (int i = 0; i < N; i++)
            host[i] = (float)((i * 7 + id) % 1001) - 500.0f;
        ga_devptr p = ga_buffer_ptr(buf);
        int n = N;
        void *args[] = {&p, &n, &a, &b};
        const unsigned grid[3] = {(N + 255) / 256, 1, 1}, block[3] = {256, 1, 1};
        if (ga_memcpy_htod_async(dev, p, host, N * sizeof(float), on) ||
            ga_event_record(start, on) || ga_launch(axpb, grid, block, 0, on, args) ||
            ga_launch(axpb, grid, block, 0, on, args) || ga_event_record(end, on) ||
            ga_stream_wait_event(dev, NULL, end)) {
            fail("queueing", id, round);
            ga_buffer_free(buf);
            break;
        }
        float *got = malloc(N * sizeof(float));
        if (!got || ga_memcpy_dtoh(dev, got, p, N * sizeof(float), on)) {
            fail("ga_memcpy_dtoh", id, round);
        } else {
            for (int i = 0; i < N; i++) {
                float want = (host[i] * a + b) * a + b;
                if (got[i] != want) {
                    fail("wrong result", id, round);
                    break;
                }
            }
        }
        free(got);
        float ms = -1.0f;
        int done = 0;
        if (ga_event_synchronize(end) || ga_event_query(end, &done) || !done ||
            ga_event_elapsed_time(start, end, &ms) || ms < 0.0f)
            fail("events", id, round);
        if (ga_buffer_free(buf))
            fail("ga_buffer_free", id, round);
        /* A stream destroyed with work queued still runs it. */
        if (round % 40 == 39) {
            if (ga_stream_destroy(s) || ga_stream_create(dev, GA_STREAM_DEFAULT, &s))
                fail("stream re-creation", id, round);
        }
    }
    if (ga_stream_synchronize(dev, s))
        fail("ga_stream_synchronize", id, ROUNDS);
    ga_stream_destroy(s);
    ga_event_destroy(start);
    ga_event_destroy(end);
    free(host);
    return NULL;
}

int main(void)
{
    ga_program *prog;
    ga_module *mod;
    int status = open_kernel(source, "axpb", &dev, &prog, &mod, &axpb);
    if (status)
        return status;
    size_t used_before = 0, used_after = 1;
    ga_mempool_used_bytes(dev, &used_before);

    pthread_t threads[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);

    int ok = ga_device_synchronize(dev) == GA_OK;
    printf("%s device synchronizes\n", ok ? "ok  " : "FAIL");
    int passed = ok;
    int total_failed = !ok;
    int f = atomic_load(&failures);
    printf("%s %d threads x %d rounds of copies, launches, events and frees%s%s\n",
           f ? "FAIL" : "ok  ", THREADS, ROUNDS, f ? ": " : "", f ? first_failure : "");
    passed += !f;
    total_failed += !!f;
    ga_mempool_used_bytes(dev, &used_after);
    ok = used_after == used_before;
    printf("%s no buffer leaked (%zu bytes in use, %zu before)\n", ok ? "ok  " : "FAIL", used_after,
           used_before);
    passed += ok;
    total_failed += !ok;
    ga_module_unload(mod);
    ga_program_release(prog);
    printf("%d passed, %d failed\n", passed, total_failed);
    return total_failed ? 1 : 0;
}
