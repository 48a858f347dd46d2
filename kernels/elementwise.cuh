/* elementwise.cuh - templates of the kernels gpuarray generates for
 * elementwise operations (gpuarray/_elementwise.py fills them in).
 *
 * The file is split into sections, each opened by a line "//@ name":
 *   prelude  the types and helpers every generated kernel shares: float16
 *            as `ga_half`, casts with NumPy's meaning, the integer and float
 *            helpers NumPy's loops define (floor_divide, remainder, power,
 *            shifts, NaN-propagating minimum/maximum), aligned vectors.
 *   complex  `ga_complex<T>` and its functions; only kernels that touch a
 *            complex type include it (it costs compile time).
 *   dense    the kernel for operands that are all contiguous in the same
 *            layout (or single values): a flat loop, 16-byte vectors where
 *            every pointer is aligned.
 *   strided  the kernel for any other operands: an N-d indexer over the
 *            collapsed shape, byte strides per operand as arguments.
 * `${name}` placeholders are filled in by Python (string.Template).
 *
 * Only plain CUDA C is used: no headers, no inline PTX, no CUB, no
 * cooperative groups, so that NVRTC compiles it without the toolkit's
 * include directory and the host backend compiles it with a C++ compiler.
 * float16 arithmetic is done in float (as NumPy does) and converted with
 * the hardware instruction through libdevice under NVRTC, in software
 * elsewhere. */

//@ prelude
#define GA_FN __device__ inline

typedef long long ga_i64;
typedef unsigned long long ga_u64;

GA_FN float ga_bits_to_float(unsigned int u) { union { unsigned int u; float f; } x; x.u = u; return x.f; }
GA_FN unsigned int ga_float_to_bits(float f) { union { unsigned int u; float f; } x; x.f = f; return x.u; }
GA_FN double ga_bits_to_double(ga_u64 u) { union { ga_u64 u; double d; } x; x.u = u; return x.d; }
GA_FN ga_u64 ga_double_to_bits(double d) { union { ga_u64 u; double d; } x; x.d = d; return x.u; }

/* ---- float math by overload: float and double (float16 computes in float) */

#define GA_MATH1(name, f32, f64) \
    GA_FN float name(float x) { return f32(x); } \
    GA_FN double name(double x) { return f64(x); }
#define GA_MATH2(name, f32, f64) \
    GA_FN float name(float x, float y) { return f32(x, y); } \
    GA_FN double name(double x, double y) { return f64(x, y); }
GA_MATH1(ga_sqrt, sqrtf, sqrt)
GA_MATH1(ga_exp, expf, exp)
GA_MATH1(ga_log, logf, log)
GA_MATH1(ga_log2, log2f, log2)
GA_MATH1(ga_log10, log10f, log10)
GA_MATH1(ga_sin, sinf, sin)
GA_MATH1(ga_cos, cosf, cos)
GA_MATH1(ga_tan, tanf, tan)
GA_MATH1(ga_sinh, sinhf, sinh)
GA_MATH1(ga_cosh, coshf, cosh)
GA_MATH1(ga_tanh, tanhf, tanh)
GA_MATH1(ga_arcsin, asinf, asin)
GA_MATH1(ga_arccos, acosf, acos)
GA_MATH1(ga_arctan, atanf, atan)
GA_MATH1(ga_floor, floorf, floor)
GA_MATH1(ga_ceil, ceilf, ceil)
GA_MATH1(ga_fabs, fabsf, fabs)
GA_MATH1(ga_rint, rintf, rint)
GA_MATH2(ga_fmod, fmodf, fmod)
GA_MATH2(ga_pow, powf, pow)
GA_MATH2(ga_copysign, copysignf, copysign)
GA_MATH2(ga_hypot, hypotf, hypot)
GA_MATH2(ga_atan2, atan2f, atan2)
GA_MATH1(ga_arcsinh, asinhf, asinh)
GA_MATH1(ga_arccosh, acoshf, acosh)
GA_MATH1(ga_arctanh, atanhf, atanh)
GA_MATH1(ga_log1p, log1pf, log1p)
GA_MATH1(ga_expm1, expm1f, expm1)
GA_MATH1(ga_exp2, exp2f, exp2)
GA_MATH1(ga_cbrt, cbrtf, cbrt)
GA_MATH1(ga_trunc, truncf, trunc)
GA_MATH2(ga_fmax, fmaxf, fmax)
GA_MATH2(ga_fmin, fminf, fmin)

template<typename T> GA_FN bool ga_isnan(T x) { return x != x; }
/* finite: x - x is 0 (inf - inf and NaN give NaN) */
template<typename T> GA_FN bool ga_isfinite(T x) { return x - x == x - x; }
template<typename T> GA_FN bool ga_isinf(T x) { return x == x && !(x - x == x - x); }
/* NumPy's sign: -1, 0 or 1, NaN for NaN */
template<typename T> GA_FN T ga_sign(T x) { return x != x ? x : (T)((x > (T)0) - (x < (T)0)); }
/* NumPy's integer fmod: C's remainder (the dividend's sign), 0 for a zero
 * divisor and for MIN % -1 (which C leaves undefined) */
template<typename T> GA_FN T ga_fmod_int(T x, T y)
{
    return (y == 0 || ((T)-1 < (T)0 && y == (T)-1)) ? (T)0 : (T)(x % y);
}

/* ---- float16: IEEE binary16 bits, round to nearest even (NumPy's rules) */

#if defined(__CUDACC_RTC__) && defined(__CUDA_ARCH__)
extern "C" __device__ unsigned short __nv_float2half_rn(float);
extern "C" __device__ float __nv_half2float(unsigned short);
GA_FN unsigned short ga_float_to_half_bits(float f) { return __nv_float2half_rn(f); }
GA_FN float ga_half_bits_to_float(unsigned short h) { return __nv_half2float(h); }
#else
GA_FN unsigned short ga_float_to_half_bits(float f)
{
    unsigned int x = ga_float_to_bits(f);
    unsigned int sign = (x >> 16) & 0x8000u;
    unsigned int a = x & 0x7fffffffu;
    if (a >= 0x7f800000u)                   /* inf, NaN (kept quiet) */
        return (unsigned short)(sign | (a > 0x7f800000u ? 0x7e00u | ((a >> 13) & 0x3ffu) : 0x7c00u));
    if (a >= 0x47800000u)                   /* >= 2**16: rounds to inf */
        return (unsigned short)(sign | 0x7c00u);
    if (a >= 0x38800000u) {                 /* normal half: rebias, round the 13 dropped bits */
        unsigned int r = a - 0x38000000u;
        return (unsigned short)(sign | ((r + 0x0fffu + ((r >> 13) & 1u)) >> 13));
    }
    /* subnormal half: |f| * 2**24 is exact, rint rounds to nearest even */
    return (unsigned short)(sign | (unsigned int)ga_rint(ga_bits_to_float(a) * 16777216.0f));
}

GA_FN float ga_half_bits_to_float(unsigned short h)
{
    unsigned int sign = ((unsigned int)h & 0x8000u) << 16;
    unsigned int a = h & 0x7fffu;
    if (a >= 0x7c00u)
        return ga_bits_to_float(sign | 0x7f800000u | ((a & 0x3ffu) << 13));
    if (a >= 0x0400u)
        return ga_bits_to_float(sign | ((a + 0x1c000u) << 13));
    float v = (float)a * 5.9604644775390625e-8f;     /* a * 2**-24 */
    return sign ? -v : v;
}
#endif

/* double -> half directly (through float would round twice). */
GA_FN unsigned short ga_double_to_half_bits(double d)
{
    ga_u64 x = ga_double_to_bits(d);
    unsigned int sign = (unsigned int)(x >> 48) & 0x8000u;
    ga_u64 a = x & 0x7fffffffffffffffULL;
    if (a >= 0x7ff0000000000000ULL)
        return (unsigned short)(sign | (a > 0x7ff0000000000000ULL
                                        ? 0x7e00u | (unsigned int)((a >> 42) & 0x3ffu) : 0x7c00u));
    if (a >= 0x40f0000000000000ULL)
        return (unsigned short)(sign | 0x7c00u);
    if (a >= 0x3f10000000000000ULL) {
        ga_u64 r = a - 0x3f00000000000000ULL;
        return (unsigned short)(sign | (unsigned int)((r + 0x1ffffffffffULL + ((r >> 42) & 1u)) >> 42));
    }
    return (unsigned short)(sign | (unsigned int)ga_rint(ga_bits_to_double(a) * 16777216.0));
}

struct ga_half {
    unsigned short bits;
    ga_half() = default;
    GA_FN ga_half(float f) : bits(ga_float_to_half_bits(f)) {}
    GA_FN ga_half(double d) : bits(ga_double_to_half_bits(d)) {}
    template<typename T> GA_FN ga_half(T v) : bits(ga_float_to_half_bits((float)v)) {}
    GA_FN operator float() const { return ga_half_bits_to_float(bits); }
};

/* ---- casts: ga_cast<To>(v) as NumPy casts (the complex section adds
 * complex sources). */

template<typename To, typename From> struct ga_cvt {
    GA_FN static To f(const From& v) { return (To)v; }
};
template<typename To, typename From> GA_FN To ga_cast(const From& v) { return ga_cvt<To, From>::f(v); }

/* ---- comparisons that the complex section overloads (lexicographic) */

template<typename T> GA_FN bool ga_lt(const T& a, const T& b) { return a < b; }
template<typename T> GA_FN bool ga_le(const T& a, const T& b) { return a <= b; }
/* int64 against uint64 (NumPy has loops for them): by value. */
GA_FN bool ga_lt(long long a, unsigned long long b) { return a < 0 || (unsigned long long)a < b; }
GA_FN bool ga_lt(unsigned long long a, long long b) { return b >= 0 && a < (unsigned long long)b; }
GA_FN bool ga_le(long long a, unsigned long long b) { return a < 0 || (unsigned long long)a <= b; }
GA_FN bool ga_le(unsigned long long a, long long b) { return b >= 0 && a <= (unsigned long long)b; }
GA_FN bool ga_eq(long long a, unsigned long long b) { return a >= 0 && (unsigned long long)a == b; }
GA_FN bool ga_eq(unsigned long long a, long long b) { return b >= 0 && a == (unsigned long long)b; }

/* ---- NumPy's minimum/maximum: NaN propagates (from either side) */

template<typename T> GA_FN T ga_maximum(const T& a, const T& b) { return (a >= b || ga_isnan(a)) ? a : b; }
template<typename T> GA_FN T ga_minimum(const T& a, const T& b) { return (a <= b || ga_isnan(a)) ? a : b; }

/* ---- integer loops: Python's floor rounding, division by zero gives 0,
 * MIN // -1 wraps (never a trap: the host backend runs on x86). */

template<typename T> GA_FN T ga_floor_divide_int(T a, T b)
{
    if (b == T(0))
        return T(0);
    if (T(-1) < T(0)) {
        if (b == T(-1))
            return (T)(0ULL - (ga_u64)a);
        T q = (T)(a / b);
        if (((a < T(0)) != (b < T(0))) && (T)(q * b) != a)
            q = (T)(q - 1);
        return q;
    }
    return (T)(a / b);
}

template<typename T> GA_FN T ga_remainder_int(T a, T b)
{
    if (b == T(0))
        return T(0);
    if (T(-1) < T(0)) {
        if (b == T(-1))
            return T(0);
        T r = (T)(a % b);
        if (r != T(0) && ((r < T(0)) != (b < T(0))))
            r = (T)(r + b);
        return r;
    }
    return (T)(a % b);
}

/* Wrapping arithmetic; a negative exponent (an error in NumPy) gives the
 * truncated value: 1 for base 1, +-1 for base -1, else 0. */
template<typename T> GA_FN T ga_power_int(T a, T b)
{
    if (T(-1) < T(0) && b < T(0)) {
        if (a == T(1))
            return T(1);
        if (T(-1) < T(0) && a == T(-1))
            return ((ga_u64)b & 1u) ? a : T(1);
        return T(0);
    }
    ga_u64 base = (ga_u64)a, r = 1, e = (ga_u64)b;
    while (e) {
        if (e & 1u)
            r *= base;
        base *= base;
        e >>= 1;
    }
    return (T)r;
}

template<typename T> GA_FN T ga_left_shift(T a, T b)
{
    return (ga_u64)b < sizeof(T) * 8 ? (T)((ga_u64)a << (ga_u64)b) : T(0);
}

template<typename T> GA_FN T ga_right_shift(T a, T b)
{
    if ((ga_u64)b < sizeof(T) * 8)
        return (T)(a >> b);
    return (T(-1) < T(0) && a < T(0)) ? (T)-1 : T(0);
}

/* ---- float loops: NumPy's npy_divmod, so results match bit for bit */

template<typename T> GA_FN T ga_divmod_float(T a, T b, T* modulus)
{
    T mod = ga_fmod(a, b);
    if (b == T(0)) {
        *modulus = mod;
        return a / b;
    }
    T div = (a - mod) / b;
    if (mod != T(0)) {
        if ((b < T(0)) != (mod < T(0))) {
            mod += b;
            div -= T(1);
        }
    } else {
        mod = ga_copysign(T(0), b);
    }
    T floordiv;
    if (div != T(0)) {
        floordiv = ga_floor(div);
        if (div - floordiv > T(0.5))
            floordiv += T(1);
    } else {
        floordiv = ga_copysign(T(0), a / b);
    }
    *modulus = mod;
    return floordiv;
}

template<typename T> GA_FN T ga_floor_divide_float(T a, T b)
{
    if (b == T(0))
        return a / b;
    T mod;
    return ga_divmod_float(a, b, &mod);
}

template<typename T> GA_FN T ga_remainder_float(T a, T b)
{
    if (b == T(0))
        return ga_fmod(a, b);
    T mod;
    ga_divmod_float(a, b, &mod);
    return mod;
}

/* ---- aligned vectors for the dense kernels' 16-byte loads */

template<typename T, int N> struct alignas(sizeof(T) * N) ga_vec { T v[N]; };

/* `_ind.size()` in ElementwiseKernel/ReductionKernel code, as in CuPy. */
struct ga_size_ind {
    long long n;
    GA_FN long long size() const { return n; }
};

/* A `raw` parameter of an ElementwiseKernel: flat indexing, as CuPy's. */
template<typename T> struct ga_raw {
    T* p;
    long long n;
    GA_FN T& operator[](long long i) const { return p[i]; }
    GA_FN long long size() const { return n; }
};

//@ complex
template<typename T> struct alignas(2 * sizeof(T)) ga_complex {
    T re, im;
    ga_complex() = default;
    GA_FN ga_complex(T r, T i = T(0)) : re(r), im(i) {}
    template<typename U> GA_FN explicit ga_complex(const ga_complex<U>& o) : re((T)o.re), im((T)o.im) {}
    GA_FN T real() const { return re; }
    GA_FN T imag() const { return im; }

    friend GA_FN ga_complex operator+(const ga_complex& a) { return a; }
    friend GA_FN ga_complex operator-(const ga_complex& a) { return ga_complex(-a.re, -a.im); }
    friend GA_FN ga_complex operator+(const ga_complex& a, const ga_complex& b) { return ga_complex(a.re + b.re, a.im + b.im); }
    friend GA_FN ga_complex operator-(const ga_complex& a, const ga_complex& b) { return ga_complex(a.re - b.re, a.im - b.im); }
    friend GA_FN ga_complex operator*(const ga_complex& a, const ga_complex& b)
    {
        return ga_complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
    }
    /* Smith's algorithm, as NumPy's loop. */
    friend GA_FN ga_complex operator/(const ga_complex& a, const ga_complex& b)
    {
        T abr = ga_fabs(b.re), abi = ga_fabs(b.im);
        if (abr >= abi) {
            if (abr == T(0) && abi == T(0))
                return ga_complex(a.re / abr, a.im / abr);
            T rat = b.im / b.re, scl = T(1) / (b.re + b.im * rat);
            return ga_complex((a.re + a.im * rat) * scl, (a.im - a.re * rat) * scl);
        }
        T rat = b.re / b.im, scl = T(1) / (b.im + b.re * rat);
        return ga_complex((a.re * rat + a.im) * scl, (a.im * rat - a.re) * scl);
    }
    friend GA_FN bool operator==(const ga_complex& a, const ga_complex& b) { return a.re == b.re && a.im == b.im; }
    friend GA_FN bool operator!=(const ga_complex& a, const ga_complex& b) { return !(a == b); }
    GA_FN ga_complex& operator+=(const ga_complex& b) { *this = *this + b; return *this; }
    GA_FN ga_complex& operator-=(const ga_complex& b) { *this = *this - b; return *this; }
    GA_FN ga_complex& operator*=(const ga_complex& b) { *this = *this * b; return *this; }
    GA_FN ga_complex& operator/=(const ga_complex& b) { *this = *this / b; return *this; }
};

template<typename T> GA_FN T real(const ga_complex<T>& z) { return z.re; }
template<typename T> GA_FN T imag(const ga_complex<T>& z) { return z.im; }
template<typename T> GA_FN ga_complex<T> conj(const ga_complex<T>& z) { return ga_complex<T>(z.re, -z.im); }

/* casts from complex: the real part (NumPy warns, and does the same);
 * to bool: nonzero; between complex types: both parts. */
template<typename To, typename T> struct ga_cvt<To, ga_complex<T> > {
    GA_FN static To f(const ga_complex<T>& v) { return ga_cvt<To, T>::f(v.re); }
};
template<typename T> struct ga_cvt<bool, ga_complex<T> > {
    GA_FN static bool f(const ga_complex<T>& v) { return v.re != T(0) || v.im != T(0); }
};
template<typename U, typename T> struct ga_cvt<ga_complex<U>, ga_complex<T> > {
    GA_FN static ga_complex<U> f(const ga_complex<T>& v) { return ga_complex<U>((U)v.re, (U)v.im); }
};
template<typename U> struct ga_cvt<ga_complex<U>, ga_half> {
    GA_FN static ga_complex<U> f(const ga_half& v) { return ga_complex<U>((U)(float)v); }
};

template<typename T> GA_FN bool ga_isnan(const ga_complex<T>& z) { return z.re != z.re || z.im != z.im; }

/* NumPy's lexicographic order of complex numbers (CLT, CLE, CGE). */
template<typename T> GA_FN bool ga_lt(const ga_complex<T>& a, const ga_complex<T>& b)
{
    return (a.re < b.re && a.im == a.im && b.im == b.im) || (a.re == b.re && a.im < b.im);
}
template<typename T> GA_FN bool ga_le(const ga_complex<T>& a, const ga_complex<T>& b)
{
    return (a.re < b.re && a.im == a.im && b.im == b.im) || (a.re == b.re && a.im <= b.im);
}
template<typename T> GA_FN ga_complex<T> ga_maximum(const ga_complex<T>& a, const ga_complex<T>& b)
{
    return (ga_isnan(a) || ga_le(b, a)) ? a : b;
}
template<typename T> GA_FN ga_complex<T> ga_minimum(const ga_complex<T>& a, const ga_complex<T>& b)
{
    return (ga_isnan(a) || ga_le(a, b)) ? a : b;
}

template<typename T> GA_FN T ga_abs(const ga_complex<T>& z) { return ga_hypot(z.re, z.im); }
/* |z|^2 (var, std) */
template<typename T> GA_FN T ga_abs2(const ga_complex<T>& z) { return z.re * z.re + z.im * z.im; }

template<typename T> GA_FN ga_complex<T> ga_exp(const ga_complex<T>& z)
{
    if (z.im == T(0))
        return ga_complex<T>(ga_exp(z.re), z.im);
    T e = ga_exp(z.re);
    return ga_complex<T>(e * ga_cos(z.im), e * ga_sin(z.im));
}

template<typename T> GA_FN ga_complex<T> ga_log(const ga_complex<T>& z)
{
    return ga_complex<T>(ga_log(ga_abs(z)), ga_atan2(z.im, z.re));
}

template<typename T> GA_FN ga_complex<T> ga_log2(const ga_complex<T>& z)
{
    ga_complex<T> l = ga_log(z);
    return ga_complex<T>(l.re * T(1.4426950408889634), l.im * T(1.4426950408889634));
}

template<typename T> GA_FN ga_complex<T> ga_log10(const ga_complex<T>& z)
{
    ga_complex<T> l = ga_log(z);
    return ga_complex<T>(l.re * T(0.4342944819032518), l.im * T(0.4342944819032518));
}

/* C99 csqrt: principal root, the imaginary part keeps z.im's sign. */
template<typename T> GA_FN ga_complex<T> ga_sqrt(const ga_complex<T>& z)
{
    if (z.re == T(0) && z.im == T(0))
        return ga_complex<T>(T(0), z.im);
    T t = ga_sqrt((ga_fabs(z.re) + ga_abs(z)) * T(0.5));
    if (z.re >= T(0))
        return ga_complex<T>(t, z.im / (T(2) * t));
    return ga_complex<T>(ga_fabs(z.im) / (T(2) * t), ga_copysign(t, z.im));
}

template<typename T> GA_FN ga_complex<T> ga_sin(const ga_complex<T>& z)
{
    return ga_complex<T>(ga_sin(z.re) * ga_cosh(z.im), ga_cos(z.re) * ga_sinh(z.im));
}

template<typename T> GA_FN ga_complex<T> ga_cos(const ga_complex<T>& z)
{
    return ga_complex<T>(ga_cos(z.re) * ga_cosh(z.im), -(ga_sin(z.re) * ga_sinh(z.im)));
}

/* FreeBSD's ctanh (NumPy's npy_ctanh) for finite arguments. */
template<typename T> GA_FN ga_complex<T> ga_tanh(const ga_complex<T>& z)
{
    T x = z.re, y = z.im;
    if (ga_fabs(x) >= T(sizeof(T) == 4 ? 9 : 22)) {
        T e = ga_exp(-ga_fabs(x));
        return ga_complex<T>(ga_copysign(T(1), x), T(4) * ga_sin(y) * ga_cos(y) * e * e);
    }
    T t = ga_tan(y), beta = T(1) + t * t, s = ga_sinh(x), rho = ga_sqrt(T(1) + s * s);
    T denom = T(1) + beta * s * s;
    return ga_complex<T>((beta * rho * s) / denom, t / denom);
}

/* tan z = -i tanh(i z) */
template<typename T> GA_FN ga_complex<T> ga_tan(const ga_complex<T>& z)
{
    ga_complex<T> w = ga_tanh(ga_complex<T>(-z.im, z.re));
    return ga_complex<T>(w.im, -w.re);
}

/* -i log(w) where w * w' = 1: the larger of the two keeps the precision. */
template<typename T> GA_FN ga_complex<T> ga_minus_i_log_pair(const ga_complex<T>& w1, const ga_complex<T>& w2)
{
    ga_complex<T> l = ga_abs(w1) >= ga_abs(w2) ? ga_log(w1) : -ga_log(w2);
    return ga_complex<T>(l.im, -l.re);
}

/* asin z = -i log(i z + sqrt(1 - z^2)) */
template<typename T> GA_FN ga_complex<T> ga_arcsin(const ga_complex<T>& z)
{
    ga_complex<T> s = ga_sqrt(ga_complex<T>(T(1)) - z * z);
    ga_complex<T> iz(-z.im, z.re);
    return ga_minus_i_log_pair(iz + s, s - iz);
}

/* acos z = -i log(z + i sqrt(1 - z^2)) */
template<typename T> GA_FN ga_complex<T> ga_arccos(const ga_complex<T>& z)
{
    ga_complex<T> s = ga_sqrt(ga_complex<T>(T(1)) - z * z);
    ga_complex<T> is(-s.im, s.re);
    return ga_minus_i_log_pair(z + is, z - is);
}

/* atan z = i/2 (log(1 - i z) - log(1 + i z)) */
template<typename T> GA_FN ga_complex<T> ga_arctan(const ga_complex<T>& z)
{
    ga_complex<T> iz(-z.im, z.re), one(T(1));
    ga_complex<T> d = ga_log(one - iz) - ga_log(one + iz);
    return ga_complex<T>(-d.im * T(0.5), d.re * T(0.5));
}

/* NumPy's nc_pow: small integer exponents by repeated multiplication. */
template<typename T> GA_FN ga_complex<T> ga_pow(const ga_complex<T>& a, const ga_complex<T>& b)
{
    if (b.re == T(0) && b.im == T(0))
        return ga_complex<T>(T(1), T(0));
    if (a.re == T(0) && a.im == T(0)) {
        if (b.re > T(0) && b.im == T(0))
            return ga_complex<T>(T(0), T(0));
        T nan = ga_bits_to_double(0x7ff8000000000000ULL);
        return ga_complex<T>(nan, nan);
    }
    if (b.im == T(0) && b.re > T(-100) && b.re < T(100) && b.re == (T)(long long)b.re) {
        long long n = (long long)b.re;
        if (n == 1)
            return a;
        if (n == 2)
            return a * a;
        if (n == 3)
            return a * a * a;
        ga_complex<T> r(T(1)), p = a;
        long long m = n < 0 ? -n : n;
        while (m) {
            if (m & 1)
                r = r * p;
            p = p * p;
            m >>= 1;
        }
        return n < 0 ? ga_complex<T>(T(1)) / r : r;
    }
    return ga_exp(b * ga_log(a));
}

//@ dense
extern "C" __global__ void ${name}(${params}long long n)
{
    const long long tid = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const long long nthreads = (long long)gridDim.x * blockDim.x;
    long long done = 0;
${setup}
#if ${vec} > 1
    if (${aligned}) {
        const long long nv = n / ${vec};
        for (long long v = tid; v < nv; v += nthreads) {
${vec_load}
#pragma unroll
            for (int j = 0; j < ${vec}; j++) {
${vec_body}
            }
${vec_store}
        }
        done = nv * ${vec};
    }
#endif
    for (long long i = done + tid; i < n; i += nthreads) {
${body}
    }
}

//@ strided
extern "C" __global__ void ${name}(${params}${idx} n${index_params})
{
    const ${idx} tid = (${idx})blockIdx.x * (${idx})blockDim.x + (${idx})threadIdx.x;
    const ${idx} nthreads = (${idx})gridDim.x * (${idx})blockDim.x;
${setup}
    for (${idx} i = tid; i < n; i += nthreads) {
${index}
${body}
    }
}
