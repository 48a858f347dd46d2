/* staging.c - large copies between pageable host memory and the device,
 * bounced through pinned buffers so that the host-side memcpy of one chunk
 * overlaps the DMA of the next.
 *
 * Why: the driver copies pageable memory through its own small staging
 * area, one piece at a time, reaching about 7 GB/s on a PCIe gen5 H100
 * where pinned memory moves about 54 GB/s. Pipelining our own pinned chunks
 * gets the pageable path up to the host's memcpy speed, and the memcpy of
 * each chunk is split over a few threads (parallel_copy.c). */
#include "ga_private.h"

#include <stdlib.h>
#include <string.h>

#define STAGING_SLOTS 3
#define STAGING_CHUNK ((size_t)4 << 20)
/* Below this, the driver's own path is as fast and has no set-up cost. */
#define STAGING_MIN_BYTES ((size_t)1 << 20)

typedef struct ga_staging {
    void *buf[STAGING_SLOTS];
    void *done[STAGING_SLOTS];   /* event per slot: the DMA that used it */
    int pending[STAGING_SLOTS];
} ga_staging;

static int staging_disabled(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *v = getenv("GPUARRAY_STAGING");
        cached = v && strcmp(v, "0") == 0;
    }
    return cached;
}

int ga_staging_worthwhile(const void *host, size_t nbytes)
{
    if (nbytes < STAGING_MIN_BYTES || !ga_backend->stage_pageable_copies || staging_disabled())
        return 0;
    return !ga_backend->host_is_pinned(host);
}

static ga_status staging_get(ga_device *dev, ga_staging **out)
{
    if (dev->staging) {
        *out = dev->staging;
        return GA_OK;
    }
    ga_staging *s = calloc(1, sizeof *s);
    if (!s)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
    ga_status st = GA_OK;
    for (int i = 0; i < STAGING_SLOTS && st == GA_OK; i++) {
        st = ga_backend->host_alloc(STAGING_CHUNK, &s->buf[i]);
        if (st == GA_OK)
            st = ga_backend->event_create(dev, GA_EVENT_DISABLE_TIMING, &s->done[i]);
    }
    if (st != GA_OK) {
        for (int i = 0; i < STAGING_SLOTS; i++) {
            if (s->buf[i])
                ga_backend->host_free(s->buf[i]);
            if (s->done[i])
                ga_backend->event_destroy(dev, s->done[i]);
        }
        free(s);
        return st;
    }
    dev->staging = s;
    *out = s;
    return GA_OK;
}

/* Wait until slot i's previous DMA has finished with its buffer. */
static ga_status staging_slot_wait(ga_device *dev, ga_staging *s, int i)
{
    if (!s->pending[i])
        return GA_OK;
    s->pending[i] = 0;
    return ga_backend->event_synchronize(dev, s->done[i]);
}

ga_status ga_staged_htod(ga_device *dev, ga_devptr dst, const void *src, size_t nbytes, void *stream)
{
    pthread_mutex_lock(&dev->staging_lock);
    ga_staging *s;
    ga_status st = staging_get(dev, &s);
    const char *from = src;
    for (size_t off = 0, k = 0; st == GA_OK && off < nbytes; off += STAGING_CHUNK, k++) {
        int i = (int)(k % STAGING_SLOTS);
        size_t len = nbytes - off < STAGING_CHUNK ? nbytes - off : STAGING_CHUNK;
        st = staging_slot_wait(dev, s, i);
        if (st != GA_OK)
            break;
        ga_parallel_memcpy(s->buf[i], from + off, len);
        st = ga_backend->copy_htod(dev, dst + off, s->buf[i], len, stream);
        if (st == GA_OK)
            st = ga_backend->event_record(dev, s->done[i], stream);
        if (st == GA_OK)
            s->pending[i] = 1;
    }
    /* The source may be reused as soon as we return: every byte is in a
     * staging buffer by now, and the next user of a slot waits for it. */
    pthread_mutex_unlock(&dev->staging_lock);
    return st;
}

ga_status ga_staged_dtoh(ga_device *dev, void *dst, ga_devptr src, size_t nbytes, void *stream)
{
    pthread_mutex_lock(&dev->staging_lock);
    ga_staging *s;
    ga_status st = staging_get(dev, &s);
    char *to = dst;
    size_t nchunks = (nbytes + STAGING_CHUNK - 1) / STAGING_CHUNK;
    size_t issued = 0;
    /* Keep up to STAGING_SLOTS - 1 chunks in flight ahead of the memcpy. */
    for (size_t k = 0; st == GA_OK && k < nchunks; k++) {
        while (st == GA_OK && issued < nchunks && issued < k + STAGING_SLOTS) {
            int i = (int)(issued % STAGING_SLOTS);
            size_t off = issued * STAGING_CHUNK;
            size_t len = nbytes - off < STAGING_CHUNK ? nbytes - off : STAGING_CHUNK;
            st = staging_slot_wait(dev, s, i);
            if (st == GA_OK)
                st = ga_backend->copy_dtoh(dev, s->buf[i], src + off, len, stream);
            if (st == GA_OK)
                st = ga_backend->event_record(dev, s->done[i], stream);
            if (st == GA_OK)
                s->pending[i] = 1;
            issued++;
        }
        if (st != GA_OK)
            break;
        int i = (int)(k % STAGING_SLOTS);
        size_t off = k * STAGING_CHUNK;
        size_t len = nbytes - off < STAGING_CHUNK ? nbytes - off : STAGING_CHUNK;
        st = staging_slot_wait(dev, s, i);
        if (st == GA_OK)
            ga_parallel_memcpy(to + off, s->buf[i], len);
    }
    /* On an error, leave no slot marked pending with a stale event. */
    for (int i = 0; i < STAGING_SLOTS && s; i++)
        if (st != GA_OK && s->pending[i]) {
            ga_backend->event_synchronize(dev, s->done[i]);
            s->pending[i] = 0;
        }
    pthread_mutex_unlock(&dev->staging_lock);
    return st;
}
