/* gather.cuh - the template of the axis-mapped gather (gpuarray/_gather.py
 * fills it in): tile, repeat, pad, roll, resize, take, delete... all move
 * data with it.
 *
 *   out[c_0, ..., c_{n-1}] = *(src + off_0(c_0) + ... + off_{n-1}(c_{n-1}))
 *
 * `out` is a new C-contiguous array written at its flat index; `src` any
 * view (offsets are bytes, of any sign). Along output axis d the byte
 * offset comes either
 *   - from a table, tab_d[c]: byte offsets computed by the caller (pad's
 *     reflections, repeat with counts, take's indices); a value at or
 *     below GA_GATHER_FILL means "no element: fill value number
 *     GA_GATHER_FILL - value" (pad's constants). Where several axes say
 *     so, the highest axis decides (NumPy pads the last axis last); or
 *   - from arithmetic, ((c / div_d + add_d) % mod_d) * st_d: the identity
 *     (div 1, add 0, mod the extent), tile and resize (mod the source
 *     length), roll (add the shift), repeat by a constant (div).
 * The choice is per launch and the same for every thread (a null table
 * pointer means arithmetic), so one kernel per element size and number of
 * axes serves every map. Elements are moved as unsigned integers of their
 * size: no dtype of its own, no casts.
 */

//@ kernel
#define GA_GATHER_FILL (-4611686018427387904LL)
struct ga_gather_16 { unsigned long long lo, hi; };

/* Each thread writes ${vec} consecutive outputs: the flat index is split
 * into coordinates (divisions) for the first of them and again only where
 * the run crosses the end of the last axis; in between only the last
 * axis's map is evaluated. */
extern "C" __global__ void ${name}(void* out_, const void* src_, const void* fill_, ${idx} n${params})
{
    typedef ${elem} T;
    T* __restrict__ out = (T*)out_;
    const char* src = (const char*)src_;
    const T* fill = (const T*)fill_;
    const ${idx} tid = (${idx})blockIdx.x * (${idx})blockDim.x + (${idx})threadIdx.x;
    const ${idx} nthreads = (${idx})gridDim.x * (${idx})blockDim.x;
    for (${idx} b = tid * ${vec}; b < n; b += nthreads * ${vec}) {
        const ${idx} end = n - b < ${vec} ? n : b + ${vec};
        long long off_rest = 0;
        int fk_rest = -1;
        ${idx} cl = 0;
        for (${idx} i = b; i < end; i++, cl++) {
            if (i == b || cl == ${last_extent}) {
                ${idx} r = i;
                ${last_coord}
                long long off = 0;
                int fk = -1;
${rest}
                off_rest = off;
                fk_rest = fk;
            }
            long long off = 0;
            int fk = -1;
            {
                const ${idx} c = cl;
${last}
            }
            off += off_rest;
            if (fk < 0)
                fk = fk_rest;
            out[i] = fk >= 0 ? fill[fk] : *(const T*)(src + off);
        }
    }
}

//@ axis
        {
            ${coord}
${map}
        }

//@ map
            if (t${d}) {
                const long long v = t${d}[c];
                if (v <= GA_GATHER_FILL) {
                    if (fk < 0)
                        fk = (int)(GA_GATHER_FILL - v);
                } else {
                    off += v;
                }
            } else {
                ${idx} s = c;
                if (v${d} != 1)
                    s /= v${d};
                s += a${d};
                if (s >= m${d})
                    s %= m${d};
                off += (long long)s * s${d};
            }
