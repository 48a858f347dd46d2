/* graph.c - stream capture and graph replay (CUDA graphs, and the host
 * backend's recorded task lists), and the memory a graph may still use.
 *
 * Memory is the delicate part. A replay touches every address the capture
 * saw, so memory freed on the capturing stream during the capture (a
 * temporary, an input dropped inside the capture) and memory allocated
 * during it must not go back to the block cache or the pool while the
 * graph lives. The capture record (ga_capture) keeps those blocks and
 * frees them once the graph and every buffer allocated in the capture are
 * gone. The exception is CUDA's own graph memory: a block allocated and
 * freed inside one capture becomes an alloc node and a free node of the
 * graph, which the driver runs at every launch. */
#include "ga_private.h"

#include <stdlib.h>
#include <string.h>

typedef struct capture_block {
    ga_devptr ptr;
    int in_graph;                /* allocated during the capture */
} capture_block;

struct ga_capture {
    _Atomic int refcount;        /* the capturing stream or the graph, + one per buffer */
    ga_device *device;
    _Atomic int launched;        /* the graph ran at least once */
    pthread_mutex_t lock;        /* guards blocks */
    capture_block *blocks;
    int count, cap;
};

struct ga_graph {
    ga_device *device;
    void *native;                /* CUgraphExec, or the host backend's graph */
    struct ga_capture *capture;  /* retained */
};

void ga_capture_retain(struct ga_capture *cap)
{
    atomic_fetch_add_explicit(&cap->refcount, 1, memory_order_relaxed);
}

/* The last reference: every replay that may use the kept blocks is done
 * once the device is idle. Blocks CUDA allocated for a graph that never
 * ran were never mapped: there is nothing to free. */
void ga_capture_release(struct ga_capture *cap)
{
    if (!cap || atomic_fetch_sub_explicit(&cap->refcount, 1, memory_order_acq_rel) != 1)
        return;
    ga_device *dev = cap->device;
    if (cap->count && ga_device_enter(dev) == GA_OK && ga_backend->device_synchronize(dev) == GA_OK) {
        int launched = atomic_load(&cap->launched);
        for (int i = 0; i < cap->count; i++)
            if (!cap->blocks[i].in_graph || launched || !ga_backend->capture_allocs_need_launch)
                ga_backend->mem_free(dev, cap->blocks[i].ptr, NULL);
    }
    pthread_mutex_destroy(&cap->lock);
    free(cap->blocks);
    free(cap);
}

static int capture_add(struct ga_capture *cap, ga_devptr ptr, int in_graph)
{
    pthread_mutex_lock(&cap->lock);
    if (cap->count == cap->cap) {
        int n = cap->cap ? cap->cap * 2 : 16;
        capture_block *b = realloc(cap->blocks, (size_t)n * sizeof *b);
        if (!b) {
            pthread_mutex_unlock(&cap->lock);
            return 0;
        }
        cap->blocks = b;
        cap->cap = n;
    }
    cap->blocks[cap->count].ptr = ptr;
    cap->blocks[cap->count].in_graph = in_graph;
    cap->count++;
    pthread_mutex_unlock(&cap->lock);
    return 1;
}

int ga_capture_keep_free(ga_buffer *buffer)
{
    struct ga_capture *mine = buffer->capture;
    struct ga_capture *now = buffer->stream ? buffer->stream->capture : NULL;
    int kept = 1;
    if (buffer->size > 0) {
        if (mine && mine == now && ga_backend->capture_allocs_need_launch)
            kept = 0;                       /* the graph's own free node */
        else
            capture_add(mine ? mine : now, buffer->ptr, mine != NULL);
        /* (without host memory for the list the block leaks, rather than
         * being reused under a replay) */
    }
    buffer->capture = NULL;
    ga_capture_release(mine);
    return kept;
}

ga_status ga_capture_check(ga_stream *stream, const char *what)
{
    if (stream && stream->capture)
        return ga_error(GA_ERROR_UNSUPPORTED, "%s cannot be captured into a graph (the stream is "
                        "capturing): do it before begin_capture or after end_capture", what);
    return GA_OK;
}

static ga_status graph_slots(const char *what)
{
    if (!ga_backend->stream_begin_capture)
        return ga_error(GA_ERROR_UNSUPPORTED, "%s: the %s backend has no graphs", what,
                        ga_backend->name);
    return GA_OK;
}

ga_status ga_stream_begin_capture(ga_stream *stream, ga_capture_mode mode)
{
    if (!stream)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_begin_capture: the null stream cannot "
                        "capture (use a stream of your own)");
    if (mode != GA_CAPTURE_GLOBAL && mode != GA_CAPTURE_THREAD_LOCAL && mode != GA_CAPTURE_RELAXED)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_begin_capture: unknown mode %d", (int)mode);
    if (stream->capture)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_begin_capture: the stream is capturing "
                        "already");
    ga_status st = graph_slots("ga_stream_begin_capture");
    if (st == GA_OK)
        st = ga_device_enter(stream->device);
    if (st != GA_OK)
        return st;
    struct ga_capture *cap = calloc(1, sizeof *cap);
    if (!cap)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_stream_begin_capture: out of host memory");
    atomic_init(&cap->refcount, 1);
    atomic_init(&cap->launched, 0);
    cap->device = stream->device;
    pthread_mutex_init(&cap->lock, NULL);
    st = ga_backend->stream_begin_capture(stream->device, stream->native, (int)mode);
    if (st != GA_OK) {
        ga_capture_release(cap);
        return st;
    }
    stream->capture = cap;
    atomic_fetch_add(&stream->device->captures, 1);
    return GA_OK;
}

ga_status ga_stream_is_capturing(ga_stream *stream, int *capturing)
{
    if (!capturing)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_is_capturing: capturing is NULL");
    *capturing = stream && stream->capture;
    return GA_OK;
}

ga_status ga_stream_end_capture(ga_stream *stream, ga_graph **graph)
{
    if (!graph)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_end_capture: graph is NULL");
    *graph = NULL;
    if (!stream || !stream->capture)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_end_capture: the stream is not capturing");
    ga_status st = ga_device_enter(stream->device);
    if (st != GA_OK)
        return st;
    struct ga_capture *cap = stream->capture;
    ga_graph *g = calloc(1, sizeof *g);
    void *native = NULL;
    st = ga_backend->stream_end_capture(stream->device, stream->native, &native);
    stream->capture = NULL;             /* ended, successfully or not */
    atomic_fetch_sub(&stream->device->captures, 1);
    if (st == GA_OK && !g) {
        ga_backend->graph_destroy(stream->device, native);
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_stream_end_capture: out of host memory");
    }
    if (st != GA_OK) {
        free(g);
        ga_capture_release(cap);
        return st;
    }
    g->device = stream->device;
    g->native = native;
    g->capture = cap;                   /* the stream's reference passes to the graph */
    *graph = g;
    return GA_OK;
}

static ga_status graph_stream(ga_graph *graph, ga_stream *stream, const char *what)
{
    if (!graph)
        return ga_error(GA_ERROR_INVALID_VALUE, "%s: graph is NULL", what);
    if (stream && stream->device != graph->device)
        return ga_error(GA_ERROR_INVALID_VALUE, "%s: a graph of device %d on a stream of device %d",
                        what, graph->device->ordinal, stream->device->ordinal);
    return ga_device_enter(graph->device);
}

ga_status ga_graph_launch(ga_graph *graph, ga_stream *stream)
{
    ga_status st = graph_stream(graph, stream, "ga_graph_launch");
    if (st != GA_OK)
        return st;
    void *native_stream = stream ? stream->native : NULL;
    st = ga_backend->graph_launch(graph->device, graph->native, native_stream);
    if (st == GA_ERROR_OUT_OF_MEMORY) {
        /* The graph's memory nodes draw on the driver's graph pool, which
         * cannot take pages the stream-ordered pool keeps cached (release
         * threshold set at device open) or the block cache holds: give
         * those back and retry once, as buffer allocation does. */
        ga_block_cache_release_all(graph->device);
        if (ga_backend->device_synchronize(graph->device) == GA_OK &&
            ga_backend->pool_trim(graph->device) == GA_OK)
            st = ga_backend->graph_launch(graph->device, graph->native, native_stream);
    }
    if (st == GA_OK)
        atomic_store(&graph->capture->launched, 1);
    return st;
}

ga_status ga_graph_upload(ga_graph *graph, ga_stream *stream)
{
    ga_status st = graph_stream(graph, stream, "ga_graph_upload");
    if (st != GA_OK)
        return st;
    return ga_backend->graph_upload(graph->device, graph->native, stream ? stream->native : NULL);
}

ga_status ga_graph_destroy(ga_graph *graph)
{
    if (!graph)
        return GA_OK;
    ga_status st = ga_device_enter(graph->device);
    if (st == GA_OK)
        st = ga_backend->graph_destroy(graph->device, graph->native);
    ga_capture_release(graph->capture);
    free(graph);
    return st;
}
