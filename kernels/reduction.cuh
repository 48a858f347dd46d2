/* reduction.cuh - templates of the reduction kernels gpuarray generates
 * (gpuarray/_reduction.py fills them in, after elementwise.cuh's prelude).
 *
 * A reduction maps every input element to the accumulator type
 * (`map_expr`), combines accumulators with `ga_reduce(a, b)` and turns the
 * result into the output (`post_map_expr`). The input is seen as P outputs
 * times M reduced elements; `_p` is the output index, `_j` the index
 * inside the reduction (C order of the reduced axes). Nothing needs an
 * identity except outputs whose reduction is empty: each thread starts
 * from its first element and carries a "have" flag through the tree.
 *
 *   prelude  argmin/argmax pairs, shared-memory storage.
 *   inner    one block (or G blocks) per output: the reduced elements are
 *            close in memory. Threads stride over the reduction, 16-byte
 *            vectors where the row is contiguous and aligned, then a tree in
 *            shared memory. With G > 1 each block writes a partial result
 *            and a second launch (the same template over the partials)
 *            finishes (or, in the single-launch form, the last block to finish:
 *            section last_block). With one thread per block no barrier is ever reached:
 *            the host backend runs that as a plain loop.
 *   outer    one thread per output (the reduced elements are far apart, the
 *            outputs close): a serial loop, coalesced across threads;
 *            gridDim.y > 1 splits the reduction into chunks whose partial
 *            results a second launch combines. No barrier at all. */

//@ prelude
template<typename T> struct ga_argpair { T v; long long i; };

template<typename T> GA_FN ga_argpair<T> ga_make_argpair(const T& v, long long i)
{
    ga_argpair<T> p;
    p.v = v;
    p.i = i;
    return p;
}

/* NumPy: the first NaN wins, then the extreme value, then the first index. */
template<typename T> GA_FN ga_argpair<T> ga_argmax_reduce(const ga_argpair<T>& a, const ga_argpair<T>& b)
{
    bool an = ga_isnan(a.v), bn = ga_isnan(b.v);
    if (an || bn)
        return (an && bn) ? (a.i <= b.i ? a : b) : (an ? a : b);
    if (ga_lt(b.v, a.v))
        return a;
    if (ga_lt(a.v, b.v))
        return b;
    return a.i <= b.i ? a : b;
}

template<typename T> GA_FN ga_argpair<T> ga_argmin_reduce(const ga_argpair<T>& a, const ga_argpair<T>& b)
{
    bool an = ga_isnan(a.v), bn = ga_isnan(b.v);
    if (an || bn)
        return (an && bn) ? (a.i <= b.i ? a : b) : (an ? a : b);
    if (ga_lt(a.v, b.v))
        return a;
    if (ga_lt(b.v, a.v))
        return b;
    return a.i <= b.i ? a : b;
}

/* |x|^2 for var/std (the complex section has the complex one). */
template<typename T> GA_FN T ga_abs2(const T& x) { return x * x; }

/* Raw shared storage: accumulator types with constructors (complex) may
 * not be declared __shared__ themselves. */
struct alignas(16) ga_smem_unit { unsigned long long a, b; };

//@ inner
extern "C" __global__ void ${name}(${params}${idx} ga_P, ${idx} ga_M, ${idx} ga_G, long long ga_in_size, long long ga_out_size${index_params})
{
    __shared__ ga_smem_unit ga_smem[(${block_max} * (sizeof(${acc}) + 1) + 15) / 16];
    ${acc}* const ga_sacc = (${acc}*)ga_smem;
    bool* const ga_shave = (bool*)(ga_sacc + ${block_max});
    const ga_size_ind _in_ind = {ga_in_size}, _out_ind = {ga_out_size};
    (void)_in_ind;
    (void)_out_ind;
    const unsigned int ga_tid = threadIdx.x;
    const ${idx} ga_step = ga_G * (${idx})blockDim.x;
    for (${idx} ga_b = blockIdx.x; ga_b < ga_P * ga_G; ga_b += gridDim.x) {
        const ${idx} _p = ga_b / ga_G, ga_g = ga_b - _p * ga_G;
${kept_index}
        ${acc} ga_acc;
        bool ga_have = false;
${accumulate}
        if (blockDim.x > 1) {
            ga_sacc[ga_tid] = ga_acc;
            ga_shave[ga_tid] = ga_have;
            __syncthreads();
            for (unsigned int ga_s = blockDim.x >> 1; ga_s > 0; ga_s >>= 1) {
                if (ga_tid < ga_s && ga_shave[ga_tid + ga_s]) {
                    if (ga_shave[ga_tid]) {
                        ga_sacc[ga_tid] = ga_reduce(ga_sacc[ga_tid], ga_sacc[ga_tid + ga_s]);
                    } else {
                        ga_sacc[ga_tid] = ga_sacc[ga_tid + ga_s];
                        ga_shave[ga_tid] = true;
                    }
                }
                __syncthreads();
            }
            ga_acc = ga_sacc[0];
            ga_have = ga_shave[0];
            __syncthreads();
        }
        if (ga_tid == 0) {
            if (ga_G == 1) {
${finish}
            } else {
                ((${acc}*)ga_partial)[_p * ga_G + ga_g] = ga_acc;
            }
        }${last_block}
    }
}

//@ last_block
        /* Single-launch form: the last of the G blocks of output _p to
         * finish (counted by ga_counters[_p], a fence making each block's
         * partial visible before its count) combines the G partials as the
         * second launch would, writes the result and resets the counter
         * to 0 for the next launch on the stream. */
        if (ga_G > 1) {
            __shared__ bool ga_slast;
            bool ga_last = false;
            if (ga_tid == 0) {
                __threadfence();
                ga_last = atomicAdd(((unsigned int*)ga_counters) + _p, 1u) == (unsigned int)(ga_G - 1);
                ga_slast = ga_last;
            }
            if (blockDim.x > 1) {
                __syncthreads();
                ga_last = ga_slast;
            }
            if (ga_last) {
                __threadfence();
                const ${acc}* const ga_parts = ((const ${acc}*)ga_partial) + _p * ga_G;
                ga_have = false;
                for (${idx} ga_i = ga_tid; ga_i < ga_G; ga_i += blockDim.x) {
                    const ${acc} ga_x = ga_parts[ga_i];
                    if (ga_have) { ga_acc = ga_reduce(ga_acc, ga_x); } else { ga_acc = ga_x; ga_have = true; }
                }
                if (blockDim.x > 1) {
                    ga_sacc[ga_tid] = ga_acc;
                    ga_shave[ga_tid] = ga_have;
                    __syncthreads();
                    for (unsigned int ga_s = blockDim.x >> 1; ga_s > 0; ga_s >>= 1) {
                        if (ga_tid < ga_s && ga_shave[ga_tid + ga_s]) {
                            if (ga_shave[ga_tid]) {
                                ga_sacc[ga_tid] = ga_reduce(ga_sacc[ga_tid], ga_sacc[ga_tid + ga_s]);
                            } else {
                                ga_sacc[ga_tid] = ga_sacc[ga_tid + ga_s];
                                ga_shave[ga_tid] = true;
                            }
                        }
                        __syncthreads();
                    }
                    ga_acc = ga_sacc[0];
                    ga_have = ga_shave[0];
                }
                if (ga_tid == 0) {
${finish}
                    ((unsigned int*)ga_counters)[_p] = 0u;
                }
            }
            if (blockDim.x > 1)
                __syncthreads();
        }

//@ outer
extern "C" __global__ void ${name}(${params}${idx} ga_P, ${idx} ga_M, ${idx} ga_chunk, long long ga_in_size, long long ga_out_size${index_params})
{
    const ga_size_ind _in_ind = {ga_in_size}, _out_ind = {ga_out_size};
    (void)_in_ind;
    (void)_out_ind;
    const ${idx} ga_stride = (${idx})gridDim.x * (${idx})blockDim.x;
    const ${idx} ga_g = blockIdx.y;
    for (${idx} _p = (${idx})blockIdx.x * (${idx})blockDim.x + (${idx})threadIdx.x; _p < ga_P; _p += ga_stride) {
${kept_index}
        ${acc} ga_acc;
        bool ga_have = false;
        ${idx} _j = ga_g * ga_chunk;
        const ${idx} ga_end = ga_M - _j < ga_chunk ? ga_M : _j + ga_chunk;
        if (_j < ga_end) {
            {
${load}
                ga_acc = (${acc})(${map});
            }
            ga_have = true;
            for (++_j; _j < ga_end; ++_j) {
${load}
                ga_acc = ga_reduce(ga_acc, (${acc})(${map}));
            }
        }
        if (gridDim.y == 1) {
${finish}
        } else {
            ((${acc}*)ga_partial)[(${idx})ga_g * ga_P + _p] = ga_acc;
        }
    }
}
