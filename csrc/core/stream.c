/* stream.c - streams: reference counted so that buffers allocated on a
 * stream can still be freed on it after the user destroys the handle. */
#include "ga_private.h"

#include <stdlib.h>
#include <string.h>

/* The device a stream operation runs on: the stream's own, else the one
 * given, else device 0 (the null stream of the default device). */
static ga_status stream_device(ga_device *dev, ga_stream *stream, ga_device **out)
{
    if (stream)
        dev = stream->device;
    if (!dev) {
        ga_status st = ga_device_get(0, &dev);
        if (st != GA_OK)
            return st;
    }
    *out = dev;
    return ga_device_enter(dev);
}

ga_status ga_stream_create(ga_device *device, unsigned flags, ga_stream **stream)
{
    if (!stream)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_create: stream is NULL");
    if (flags & ~(unsigned)GA_STREAM_NON_BLOCKING)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_create: unknown flags 0x%x", flags);
    ga_status st = stream_device(device, NULL, &device);
    if (st != GA_OK)
        return st;
    ga_stream *s = calloc(1, sizeof *s);
    if (!s)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_stream_create: out of host memory");
    st = ga_backend->stream_create(device, flags, &s->native);
    if (st != GA_OK) {
        free(s);
        return st;
    }
    s->device = device;
    s->flags = flags;
    atomic_init(&s->refcount, 1);
    *stream = s;
    return GA_OK;
}

ga_status ga_stream_wrap(ga_device *device, void *native, ga_stream **stream)
{
    if (!stream)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_wrap: stream is NULL");
    if (!native)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_wrap: the null stream needs no wrapper "
                        "(use NULL)");
    ga_status st = stream_device(device, NULL, &device);
    if (st != GA_OK)
        return st;
    /* A host stream is a worker of this process, not a handle another
     * library could have made: there is nothing foreign to wrap. */
    if (strcmp(ga_backend->name, "cuda") != 0)
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_stream_wrap: the %s backend has no foreign streams "
                        "(an external stream pointer is a CUDA stream handle)", ga_backend->name);
    ga_stream *s = calloc(1, sizeof *s);
    if (!s)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_stream_wrap: out of host memory");
    s->device = device;
    s->native = native;
    s->flags = 0;
    s->external = 1;
    atomic_init(&s->refcount, 1);
    *stream = s;
    return GA_OK;
}

void ga_stream_retain(ga_stream *stream)
{
    if (stream)
        atomic_fetch_add_explicit(&stream->refcount, 1, memory_order_relaxed);
}

ga_status ga_stream_release(ga_stream *stream)
{
    if (!stream)
        return GA_OK;
    if (atomic_fetch_sub_explicit(&stream->refcount, 1, memory_order_acq_rel) != 1)
        return GA_OK;
    if (stream->capture) {              /* destroyed while capturing: end it, drop the graph */
        ga_graph *g = NULL;
        if (ga_stream_end_capture(stream, &g) == GA_OK)
            ga_graph_destroy(g);
    }
    /* Blocks cached for reuse on this stream go back first, freed in its
     * order, while it still exists. */
    ga_status st = ga_block_cache_release_stream(stream->device, stream);
    ga_status ds = ga_device_enter(stream->device);
    if (ds == GA_OK && !stream->external)
        ds = ga_backend->stream_destroy(stream->device, stream->native);
    if (st == GA_OK)
        st = ds;
    free(stream);
    return st;
}

ga_status ga_stream_destroy(ga_stream *stream)
{
    if (!stream)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_destroy: the null stream cannot be destroyed");
    return ga_stream_release(stream);
}

ga_device *ga_stream_device(const ga_stream *stream) { return stream ? stream->device : NULL; }

void *ga_stream_native(const ga_stream *stream) { return stream ? stream->native : NULL; }

ga_status ga_stream_synchronize(ga_device *device, ga_stream *stream)
{
    ga_status st = ga_capture_check(stream, "synchronizing the stream");
    if (st == GA_OK)
        st = stream_device(device, stream, &device);
    if (st != GA_OK)
        return st;
    return ga_backend->stream_synchronize(device, stream ? stream->native : NULL);
}

ga_status ga_stream_query(ga_device *device, ga_stream *stream, int *done)
{
    if (!done)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_query: done is NULL");
    ga_status st = stream_device(device, stream, &device);
    if (st != GA_OK)
        return st;
    return ga_backend->stream_query(device, stream ? stream->native : NULL, done);
}

ga_status ga_stream_wait_event(ga_device *device, ga_stream *stream, ga_event *event)
{
    if (!event)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_stream_wait_event: event is NULL");
    ga_status st = stream_device(device, stream, &device);
    if (st != GA_OK)
        return st;
    return ga_backend->stream_wait_event(device, stream ? stream->native : NULL, event->native);
}

/* Foreign streams (interop): a transient event orders one after the
 * other, as CuPy does for __cuda_array_interface__'s stream key. The host
 * backend cannot name a foreign stream: it synchronizes instead. */
static ga_status order_native(ga_device *device, ga_stream *stream, void *native, int native_waits)
{
    ga_status st = stream_device(device, stream, &device);
    if (st != GA_OK)
        return st;
    void *ours = stream ? stream->native : NULL;
    if (strcmp(ga_backend->name, "cuda") != 0)
        return native_waits ? ga_backend->stream_synchronize(device, ours)
                            : ga_backend->device_synchronize(device);
    if (native == ours)
        return GA_OK;   /* one stream: already in order */
    void *ev = NULL;
    st = ga_backend->event_create(device, GA_EVENT_DISABLE_TIMING, &ev);
    if (st != GA_OK)
        return st;
    st = ga_backend->event_record(device, ev, native_waits ? ours : native);
    if (st == GA_OK)
        st = ga_backend->stream_wait_event(device, native_waits ? native : ours, ev);
    ga_status st2 = ga_backend->event_destroy(device, ev);   /* the wait keeps what it needs */
    return st != GA_OK ? st : st2;
}

ga_status ga_stream_wait_native(ga_device *device, ga_stream *stream, void *native)
{
    return order_native(device, stream, native, 0);
}

ga_status ga_native_wait_stream(ga_device *device, void *native, ga_stream *stream)
{
    return order_native(device, stream, native, 1);
}
