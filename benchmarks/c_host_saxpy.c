/* c_host_saxpy.c - the plain-C baseline for the host backend: saxpy over n
 * floats as a loop compiled with -O2, split over all cores with pthreads.
 * Prints `c_host_saxpy_ms <median>` (and the check value y[0]).
 *   c_host_saxpy [n] [repeats] */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef struct { long begin, end; float a; const float *x; float *y; } chunk;

static void *saxpy_chunk(void *p)
{
    chunk *c = p;
    for (long i = c->begin; i < c->end; i++)
        c->y[i] = c->a * c->x[i] + c->y[i];
    return NULL;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 16L << 20;
    int repeats = argc > 2 ? atoi(argv[2]) : 15;
    long env = getenv("GPUARRAY_HOST_THREADS") ? atol(getenv("GPUARRAY_HOST_THREADS")) : 0;
    int nt = env > 0 ? (int)env : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nt < 1)
        nt = 1;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    if (!x || !y)
        return 1;
    for (long i = 0; i < n; i++) {
        x[i] = 1.0f;
        y[i] = 3.0f;
    }
    pthread_t *th = malloc(nt * sizeof *th);
    chunk *ch = malloc(nt * sizeof *ch);
    double *ts = malloc(repeats * sizeof *ts);
    for (int r = -1; r < repeats; r++) {
        double t0 = now_ms();
        for (int t = 0; t < nt; t++) {
            ch[t] = (chunk){n * t / nt, n * (t + 1) / nt, 2.0f, x, y};
            pthread_create(&th[t], NULL, saxpy_chunk, &ch[t]);
        }
        for (int t = 0; t < nt; t++)
            pthread_join(th[t], NULL);
        if (r >= 0)
            ts[r] = now_ms() - t0;
    }
    qsort(ts, repeats, sizeof *ts, cmp);
    printf("c_host_saxpy_ms %.4f\nthreads %d\ny0 %.1f\n", ts[repeats / 2], nt, y[0]);
    return 0;
}
