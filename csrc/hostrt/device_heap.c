/* device_heap.c - malloc() and free() called from kernel code.
 *
 * CUDA gives kernels a device heap of fixed size (8 MiB unless the program
 * raises cudaLimitMallocHeapSize): malloc returns NULL once it is spent,
 * and memory lives until free or the end of the context. Here the bytes
 * come from the C library; what makes it a device heap is the limit
 * (GPUARRAY_HOST_MALLOC_HEAP_MB, default 8) and a header in front of each
 * block that free checks: free of a pointer the heap did not give (or gave
 * and got back already) ends the launch with an error naming the pointer,
 * where the C library would abort the process. */
#include "hostrt_private.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* malloc and free are macros for kernel code only; here they are libc's. */
typedef struct heap_header {
    uint64_t tag;                /* block address ^ heap_secret: not a guessable constant */
    uint64_t size;
} heap_header;

static pthread_once_t heap_once = PTHREAD_ONCE_INIT;
static uint64_t heap_secret;
static size_t heap_limit;
static _Atomic size_t heap_used;

static void heap_init(void)
{
    const char *e = getenv("GPUARRAY_HOST_MALLOC_HEAP_MB");
    long mb = e && *e ? strtol(e, NULL, 10) : 0;
    heap_limit = (size_t)(mb > 0 ? mb : 8) << 20;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    heap_secret = ((uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull) ^ (uint64_t)(uintptr_t)&ts ^
                  0x6761686561702121ull;
}

HOSTRT_API void *gahost_device_malloc(size_t size)
{
    pthread_once(&heap_once, heap_init);
    size_t need = size + sizeof(heap_header);
    if (size > heap_limit || atomic_fetch_add(&heap_used, need) + need > heap_limit) {
        if (size <= heap_limit)
            atomic_fetch_sub(&heap_used, need);
        return NULL;
    }
    heap_header *h = malloc(need);
    if (!h) {
        atomic_fetch_sub(&heap_used, need);
        return NULL;
    }
    h->tag = (uint64_t)(uintptr_t)h ^ heap_secret;
    h->size = size;
    return h + 1;                /* 16-byte aligned, as CUDA's malloc */
}

HOSTRT_API void gahost_device_free(void *ptr)
{
    if (!ptr)
        return;
    pthread_once(&heap_once, heap_init);
    heap_header *h = (heap_header *)ptr - 1;
    /* A pointer that is not mapped at all faults here: that is an illegal
     * address, reported as such by fault.c. */
    if (((uintptr_t)ptr & 15) || h->tag != ((uint64_t)(uintptr_t)h ^ heap_secret)) {
        char msg[160];
        snprintf(msg, sizeof msg, "free() of %p, which device malloc() did not return "
                 "(or which was freed already)", ptr);
        gahost_fault_raise(GAHOST_ERROR_ILLEGAL_ADDRESS, msg);
    }
    h->tag = 0;
    atomic_fetch_sub(&heap_used, (size_t)h->size + sizeof(heap_header));
    free(h);
}
