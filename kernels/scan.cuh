/* scan.cuh - templates of the scan (cumulative) kernels gpuarray generates
 * (gpuarray/_scan.py fills them in, after elementwise.cuh's prelude).
 *
 * A scan sees its input as `rows` independent rows of `n` elements (the
 * scanned axis); the other axes, collapsed, index the rows. Inputs and
 * outputs are addressed with byte strides, so views and `out=` of any
 * layout need no copies. `ga_op(x0, x1)` combines two accumulators (x0
 * the earlier), `ga_map(v)` turns a stored input element into one (casts,
 * NaN -> identity for the nan-scans). No identity is ever needed: padding
 * past the end of a row only feeds positions that are never stored.
 *
 *   prelude  shuffles of every accumulator type, and the "slots" through
 *            which tiles publish their values to other blocks.
 *   complex  the shuffles of complex accumulators.
 *   common   the typedefs, ga_op and ga_map of one scan.
 *   tile     single-pass scan with decoupled look-back (Merrill and
 *            Garland's algorithm): a row is cut into tiles of
 *            GA_BLOCK * GA_ITEMS elements; every block takes the next tile
 *            number from a counter (so every tile it waits for belongs to
 *            a block that is already running), scans its tile in shared
 *            memory, publishes the tile's total, then sums the totals of
 *            the tiles before it (a warp reads 32 at a time) until it
 *            meets one whose inclusive prefix is already published, and
 *            publishes its own. Each element is read once and written
 *            once. With GA_BLOCK == 1 (the host backend) one thread does a
 *            whole tile with plain loops and the look-back is serial: no
 *            barrier, no warp operation.
 *   serial   one thread per row, a plain loop along it: for operations
 *            that are not associative (NumPy's subtract.accumulate...), and
 *            for scans across rows that are contiguous among themselves
 *            (cumsum(axis=0) of a C array: neighbouring threads read
 *            neighbouring elements). GA_LAST_ONLY stores only the row's
 *            final value (the ordered reductions of ufunc.reduce).
 *
 * Tile status flags: 0 nothing yet, 1 the tile's aggregate is published,
 * 2 its inclusive prefix is. Accumulators of up to 4 bytes share one
 * 64-bit word with their flag (GA_SCAN_PACKED, blocks of more than one
 * thread); wider ones are written first, then a fence, then the flag, and
 * readers read the flag, fence, then the value. Values are read and
 * written with volatile accesses: L1 is not coherent between
 * multiprocessors, volatile accesses go to L2. */

//@ prelude
#define GA_FULL_MASK 0xffffffffu

/* CUDA's shuffles move 4- and 8-byte words; narrower types go as int. */
#define GA_SHFL_NARROW(T) \
    GA_FN T ga_shfl_up(T v, unsigned d) { return (T)__shfl_up_sync(GA_FULL_MASK, (int)v, d); } \
    GA_FN T ga_shfl_down(T v, unsigned d) { return (T)__shfl_down_sync(GA_FULL_MASK, (int)v, d); }
#define GA_SHFL_WORD(T) \
    GA_FN T ga_shfl_up(T v, unsigned d) { return __shfl_up_sync(GA_FULL_MASK, v, d); } \
    GA_FN T ga_shfl_down(T v, unsigned d) { return __shfl_down_sync(GA_FULL_MASK, v, d); }
GA_SHFL_NARROW(bool)
GA_SHFL_NARROW(signed char)
GA_SHFL_NARROW(unsigned char)
GA_SHFL_NARROW(short)
GA_SHFL_NARROW(unsigned short)
GA_SHFL_WORD(int)
GA_SHFL_WORD(unsigned int)
GA_SHFL_WORD(long long)
GA_SHFL_WORD(unsigned long long)
GA_SHFL_WORD(float)
GA_SHFL_WORD(double)

/* Raw shared storage: accumulator types with constructors (complex) may
 * not be declared __shared__ themselves. */
struct alignas(16) ga_scan_smem { unsigned long long a, b; };

/* A published tile value: whole 32-bit words, so that every type is
 * stored and loaded with volatile word accesses. */
template<typename T> struct ga_slot { unsigned int w[(sizeof(T) + 3) / 4]; };

template<typename T> GA_FN void ga_slot_store(ga_slot<T>* s, const T& v)
{
    union { T v; unsigned int w[(sizeof(T) + 3) / 4]; } u;
    for (int i = 0; i < (int)((sizeof(T) + 3) / 4); i++)
        u.w[i] = 0u;
    u.v = v;
    volatile unsigned int* p = (volatile unsigned int*)s->w;
    for (int i = 0; i < (int)((sizeof(T) + 3) / 4); i++)
        p[i] = u.w[i];
}

template<typename T> GA_FN T ga_slot_load(const ga_slot<T>* s)
{
    union { T v; unsigned int w[(sizeof(T) + 3) / 4]; } u;
    const volatile unsigned int* p = (const volatile unsigned int*)s->w;
    for (int i = 0; i < (int)((sizeof(T) + 3) / 4); i++)
        u.w[i] = p[i];
    return u.v;
}

GA_FN unsigned int ga_flag_load(const unsigned int* flags, long long t)
{
    return ((const volatile unsigned int*)flags)[t];
}

GA_FN void ga_flag_store(unsigned int* flags, long long t, unsigned int f)
{
    __threadfence();
    ((volatile unsigned int*)flags)[t] = f;
}

/* Accumulators of up to 4 bytes are published as one 64-bit word, the
 * flag in the high half and the value's bits in the low half (`agg` is
 * then an array of such words, zero on entry): one volatile store and one
 * volatile load, with no fence between a value and its flag. Wider ones go
 * as value, fence, flag. (On the H200 the fences were on the path of every
 * tile's look-back.) */
#define GA_SCAN_PACKED(T) (sizeof(T) <= 4)

template<typename T> GA_FN unsigned long long ga_pack(const T& v, unsigned int f)
{
    union { T v; unsigned int w[(sizeof(T) + 3) / 4]; } u;
    u.w[0] = 0u;
    u.v = v;
    return ((unsigned long long)f << 32) | u.w[0];
}

template<typename T> GA_FN T ga_unpack(unsigned long long word)
{
    union { T v; unsigned int w[(sizeof(T) + 3) / 4]; } u;
    for (int i = 0; i < (int)((sizeof(T) + 3) / 4); i++)
        u.w[i] = 0u;
    u.w[0] = (unsigned int)word;
    return u.v;
}

/* Publish tile t's value with flag f (1: its aggregate, 2: its inclusive
 * prefix). */
template<typename T> GA_FN void ga_publish(unsigned int* flags, ga_slot<T>* agg, ga_slot<T>* incl,
                                           long long t, const T& v, unsigned int f)
{
    if (GA_SCAN_PACKED(T)) {
        ((volatile unsigned long long*)agg)[t] = ga_pack(v, f);
    } else {
        ga_slot_store((f == 2u ? incl : agg) + t, v);
        ga_flag_store(flags, t, f);
    }
}

/* Tile j's flag; with packed words its value too (into *v). Wider values
 * are read after a fence by ga_published_value once the flag is seen. */
template<typename T> GA_FN unsigned int ga_peek(const unsigned int* flags, const ga_slot<T>* agg,
                                                long long j, T* v)
{
    if (GA_SCAN_PACKED(T)) {
        const unsigned long long w = ((const volatile unsigned long long*)agg)[j];
        *v = ga_unpack<T>(w);
        return (unsigned int)(w >> 32);
    }
    return ga_flag_load(flags, j);
}

template<typename T> GA_FN T ga_published_value(const ga_slot<T>* agg, const ga_slot<T>* incl,
                                                long long j, unsigned int f, const T& peeked)
{
    if (GA_SCAN_PACKED(T))
        return peeked;
    return f == 2u ? ga_slot_load(incl + j) : ga_slot_load(agg + j);
}

/* Waiting for another block: on the host backend that block runs on
 * another OS thread, so tell the CPU we spin. */
GA_FN void ga_spin_pause()
{
#if defined(__GPUARRAY_HOST__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_ia32_pause();
#elif defined(__GPUARRAY_HOST__) && defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

//@ complex
template<typename T> GA_FN ga_complex<T> ga_shfl_up(const ga_complex<T>& v, unsigned d)
{
    return ga_complex<T>(__shfl_up_sync(GA_FULL_MASK, v.re, d), __shfl_up_sync(GA_FULL_MASK, v.im, d));
}
template<typename T> GA_FN ga_complex<T> ga_shfl_down(const ga_complex<T>& v, unsigned d)
{
    return ga_complex<T>(__shfl_down_sync(GA_FULL_MASK, v.re, d), __shfl_down_sync(GA_FULL_MASK, v.im, d));
}

//@ common
typedef ${acc} ga_acc_t;
typedef ${in_t} ga_in_t;
typedef ${out_t} ga_out_t;
GA_FN ga_acc_t ga_op(const ga_acc_t& x0, const ga_acc_t& x1) { return ga_cast<ga_acc_t>(${op}); }
GA_FN ga_acc_t ga_map(const ga_in_t& v) { return ${map}; }
GA_FN ga_out_t ga_store(const ga_acc_t& v) { return ${store}; }

//@ tile
#define GA_BLOCK ${block}
#define GA_ITEMS ${items}
#define GA_TILE (GA_BLOCK * GA_ITEMS)
#define GA_NWARPS (GA_BLOCK / 32)
/* shared-memory position of tile element e: one word of padding every 32
 * elements, so that a thread reading its GA_ITEMS consecutive elements
 * does not meet its neighbours in the same bank */
#define GA_PAD(e) ((e) + ((e) >> 5))

extern "C" __global__ void ${name}(const void* ga_in_p, void* ga_out_p, long long ga_n,
                                   long long ga_ies, long long ga_oes, long long ga_tpr,
                                   long long ga_ntiles, void* ga_flags_p, void* ga_agg_p,
                                   void* ga_incl_p${row_params})
{
    const char* const ga_in = (const char*)ga_in_p;
    char* const ga_out = (char*)ga_out_p;
    unsigned int* const ga_flags = (unsigned int*)ga_flags_p;
    ga_slot<ga_acc_t>* const ga_agg = (ga_slot<ga_acc_t>*)ga_agg_p;
    ga_slot<ga_acc_t>* const ga_incl = (ga_slot<ga_acc_t>*)ga_incl_p;
#if GA_BLOCK == 1
    const long long t = (long long)atomicAdd(ga_flags + ga_ntiles, 1u);
#else
    __shared__ unsigned int ga_s_tile;
    if (threadIdx.x == 0)
        ga_s_tile = atomicAdd(ga_flags + ga_ntiles, 1u);
    __syncthreads();
    const long long t = (long long)ga_s_tile;
#endif
    const long long ga_row = t / ga_tpr, k = t - ga_row * ga_tpr;
${row_index}
    const char* const in = ga_in + ga_io;
    char* const out = ga_out + ga_oo;
    const long long base = k * (long long)GA_TILE;
    const int cnt = ga_n - base < (long long)GA_TILE ? (int)(ga_n - base) : GA_TILE;
    const long long first = t - k;  /* the tile number of the row's first tile */
#if ${contig}
/* both unit-stride: element indices, so that the unrolled loads and
 * stores of a thread are one base address plus constant offsets */
#define GA_LOAD(j) ga_map(((const ga_in_t*)in)[j])
#define GA_OUT(j) (((ga_out_t*)out)[j])
#else
#define GA_LOAD(j) ga_map(*(const ga_in_t*)(in + (long long)(j) * ga_ies))
#define GA_OUT(j) (*(ga_out_t*)(out + (long long)(j) * ga_oes))
#endif

#if GA_BLOCK == 1
    ga_acc_t pre;
    bool have = false;
    if (k > 0) {
        /* the tile's total first, so that the tiles after it need not wait
         * for this one's look-back */
        ga_acc_t total = GA_LOAD(base);
        for (int e = 1; e < cnt; e++)
            total = ga_op(total, GA_LOAD(base + e));
        ga_slot_store(ga_agg + t, total);
        ga_flag_store(ga_flags, t, 1u);
        for (long long j = t - 1; j >= first; j--) {
            unsigned int f;
            while ((f = ga_flag_load(ga_flags, j)) == 0u)
                ga_spin_pause();
            __threadfence();
            const ga_acc_t v = f == 2u ? ga_slot_load(ga_incl + j) : ga_slot_load(ga_agg + j);
            pre = have ? ga_op(v, pre) : v;
            have = true;
            if (f == 2u)
                break;
        }
    }
    ga_acc_t run = have ? ga_op(pre, GA_LOAD(base)) : GA_LOAD(base);
    GA_OUT(base) = ga_store(run);
    for (int e = 1; e < cnt; e++) {
        run = ga_op(run, GA_LOAD(base + e));
        GA_OUT(base + e) = ga_store(run);
    }
    if (ga_tpr > 1) {
        ga_slot_store(ga_incl + t, run);
        ga_flag_store(ga_flags, t, 2u);
    }
#else
    __shared__ ga_scan_smem ga_sbuf[(GA_PAD(GA_TILE) * sizeof(ga_acc_t) + 15) / 16 + 1];
    __shared__ ga_scan_smem ga_swarp_raw[(32 * sizeof(ga_acc_t) + 15) / 16];
    __shared__ ga_scan_smem ga_sprefix_raw[(sizeof(ga_acc_t) + 15) / 16];
    ga_acc_t* const sb = (ga_acc_t*)ga_sbuf;
    ga_acc_t* const swarp = (ga_acc_t*)ga_swarp_raw;
    ga_acc_t* const sprefix = (ga_acc_t*)ga_sprefix_raw;
    const unsigned int tid = threadIdx.x, lane = tid & 31u, warp = tid >> 5;

    /* striped (coalesced) loads into shared memory; the padding past the
     * row's end repeats the tile's first element */
#pragma unroll
    for (int it = 0; it < GA_ITEMS; it++) {
        const int e = it * GA_BLOCK + (int)tid;
        sb[GA_PAD(e)] = GA_LOAD(base + (e < cnt ? e : 0));
    }
    __syncthreads();
    /* each thread scans its GA_ITEMS consecutive elements */
    ga_acc_t x[GA_ITEMS];
#pragma unroll
    for (int i = 0; i < GA_ITEMS; i++) {
        const int e = (int)tid * GA_ITEMS + i;
        x[i] = sb[GA_PAD(e)];
    }
#pragma unroll
    for (int i = 1; i < GA_ITEMS; i++)
        x[i] = ga_op(x[i - 1], x[i]);
    /* the threads' totals: inclusive scan in each warp, then over warps */
    ga_acc_t ws = x[GA_ITEMS - 1];
#pragma unroll
    for (unsigned int d = 1; d < 32; d <<= 1) {
        const ga_acc_t o = ga_shfl_up(ws, d);
        if (lane >= d)
            ws = ga_op(o, ws);
    }
    const ga_acc_t lane_excl = ga_shfl_up(ws, 1);
    if (lane == 31)
        swarp[warp] = ws;
    __syncthreads();
    if (warp == 0) {
        ga_acc_t w = swarp[lane < GA_NWARPS ? lane : 0];
#pragma unroll
        for (unsigned int d = 1; d < 32; d <<= 1) {
            const ga_acc_t o = ga_shfl_up(w, d);
            if (lane >= d)
                w = ga_op(o, w);
        }
        __syncwarp();
        if (lane < GA_NWARPS)
            swarp[lane] = w;
    }
    __syncthreads();
    const ga_acc_t total = swarp[GA_NWARPS - 1];

    if (warp == 0 && ga_tpr > 1) {
        if (k == 0) {
            if (lane == 0)
                ga_publish(ga_flags, ga_agg, ga_incl, t, total, 2u);
        } else {
            if (lane == 0)
                ga_publish(ga_flags, ga_agg, ga_incl, t, total, 1u);
            /* look back over 32 tiles at a time; lane l reads tile t-1-l,
             * a lane past the row's first tile sees flag 3 (a boundary) */
            long long j = t - 1 - (long long)lane;
            ga_acc_t run = total;
            bool have_run = false;
            for (;;) {
                unsigned int f;
                ga_acc_t peeked = total;
                for (;;) {
                    f = j >= first ? ga_peek(ga_flags, ga_agg, j, &peeked) : 3u;
                    if (!__any_sync(GA_FULL_MASK, f == 0u))
                        break;
                    ga_spin_pause();
                }
                if (!GA_SCAN_PACKED(ga_acc_t))
                    __threadfence();
                ga_acc_t v = total;
                if (f == 1u || f == 2u)
                    v = ga_published_value(ga_agg, ga_incl, j, f, peeked);
                /* lanes up to the nearest inclusive prefix (or boundary) count */
                const unsigned int stop_mask = __ballot_sync(GA_FULL_MASK, f >= 2u);
                const int stop = stop_mask ? __ffs((int)stop_mask) - 1 : 31;
                bool h = (int)lane <= stop && f != 3u;
                /* ordered reduction over the lanes: lane l + off holds the
                 * older tiles, so it goes first */
#pragma unroll
                for (unsigned int off = 1; off < 32; off <<= 1) {
                    const ga_acc_t o = ga_shfl_down(v, off);
                    const bool oh = ga_shfl_down(h, off) && lane + off < 32u;
                    if (oh) {
                        v = h ? ga_op(o, v) : o;
                        h = true;
                    }
                }
                if (lane == 0 && h) {
                    run = have_run ? ga_op(v, run) : v;
                    have_run = true;
                }
                if (stop_mask)
                    break;
                j -= 32;
            }
            if (lane == 0) {
                ga_publish(ga_flags, ga_agg, ga_incl, t, ga_op(run, total), 2u);
                *sprefix = run;
            }
        }
    }
    __syncthreads();
    /* this thread's exclusive prefix: the tiles before, the warps before,
     * the lanes before */
    bool have = lane > 0 || warp > 0;
    ga_acc_t pre = lane_excl;
    if (warp > 0)
        pre = lane > 0 ? ga_op(swarp[warp - 1], lane_excl) : swarp[warp - 1];
    if (k > 0) {
        const ga_acc_t tp = *sprefix;
        pre = have ? ga_op(tp, pre) : tp;
        have = true;
    }
    if (have) {
#pragma unroll
        for (int i = 0; i < GA_ITEMS; i++)
            x[i] = ga_op(pre, x[i]);
    }
#pragma unroll
    for (int i = 0; i < GA_ITEMS; i++) {
        const int e = (int)tid * GA_ITEMS + i;
        sb[GA_PAD(e)] = x[i];
    }
    __syncthreads();
#pragma unroll
    for (int it = 0; it < GA_ITEMS; it++) {
        const int e = it * GA_BLOCK + (int)tid;
        if (e < cnt)
            GA_OUT(base + e) = ga_store(sb[GA_PAD(e)]);
    }
#endif
#undef GA_LOAD
#undef GA_OUT
}

//@ serial
#define GA_LAST_ONLY ${last_only}

extern "C" __global__ void ${name}(const void* ga_in_p, void* ga_out_p, long long ga_n,
                                   long long ga_ies, long long ga_oes, long long ga_rows${row_params})
{
    const char* const ga_in = (const char*)ga_in_p;
    char* const ga_out = (char*)ga_out_p;
    const long long ga_stride = (long long)gridDim.x * blockDim.x;
    for (long long ga_row = (long long)blockIdx.x * blockDim.x + threadIdx.x; ga_row < ga_rows;
         ga_row += ga_stride) {
${row_index}
        const char* const in = ga_in + ga_io;
        char* const out = ga_out + ga_oo;
        ga_acc_t run = ga_map(*(const ga_in_t*)in);
#if !GA_LAST_ONLY
        *(ga_out_t*)out = ga_store(run);
#endif
        for (long long j = 1; j < ga_n; j++) {
            run = ga_op(run, ga_map(*(const ga_in_t*)(in + j * ga_ies)));
#if !GA_LAST_ONLY
            *(ga_out_t*)(out + j * ga_oes) = ga_store(run);
#endif
        }
#if GA_LAST_ONLY
        *(ga_out_t*)out = ga_store(run);
#endif
    }
}

//@ column
/* GA_PHASE 1: the total of every (chunk, row) into ga_agg (laid out
 * (chunks, rows)); between the phases the serial kernel scans ga_agg along
 * the chunks; GA_PHASE 3: every chunk scanned from the inclusive total of
 * the chunks before it. Thread ga_t = chunk * rows + row, so neighbouring
 * threads take neighbouring rows. */
#define GA_PHASE ${phase}

extern "C" __global__ void ${name}(const void* ga_in_p, void* ga_out_p, long long ga_n,
                                   long long ga_ies, long long ga_oes, long long ga_rows,
                                   long long ga_chunk, long long ga_nchunks,
                                   void* ga_agg_p${row_params})
{
    const char* const ga_in = (const char*)ga_in_p;
    char* const ga_out = (char*)ga_out_p;
    ga_acc_t* const ga_agg = (ga_acc_t*)ga_agg_p;
    const long long ga_total = ga_rows * ga_nchunks;
    const long long ga_stride = (long long)gridDim.x * blockDim.x;
    for (long long ga_t = (long long)blockIdx.x * blockDim.x + threadIdx.x; ga_t < ga_total;
         ga_t += ga_stride) {
        const long long c = ga_t / ga_rows, ga_row = ga_t - c * ga_rows;
${row_index}
        const long long j0 = c * ga_chunk;
        const long long j1 = j0 + ga_chunk < ga_n ? j0 + ga_chunk : ga_n;
        const char* const in = ga_in + ga_io;
        ga_acc_t run = ga_map(*(const ga_in_t*)(in + j0 * ga_ies));
#if GA_PHASE == 1
        for (long long j = j0 + 1; j < j1; j++)
            run = ga_op(run, ga_map(*(const ga_in_t*)(in + j * ga_ies)));
        ga_agg[ga_t] = run;
#else
        char* const out = ga_out + ga_oo;
        if (c > 0)
            run = ga_op(ga_agg[ga_t - ga_rows], run);
        *(ga_out_t*)(out + j0 * ga_oes) = ga_store(run);
        for (long long j = j0 + 1; j < j1; j++) {
            run = ga_op(run, ga_map(*(const ga_in_t*)(in + j * ga_ies)));
            *(ga_out_t*)(out + j * ga_oes) = ga_store(run);
        }
#endif
    }
}
