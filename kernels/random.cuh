/* random.cuh - gpuarray.random's generator and the math its distributions
 * use, shared by every backend (gpuarray/random/_kernels.py loads it).
 *
 * Sections ("//@ name" lines, read by _elementwise.template_sections):
 *   core     Philox4x32-10 (Random123's: 10 rounds, multipliers
 *            0xD2511F53 / 0xCD9E8D57, Weyl key increments 0x9E3779B9 /
 *            0xBB67AE85), the conversions from bits to floats, gpuarray's
 *            own log, exp and sincos(2*pi*u) written with +, -, *, /, bit
 *            manipulation and table look-ups only (the float32 ones by
 *            table, for speed), the per-element sub-streams and the
 *            samplers of the rejection-sampled distributions.
 *   kernels  the kernels of the draws.
 *   check    kernels that expose the math helpers to the tests.
 *
 * Why own math: CUDA's libdevice log/sin and glibc's differ in the last
 * bits, so normal() and exponential() would differ between the GPU and
 * the host backend. With only IEEE operations (+, -, *, /, sqrt: all
 * correctly rounded on both) and the module compiled without contraction
 * (NVRTC --fmad=false; the host compiler gets -ffp-contract=off), every
 * backend computes the same bits.
 *
 * The stream. A generator is a 64-bit key (k0, k1, from the seed) and a
 * 64-bit block offset. Philox maps a 128-bit counter (c0, c1, c2, c3) to
 * four 32-bit words. Block b of a draw is the counter
 * (lo(off + b), hi(off + b), 0, 0):
 *   raw words, float32 uniform/normal/exponential: element i is word i % 4
 *       of block i / 4 (normals in pairs: words 0,1 -> elements 0,1 and
 *       words 2,3 -> elements 2,3 of the block);
 *   float64: element i takes words 2(i % 2), 2(i % 2) + 1 of block i / 2
 *       (the first word is the high half of the 53 bits);
 *   integers, gamma, beta, binomial, poisson: element i owns the
 *       sub-stream of blocks (lo(off + i), hi(off + i), j, 0), j = 0, 1, ...
 *       consumed word by word, so its retries depend on nothing but i.
 * A draw advances the offset by the blocks it spans (ceil(n / 4),
 * ceil(n / 2), or n), so draws never share a counter. Every output is a
 * function of (key, offset, i) alone, never of the thread layout.
 *
 * Only plain CUDA C: NVRTC compiles it without headers, the host backend
 * with g++. */

//@ core
#define GA_RAND_FN __device__ inline
/* read-only tables in global memory (L1-cached; the indices diverge, so
 * not __constant__, which serialises different addresses) */
#define GA_RAND_TABLE __device__

typedef unsigned int ga_rand_u32;
typedef unsigned long long ga_rand_u64;

struct __align__(16) ga_rand_f32x4 { float x, y, z, w; };
struct __align__(16) ga_rand_f64x2 { double x, y; };
struct __align__(16) ga_rand_log_entry { float c, invc, logc, pad; };
struct __align__(8) ga_rand_sincos_entry { float s, c; };

GA_RAND_FN double ga_rand_bits_to_double(ga_rand_u64 u) { union { ga_rand_u64 u; double d; } x; x.u = u; return x.d; }
GA_RAND_FN ga_rand_u64 ga_rand_double_to_bits(double d) { union { ga_rand_u64 u; double d; } x; x.d = d; return x.u; }
GA_RAND_FN float ga_rand_bits_to_float(ga_rand_u32 u) { union { ga_rand_u32 u; float f; } x; x.u = u; return x.f; }
GA_RAND_FN ga_rand_u32 ga_rand_float_to_bits(float f) { union { ga_rand_u32 u; float f; } x; x.f = f; return x.u; }

/* ---- Philox4x32-10 */

GA_RAND_FN void ga_philox_round(ga_rand_u32 c[4], ga_rand_u32 k0, ga_rand_u32 k1)
{
    const ga_rand_u64 p0 = (ga_rand_u64)0xD2511F53u * c[0];
    const ga_rand_u64 p1 = (ga_rand_u64)0xCD9E8D57u * c[2];
    const ga_rand_u32 hi0 = (ga_rand_u32)(p0 >> 32), lo0 = (ga_rand_u32)p0;
    const ga_rand_u32 hi1 = (ga_rand_u32)(p1 >> 32), lo1 = (ga_rand_u32)p1;
    c[0] = hi1 ^ c[1] ^ k0;
    c[1] = lo1;
    c[2] = hi0 ^ c[3] ^ k1;
    c[3] = lo0;
}

/* c: the counter on entry, the four output words on return */
GA_RAND_FN void ga_philox4x32_10(ga_rand_u32 c[4], ga_rand_u32 k0, ga_rand_u32 k1)
{
#pragma unroll
    for (int r = 0; r < 9; r++) {
        ga_philox_round(c, k0, k1);
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    ga_philox_round(c, k0, k1);
}

/* the ten round keys, computed once per thread (a grid-stride loop runs
 * many blocks under one key) */
struct ga_rand_keys { ga_rand_u32 k0[10], k1[10]; };

GA_RAND_FN ga_rand_keys ga_rand_schedule(ga_rand_u32 k0, ga_rand_u32 k1)
{
    ga_rand_keys ks;
#pragma unroll
    for (int r = 0; r < 10; r++) {
        ks.k0[r] = k0 + (ga_rand_u32)r * 0x9E3779B9u;
        ks.k1[r] = k1 + (ga_rand_u32)r * 0xBB67AE85u;
    }
    return ks;
}

/* the four words of block `blk` of the plain stream */
GA_RAND_FN void ga_rand_block(ga_rand_u32 w[4], const ga_rand_keys &ks, ga_rand_u64 blk)
{
    w[0] = (ga_rand_u32)blk;
    w[1] = (ga_rand_u32)(blk >> 32);
    w[2] = 0u;
    w[3] = 0u;
#pragma unroll
    for (int r = 0; r < 10; r++)
        ga_philox_round(w, ks.k0[r], ks.k1[r]);
}

/* ---- bits to floats in [0, 1): multiples of 2**-24 / 2**-53, exact */

GA_RAND_FN float ga_rand_u01_f32(ga_rand_u32 w)
{
    return (float)(w >> 8) * 5.9604644775390625e-08f;          /* 2**-24 */
}

GA_RAND_FN double ga_rand_u01_f64(ga_rand_u32 hi, ga_rand_u32 lo)
{
    const ga_rand_u64 b = (((ga_rand_u64)hi << 32) | lo) >> 11;
    return (double)b * 1.1102230246251565404236316680908203125e-16;  /* 2**-53 */
}

/* ---- log: x = 2**e * m, m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact),
 * s = f / (2 + f); log(1 + f) = f - f*f/2 + s*(f*f/2 + R(s*s)) with
 * R(z) = 2z/3 + 2z**2/5 + ... (the series of 2 atanh(s) - 2s, truncated
 * where its terms fall below half an ulp: |s| <= 0.1716). x <= 0 gives
 * NaN (-inf at 0), inf gives inf. Error below 1 ulp (tests: a few). */

GA_RAND_FN double ga_rand_log(double x)
{
    if (!(x > 0.0))
        return x == 0.0 ? -ga_rand_bits_to_double(0x7ff0000000000000ULL)
                        : ga_rand_bits_to_double(0x7ff8000000000000ULL);
    ga_rand_u64 b = ga_rand_double_to_bits(x);
    int e = 0;
    if (b >= 0x7ff0000000000000ULL)
        return x;                                               /* inf */
    if (b < 0x0010000000000000ULL) {                            /* subnormal: scale by 2**54 */
        b = ga_rand_double_to_bits(x * 18014398509481984.0);
        e = -54;
    }
    e += (int)(b >> 52) - 1023;
    b = (b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;  /* m in [1, 2) */
    if (b > 0x3ff6a09e667f3bcdULL) {                            /* m > sqrt(2): halve it */
        b -= 0x0010000000000000ULL;
        e += 1;
    }
    const double f = ga_rand_bits_to_double(b) - 1.0;
    const double s = f / (2.0 + f);
    const double z = s * s;
    const double R = z * (0.6666666666666666 + z * (0.4 + z * (0.2857142857142857 +
                     z * (0.2222222222222222 + z * (0.18181818181818182 + z * (0.15384615384615385 +
                     z * (0.13333333333333333 + z * (0.11764705882352941 + z * (0.10526315789473684 +
                     z * 0.09523809523809523)))))))));
    const double hfsq = 0.5 * f * f;
    const double de = (double)e;
    /* ln2 split: the high part has 32 bits, so de * hi is exact */
    return de * 0.6931471803691238 - ((hfsq - (s * (hfsq + R) + de * 1.9082149292705877e-10)) - f);
}

/* float32 log, by table (the float32 draws' hot path: no division):
 * x = 2**k * z with z in [0.69921875, 1.3984375) (bits: x's minus k
 * exponent units, counted from 0x3f330000, so that z near 1 has k = 0);
 * the interval j of z (5 bits) gives c, 1/c and log(c) from
 * ga_rand_log_table; r = (z - c) / c, computed as (z - c) * (1/c) (z - c
 * exact), |r| < 0.055; log(1 + r) by its series to r**6. c = 1 on the
 * interval holding 1 and its neighbours, so log(1 + tiny) is r itself and
 * the other intervals add log(c) to an |r| well below it: no
 * cancellation. Error within 2 ulp (tests; 1.25 over every 1 - u of the
 * draws). */

/* ---- tables: the output of scripts/random_tables.py (run it to check
 * or regenerate them) */
GA_RAND_TABLE const ga_rand_log_entry ga_rand_log_table[32] = {
    {0.70703125f, 1.4143647f, -0.346680403f, 0.0f},
    {0.72265625f, 1.38378382f, -0.324821621f, 0.0f},
    {0.73828125f, 1.35449731f, -0.303430438f, 0.0f},
    {0.75390625f, 1.32642484f, -0.282487243f, 0.0f},
    {0.76953125f, 1.29949236f, -0.261973709f, 0.0f},
    {0.78515625f, 1.27363181f, -0.241872534f, 0.0f},
    {0.80078125f, 1.24878049f, -0.222167462f, 0.0f},
    {0.81640625f, 1.22488034f, -0.202843189f, 0.0f},
    {0.83203125f, 1.20187795f, -0.183885276f, 0.0f},
    {0.84765625f, 1.1797235f, -0.165280089f, 0.0f},
    {0.86328125f, 1.15837109f, -0.147014737f, 0.0f},
    {0.87890625f, 1.13777781f, -0.129077047f, 0.0f},
    {0.89453125f, 1.11790395f, -0.111455441f, 0.0f},
    {0.91015625f, 1.09871244f, -0.0941389874f, 0.0f},
    {0.92578125f, 1.08016872f, -0.0771173015f, 0.0f},
    {0.94140625f, 1.06224072f, -0.060380511f, 0.0f},
    {0.95703125f, 1.04489791f, -0.0439192355f, 0.0f},
    {0.97265625f, 1.02811241f, -0.0277245473f, 0.0f},
    {1.0f, 1.0f, 0.0f, 0.0f},
    {1.0f, 1.0f, 0.0f, 0.0f},
    {1.0f, 1.0f, 0.0f, 0.0f},
    {1.0703125f, 0.934306562f, 0.0679506585f, 0.0f},
    {1.1015625f, 0.90780139f, 0.0967296287f, 0.0f},
    {1.1328125f, 0.882758617f, 0.124703482f, 0.0f},
    {1.1640625f, 0.859060407f, 0.151916042f, 0.0f},
    {1.1953125f, 0.836601317f, 0.178407654f, 0.0f},
    {1.2265625f, 0.815286636f, 0.204215541f, 0.0f},
    {1.2578125f, 0.795031071f, 0.229374096f, 0.0f},
    {1.2890625f, 0.775757551f, 0.25391522f, 0.0f},
    {1.3203125f, 0.75739646f, 0.27786845f, 0.0f},
    {1.3515625f, 0.739884377f, 0.301261336f, 0.0f},
    {1.3828125f, 0.723163843f, 0.324119478f, 0.0f},
};
GA_RAND_TABLE const ga_rand_sincos_entry ga_rand_sincos_table[64] = {
    {0.0f, 1.0f},
    {0.0980171412f, 0.99518472f},
    {0.195090324f, 0.980785251f},
    {0.290284663f, 0.956940353f},
    {0.382683426f, 0.923879504f},
    {0.471396744f, 0.881921291f},
    {0.555570245f, 0.831469595f},
    {0.634393275f, 0.773010433f},
    {0.707106769f, 0.707106769f},
    {0.773010433f, 0.634393275f},
    {0.831469595f, 0.555570245f},
    {0.881921291f, 0.471396744f},
    {0.923879504f, 0.382683426f},
    {0.956940353f, 0.290284663f},
    {0.980785251f, 0.195090324f},
    {0.99518472f, 0.0980171412f},
    {1.0f, -0.0f},
    {0.99518472f, -0.0980171412f},
    {0.980785251f, -0.195090324f},
    {0.956940353f, -0.290284663f},
    {0.923879504f, -0.382683426f},
    {0.881921291f, -0.471396744f},
    {0.831469595f, -0.555570245f},
    {0.773010433f, -0.634393275f},
    {0.707106769f, -0.707106769f},
    {0.634393275f, -0.773010433f},
    {0.555570245f, -0.831469595f},
    {0.471396744f, -0.881921291f},
    {0.382683426f, -0.923879504f},
    {0.290284663f, -0.956940353f},
    {0.195090324f, -0.980785251f},
    {0.0980171412f, -0.99518472f},
    {-0.0f, -1.0f},
    {-0.0980171412f, -0.99518472f},
    {-0.195090324f, -0.980785251f},
    {-0.290284663f, -0.956940353f},
    {-0.382683426f, -0.923879504f},
    {-0.471396744f, -0.881921291f},
    {-0.555570245f, -0.831469595f},
    {-0.634393275f, -0.773010433f},
    {-0.707106769f, -0.707106769f},
    {-0.773010433f, -0.634393275f},
    {-0.831469595f, -0.555570245f},
    {-0.881921291f, -0.471396744f},
    {-0.923879504f, -0.382683426f},
    {-0.956940353f, -0.290284663f},
    {-0.980785251f, -0.195090324f},
    {-0.99518472f, -0.0980171412f},
    {-1.0f, 0.0f},
    {-0.99518472f, 0.0980171412f},
    {-0.980785251f, 0.195090324f},
    {-0.956940353f, 0.290284663f},
    {-0.923879504f, 0.382683426f},
    {-0.881921291f, 0.471396744f},
    {-0.831469595f, 0.555570245f},
    {-0.773010433f, 0.634393275f},
    {-0.707106769f, 0.707106769f},
    {-0.634393275f, 0.773010433f},
    {-0.555570245f, 0.831469595f},
    {-0.471396744f, 0.881921291f},
    {-0.382683426f, 0.923879504f},
    {-0.290284663f, 0.956940353f},
    {-0.195090324f, 0.980785251f},
    {-0.0980171412f, 0.99518472f},
};
/* ---- end of tables */

/* the table method on a positive normal x (no checks: the hot path,
 * whose arguments 1 - u are in [2**-24, 1]); k0 adds to the exponent */
GA_RAND_FN float ga_rand_log_f32_normal(ga_rand_u32 ix, int k0)
{
    const ga_rand_u32 tmp = ix - 0x3f330000u;
    const ga_rand_log_entry e = ga_rand_log_table[(tmp >> 18) & 31u];
    const int k = k0 + ((int)tmp >> 23);
    const float z = ga_rand_bits_to_float(ix - (tmp & 0xff800000u));
    const float r = (z - e.c) * e.invc;
    const float p = r + (r * r) * (-0.5f + r * (0.333333343f + r * (-0.25f + r * (0.200000003f +
                                                                              r * -0.166666672f))));
    const float kf = (float)k;
    /* ln2 split: the high part has 16 bits, so kf * hi is exact */
    return (kf * 0.693145751953125f + e.logc) + (kf * 1.42860677e-06f + p);
}

GA_RAND_FN float ga_rand_log_f32(float x)
{
    ga_rand_u32 ix = ga_rand_float_to_bits(x);
    int k = 0;
    if (ix - 0x00800000u >= 0x7f000000u) {             /* not a positive normal */
        if (ix == 0u || ix == 0x80000000u)
            return -ga_rand_bits_to_float(0x7f800000u);
        if (ix & 0x80000000u)
            return ga_rand_bits_to_float(0x7fc00000u);
        if (ix >= 0x7f800000u)
            return x;                                    /* inf, NaN */
        ix = ga_rand_float_to_bits(x * 8388608.0f);      /* subnormal: times 2**23 */
        k = -23;
    }
    return ga_rand_log_f32_normal(ix, k);
}

/* log(1 - u) of a 24-bit uniform word: 1 - u = (2**24 - (w >> 8)) / 2**24
 * is a positive normal, so the checks are skipped (the same bits as
 * ga_rand_log_f32(1.0f - ga_rand_u01_f32(w))) */
GA_RAND_FN float ga_rand_log1m_u01_f32(ga_rand_u32 w)
{
    return ga_rand_log_f32_normal(ga_rand_float_to_bits(1.0f - ga_rand_u01_f32(w)), 0);
}

/* ---- exp (the rejection samplers and beta's powers): x = k ln2 + r,
 * |r| <= ln2 / 2, e**r by its Taylor series to r**14, times 2**k built
 * from bits (in two steps where 2**k alone would be subnormal). */

GA_RAND_FN double ga_rand_exp(double x)
{
    if (x != x)
        return x;
    if (x > 709.782712893384)
        return ga_rand_bits_to_double(0x7ff0000000000000ULL);
    if (x < -745.2)
        return 0.0;
    /* floor is exact on every backend */
    const double kd = floor(x * 1.4426950408889634 + 0.5);
    const double r = (x - kd * 0.6931471803691238) - kd * 1.9082149292705877e-10;
    const double p = 1.0 + r * (1.0 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 +
                     r * (0.008333333333333333 + r * (0.001388888888888889 + r * (0.0001984126984126984 +
                     r * (2.48015873015873e-05 + r * (2.7557319223985893e-06 + r * (2.755731922398589e-07 +
                     r * (2.505210838544172e-08 + r * (2.08767569878681e-09 + r * (1.6059043836821613e-10 +
                     r * 1.1470745597729725e-11)))))))))))));
    int k = (int)kd;
    if (k < -1000) {
        /* p * 2**k = (p * 2**(k + 600)) * 2**-600 */
        const double t = p * ga_rand_bits_to_double((ga_rand_u64)(k + 600 + 1023) << 52);
        return t * ga_rand_bits_to_double((ga_rand_u64)(1023 - 600) << 52);
    }
    if (k > 1000)
        return (p * 2.0) * ga_rand_bits_to_double((ga_rand_u64)(k - 1 + 1023) << 52);
    return p * ga_rand_bits_to_double((ga_rand_u64)(k + 1023) << 52);
}

/* float32 exp (the float32 rejection samplers): the same method, the
 * series to r**7 */
GA_RAND_FN float ga_rand_exp_f32(float x)
{
    if (x != x)
        return x;
    if (x > 88.7228394f)
        return ga_rand_bits_to_float(0x7f800000u);
    if (x < -103.972084f)
        return 0.0f;
    const float kd = floorf(x * 1.44269502f + 0.5f);
    const float r = (x - kd * 0.693145751953125f) - kd * 1.42860677e-06f;
    const float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f +
                    r * (0.00833333377f + r * (0.00138888892f + r * 0.000198412701f))))));
    const int k = (int)kd;
    if (k < -125)       /* p * 2**k = (p * 2**(k + 64)) * 2**-64 */
        return (p * ga_rand_bits_to_float((ga_rand_u32)(k + 64 + 127) << 23)) *
               ga_rand_bits_to_float((ga_rand_u32)(127 - 64) << 23);
    if (k > 127)
        return (p * 2.0f) * ga_rand_bits_to_float((ga_rand_u32)(k - 1 + 127) << 23);
    return p * ga_rand_bits_to_float((ga_rand_u32)(k + 127) << 23);
}

/* ---- sin(2 pi u) and cos(2 pi u) for u in [0, 1): u = q/4 + f exactly
 * (q = the nearest quarter turn, |f| <= 1/8), x = 2 pi f in
 * [-pi/4, pi/4], the Taylor series of sin and cos there, and the
 * quadrant's swap and signs. Reducing in turns keeps the reduction exact. */

GA_RAND_FN void ga_rand_sincos2pi(double u, double *s_out, double *c_out)
{
    const double q = floor(u * 4.0 + 0.5);
    const double f = u - q * 0.25;
    const double x = f * 6.283185307179586;
    const double z = x * x;
    const double s = x + x * z * (-0.16666666666666666 + z * (0.008333333333333333 +
                     z * (-0.0001984126984126984 + z * (2.7557319223985893e-06 + z * (-2.505210838544172e-08 +
                     z * (1.6059043836821613e-10 + z * (-7.647163731819816e-13 + z * 2.8114572543455206e-15)))))));
    const double c = 1.0 + z * (-0.5 + z * (0.041666666666666664 + z * (-0.001388888888888889 +
                     z * (2.48015873015873e-05 + z * (-2.755731922398589e-07 + z * (2.08767569878681e-09 +
                     z * (-1.1470745597729725e-11 + z * 4.779477332387385e-14)))))));
    const int quadrant = ((int)q) & 3;
    if (quadrant == 0) { *s_out = s; *c_out = c; }
    else if (quadrant == 1) { *s_out = c; *c_out = -s; }
    else if (quadrant == 2) { *s_out = -s; *c_out = -c; }
    else { *s_out = -c; *c_out = s; }
}

/* float32 sin and cos of 2 pi k / 2**24 (k < 2**24: the 24-bit uniform's
 * integer), by table: j = k / 2**18 rounded (the nearest 1/64 turn) and
 * b = 2 pi (k - j 2**18) / 2**24 (|b| <= pi/64, k - j 2**18 exact);
 * sin b and cos b by their series to b**5 and b**4 (the next terms are
 * below 2**-35 relative), then the angle-sum formulas with
 * ga_rand_sincos_table[j]. Error within 3 ulp (tests; 2.2 over every
 * angle of the draws). */
GA_RAND_FN void ga_rand_sincos2pi_u24(ga_rand_u32 k, float *s_out, float *c_out)
{
    const ga_rand_u32 jr = (k + 0x20000u) >> 18;
    const ga_rand_sincos_entry t = ga_rand_sincos_table[jr & 63u];
    /* 2 pi / 2**24 in two parts: the 5-bit high part times the 18-bit
     * integer is exact, so b is within half an ulp */
    const float bi = (float)((int)k - (int)(jr << 18));
    const float b = bi * 3.7252903e-07f + bi * 1.97799843e-09f;
    const float b2 = b * b;
    const float sb = b + b * (b2 * (-0.166666672f + b2 * 0.00833333377f));
    const float cbm1 = b2 * (-0.5f + b2 * 0.0416666679f);              /* cos b - 1 */
    /* the table's value plus a correction: sin(a + b) = S + (S (cos b - 1)
     * + C sin b), so near a zero of the result only the small terms round */
    *s_out = t.s + (t.s * cbm1 + t.c * sb);
    *c_out = t.c + (t.c * cbm1 - t.s * sb);
}

/* ---- Box-Muller: two uniforms in [0, 1) to two standard normals;
 * 1 - ua is in (0, 1] exactly, so the log is finite */

GA_RAND_FN void ga_rand_box_muller(double ua, double ub, double *z0, double *z1)
{
    const double r = sqrt(-2.0 * ga_rand_log(1.0 - ua));
    double s, c;
    ga_rand_sincos2pi(ub, &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

/* float32: the two words themselves (24 bits each) */
GA_RAND_FN void ga_rand_box_muller_f32(ga_rand_u32 wa, ga_rand_u32 wb, float *z0, float *z1)
{
    const float r = sqrtf(-2.0f * ga_rand_log1m_u01_f32(wa));
    float s, c;
    ga_rand_sincos2pi_u24(wb >> 8, &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

/* ---- the sub-stream of element i: blocks (off + i, j), j = 0, 1, ... */

struct ga_rand_sub {
    ga_rand_u32 k0, k1;
    ga_rand_u64 blk;
    ga_rand_u32 j;
    int used;
    ga_rand_u32 w[4];
    int has_spare;
    double spare;
};

GA_RAND_FN void ga_rand_sub_init(ga_rand_sub *st, ga_rand_u32 k0, ga_rand_u32 k1, ga_rand_u64 blk)
{
    st->k0 = k0;
    st->k1 = k1;
    st->blk = blk;
    st->j = 0u;
    st->used = 4;
    st->has_spare = 0;
    st->spare = 0.0;
}

GA_RAND_FN ga_rand_u32 ga_rand_next32(ga_rand_sub *st)
{
    if (st->used == 4) {
        st->w[0] = (ga_rand_u32)st->blk;
        st->w[1] = (ga_rand_u32)(st->blk >> 32);
        st->w[2] = st->j;
        st->w[3] = 0u;
        ga_philox4x32_10(st->w, st->k0, st->k1);
        st->j++;
        st->used = 0;
    }
    return st->w[st->used++];
}

GA_RAND_FN ga_rand_u64 ga_rand_next64(ga_rand_sub *st)
{
    const ga_rand_u32 hi = ga_rand_next32(st);
    const ga_rand_u32 lo = ga_rand_next32(st);
    return ((ga_rand_u64)hi << 32) | lo;
}

/* in [0, 1) */
GA_RAND_FN double ga_rand_next_u01(ga_rand_sub *st)
{
    const ga_rand_u32 hi = ga_rand_next32(st);
    const ga_rand_u32 lo = ga_rand_next32(st);
    return ga_rand_u01_f64(hi, lo);
}

/* in (0, 1]: for logs */
GA_RAND_FN double ga_rand_next_u01_open0(ga_rand_sub *st)
{
    return 1.0 - ga_rand_next_u01(st);
}

GA_RAND_FN double ga_rand_next_normal(ga_rand_sub *st)
{
    if (st->has_spare) {
        st->has_spare = 0;
        return st->spare;
    }
    const double ua = ga_rand_next_u01(st);
    const double ub = ga_rand_next_u01(st);
    double z0, z1;
    ga_rand_box_muller(ua, ub, &z0, &z1);
    st->spare = z1;
    st->has_spare = 1;
    return z0;
}

/* float32 sub-stream draws: 24-bit uniforms, float Box-Muller (its
 * second value kept, exactly, in the double spare) */
GA_RAND_FN float ga_rand_next_u01_open0_f32(ga_rand_sub *st)
{
    return 1.0f - ga_rand_u01_f32(ga_rand_next32(st));
}

GA_RAND_FN float ga_rand_next_normal_f32(ga_rand_sub *st)
{
    if (st->has_spare) {
        st->has_spare = 0;
        return (float)st->spare;
    }
    const ga_rand_u32 wa = ga_rand_next32(st);
    const ga_rand_u32 wb = ga_rand_next32(st);
    float z0, z1;
    ga_rand_box_muller_f32(wa, wb, &z0, &z1);
    st->spare = z1;
    st->has_spare = 1;
    return z0;
}

/* the samplers below are templates over float and double; these pick the
 * draws and the math of each */
GA_RAND_FN double ga_rand_sub_u01_open0(ga_rand_sub *st, double) { return ga_rand_next_u01_open0(st); }
GA_RAND_FN float ga_rand_sub_u01_open0(ga_rand_sub *st, float) { return ga_rand_next_u01_open0_f32(st); }
GA_RAND_FN double ga_rand_sub_normal(ga_rand_sub *st, double) { return ga_rand_next_normal(st); }
GA_RAND_FN float ga_rand_sub_normal(ga_rand_sub *st, float) { return ga_rand_next_normal_f32(st); }
GA_RAND_FN double ga_rand_logx(double x) { return ga_rand_log(x); }
GA_RAND_FN float ga_rand_logx(float x) { return ga_rand_log_f32(x); }
GA_RAND_FN double ga_rand_expx(double x) { return ga_rand_exp(x); }
GA_RAND_FN float ga_rand_expx(float x) { return ga_rand_exp_f32(x); }
GA_RAND_FN double ga_rand_sqrtx(double x) { return sqrt(x); }
GA_RAND_FN float ga_rand_sqrtx(float x) { return sqrtf(x); }

/* Lemire's multiply-and-reject: uniform in [0, rm] (rm = range - 1), unbiased */
GA_RAND_FN ga_rand_u64 ga_rand_bounded(ga_rand_sub *st, ga_rand_u64 rm)
{
    if (rm == 0ULL)
        return 0ULL;
    if (rm == 0xffffffffULL)
        return ga_rand_next32(st);
    if (rm == 0xffffffffffffffffULL)
        return ga_rand_next64(st);
    if (rm < 0xffffffffULL) {
        const ga_rand_u32 s = (ga_rand_u32)(rm + 1ULL);
        ga_rand_u64 m = (ga_rand_u64)ga_rand_next32(st) * s;
        ga_rand_u32 l = (ga_rand_u32)m;
        if (l < s) {
            const ga_rand_u32 t = (0u - s) % s;       /* 2**32 mod s */
            while (l < t) {
                m = (ga_rand_u64)ga_rand_next32(st) * s;
                l = (ga_rand_u32)m;
            }
        }
        return m >> 32;
    }
    const ga_rand_u64 s = rm + 1ULL;
    ga_rand_u64 x = ga_rand_next64(st);
    ga_rand_u64 l = x * s;
    if (l < s) {
        const ga_rand_u64 t = (0ULL - s) % s;         /* 2**64 mod s */
        while (l < t) {
            x = ga_rand_next64(st);
            l = x * s;
        }
    }
    return __umul64hi(x, s);
}

/* ---- gamma: Marsaglia and Tsang's squeeze for shape >= 1; for shape < 1
 * the boost gamma(a) = gamma(a + 1) * U**(1/a) */

template<typename T> GA_RAND_FN T ga_rand_gamma_ge1(ga_rand_sub *st, T a)
{
    const T d = a - T(1) / T(3);
    const T c = T(1) / ga_rand_sqrtx(T(9) * d);
    for (;;) {
        T x, v;
        do {
            x = ga_rand_sub_normal(st, T());
            v = T(1) + c * x;
        } while (v <= T(0));
        v = v * v * v;
        const T u = ga_rand_sub_u01_open0(st, T());
        const T xx = x * x;
        if (u < T(1) - T(0.0331) * xx * xx)
            return d * v;
        if (ga_rand_logx(u) < T(0.5) * xx + d * (T(1) - v + ga_rand_logx(v)))
            return d * v;
    }
}

template<typename T> GA_RAND_FN T ga_rand_gamma(ga_rand_sub *st, T a)
{
    if (a == T(0))
        return T(0);
    if (a < T(1)) {
        const T g = ga_rand_gamma_ge1(st, a + T(1));
        const T u = ga_rand_sub_u01_open0(st, T());
        return g * ga_rand_expx(ga_rand_logx(u) / a);
    }
    return ga_rand_gamma_ge1(st, a);
}

/* beta: Johnk's algorithm where both parameters are <= 1 (the ratio of
 * gammas loses them to underflow there), else X / (X + Y) of two gammas */
template<typename T> GA_RAND_FN T ga_rand_beta(ga_rand_sub *st, T a, T b)
{
    if (a <= T(1) && b <= T(1)) {
        for (;;) {
            const T u = ga_rand_sub_u01_open0(st, T());
            const T v = ga_rand_sub_u01_open0(st, T());
            const T lx = ga_rand_logx(u) / a;
            const T ly = ga_rand_logx(v) / b;
            const T x = ga_rand_expx(lx);
            const T y = ga_rand_expx(ly);
            const T xy = x + y;
            if (xy <= T(1)) {
                if (xy > T(0))
                    return x / xy;
                /* both underflowed: the ratio in logs */
                const T lm = lx > ly ? lx : ly;
                const T ex = ga_rand_expx(lx - lm), ey = ga_rand_expx(ly - lm);
                return ex / (ex + ey);
            }
        }
    }
    const T x = ga_rand_gamma(st, a);
    const T y = ga_rand_gamma(st, b);
    return x / (x + y);
}

/* log(k!): exact-to-rounding values below 16, Stirling's series above */
GA_RAND_FN double ga_rand_log_factorial(double k)
{
    if (k < 16.0) {
        const double t[16] = {0.0, 0.0, 0.693147180559945, 1.7917594692280554, 3.178053830347945,
                              4.787491742782047, 6.579251212010102, 8.525161361065415,
                              10.604602902745249, 12.801827480081467, 15.104412573075514,
                              17.502307845873887, 19.987214495661885, 22.55216385312342,
                              25.191221182738683, 27.89927138384089};
        return t[(int)k];
    }
    const double x = k + 1.0;
    const double ix = 1.0 / x, ix2 = ix * ix;
    return (x - 0.5) * ga_rand_log(x) - x + 0.9189385332046728 +
           ix * (1.0 / 12.0 - ix2 * (1.0 / 360.0 - ix2 * (1.0 / 1260.0 - ix2 / 1680.0)));
}

/* poisson: inversion (sequential search of the CDF) below lam = 10,
 * Hormann's PTRS (transformed rejection with squeeze) above */
GA_RAND_FN long long ga_rand_poisson(ga_rand_sub *st, double lam)
{
    if (lam == 0.0)
        return 0;
    if (lam < 10.0) {
        const double u = ga_rand_next_u01(st);
        double p = ga_rand_exp(-lam), F = p;
        long long x = 0;
        while (u > F && x < 1000) {
            x++;
            p = p * lam / (double)x;
            F = F + p;
        }
        return x;
    }
    const double slam = sqrt(lam), loglam = ga_rand_log(lam);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        const double U = ga_rand_next_u01(st) - 0.5;
        const double V = ga_rand_next_u01_open0(st);
        const double us = 0.5 - (U < 0.0 ? -U : U);
        const double k = floor((2.0 * a / us + b) * U + lam + 0.43);
        if (us >= 0.07 && V <= vr)
            return (long long)k;
        if (k < 0.0 || (us < 0.013 && V > us))
            continue;
        if (ga_rand_log(V) + ga_rand_log(invalpha) - ga_rand_log(a / (us * us) + b) <=
            -lam + k * loglam - ga_rand_log_factorial(k))
            return (long long)k;
    }
}

/* binomial for p <= 1/2: inversion below n p = 10, Hormann's BTRS above */
GA_RAND_FN long long ga_rand_binomial_low(ga_rand_sub *st, long long n, double p)
{
    const double q = 1.0 - p;
    const double dn = (double)n;
    if (dn * p < 10.0) {
        const double s = p / q, a = (dn + 1.0) * s;
        const double r0 = ga_rand_exp(dn * ga_rand_log(q));
        for (;;) {
            double u = ga_rand_next_u01(st), r = r0;
            long long x = 0;
            while (u > r) {
                u = u - r;
                x++;
                if (x > n)
                    break;
                r = r * (a / (double)x - s);
            }
            if (x <= n)
                return x;
        }
    }
    const double spq = sqrt(dn * p * q);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = dn * p + 0.5;
    const double vr = 0.92 - 4.2 / b;
    const double alpha = (2.83 + 5.1 / b) * spq;
    const double lpq = ga_rand_log(p / q);
    const double m = floor((dn + 1.0) * p);
    const double h = ga_rand_log_factorial(m) + ga_rand_log_factorial(dn - m);
    for (;;) {
        const double u = ga_rand_next_u01(st) - 0.5;
        double v = ga_rand_next_u01_open0(st);
        const double us = 0.5 - (u < 0.0 ? -u : u);
        const double k = floor((2.0 * a / us + b) * u + c);
        if (k < 0.0 || k > dn)
            continue;
        if (us >= 0.07 && v <= vr)
            return (long long)k;
        v = ga_rand_log(v * alpha / (a / (us * us) + b));
        if (v <= h - ga_rand_log_factorial(k) - ga_rand_log_factorial(dn - k) + (k - m) * lpq)
            return (long long)k;
    }
}

GA_RAND_FN long long ga_rand_binomial(ga_rand_sub *st, long long n, double p)
{
    if (n == 0 || p == 0.0)
        return 0;
    if (p == 1.0)
        return n;
    if (p > 0.5)
        return n - ga_rand_binomial_low(st, n, 1.0 - p);
    return ga_rand_binomial_low(st, n, p);
}

//@ kernels
/* Grid-stride loops over blocks; every output depends on (key, offset, i)
 * only. The float kernels store a whole block's outputs with one 16-byte
 * store where the output is aligned and the block is whole. */

#define GA_RAND_LOOP(var, count) \
    for (ga_rand_u64 var = (ga_rand_u64)blockIdx.x * blockDim.x + threadIdx.x; var < (count); \
         var += (ga_rand_u64)gridDim.x * blockDim.x)

/* the raw Philox blocks of counters c + j (128-bit addition), j < nblocks */
extern "C" __global__ void ga_rand_philox_raw(unsigned int c0, unsigned int c1, unsigned int c2,
                                              unsigned int c3, unsigned int k0, unsigned int k1,
                                              unsigned long long nblocks, unsigned int *out)
{
    GA_RAND_LOOP(j, nblocks) {
        const ga_rand_u64 lo = (((ga_rand_u64)c1 << 32) | c0) + j;
        const ga_rand_u64 hi = (((ga_rand_u64)c3 << 32) | c2) + (lo < j ? 1ULL : 0ULL);
        ga_rand_u32 w[4] = {(ga_rand_u32)lo, (ga_rand_u32)(lo >> 32), (ga_rand_u32)hi,
                            (ga_rand_u32)(hi >> 32)};
        ga_philox4x32_10(w, k0, k1);
        out[4 * j] = w[0];
        out[4 * j + 1] = w[1];
        out[4 * j + 2] = w[2];
        out[4 * j + 3] = w[3];
    }
}

/* n raw words of the plain stream */
extern "C" __global__ void ga_rand_bits32(unsigned int k0, unsigned int k1, unsigned long long off,
                                          unsigned long long n, unsigned int *out)
{
    const ga_rand_u64 nb = (n + 3) / 4;
    const ga_rand_keys ks = ga_rand_schedule(k0, k1);
    GA_RAND_LOOP(b, nb) {
        ga_rand_u32 w[4];
        ga_rand_block(w, ks, off + b);
        const ga_rand_u64 i = 4 * b;
        for (int t = 0; t < 4 && i + t < n; t++)
            out[i + t] = w[t];
    }
}

/* out[i .. i+3] = v[0 .. 3] (the part below n): one 16-byte store where
 * out is 16-byte aligned and the four are all wanted. */
__device__ __forceinline__ void ga_rand_store4_f32(float *out, ga_rand_u64 i, ga_rand_u64 n, bool aligned,
                                                   const float v[4])
{
    if (aligned && i + 4 <= n) {
        ga_rand_f32x4 q;
        q.x = v[0]; q.y = v[1]; q.z = v[2]; q.w = v[3];
        *(ga_rand_f32x4 *)(out + i) = q;
    } else {
        for (int t = 0; t < 4 && i + t < n; t++)
            out[i + t] = v[t];
    }
}

/* out[i], out[i+1] = v0, v1 (the part below n), likewise */
__device__ __forceinline__ void ga_rand_store2_f64(double *out, ga_rand_u64 i, ga_rand_u64 n, bool aligned,
                                                   double v0, double v1)
{
    if (aligned && i + 2 <= n) {
        ga_rand_f64x2 q;
        q.x = v0; q.y = v1;
        *(ga_rand_f64x2 *)(out + i) = q;
    } else {
        out[i] = v0;
        if (i + 1 < n)
            out[i + 1] = v1;
    }
}

/* out = lo + scale * u, u in [0, 1) from 24 bits (lo = 0, scale = 1: u) */
extern "C" __global__ void ga_rand_uniform_f32(unsigned int k0, unsigned int k1, unsigned long long off,
                                               unsigned long long n, float lo, float scale, float *out)
{
    const ga_rand_u64 nb = (n + 3) / 4;
    const bool aligned = ((ga_rand_u64)out & 15) == 0;
    const bool affine = !(lo == 0.0f && scale == 1.0f);    /* 0 + 1 * u is u */
    const ga_rand_keys ks = ga_rand_schedule(k0, k1);
    GA_RAND_LOOP(b, nb) {
        ga_rand_u32 w[4];
        ga_rand_block(w, ks, off + b);
        float v[4];
        for (int t = 0; t < 4; t++)
            v[t] = ga_rand_u01_f32(w[t]);
        if (affine)
            for (int t = 0; t < 4; t++)
                v[t] = lo + scale * v[t];
        ga_rand_store4_f32(out, 4 * b, n, aligned, v);
    }
}

/* out = lo + scale * u, u in [0, 1) from 53 bits */
extern "C" __global__ void ga_rand_uniform_f64(unsigned int k0, unsigned int k1, unsigned long long off,
                                               unsigned long long n, double lo, double scale, double *out)
{
    const ga_rand_u64 nb = (n + 1) / 2;
    const bool aligned = ((ga_rand_u64)out & 15) == 0;
    const bool affine = !(lo == 0.0 && scale == 1.0);
    const ga_rand_keys ks = ga_rand_schedule(k0, k1);
    GA_RAND_LOOP(b, nb) {
        ga_rand_u32 w[4];
        ga_rand_block(w, ks, off + b);
        double v0 = ga_rand_u01_f64(w[0], w[1]);
        double v1 = ga_rand_u01_f64(w[2], w[3]);
        if (affine) {
            v0 = lo + scale * v0;
            v1 = lo + scale * v1;
        }
        ga_rand_store2_f64(out, 2 * b, n, aligned, v0, v1);
    }
}

/* out = loc + scale * z, Box-Muller on words (0, 1) and (2, 3) */
extern "C" __global__ void ga_rand_normal_f32(unsigned int k0, unsigned int k1, unsigned long long off,
                                              unsigned long long n, float loc, float scale, float *out)
{
    const ga_rand_u64 nb = (n + 3) / 4;
    const bool aligned = ((ga_rand_u64)out & 15) == 0;
    /* standard normal: z itself (loc + 1 * z would turn -0.0 into +0.0) */
    const bool affine = !(loc == 0.0f && scale == 1.0f);
    const ga_rand_keys ks = ga_rand_schedule(k0, k1);
    GA_RAND_LOOP(b, nb) {
        ga_rand_u32 w[4];
        ga_rand_block(w, ks, off + b);
        float v[4];
        ga_rand_box_muller_f32(w[0], w[1], &v[0], &v[1]);
        ga_rand_box_muller_f32(w[2], w[3], &v[2], &v[3]);
        if (affine)
            for (int t = 0; t < 4; t++)
                v[t] = loc + scale * v[t];
        ga_rand_store4_f32(out, 4 * b, n, aligned, v);
    }
}

extern "C" __global__ void ga_rand_normal_f64(unsigned int k0, unsigned int k1, unsigned long long off,
                                              unsigned long long n, double loc, double scale, double *out)
{
    const ga_rand_u64 nb = (n + 1) / 2;
    const bool aligned = ((ga_rand_u64)out & 15) == 0;
    const bool affine = !(loc == 0.0 && scale == 1.0);
    const ga_rand_keys ks = ga_rand_schedule(k0, k1);
    GA_RAND_LOOP(b, nb) {
        ga_rand_u32 w[4];
        ga_rand_block(w, ks, off + b);
        double z0, z1;
        ga_rand_box_muller(ga_rand_u01_f64(w[0], w[1]), ga_rand_u01_f64(w[2], w[3]), &z0, &z1);
        if (affine) {
            z0 = loc + scale * z0;
            z1 = loc + scale * z1;
        }
        ga_rand_store2_f64(out, 2 * b, n, aligned, z0, z1);
    }
}

/* out = scale * -log(1 - u) */
extern "C" __global__ void ga_rand_exponential_f32(unsigned int k0, unsigned int k1, unsigned long long off,
                                                   unsigned long long n, float scale, float *out)
{
    const ga_rand_u64 nb = (n + 3) / 4;
    const bool aligned = ((ga_rand_u64)out & 15) == 0;
    const ga_rand_keys ks = ga_rand_schedule(k0, k1);
    GA_RAND_LOOP(b, nb) {
        ga_rand_u32 w[4];
        ga_rand_block(w, ks, off + b);
        float v[4];
        for (int t = 0; t < 4; t++)
            v[t] = scale * -ga_rand_log1m_u01_f32(w[t]);
        ga_rand_store4_f32(out, 4 * b, n, aligned, v);
    }
}

extern "C" __global__ void ga_rand_exponential_f64(unsigned int k0, unsigned int k1, unsigned long long off,
                                                   unsigned long long n, double scale, double *out)
{
    const ga_rand_u64 nb = (n + 1) / 2;
    const ga_rand_keys ks = ga_rand_schedule(k0, k1);
    GA_RAND_LOOP(b, nb) {
        ga_rand_u32 w[4];
        ga_rand_block(w, ks, off + b);
        const ga_rand_u64 i = 2 * b;
        out[i] = scale * -ga_rand_log(1.0 - ga_rand_u01_f64(w[0], w[1]));
        if (i + 1 < n)
            out[i + 1] = scale * -ga_rand_log(1.0 - ga_rand_u01_f64(w[2], w[3]));
    }
}

/* out[i] = lo + uniform in [0, rm], in 64-bit wrapping arithmetic and
 * stored in the low `width` bytes: every integer dtype (and bool) from one
 * kernel, since the value is in the dtype's range and its two's complement
 * bits are the low bytes of the 64-bit sum. */
GA_RAND_FN void ga_rand_store_int(void *out, ga_rand_u64 i, int width, ga_rand_u64 v)
{
    if (width == 8)
        ((ga_rand_u64 *)out)[i] = v;
    else if (width == 4)
        ((ga_rand_u32 *)out)[i] = (ga_rand_u32)v;
    else if (width == 2)
        ((unsigned short *)out)[i] = (unsigned short)v;
    else
        ((unsigned char *)out)[i] = (unsigned char)v;
}

/* scalar bounds (the common case: no parameter arrays to allocate) */
extern "C" __global__ void ga_rand_integers_scalar(unsigned int k0, unsigned int k1, unsigned long long off,
                                                   unsigned long long n, unsigned long long lo,
                                                   unsigned long long rm, void *out, int width)
{
    GA_RAND_LOOP(i, n) {
        ga_rand_sub st;
        ga_rand_sub_init(&st, k0, k1, off + i);
        ga_rand_store_int(out, i, width, lo + ga_rand_bounded(&st, rm));
    }
}

/* bounds per element: the arrays are read at i * step */
extern "C" __global__ void ga_rand_integers(unsigned int k0, unsigned int k1, unsigned long long off,
                                            unsigned long long n, const unsigned long long *lo, long long lo_step,
                                            const unsigned long long *rm, long long rm_step, void *out,
                                            int width)
{
    GA_RAND_LOOP(i, n) {
        ga_rand_sub st;
        ga_rand_sub_init(&st, k0, k1, off + i);
        ga_rand_store_int(out, i, width, lo[i * lo_step] + ga_rand_bounded(&st, rm[i * rm_step]));
    }
}

extern "C" __global__ void ga_rand_gamma_f64(unsigned int k0, unsigned int k1, unsigned long long off,
                                             unsigned long long n, const double *shape, long long shape_step,
                                             const double *scale, long long scale_step, double *out)
{
    GA_RAND_LOOP(i, n) {
        ga_rand_sub st;
        ga_rand_sub_init(&st, k0, k1, off + i);
        out[i] = scale[i * scale_step] * ga_rand_gamma(&st, shape[i * shape_step]);
    }
}

extern "C" __global__ void ga_rand_beta_f64(unsigned int k0, unsigned int k1, unsigned long long off,
                                            unsigned long long n, const double *a, long long a_step,
                                            const double *b, long long b_step, double *out)
{
    GA_RAND_LOOP(i, n) {
        ga_rand_sub st;
        ga_rand_sub_init(&st, k0, k1, off + i);
        out[i] = ga_rand_beta(&st, a[i * a_step], b[i * b_step]);
    }
}

extern "C" __global__ void ga_rand_gamma_f32(unsigned int k0, unsigned int k1, unsigned long long off,
                                             unsigned long long n, const float *shape, long long shape_step,
                                             const float *scale, long long scale_step, float *out)
{
    GA_RAND_LOOP(i, n) {
        ga_rand_sub st;
        ga_rand_sub_init(&st, k0, k1, off + i);
        out[i] = scale[i * scale_step] * ga_rand_gamma(&st, shape[i * shape_step]);
    }
}

extern "C" __global__ void ga_rand_beta_f32(unsigned int k0, unsigned int k1, unsigned long long off,
                                            unsigned long long n, const float *a, long long a_step,
                                            const float *b, long long b_step, float *out)
{
    GA_RAND_LOOP(i, n) {
        ga_rand_sub st;
        ga_rand_sub_init(&st, k0, k1, off + i);
        out[i] = ga_rand_beta(&st, a[i * a_step], b[i * b_step]);
    }
}

extern "C" __global__ void ga_rand_binomial_i64(unsigned int k0, unsigned int k1, unsigned long long off,
                                                unsigned long long n, const long long *trials, long long t_step,
                                                const double *p, long long p_step, long long *out)
{
    GA_RAND_LOOP(i, n) {
        ga_rand_sub st;
        ga_rand_sub_init(&st, k0, k1, off + i);
        out[i] = ga_rand_binomial(&st, trials[i * t_step], p[i * p_step]);
    }
}

extern "C" __global__ void ga_rand_poisson_i64(unsigned int k0, unsigned int k1, unsigned long long off,
                                               unsigned long long n, const double *lam, long long lam_step,
                                               long long *out)
{
    GA_RAND_LOOP(i, n) {
        ga_rand_sub st;
        ga_rand_sub_init(&st, k0, k1, off + i);
        out[i] = ga_rand_poisson(&st, lam[i * lam_step]);
    }
}

//@ check
/* the math helpers on given inputs, for the accuracy tests */
extern "C" __global__ void ga_rand_check_f64(const double *x, unsigned long long n, double *log_out,
                                             double *exp_out, double *sin_out, double *cos_out)
{
    GA_RAND_LOOP(i, n) {
        log_out[i] = ga_rand_log(x[i]);
        exp_out[i] = ga_rand_exp(x[i]);
        double s, c;
        ga_rand_sincos2pi(x[i] - floor(x[i]), &s, &c);
        sin_out[i] = s;
        cos_out[i] = c;
    }
}

extern "C" __global__ void ga_rand_check_f32(const float *x, unsigned long long n, float *log_out,
                                             float *sin_out, float *cos_out, float *exp_out)
{
    GA_RAND_LOOP(i, n) {
        log_out[i] = ga_rand_log_f32(x[i]);
        exp_out[i] = ga_rand_exp_f32(x[i]);
        float s, c;
        /* x[i] mod 1 taken as k / 2**24 (the draws' angles are on that grid) */
        ga_rand_sincos2pi_u24((ga_rand_u32)((x[i] - floorf(x[i])) * 16777216.0f) & 0xffffffu, &s, &c);
        sin_out[i] = s;
        cos_out[i] = c;
    }
}
