/* memory.c - device buffers from the driver's stream-ordered pool, the
 * pool's accounting and limit, and pinned host memory. */
#include "ga_private.h"

#include <stdlib.h>

/* Small blocks come from the block cache when one of their class was
 * freed on the same stream (block_cache.c), else from the driver's pool,
 * which keeps freed blocks cached too (release threshold set at device
 * open), so an allocation is usually a pool hit costing well under a
 * microsecond. When it fails, blocks cached for other streams may be what
 * stands in the way: give them back and retry once. */
static ga_status buffer_alloc_retrying(ga_device *dev, size_t nbytes, void *stream, ga_devptr *ptr)
{
    size_t asked = ga_block_cache_alloc_size(dev, nbytes);
    ga_status st = ga_backend->mem_alloc(dev, asked, stream, ptr);
    if (st != GA_OK && st != GA_ERROR_OUT_OF_MEMORY)
        return st;
    if (st == GA_OK)
        return GA_OK;
    ga_block_cache_release_all(dev);
    if (ga_backend->device_synchronize(dev) == GA_OK && ga_backend->pool_trim(dev) == GA_OK)
        st = ga_backend->mem_alloc(dev, asked, stream, ptr);
    if (st == GA_ERROR_OUT_OF_MEMORY) {
        size_t free_b = 0, total_b = 0;
        ga_backend->device_mem_info(dev, &free_b, &total_b);
        return ga_error(GA_ERROR_OUT_OF_MEMORY,
                        "out of memory allocating %zu bytes on device %d (%zu bytes free of %zu, "
                        "%zu in use by gpuarray)",
                        nbytes, dev->ordinal, free_b, total_b,
                        atomic_load(&dev->used_bytes) - nbytes /* this request is counted already */);
    }
    return st;
}

ga_status ga_buffer_alloc(ga_device *device, size_t nbytes, ga_stream *stream, ga_buffer **buffer)
{
    if (!buffer)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_buffer_alloc: buffer is NULL");
    if (!device && stream)
        device = stream->device;
    if (!device) {
        ga_status st = ga_device_get(0, &device);
        if (st != GA_OK)
            return st;
    }
    if (stream && stream->device != device)
        return ga_error(GA_ERROR_INVALID_VALUE,
                        "ga_buffer_alloc: stream of device %d used to allocate on device %d",
                        stream->device->ordinal, device->ordinal);
    if (nbytes > ((size_t)1 << 62))
        return ga_error(GA_ERROR_OUT_OF_MEMORY, "cannot allocate %zu bytes: larger than any device",
                        nbytes);

    size_t limit = atomic_load_explicit(&device->pool_limit, memory_order_relaxed);
    size_t used = atomic_fetch_add_explicit(&device->used_bytes, nbytes, memory_order_relaxed);
    if (limit && used + nbytes > limit) {
        atomic_fetch_sub_explicit(&device->used_bytes, nbytes, memory_order_relaxed);
        return ga_error(GA_ERROR_OUT_OF_MEMORY,
                        "out of memory allocating %zu bytes on device %d: the memory pool limit "
                        "is %zu bytes and %zu are in use", nbytes, device->ordinal, limit, used);
    }

    ga_buffer *b = malloc(sizeof *b);
    if (!b) {
        atomic_fetch_sub_explicit(&device->used_bytes, nbytes, memory_order_relaxed);
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_buffer_alloc: out of host memory");
    }
    b->device = device;
    b->size = nbytes;
    b->ptr = 0;
    b->stream = stream;
    b->capture = NULL;
    ga_status st = GA_OK;
    /* A capturing stream allocates from the pool (graph memory on CUDA),
     * never from blocks cached before the capture (graph.c). */
    int capturing = stream && stream->capture;
    if (nbytes > 0 && (capturing || !(b->ptr = ga_block_cache_take(device, nbytes, stream)))) {
        st = ga_device_enter(device);
        if (st == GA_OK)
            st = buffer_alloc_retrying(device, nbytes, stream ? stream->native : NULL, &b->ptr);
    }
    if (st != GA_OK) {
        atomic_fetch_sub_explicit(&device->used_bytes, nbytes, memory_order_relaxed);
        free(b);
        return st;
    }
    ga_stream_retain(stream);
    if (capturing) {
        b->capture = stream->capture;
        ga_capture_retain(b->capture);
    }
    *buffer = b;
    return GA_OK;
}

ga_status ga_buffer_free(ga_buffer *buffer)
{
    if (!buffer)
        return GA_OK;
    ga_device *dev = buffer->device;
    ga_status st = GA_OK;
    int kept;
    if (buffer->capture || (buffer->stream && buffer->stream->capture))
        kept = ga_capture_keep_free(buffer);    /* a graph may still use it */
    else
        kept = buffer->size == 0 || ga_block_cache_put(dev, buffer->size, buffer->stream, buffer->ptr);
    if (!kept) {
        st = ga_device_enter(dev);
        if (st == GA_OK)
            st = ga_backend->mem_free(dev, buffer->ptr, buffer->stream ? buffer->stream->native : NULL);
    }
    atomic_fetch_sub_explicit(&dev->used_bytes, buffer->size, memory_order_relaxed);
    ga_status rs = ga_stream_release(buffer->stream);
    free(buffer);
    return st != GA_OK ? st : rs;
}

ga_devptr ga_buffer_ptr(const ga_buffer *buffer) { return buffer ? buffer->ptr : 0; }

ga_status ga_pointer_device(ga_devptr ptr, int *ordinal)
{
    if (!ordinal)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_pointer_device: ordinal is NULL");
    ga_status st = ga_init();
    if (st != GA_OK)
        return st;
    if (!ga_backend->pointer_device)
        return ga_error(GA_ERROR_UNSUPPORTED, "the %s backend cannot tell which device a pointer "
                        "belongs to", ga_backend->name);
    return ga_backend->pointer_device(ptr, ordinal);
}
size_t ga_buffer_size(const ga_buffer *buffer) { return buffer ? buffer->size : 0; }
ga_device *ga_buffer_device(const ga_buffer *buffer) { return buffer ? buffer->device : NULL; }

ga_status ga_mempool_used_bytes(ga_device *device, size_t *bytes)
{
    if (!device || !bytes)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_mempool_used_bytes: NULL argument");
    *bytes = atomic_load(&device->used_bytes);
    return GA_OK;
}

ga_status ga_mempool_total_bytes(ga_device *device, size_t *bytes)
{
    if (!device || !bytes)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_mempool_total_bytes: NULL argument");
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    return ga_backend->pool_reserved(device, bytes);
}

ga_status ga_mempool_free_all_blocks(ga_device *device)
{
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    st = ga_block_cache_release_all(device);
    if (st != GA_OK)
        return st;
    /* Blocks freed stream-ordered become reusable only once their stream
     * reaches the free; synchronize so that trimming can release them. */
    st = ga_backend->device_synchronize(device);
    if (st != GA_OK)
        return st;
    return ga_backend->pool_trim(device);
}

ga_status ga_mempool_set_limit(ga_device *device, size_t limit)
{
    if (!device)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_mempool_set_limit: device is NULL");
    atomic_store(&device->pool_limit, limit);
    return GA_OK;
}

ga_status ga_mempool_get_limit(ga_device *device, size_t *limit)
{
    if (!device || !limit)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_mempool_get_limit: NULL argument");
    *limit = atomic_load(&device->pool_limit);
    return GA_OK;
}

ga_status ga_host_alloc(size_t nbytes, void **ptr)
{
    if (!ptr)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_host_alloc: ptr is NULL");
    ga_status st = ga_init();
    if (st != GA_OK)
        return st;
    if (nbytes == 0)
        nbytes = 1; /* a distinct, freeable pointer, like malloc(0) may give */
    return ga_backend->host_alloc(nbytes, ptr);
}

ga_status ga_host_free(void *ptr)
{
    if (!ptr)
        return GA_OK;
    ga_status st = ga_init();
    if (st != GA_OK)
        return st;
    return ga_backend->host_free(ptr);
}

int ga_host_is_pinned(const void *ptr)
{
    if (!ptr || ga_init() != GA_OK)
        return 0;
    return ga_backend->host_is_pinned(ptr);
}
