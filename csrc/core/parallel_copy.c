/* parallel_copy.c - a big memcpy split over a few threads, for the staged
 * copies between pageable host memory and the device (staging.c).
 *
 * Why: one core copies 7 to 10 GB/s between pageable memory and a pinned
 * buffer, a fraction of what PCIe moves (54 GB/s on the H100 machine) and
 * of what the host's memory gives to several cores; copying into a new
 * NumPy array also takes a page fault per 4 KiB page, which several
 * threads take in parallel. A job is cut into parts of at least
 * PART_MIN bytes; the caller copies parts too, so a job never waits for a
 * worker to wake up to make progress.
 *
 * The workers start at the first big copy, at most MAX_WORKERS
 * (GPUARRAY_COPY_THREADS overrides the default of min(4, cores - 1); 0
 * turns the pool off). A child process after fork() has no workers and
 * copies alone. */
#include "ga_private.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORKERS 16
#define PART_MIN ((size_t)512 << 10)

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static int nworkers;

/* One job at a time (callers of different devices may come together). */
static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
/* Guards everything below; workers sleep on `start`, the caller on `finished`. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start = PTHREAD_COND_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static unsigned long generation;
static char *job_dst;
static const char *job_src;
static size_t job_bytes, job_part;
static int job_parts, next_part, remaining;

/* Under `lock`: the next part of the current job, or -1. */
static int claim(void)
{
    return next_part < job_parts ? next_part++ : -1;
}

/* Copy part p (without `lock`: the job does not change until every part
 * is done), then account for it under `lock`. */
static void run_part(int p)
{
    size_t off = job_part * (size_t)p;
    size_t len = job_bytes - off < job_part ? job_bytes - off : job_part;
    char *dst = job_dst;
    const char *src = job_src;
    pthread_mutex_unlock(&lock);
    memcpy(dst + off, src + off, len);
    pthread_mutex_lock(&lock);
    if (--remaining == 0)
        pthread_cond_signal(&finished);
}

static void *worker_main(void *arg)
{
    (void)arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (generation == seen)
            pthread_cond_wait(&start, &lock);
        seen = generation;
        int p;
        while ((p = claim()) >= 0)
            run_part(p);
    }
    return NULL;
}

static void after_fork_in_child(void)
{
    nworkers = 0;            /* the workers stayed in the parent */
}

static void pool_start(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = cores > 1 ? (int)(cores - 1 < 4 ? cores - 1 : 4) : 0;
    const char *v = getenv("GPUARRAY_COPY_THREADS");
    if (v && v[0]) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end == '\0' && n >= 0)
            want = n > MAX_WORKERS ? MAX_WORKERS : (int)n;
    }
    pthread_atfork(NULL, NULL, after_fork_in_child);
    for (int i = 0; i < want; i++) {
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 64 << 10);
        int rc = pthread_create(&t, &attr, worker_main, NULL);
        pthread_attr_destroy(&attr);
        if (rc != 0)
            break;
        nworkers++;
    }
}

void ga_parallel_memcpy(void *dst, const void *src, size_t nbytes)
{
    if (nbytes < 2 * PART_MIN) {
        memcpy(dst, src, nbytes);
        return;
    }
    pthread_once(&pool_once, pool_start);
    size_t parts = (size_t)nworkers + 1;       /* the workers and the caller */
    if (parts > nbytes / PART_MIN)
        parts = nbytes / PART_MIN;
    if (parts < 2) {
        memcpy(dst, src, nbytes);
        return;
    }
    pthread_mutex_lock(&job_lock);
    pthread_mutex_lock(&lock);
    job_dst = dst;
    job_src = src;
    job_bytes = nbytes;
    /* parts of whole cache lines */
    job_part = ((nbytes + parts - 1) / parts + 63) & ~(size_t)63;
    job_parts = (int)((nbytes + job_part - 1) / job_part);
    next_part = 0;
    remaining = job_parts;
    generation++;
    pthread_cond_broadcast(&start);
    int p;
    while ((p = claim()) >= 0)
        run_part(p);
    while (remaining > 0)
        pthread_cond_wait(&finished, &lock);
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&job_lock);
}
