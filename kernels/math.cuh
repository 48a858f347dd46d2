/* math.cuh - the helpers of the ufuncs added for issue 11 (logaddexp,
 * heaviside, nextafter, spacing, ldexp, signbit...), following NumPy's
 * loops. gpuarray/_ufuncs.py includes a section after elementwise.cuh's
 * prelude (and its complex section) when an expression calls one of them:
 *
 *   real     float helpers, templated over float and double (float16
 *            computes in float: where rounding through float would differ
 *            from NumPy's float16 loop, a _half variant works on the bits).
 *
 * Only plain CUDA C, as in elementwise.cuh. */

//@ real
template<typename T> GA_FN T ga_m_inf() { return (T)ga_bits_to_double(0x7ff0000000000000ULL); }
template<typename T> GA_FN T ga_m_nan() { return (T)ga_bits_to_double(0x7ff8000000000000ULL); }

/* NumPy's npy_logaddexp: log(exp(x) + exp(y)) without overflow; equal
 * arguments (infinities of one sign too) give x + log(2). */
template<typename T> GA_FN T ga_m_logaddexp(T x, T y)
{
    if (x == y)
        return x + T(0.693147180559945309417232121458176568);
    const T d = x - y;
    if (d > T(0))
        return x + ga_log1p(ga_exp(-d));
    if (d <= T(0))
        return y + ga_log1p(ga_exp(d));
    return d;   /* NaN */
}

/* log2(2**x + 2**y) */
template<typename T> GA_FN T ga_m_logaddexp2(T x, T y)
{
    const T log2e = T(1.442695040888963407359924681001892137);
    if (x == y)
        return x + T(1);
    const T d = x - y;
    if (d > T(0))
        return x + ga_log1p(ga_exp2(-d)) * log2e;
    if (d <= T(0))
        return y + ga_log1p(ga_exp2(d)) * log2e;
    return d;
}

/* 0 below zero, h at zero, 1 above; NaN stays NaN */
template<typename T> GA_FN T ga_m_heaviside(T x, T h)
{
    if (x < T(0))
        return T(0);
    if (x > T(0))
        return T(1);
    if (x == T(0))
        return h;
    return x;
}

GA_FN float ga_m_nextafter(float x, float y) { return nextafterf(x, y); }
GA_FN double ga_m_nextafter(double x, double y) { return nextafter(x, y); }

/* NumPy's npy_half_nextafter on the float16 bits (x and y are float16
 * values held in floats). */
GA_FN float ga_m_nextafter_half(float xf, float yf)
{
    if (xf != xf || yf != yf)
        return ga_m_nan<float>();
    if (xf == yf)
        return xf;
    const unsigned short x = ga_float_to_half_bits(xf), y = ga_float_to_half_bits(yf);
    unsigned short r;
    if ((x & 0x7fffu) == 0)
        r = (unsigned short)((y & 0x8000u) + 1u);
    else if (!(x & 0x8000u))
        r = (short)x > (short)y ? (unsigned short)(x - 1u) : (unsigned short)(x + 1u);
    else if (!(y & 0x8000u) || (x & 0x7fffu) > (y & 0x7fffu))
        r = (unsigned short)(x - 1u);
    else
        r = (unsigned short)(x + 1u);
    return ga_half_bits_to_float(r);
}

/* NumPy's spacing: the distance to the next value away from zero (-0.0
 * counts as positive); NaN for infinities. */
template<typename T> GA_FN T ga_m_spacing(T x)
{
    if (ga_isinf(x))
        return ga_m_nan<T>();
    return ga_m_nextafter(x, x >= T(0) ? ga_m_inf<T>() : -ga_m_inf<T>()) - x;
}

/* NumPy's npy_half_spacing differs from its float and double loops: the
 * distance to the next float16 toward +inf, positive for every sign. */
GA_FN float ga_m_spacing_half(float x)
{
    if (ga_isinf(x) || x != x)
        return ga_m_nan<float>();
    if (x == 0.0f)
        return ga_half_bits_to_float(1u);
    const unsigned short h = ga_float_to_half_bits(x);
    const unsigned short up = (h & 0x8000u) ? (unsigned short)(h - 1u) : (unsigned short)(h + 1u);
    return ga_half_bits_to_float(up) - x;
}

/* ldexp with NumPy's int64 exponents: past int's range the result is the
 * same as at its end (0 or inf). */
template<typename E> GA_FN int ga_m_clamp_exp(E e)
{
    return e > (E)2147483647 ? 2147483647 : (e < (E)(-2147483647 - 1) ? (-2147483647 - 1) : (int)e);
}
template<typename E> GA_FN float ga_m_ldexp(float x, E e) { return ldexpf(x, ga_m_clamp_exp(e)); }
template<typename E> GA_FN double ga_m_ldexp(double x, E e) { return ldexp(x, ga_m_clamp_exp(e)); }

GA_FN float ga_m_frexp(float x, int* e) { return frexpf(x, e); }
GA_FN double ga_m_frexp(double x, int* e) { return frexp(x, e); }
GA_FN float ga_m_modf(float x, float* ip) { return modff(x, ip); }
GA_FN double ga_m_modf(double x, double* ip) { return modf(x, ip); }

GA_FN bool ga_m_signbit(float x) { return (ga_float_to_bits(x) >> 31) != 0u; }
GA_FN bool ga_m_signbit(double x) { return (ga_double_to_bits(x) >> 63) != 0u; }

/* NumPy's integer reciprocal (1 / x truncated); 1 / 0 gives 0, as
 * gpuarray's other integer divisions by zero. */
template<typename T> GA_FN T ga_m_reciprocal_int(T x)
{
    return x == T(0) ? T(0) : (T)(T(1) / x);
}
