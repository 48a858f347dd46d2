/* handle_pool.c - idle library handles per device (see handle_pool.h). */
#include "handle_pool.h"

void *ga_pool_take(ga_handle_pool *pool, int ordinal)
{
    if (ordinal < 0 || ordinal >= GA_POOL_MAX_DEVICES)
        return NULL;
    pthread_mutex_lock(&pool->lock);
    ga_pooled *n = pool->idle[ordinal];
    if (n)
        pool->idle[ordinal] = n->next;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

int ga_pool_give(ga_handle_pool *pool, int ordinal, void *entry)
{
    if (ordinal < 0 || ordinal >= GA_POOL_MAX_DEVICES)
        return 0;
    ga_pooled *n = entry;
    pthread_mutex_lock(&pool->lock);
    n->next = pool->idle[ordinal];
    pool->idle[ordinal] = n;
    pthread_mutex_unlock(&pool->lock);
    return 1;
}
