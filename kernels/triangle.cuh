/* triangle.cuh - the transposing copies of gpuarray.linalg.cholesky on a
 * solver backend (gpuarray/linalg/_decompositions.py), after
 * elementwise.cuh's prelude (with its complex section for complex types)
 * and a `typedef ... ga_value_t;`.
 *
 * cuSOLVER's potrf is about twice as fast in its LOWER form as in its UPPER
 * one (8192 float64 on an H200: 7.6 ms against 14.1 ms). For NumPy's lower
 * factor (which reads A's lower triangle), LOWER wants A column-major, i.e.
 * the C-order input transposed, and leaves the factor column-major, i.e.
 * transposed as a C-order array: one transposing copy in and one out, each
 * costing what the plain copy and the in-place zeroing of the UPPER form
 * cost.
 *
 * ga_tri_transpose writes dst = src^T for each order x order matrix of a
 * C-contiguous stack, with everything above the diagonal zero when
 * lower_only: 32 x 32 tiles through shared memory, so that both the reads
 * and the writes are coalesced; with lower_only, tiles wholly above the
 * diagonal are written as zeros without reading src.
 *
 * Grid: x over column tiles, y over row tiles, z over matrices (a stride
 * loop: more matrices than gridDim.z allows). Block: 32 x 8 threads. */

//@ transpose
#define GA_TRI_TILE 32
#define GA_TRI_ROWS 8

extern "C" __global__ void __launch_bounds__(GA_TRI_TILE * GA_TRI_ROWS)
ga_tri_transpose(const ga_value_t* src, ga_value_t* dst, long long order, long long batch,
                 int lower_only)
{
    /* +1: the transposed reads of a column hit 32 different banks */
    __shared__ ga_value_t tile[GA_TRI_TILE][GA_TRI_TILE + 1];
    const long long c0 = (long long)blockIdx.x * GA_TRI_TILE;  /* dst's columns */
    const long long r0 = (long long)blockIdx.y * GA_TRI_TILE;  /* dst's rows */
    const int tx = threadIdx.x, ty = threadIdx.y;
    /* block-uniform: every column of the tile lies right of every row */
    const bool zeros = lower_only && c0 > r0 + GA_TRI_TILE - 1;
    for (long long m = blockIdx.z; m < batch; m += gridDim.z) {
        const ga_value_t* s = src + m * order * order;
        ga_value_t* d = dst + m * order * order;
        if (!zeros) {
            /* src's rows c0.., columns r0..: dst's tile, transposed */
            for (int j = ty; j < GA_TRI_TILE; j += GA_TRI_ROWS) {
                const long long row = c0 + j, col = r0 + tx;
                if (row < order && col < order)
                    tile[j][tx] = s[row * order + col];
            }
            __syncthreads();
        }
        for (int j = ty; j < GA_TRI_TILE; j += GA_TRI_ROWS) {
            const long long r = r0 + j, c = c0 + tx;
            if (r < order && c < order)
                d[r * order + c] = (zeros || (lower_only && c > r)) ? ga_value_t(0) : tile[tx][j];
        }
        if (!zeros)
            __syncthreads();   /* the tile is read before the next matrix loads it */
    }
}
