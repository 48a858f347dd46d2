/* sort.cuh - the device radix sort gpuarray/_radix.py builds on (after
 * elementwise.cuh's prelude).
 *
 * Keys are sorted by their bits: every key is read as an unsigned integer
 * of its width (ga_key_t) and mapped to an order-preserving unsigned integer
 * on the fly (ga_sort_ordered), so the bits that are moved are the
 * original ones (-0.0 stays -0.0, a NaN keeps its payload) while the order
 * is NumPy's:
 *   - unsigned: as is;  signed: the sign bit flipped;  bool: 0 or 1;
 *   - float: positive values get the sign bit set, negative ones are
 *     complemented; -0.0 orders as +0.0 (they are equal, and a stable sort
 *     keeps them in input order); every NaN orders as all ones, i.e. after
 *     +inf, in input order (NumPy sorts NaNs last);
 *   - descending: the ordered key complemented (`flip`), so the sort stays
 *     stable and NaNs come first, as the Array API's descending sort.
 *
 * The sort is LSD radix over 8-bit digits, one "onesweep" pass per digit:
 *   ga_sort_histogram  one read of all keys: the digit counts of every
 *                      pass at once (digits of a pass do not depend on the
 *                      order the earlier passes leave);
 *   ga_sort_offsets    per pass, the exclusive scan of its 256 counts: where
 *                      each digit's run starts in the output;
 *   ga_sort_pass       one pass: each block takes the next tile (a dynamic
 *                      tile id, so the tiles it waits for are running or
 *                      done: forward progress on any scheduler, the host
 *                      backend's pool included), ranks its keys by digit
 *                      (stable: per-warp counters, lanes of equal digits
 *                      found with 8 ballots), learns how many keys of each
 *                      digit the tiles before it hold by decoupled
 *                      look-back on per-(tile, digit) status words, stages
 *                      the tile sorted by digit in shared memory and writes
 *                      it out in runs (coalesced), keys then payload.
 * A payload (ga_idx_t: the original position) rides along for argsort and
 * for batched sorts: a batch of rows of length L is sorted by the key
 * passes, then by extra passes whose digits are those of the row number
 * (position / L), most significant last, which groups the rows back in
 * order without breaking the order inside a row.
 *
 * The tile shape (GA_SORT_BLOCK threads, GA_SORT_ITEMS keys each), the key
 * and index types and the status word come from Python as typedefs and
 * macros:
 *   ga_key_t     unsigned integer of the keys' width
 *   ga_idx_t     unsigned int when n < 2**31, else unsigned long long
 *   ga_status_t  unsigned int when n < 2**30 (2 flag bits + 30-bit count),
 *                else unsigned long long
 *   GA_SORT_INF  the exponent mask of the float type of this width
 *   GA_SORT_STAGE_BYTES  max(sizeof(ga_key_t), sizeof(ga_idx_t))
 *   GA_SORT_HIST_PARTS   copies of the histogram's shared counters
 *   GA_SORT_RANK         how the ranking finds the lanes of a warp holding
 *                        equal digits: 0 with 8 ballots, 1 with
 *                        __match_any_sync (sm_70+), 2 with a shared-memory
 *                        atomicOr of each lane's bit into a per-warp mask
 *                        per digit (3 instructions where ballots take ~50;
 *                        the masks live in the staging buffer, unused
 *                        until the ranking is done)
 *   GA_SORT_PAYLOAD      1: the pass kernel carries a payload (argsort,
 *                        batched sorts); 0: keys only, with no payload
 *                        registers or code (the module is compiled twice)
 *   GA_SORT_MIN_BLOCKS   the pass kernel's __launch_bounds__ minimum of
 *                        resident blocks per multiprocessor (a register cap)
 *   GA_SORT_STAGE_WORDS  32-bit words of the staging buffer (the tile's
 *                        keys or payload, or the ranking's masks: the most
 *                        of the three)
 * GA_SORT_BLOCK must be a multiple of 32 and at least 256 (one thread per
 * digit in the per-digit steps). */

//@ radix
#define GA_RADIX_BITS 8
#define GA_RADIX 256
#define GA_SORT_WARPS (GA_SORT_BLOCK / 32)
#define GA_SORT_TILE (GA_SORT_BLOCK * GA_SORT_ITEMS)
/* the histogram's passes: the keys' bytes + 4 row-number passes (up to
 * 2**32 rows) */
#define GA_SORT_HIST_PASSES (sizeof(ga_key_t) + 4)

#define GA_SORT_UINT 0
#define GA_SORT_INT 1
#define GA_SORT_FLOAT 2
#define GA_SORT_BOOL 3

/* payload in: none, the key's position, an array; out: none, an array of
 * ga_idx_t, int64 (position % L: the index along the sorted axis), int64
 * (the position itself) */
#define GA_VALS_NONE 0
#define GA_VALS_IOTA 1
#define GA_VALS_ARRAY 2
#define GA_VALS_OUT_IDX 1
#define GA_VALS_OUT_MOD 2
#define GA_VALS_OUT_POS 3

#define GA_STATUS_SHIFT (sizeof(ga_status_t) * 8 - 2)
#define GA_STATUS_AGGREGATE ((ga_status_t)1 << GA_STATUS_SHIFT)
#define GA_STATUS_PREFIX ((ga_status_t)2 << GA_STATUS_SHIFT)
#define GA_STATUS_VALUE (GA_STATUS_AGGREGATE - 1)

GA_FN ga_key_t ga_sort_ordered(ga_key_t b, int kind, ga_key_t flip)
{
    const ga_key_t sign = (ga_key_t)((ga_key_t)1 << (sizeof(ga_key_t) * 8 - 1));
    ga_key_t o;
    if (kind == GA_SORT_FLOAT) {
        const ga_key_t mag = (ga_key_t)(b & (ga_key_t)~sign);
        if (mag > (ga_key_t)GA_SORT_INF)
            o = (ga_key_t)~(ga_key_t)0;
        else if (mag == 0)
            o = sign;
        else
            o = (b & sign) ? (ga_key_t)~b : (ga_key_t)(b | sign);
    } else if (kind == GA_SORT_INT) {
        o = (ga_key_t)(b ^ sign);
    } else if (kind == GA_SORT_BOOL) {
        o = (ga_key_t)(b != 0);
    } else {
        o = b;
    }
    return (ga_key_t)(o ^ flip);
}

/* The digit counts of every pass: nkey passes over the ordered keys (digit
 * p is bits 8p..8p+7), then nseg passes over the row number i / L. `hist`
 * ([nkey + nseg][256]) is zero on entry. The block counts in shared memory
 * in GA_SORT_HIST_PARTS copies, lane l adding to copy l % parts: lanes of
 * a warp whose keys share a digit (the high bytes of most data) then
 * collide parts times less on one counter. */
extern "C" __global__ void ga_sort_histogram(const void* keys_, unsigned long long n_, unsigned long long L_,
                                             int nkey, int nseg, int kind, unsigned long long flip_,
                                             ga_idx_t* hist)
{
    const ga_idx_t n = (ga_idx_t)n_, L = (ga_idx_t)L_;
    const ga_key_t flip = (ga_key_t)flip_;
    __shared__ unsigned int s_hist[GA_SORT_HIST_PASSES * GA_RADIX * GA_SORT_HIST_PARTS];
    const ga_key_t* keys = (const ga_key_t*)keys_;
    const int P = nkey + nseg;
    const unsigned int part = (threadIdx.x & 31u) % GA_SORT_HIST_PARTS;
    for (int i = threadIdx.x; i < P * GA_RADIX * GA_SORT_HIST_PARTS; i += blockDim.x)
        s_hist[i] = 0;
    __syncthreads();
    /* A block's counts fit 32 bits: it sees n / gridDim.x keys. Each thread
     * takes 4 adjacent keys at a time and adds a digit 4 times at once
     * when all four share it (the high bytes of most data, where the lanes
     * of a warp would otherwise queue on one counter). */
    const ga_idx_t step = (ga_idx_t)gridDim.x * blockDim.x * 4;
    for (ga_idx_t i0 = ((ga_idx_t)blockIdx.x * blockDim.x + threadIdx.x) * 4; i0 < n; i0 += step) {
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        if (nkey) {
            ga_key_t o[4];
#pragma unroll
            for (int j = 0; j < 4; j++)
                o[j] = j < m ? ga_sort_ordered(keys[i0 + j], kind, flip) : (ga_key_t)0;
            for (int p = 0; p < nkey; p++) {
                unsigned int d[4];
#pragma unroll
                for (int j = 0; j < 4; j++)
                    d[j] = (unsigned int)((o[j] >> (8 * p)) & 255u);
                unsigned int* const h = &s_hist[p * GA_RADIX * GA_SORT_HIST_PARTS + part];
                if (m == 4 && d[0] == d[1] && d[1] == d[2] && d[2] == d[3]) {
                    atomicAdd(&h[d[0] * GA_SORT_HIST_PARTS], 4u);
                } else {
                    for (int j = 0; j < m; j++)
                        atomicAdd(&h[d[j] * GA_SORT_HIST_PARTS], 1u);
                }
            }
        }
        if (nseg) {
            for (int j = 0; j < m; j++) {
                const ga_idx_t s = (i0 + j) / L;
                for (int q = 0; q < nseg; q++)
                    atomicAdd(&s_hist[((nkey + q) * GA_RADIX + (unsigned int)((s >> (8 * q)) & 255u))
                                      * GA_SORT_HIST_PARTS + part], 1u);
            }
        }
    }
    __syncthreads();
    for (int i = threadIdx.x; i < P * GA_RADIX; i += blockDim.x) {
        ga_idx_t c = 0;
        for (int k = 0; k < GA_SORT_HIST_PARTS; k++)
            c += s_hist[i * GA_SORT_HIST_PARTS + k];
        if (c)
            atomicAdd(&hist[i], c);
    }
}

/* offsets[p][d] = the number of keys whose digit of pass p is below d.
 * One block of 256 threads per pass. */
extern "C" __global__ void ga_sort_offsets(const ga_idx_t* hist, ga_idx_t* offsets)
{
    __shared__ ga_idx_t s[GA_RADIX];
    const unsigned int t = threadIdx.x;
    const ga_idx_t v = hist[blockIdx.x * GA_RADIX + t];
    s[t] = v;
    __syncthreads();
    for (unsigned int d = 1; d < GA_RADIX; d <<= 1) {
        const ga_idx_t x = t >= d ? s[t - d] : (ga_idx_t)0;
        __syncthreads();
        s[t] += x;
        __syncthreads();
    }
    offsets[blockIdx.x * GA_RADIX + t] = s[t] - v;
}

/* One digit pass from (src_keys, src_vals) to (dst_keys, dst_vals).
 * shift: the digit's first bit; seg_digit: the digit is one of the row
 * number (payload / L) rather than of the key; offsets: this pass's 256
 * digit starts; status: this pass's ntiles x 256 words, zero on entry;
 * counter: this pass's tile counter, zero on entry. dst_keys may be null
 * (argsort's last pass needs only the payload), and so may src_keys when
 * the digit is the row number's. Without GA_SORT_PAYLOAD, vals_in and
 * vals_out must be GA_VALS_NONE and the value pointers are not read. */
extern "C" __global__ void __launch_bounds__(GA_SORT_BLOCK, GA_SORT_MIN_BLOCKS)
ga_sort_pass(const void* src_keys_, void* dst_keys_, const void* src_vals_, void* dst_vals_,
             unsigned long long n_, unsigned long long L_, int kind, unsigned long long flip_, int shift,
             int seg_digit, int vals_in, int vals_out, const ga_idx_t* offsets, ga_status_t* status,
             unsigned int* counter)
{
    const ga_idx_t n = (ga_idx_t)n_, L = (ga_idx_t)L_;
    const ga_key_t flip = (ga_key_t)flip_;
    /* per-warp digit counts, then (after the ranking) each warp's start
     * inside its digit's run of the tile */
    __shared__ unsigned int s_warp[GA_SORT_WARPS][GA_RADIX];
    __shared__ unsigned int s_count[GA_RADIX];      /* the tile's keys per digit */
    __shared__ unsigned int s_start[GA_RADIX];      /* where each digit's run starts in the tile */
    __shared__ unsigned int s_wsum[GA_RADIX / 32];
    __shared__ ga_idx_t s_goff[GA_RADIX];           /* global position - tile position, per digit */
    __shared__ unsigned char s_digit[GA_SORT_TILE];
    /* the tile's keys or payload in digit order; during the ranking, the
     * per-warp masks of lanes holding each digit (GA_SORT_RANK 2) */
    __shared__ unsigned long long s_stage_raw[(GA_SORT_STAGE_WORDS + 1) / 2];
    __shared__ unsigned int s_tile;
    unsigned int* const s_stage = (unsigned int*)s_stage_raw;

    const ga_key_t* src_keys = (const ga_key_t*)src_keys_;
    const unsigned int tid = threadIdx.x, lane = tid & 31u, warp = tid >> 5;
    /* no keys in: a row-number pass of an argsort, whose keys are done */
    const bool has_keys = src_keys_ != 0;
#if GA_SORT_PAYLOAD
    const ga_idx_t* src_vals = (const ga_idx_t*)src_vals_;
    const bool has_vals = vals_in != GA_VALS_NONE;
#endif

    if (tid == 0)
        s_tile = atomicAdd(counter, 1u);
    for (unsigned int i = tid; i < GA_SORT_WARPS * GA_RADIX; i += GA_SORT_BLOCK) {
        (&s_warp[0][0])[i] = 0;
#if GA_SORT_RANK == 2
        s_stage[i] = 0;
#endif
    }
#if GA_SORT_EARLY
    for (unsigned int i = tid; i < GA_RADIX; i += GA_SORT_BLOCK)
        s_count[i] = 0;
#endif
    __syncthreads();
    const unsigned int tile = s_tile;
    const ga_idx_t tile_start = (ga_idx_t)tile * GA_SORT_TILE;
    const ga_idx_t warp_start = tile_start + (ga_idx_t)warp * (32 * GA_SORT_ITEMS);

    /* Load warp-striped: item k of lane l is position warp_start + 32k + l,
     * so (k, lane) order is input order (what keeps the ranking stable).
     * Positions past n get digit 255 and rank after every real key. */
    ga_key_t key[GA_SORT_ITEMS];
#if GA_SORT_PAYLOAD
    ga_idx_t val[GA_SORT_ITEMS];
#endif
    unsigned int rank[GA_SORT_ITEMS];   /* digit in bits 0-7, tile position above */
#pragma unroll
    for (int k = 0; k < GA_SORT_ITEMS; k++) {
        const ga_idx_t pos = warp_start + (ga_idx_t)(32 * k) + lane;
        const bool ok = pos < n;
        key[k] = (ok && has_keys) ? src_keys[pos] : (ga_key_t)0;
        unsigned int d;
#if GA_SORT_PAYLOAD
        val[k] = vals_in == GA_VALS_IOTA ? pos : (vals_in == GA_VALS_ARRAY && ok) ? src_vals[pos] : (ga_idx_t)0;
        if (ok && seg_digit)
            d = (unsigned int)(((val[k] / L) >> shift) & 255u);
        else
#endif
            d = (unsigned int)((ga_sort_ordered(key[k], kind, flip) >> shift) & 255u);
        rank[k] = ok ? d : 255u;
    }

#if GA_SORT_EARLY
    /* Count the tile's digits and publish them to the look-back now, before
     * the ranking, so that the tiles after this one find its count when
     * they look back instead of waiting for it. */
#pragma unroll
    for (int k = 0; k < GA_SORT_ITEMS; k++)
        if (warp_start + (ga_idx_t)(32 * k) + lane < n)
            atomicAdd(&s_count[rank[k]], 1u);
    __syncthreads();
    if (tid < GA_RADIX) {
        volatile ga_status_t* const st = (volatile ga_status_t*)status;
        st[(size_t)tile * GA_RADIX + tid] =
            (tile == 0 ? GA_STATUS_PREFIX : GA_STATUS_AGGREGATE) | (ga_status_t)s_count[tid];
    }
#endif

    /* Rank inside the warp, item by item: the lanes holding the same digit
     * (peers) take consecutive slots after the warp's count for it. */
    unsigned int* const my_count = s_warp[warp];
    const unsigned int lt = (1u << lane) - 1u;
#if GA_SORT_RANK == 2
    unsigned int* const my_mask = s_stage + warp * GA_RADIX;
#endif
#pragma unroll
    for (int k = 0; k < GA_SORT_ITEMS; k++) {
        const unsigned int d = rank[k];
#if GA_SORT_RANK == 2
        atomicOr(&my_mask[d], 1u << lane);
        __syncwarp();
        const unsigned int peers = my_mask[d];
#elif GA_SORT_RANK == 1
        const unsigned int peers = __match_any_sync(0xffffffffu, d);
#else
        unsigned int peers = 0xffffffffu;
#pragma unroll
        for (int b = 0; b < GA_RADIX_BITS; b++) {
            const bool bit = (d >> b) & 1u;
            const unsigned int vote = __ballot_sync(0xffffffffu, bit);
            peers &= bit ? vote : ~vote;
        }
#endif
        const unsigned int leader = (unsigned int)(__ffs((int)peers) - 1);
        unsigned int base = 0;
#if GA_SORT_RANK == 2
        /* every lane has read its mask before the leader clears it */
        __syncwarp();
#endif
        if (lane == leader) {
            base = my_count[d];
            my_count[d] = base + (unsigned int)__popc(peers);
#if GA_SORT_RANK == 2
            my_mask[d] = 0;
#endif
        }
        base = __shfl_sync(0xffffffffu, base, (int)leader);
        rank[k] = d | ((base + (unsigned int)__popc(peers & lt)) << 8);
        __syncwarp();
    }
    __syncthreads();

    /* Per digit: each warp's start inside the digit's run (warps hold
     * consecutive stretches, in order), and the tile's count. */
    for (unsigned int d = tid; d < GA_RADIX; d += GA_SORT_BLOCK) {
        unsigned int sum = 0;
        for (int w = 0; w < GA_SORT_WARPS; w++) {
            const unsigned int c = s_warp[w][d];
            s_warp[w][d] = sum;
            sum += c;
        }
        s_count[d] = sum;
    }
    __syncthreads();

    /* Exclusive scan of the 256 counts: the runs' starts in the tile. */
    unsigned int count = 0, incl = 0;
    if (tid < GA_RADIX) {
        count = s_count[tid];
        incl = count;
#pragma unroll
        for (unsigned int o = 1; o < 32; o <<= 1) {
            const unsigned int y = __shfl_up_sync(0xffffffffu, incl, o);
            if (lane >= o)
                incl += y;
        }
        if (lane == 31)
            s_wsum[warp] = incl;
    }
    __syncthreads();
    if (tid < GA_RADIX) {
        unsigned int before = 0;
        for (unsigned int w = 0; w < warp; w++)
            before += s_wsum[w];
        s_start[tid] = before + incl - count;

        /* Decoupled look-back: publish this tile's count (its inclusive
         * prefix at once for tile 0), add up the tiles before until one
         * holds an inclusive prefix, publish ours. Value and flag share one
         * word, so no fence is needed. */
        volatile ga_status_t* const st = (volatile ga_status_t*)status;
        ga_idx_t excl = 0;
        if (tile == 0) {
            if (!GA_SORT_EARLY)
                st[tid] = GA_STATUS_PREFIX | (ga_status_t)count;
        } else {
            if (!GA_SORT_EARLY)
                st[(size_t)tile * GA_RADIX + tid] = GA_STATUS_AGGREGATE | (ga_status_t)count;
            /* GA_SORT_LOOKBACK words of the tiles before are loaded at
             * once (independent loads in flight together, where a walk of
             * one word at a time waits a full latency per tile), then
             * taken in order: spinning on one that is not yet published,
             * stopping at the first inclusive prefix. Tile 0 always holds
             * one, so the words of negative tiles (not loaded) are never
             * taken. */
            long long t = (long long)tile - 1;
            bool found = false;
            while (!found) {
                ga_status_t s[GA_SORT_LOOKBACK];
#pragma unroll
                for (int w = 0; w < GA_SORT_LOOKBACK; w++)
                    s[w] = t - w >= 0 ? st[(size_t)(t - w) * GA_RADIX + tid] : (ga_status_t)0;
#pragma unroll
                for (int w = 0; w < GA_SORT_LOOKBACK; w++) {
                    if (found)
                        break;
                    while ((s[w] & (GA_STATUS_AGGREGATE | GA_STATUS_PREFIX)) == 0)
                        s[w] = st[(size_t)(t - w) * GA_RADIX + tid];
                    excl += (ga_idx_t)(s[w] & GA_STATUS_VALUE);
                    found = (s[w] & GA_STATUS_PREFIX) != 0;
                }
                t -= GA_SORT_LOOKBACK;
            }
            st[(size_t)tile * GA_RADIX + tid] = GA_STATUS_PREFIX | (ga_status_t)(excl + count);
        }
        /* unsigned wrap-around: the sum is a valid position */
        s_goff[tid] = offsets[tid] + excl - (ga_idx_t)s_start[tid];
    }
    __syncthreads();

    /* Stage the keys at their tile positions, sorted by digit. */
    const ga_idx_t left = n - tile_start;
    const unsigned int valid = left < (ga_idx_t)GA_SORT_TILE ? (unsigned int)left : GA_SORT_TILE;
    ga_key_t* const s_keys = (ga_key_t*)s_stage_raw;
#pragma unroll
    for (int k = 0; k < GA_SORT_ITEMS; k++) {
        const unsigned int d = rank[k] & 255u;
        const unsigned int p = s_start[d] + s_warp[warp][d] + (rank[k] >> 8);
        rank[k] = p;
        if (p < valid) {
            s_keys[p] = key[k];
            s_digit[p] = (unsigned char)d;
        }
    }
    __syncthreads();
    if (dst_keys_ && has_keys) {
        ga_key_t* const dst_keys = (ga_key_t*)dst_keys_;
        for (unsigned int i = tid; i < valid; i += GA_SORT_BLOCK)
            dst_keys[s_goff[s_digit[i]] + i] = s_keys[i];
    }
#if GA_SORT_PAYLOAD
    if (has_vals && vals_out != GA_VALS_NONE) {
        __syncthreads();
        ga_idx_t* const s_vals = (ga_idx_t*)s_stage_raw;
#pragma unroll
        for (int k = 0; k < GA_SORT_ITEMS; k++)
            if (rank[k] < valid)
                s_vals[rank[k]] = val[k];
        __syncthreads();
        for (unsigned int i = tid; i < valid; i += GA_SORT_BLOCK) {
            const ga_idx_t g = s_goff[s_digit[i]] + i;
            const ga_idx_t v = s_vals[i];
            if (vals_out == GA_VALS_OUT_IDX)
                ((ga_idx_t*)dst_vals_)[g] = v;
            else if (vals_out == GA_VALS_OUT_MOD)
                ((long long*)dst_vals_)[g] = (long long)(v % L);
            else
                ((long long*)dst_vals_)[g] = (long long)v;
        }
    }
#endif
}

/* dst[i] = src[perm[i]] for keys of this width (lexsort: the next key in
 * the order the previous keys left). */
extern "C" __global__ void ga_sort_gather(const void* src_, const ga_idx_t* perm, unsigned long long n_, void* dst_)
{
    const ga_idx_t n = (ga_idx_t)n_;
    const ga_key_t* src = (const ga_key_t*)src_;
    ga_key_t* dst = (ga_key_t*)dst_;
    const ga_idx_t step = (ga_idx_t)gridDim.x * blockDim.x;
    for (ga_idx_t i = (ga_idx_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step)
        dst[i] = src[perm[i]];
}

/* out[i] = (int64)(v[i] % L) or v[i] (every pass was skipped: the payload
 * is still the identity, or an array in ga_idx_t). */
extern "C" __global__ void ga_sort_widen(const ga_idx_t* v, unsigned long long n_, unsigned long long L_, int mod,
                                         long long* out)
{
    const ga_idx_t n = (ga_idx_t)n_, L = (ga_idx_t)L_;
    const ga_idx_t step = (ga_idx_t)gridDim.x * blockDim.x;
    for (ga_idx_t i = (ga_idx_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
        const ga_idx_t x = v ? v[i] : i;
        out[i] = (long long)(mod ? x % L : x);
    }
}
