/* handle_pool.h - idle library handles per device (cuBLAS, cuSOLVER): a
 * caller takes one, binds it to its stream and gives it back, so
 * concurrent callers never share one (a handle's stream is state) and a
 * warm process creates none: CuPy's per-thread handle without the
 * per-thread leak. The pooled struct starts with a ga_pooled member. */
#ifndef GPUARRAY_BACKENDS_HANDLE_POOL_H
#define GPUARRAY_BACKENDS_HANDLE_POOL_H

#include "ga_private.h"

#include <pthread.h>

#define GA_POOL_MAX_DEVICES 64

typedef struct ga_pooled {
    struct ga_pooled *next;
} ga_pooled;

typedef struct ga_handle_pool {
    pthread_mutex_t lock;
    ga_pooled *idle[GA_POOL_MAX_DEVICES];
} ga_handle_pool;

#define GA_HANDLE_POOL_INIT { PTHREAD_MUTEX_INITIALIZER, { 0 } }

/* An idle entry of device `ordinal`, or NULL (none idle, or an ordinal past
 * GA_POOL_MAX_DEVICES, which is never pooled). */
GA_INTERNAL void *ga_pool_take(ga_handle_pool *pool, int ordinal);

/* Keep `entry` for the next caller on `ordinal`: 1, or 0 when that ordinal
 * is not pooled (the caller destroys the entry). */
GA_INTERNAL int ga_pool_give(ga_handle_pool *pool, int ordinal, void *entry);

#endif /* GPUARRAY_BACKENDS_HANDLE_POOL_H */
