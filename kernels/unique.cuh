/* unique.cuh - the compaction of unique's values (gpuarray/_sets.py), after
 * elementwise.cuh's prelude and a `typedef ... ga_value_t;`.
 *
 * `s` is sorted; element i starts a run of equal values when i == 0 or
 * s[i] != s[i-1] (NaNs equal to each other when `eqnan`; -0.0 == 0.0 as
 * ==). The runs' first values are written, in order, to `out` by two
 * launches over tiles of GA_UNIQUE_BLOCK * GA_UNIQUE_ITEMS elements:
 *   ga_unique_count  each tile's number of starts;
 *   (the caller scans the counts: a few thousand numbers)
 *   ga_unique_write  each tile's starts, at the tile's offset plus their
 *                    rank inside the tile.
 * This replaces the bool flags, their int64 widening, the int64 scan and
 * the position gather of the general path: the values are read twice and
 * the unique ones written once. Tile element e of thread t is
 * tile_start + e * GA_UNIQUE_BLOCK + t (striped: coalesced loads), so the
 * rank inside the tile runs over (e, warp, lane) in that order. */

//@ compact
#define GA_UNIQUE_WARPS (GA_UNIQUE_BLOCK / 32)

GA_FN bool ga_unique_starts_at(const ga_value_t* s, long long i, bool eqnan)
{
    if (i == 0)
        return true;
    const ga_value_t a = s[i], b = s[i - 1];
    return !(a == b) && !(eqnan && ga_isnan(a) && ga_isnan(b));
}

extern "C" __global__ void __launch_bounds__(GA_UNIQUE_BLOCK)
ga_unique_count(const ga_value_t* s, long long n, int eqnan, long long* counts)
{
    __shared__ unsigned int s_warp[GA_UNIQUE_WARPS];
    const unsigned int tid = threadIdx.x, lane = tid & 31u, warp = tid >> 5;
    const long long tile_start = (long long)blockIdx.x * (GA_UNIQUE_BLOCK * GA_UNIQUE_ITEMS);
    unsigned int c = 0;
#pragma unroll
    for (int e = 0; e < GA_UNIQUE_ITEMS; e++) {
        const long long i = tile_start + (long long)e * GA_UNIQUE_BLOCK + tid;
        c += (i < n && ga_unique_starts_at(s, i, eqnan != 0)) ? 1u : 0u;
    }
#pragma unroll
    for (unsigned int o = 16; o > 0; o >>= 1)
        c += __shfl_down_sync(0xffffffffu, c, o);
    if (lane == 0)
        s_warp[warp] = c;
    __syncthreads();
    if (tid == 0) {
        unsigned long long total = 0;
        for (int w = 0; w < GA_UNIQUE_WARPS; w++)
            total += s_warp[w];
        counts[blockIdx.x] = (long long)total;
    }
}

/* incl: the inclusive scan of ga_unique_count's counts. */
extern "C" __global__ void __launch_bounds__(GA_UNIQUE_BLOCK)
ga_unique_write(const ga_value_t* s, long long n, int eqnan, const long long* incl, ga_value_t* out)
{
    __shared__ unsigned int s_excl[GA_UNIQUE_ITEMS * GA_UNIQUE_WARPS];
    const unsigned int tid = threadIdx.x, lane = tid & 31u, warp = tid >> 5;
    const long long tile_start = (long long)blockIdx.x * (GA_UNIQUE_BLOCK * GA_UNIQUE_ITEMS);
    const long long base = blockIdx.x ? incl[blockIdx.x - 1] : 0;
    const unsigned int lt = (1u << lane) - 1u;
    unsigned int votes[GA_UNIQUE_ITEMS];
    ga_value_t v[GA_UNIQUE_ITEMS];
#pragma unroll
    for (int e = 0; e < GA_UNIQUE_ITEMS; e++) {
        const long long i = tile_start + (long long)e * GA_UNIQUE_BLOCK + tid;
        const bool f = i < n && ga_unique_starts_at(s, i, eqnan != 0);
        v[e] = i < n ? s[i] : ga_value_t();
        votes[e] = __ballot_sync(0xffffffffu, f);
        if (lane == 0)
            s_excl[e * GA_UNIQUE_WARPS + warp] = (unsigned int)__popc(votes[e]);
    }
    __syncthreads();
    /* exclusive scan of the (item, warp) counts in that order, by warp 0 */
    if (warp == 0) {
        unsigned int carry = 0;
        for (int c0 = 0; c0 < GA_UNIQUE_ITEMS * GA_UNIQUE_WARPS; c0 += 32) {
            const int c = c0 + (int)lane;
            const unsigned int x = c < GA_UNIQUE_ITEMS * GA_UNIQUE_WARPS ? s_excl[c] : 0u;
            unsigned int incl_x = x;
#pragma unroll
            for (unsigned int o = 1; o < 32; o <<= 1) {
                const unsigned int y = __shfl_up_sync(0xffffffffu, incl_x, o);
                if (lane >= o)
                    incl_x += y;
            }
            if (c < GA_UNIQUE_ITEMS * GA_UNIQUE_WARPS)
                s_excl[c] = carry + incl_x - x;
            carry += __shfl_sync(0xffffffffu, incl_x, 31);
        }
    }
    __syncthreads();
#pragma unroll
    for (int e = 0; e < GA_UNIQUE_ITEMS; e++) {
        if ((votes[e] >> lane) & 1u)
            out[base + s_excl[e * GA_UNIQUE_WARPS + warp] + __popc(votes[e] & lt)] = v[e];
    }
}
