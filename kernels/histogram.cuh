/* histogram.cuh - the counting kernels of histogram, histogram2d and
 * bincount (gpuarray/_histograms.py fills them in, after elementwise.cuh's
 * prelude).
 *
 *   prelude  NumPy's sort order with NaN (NaN after everything) and the
 *            binary search of searchsorted(side='right').
 *   count    one pass over a contiguous 1-D input: each element's bin
 *            (GA_MODE 0: equal bins, a guess from the arithmetic corrected
 *            against the edges exactly as NumPy corrects it; 1: a binary
 *            search in the edges; 2: the value itself, bincount), then
 *            unweighted counts go to per-block copies of the histogram in
 *            shared memory (GA_REPLICAS of them, so that threads of a
 *            block collide less), added to the global counts at the end;
 *            weighted sums (and histograms too large for shared memory) go
 *            straight to global memory with atomics. Loads are unrolled
 *            four deep so that several are in flight per thread.
 *   count2d  histogram2d: a search per coordinate, NumPy's rightmost-edge
 *            rule, the outliers dropped, one atomic per element. */

//@ prelude
/* a < b in NumPy's sort order: NaN sorts after every number */
template<typename T> GA_FN bool ga_h_lt(T a, T b) { return a < b || (b != b && a == a); }

/* the number of edges[0..n) that are <= x (searchsorted side='right') */
template<typename E, typename T> GA_FN long long ga_h_upper(const E* edges, long long n, T x)
{
    long long lo = 0, hi = n;
    while (lo < hi) {
        const long long mid = lo + (hi - lo) / 2;
        if (ga_h_lt(x, (T)edges[mid]))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

//@ count
#define GA_MODE ${mode}
#define GA_WEIGHTED ${weighted}
#define GA_SHARED ${shared}
typedef ${x_t} ga_x_t;       /* the input as stored */
typedef ${b_t} ga_b_t;       /* the type bins are computed in */
typedef ${w_t} ga_w_t;       /* the weights as stored */
typedef ${p_t} ga_p_t;       /* ga_b_t's arithmetic type (float for float16) */

/* the bin of x, or -1 when it is outside every bin */
GA_FN long long ga_h_bin(ga_x_t xs, const ga_b_t* edges, long long nbins, ga_p_t first,
                         ga_p_t denom)
{
#if GA_MODE == 2
    return (long long)xs;
#else
    const ga_p_t x = (ga_p_t)(ga_b_t)xs;
    if (!(x >= (ga_p_t)edges[0] && x <= (ga_p_t)edges[nbins]))
        return -1;      /* NaN too */
#if GA_MODE == 0
    long long j = (long long)(((x - first) / denom) * (ga_p_t)nbins);
    if (j >= nbins)
        j = nbins - 1;
    if (j < 0)
        j = 0;
    if (x < (ga_p_t)edges[j])
        j--;
    else if (x >= (ga_p_t)edges[j + 1] && j != nbins - 1)
        j++;
    return j;
#else
    long long j = ga_h_upper(edges, nbins + 1, x) - 1;
    if (j == nbins)
        j = nbins - 1;   /* the last edge belongs to the last bin */
    return j;
#endif
#endif
}

extern "C" __global__ void ${name}(const void* ga_x_p, long long ga_n, const void* ga_edges_p,
                                   long long ga_nbins, ${p_t} ga_first, ${p_t} ga_denom,
                                   const void* ga_w_p, long long ga_ws, void* ga_out_p,
                                   int ga_replicas)
{
    const ga_x_t* const xv = (const ga_x_t*)ga_x_p;
    const ga_b_t* const edges = (const ga_b_t*)ga_edges_p;
#if GA_SHARED
    extern __shared__ unsigned int ga_hist_sh[];
    for (long long b = threadIdx.x; b < ga_nbins * ga_replicas; b += blockDim.x)
        ga_hist_sh[b] = 0u;
    __syncthreads();
    unsigned int* const mine = ga_hist_sh + (threadIdx.x % (unsigned int)ga_replicas) * ga_nbins;
#define GA_ADD(j, i) atomicAdd(mine + (j), 1u)
#elif GA_WEIGHTED
    double* const out = (double*)ga_out_p;
#define GA_ADD(j, i) atomicAdd(out + (j), (double)*(const ga_w_t*)((const char*)ga_w_p + (i) * ga_ws))
#else
    unsigned long long* const out = (unsigned long long*)ga_out_p;
#define GA_ADD(j, i) atomicAdd(out + (j), 1ULL)
#endif
    const long long stride = (long long)gridDim.x * blockDim.x;
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    for (; i + 3 * stride < ga_n; i += 4 * stride) {
        const ga_x_t x0 = xv[i], x1 = xv[i + stride], x2 = xv[i + 2 * stride],
                     x3 = xv[i + 3 * stride];
        const long long j0 = ga_h_bin(x0, edges, ga_nbins, ga_first, ga_denom);
        const long long j1 = ga_h_bin(x1, edges, ga_nbins, ga_first, ga_denom);
        const long long j2 = ga_h_bin(x2, edges, ga_nbins, ga_first, ga_denom);
        const long long j3 = ga_h_bin(x3, edges, ga_nbins, ga_first, ga_denom);
        if (j0 >= 0) GA_ADD(j0, i);
        if (j1 >= 0) GA_ADD(j1, i + stride);
        if (j2 >= 0) GA_ADD(j2, i + 2 * stride);
        if (j3 >= 0) GA_ADD(j3, i + 3 * stride);
    }
    for (; i < ga_n; i += stride) {
        const long long j = ga_h_bin(xv[i], edges, ga_nbins, ga_first, ga_denom);
        if (j >= 0) GA_ADD(j, i);
    }
#undef GA_ADD
#if GA_SHARED
    __syncthreads();
    unsigned long long* const gout = (unsigned long long*)ga_out_p;
    for (long long b = threadIdx.x; b < ga_nbins; b += blockDim.x) {
        unsigned long long s = 0;
        for (int r = 0; r < ga_replicas; r++)
            s += ga_hist_sh[r * ga_nbins + b];
        if (s)
            atomicAdd(gout + b, s);
    }
#endif
}

//@ count2d
typedef ${x_t} ga_x_t;
typedef ${y_t} ga_y_t;
typedef ${ex_t} ga_ex_t;
typedef ${ey_t} ga_ey_t;
typedef ${w_t} ga_w_t;
#define GA_WEIGHTED ${weighted}

/* NumPy's histogramdd: searchsorted(edges, v, 'right'), minus one on the
 * last edge; 0 and len(edges) are the outlier bins, dropped here */
template<typename E, typename T> GA_FN long long ga_h_index(const E* edges, long long ne, T v)
{
    long long k = ga_h_upper(edges, ne, v);
    if (v == (T)edges[ne - 1])
        k--;
    return (k >= 1 && k <= ne - 1) ? k - 1 : -1;
}

extern "C" __global__ void ${name}(const void* ga_x_p, long long ga_xs, const void* ga_y_p,
                                   long long ga_ys, long long ga_n, const void* ga_ex_p,
                                   long long ga_nex, const void* ga_ey_p, long long ga_ney,
                                   const void* ga_w_p, long long ga_ws, void* ga_out_p)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < ga_n; i += stride) {
        const ga_x_t x = *(const ga_x_t*)((const char*)ga_x_p + i * ga_xs);
        const ga_y_t y = *(const ga_y_t*)((const char*)ga_y_p + i * ga_ys);
        const long long jx = ga_h_index((const ga_ex_t*)ga_ex_p, ga_nex, x);
        const long long jy = ga_h_index((const ga_ey_t*)ga_ey_p, ga_ney, y);
        if (jx < 0 || jy < 0)
            continue;
        const long long b = jx * (ga_ney - 1) + jy;
#if GA_WEIGHTED
        atomicAdd((double*)ga_out_p + b, (double)*(const ga_w_t*)((const char*)ga_w_p + i * ga_ws));
#else
        atomicAdd((unsigned long long*)ga_out_p + b, 1ULL);
#endif
    }
}
