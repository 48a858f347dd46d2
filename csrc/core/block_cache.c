/* block_cache.c - small device blocks kept after ga_buffer_free and handed
 * to the next allocation of a similar size on the same stream.
 *
 * Why: the driver's stream-ordered pool already reuses memory, but each
 * cuMemAllocAsync + cuMemFreeAsync pair still costs 1 to 2 us of driver
 * time, as much as the tiny kernel the memory is for (x + y on 16
 * elements is an allocation, a launch and, later, a free). CuPy's pool
 * avoids the driver the same way. A block freed on stream S is reused only
 * by an allocation on S: work queued on S before the free is done before
 * work queued on S after the reuse, the same guarantee a stream-ordered
 * free gives, so no synchronization is needed.
 *
 * Sizes up to GA_CACHE_MAX_BYTES are rounded up to a power of two (at
 * least 512 bytes) so that a freed block fits every request of its class.
 * Each class holds at most GA_CACHE_DEPTH blocks (about 64 MiB in all per
 * device). The cache is given back to the driver when an allocation runs
 * out of memory, on ga_mempool_free_all_blocks, and for one stream when
 * that stream is destroyed. It is off where exact sizes matter (the host
 * backend's bounds checking) and with GPUARRAY_BLOCK_CACHE=0. */
#include "ga_private.h"

#include <stdlib.h>
#include <string.h>

static unsigned size_class(size_t nbytes)
{
    unsigned k = GA_CACHE_MIN_SHIFT;
    while (((size_t)1 << k) < nbytes)
        k++;
    return k - GA_CACHE_MIN_SHIFT;
}

void ga_block_cache_init(ga_device *dev)
{
    ga_block_cache *c = &dev->block_cache;
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    const char *v = getenv("GPUARRAY_BLOCK_CACHE");
    c->enabled = !(v && strcmp(v, "0") == 0)
              && !(ga_backend->exact_allocations && ga_backend->exact_allocations());
}

size_t ga_block_cache_alloc_size(const ga_device *dev, size_t nbytes)
{
    if (!dev->block_cache.enabled || nbytes == 0 || nbytes > GA_CACHE_MAX_BYTES)
        return nbytes;
    return (size_t)1 << (size_class(nbytes) + GA_CACHE_MIN_SHIFT);
}

ga_devptr ga_block_cache_take(ga_device *dev, size_t nbytes, ga_stream *stream)
{
    ga_block_cache *c = &dev->block_cache;
    if (!c->enabled || nbytes == 0 || nbytes > GA_CACHE_MAX_BYTES)
        return 0;
    unsigned k = size_class(nbytes);
    ga_devptr ptr = 0;
    pthread_mutex_lock(&c->lock);
    /* newest first: the block most likely still in the GPU's L2 */
    for (int i = c->count[k] - 1; i >= 0; i--) {
        if (c->blocks[k][i].stream == stream) {
            ptr = c->blocks[k][i].ptr;
            c->blocks[k][i] = c->blocks[k][--c->count[k]];
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return ptr;
}

int ga_block_cache_put(ga_device *dev, size_t nbytes, ga_stream *stream, ga_devptr ptr)
{
    ga_block_cache *c = &dev->block_cache;
    if (!c->enabled || nbytes == 0 || nbytes > GA_CACHE_MAX_BYTES)
        return 0;
    unsigned k = size_class(nbytes);
    int kept = 0;
    pthread_mutex_lock(&c->lock);
    if (c->count[k] < GA_CACHE_DEPTH) {
        c->blocks[k][c->count[k]++] = (ga_cached_block){ptr, stream};
        kept = 1;
    }
    pthread_mutex_unlock(&c->lock);
    return kept;
}

/* Give back (stream-ordered, on the stream each was freed on) the blocks
 * of `stream`, or all of them when all_streams. */
static ga_status release(ga_device *dev, ga_stream *stream, int all_streams)
{
    ga_block_cache *c = &dev->block_cache;
    if (!c->enabled)
        return GA_OK;
    ga_status first = GA_OK;
    int entered = 0;
    pthread_mutex_lock(&c->lock);
    for (unsigned k = 0; k < GA_CACHE_CLASSES; k++) {
        for (int i = c->count[k] - 1; i >= 0; i--) {
            ga_cached_block b = c->blocks[k][i];
            if (!all_streams && b.stream != stream)
                continue;
            c->blocks[k][i] = c->blocks[k][--c->count[k]];
            if (!entered) {
                first = ga_device_enter(dev);
                entered = 1;
            }
            ga_status st = ga_backend->mem_free(dev, b.ptr, b.stream ? b.stream->native : NULL);
            if (first == GA_OK)
                first = st;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return first;
}

ga_status ga_block_cache_release_stream(ga_device *dev, ga_stream *stream)
{
    return release(dev, stream, 0);
}

ga_status ga_block_cache_release_all(ga_device *dev)
{
    return release(dev, NULL, 1);
}
