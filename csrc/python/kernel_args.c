/* kernel_args.c - a launch's arguments: each Python value packed into the
 * bytes of the kernel parameter it is given for (declared type known or
 * not), with errors that name the kernel, the parameter and the value. */
#include "kernel_internal.h"
#include <numpy/arrayscalars.h>

#include <math.h>
#include <float.h>
#include <stdarg.h>
#include <string.h>

/* NumPy 1.x headers lack the 2.x accessor. */
#ifndef NPY_2_0_API_VERSION
#define PyDataType_ELSIZE(d) ((d)->elsize)
#endif

static const char *
article(const char *word)
{
    return strchr("aeiouAEIOU", word[0]) && word[0] ? "an" : "a";
}

/* "a float", "an int32 array", "a numpy.float64 scalar", "a host
 * numpy.ndarray": what the user passed, for messages. */
static void
describe(PyObject *o, char *buf, size_t len)
{
    if (pyga.ndarray && PyObject_TypeCheck(o, pyga.ndarray)) {
        PyArray_Descr *d = ((pyga_ndarray *)o)->descr;
        const char *n = d ? d->typeobj->tp_name : "?";
        const char *dot = strrchr(n, '.');
        n = dot ? dot + 1 : n;
        snprintf(buf, len, "%s %s array", article(n), n);
    } else if (PyArray_Check(o)) {
        snprintf(buf, len, "a host numpy.ndarray");
    } else if (PyArray_IsScalar(o, Generic)) {
        snprintf(buf, len, "a %s scalar", Py_TYPE(o)->tp_name);
    } else {
        const char *n = Py_TYPE(o)->tp_name;
        snprintf(buf, len, "%s %s", article(n), n);
    }
}

void
pyga_param_type(const ga_param *p, char *buf, size_t len)
{
    if (p->type_text[0])
        snprintf(buf, len, "%s", p->type_text);
    else if (p->dtype == GA_DTYPE_UNKNOWN && p->kind == GA_PARAM_VALUE)
        snprintf(buf, len, "a %zu-byte value", p->size);
    else
        snprintf(buf, len, "%s%s", p->dtype == GA_DTYPE_UNKNOWN ? "unknown"
                                                                : ga_dtype_name(p->dtype),
                 p->kind == GA_PARAM_POINTER ? "*" : "");
}

/* Raise `exc` as "saxpy(): argument 'x' <rest>". */
static int
arg_error(PyObject *exc, pyga_Function *self, int i, const ga_param *p, const char *fmt, ...)
{
    char rest[512], pname[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rest, sizeof rest, fmt, ap);
    va_end(ap);
    if (p && p->name[0])
        snprintf(pname, sizeof pname, "'%s'", p->name);
    else
        snprintf(pname, sizeof pname, "#%d", i);
    PyErr_Format(exc, "%s(): argument %s %s", pyga_function_cname(self), pname, rest);
    return -1;
}

static int
arg_type_error(pyga_Function *self, int i, const ga_param *p, PyObject *o)
{
    char t[96], g[160];
    pyga_param_type(p, t, sizeof t);
    describe(o, g, sizeof g);
    return arg_error(PyExc_TypeError, self, i, p, "is %s but got %s", t, g);
}

enum { KIND_BOOL, KIND_INT, KIND_FLOAT, KIND_COMPLEX, KIND_OTHER };

static int
dtype_kind(ga_dtype t)
{
    switch (t) {
    case GA_BOOL: return KIND_BOOL;
    case GA_INT8: case GA_UINT8: case GA_INT16: case GA_UINT16:
    case GA_INT32: case GA_UINT32: case GA_INT64: case GA_UINT64: return KIND_INT;
    case GA_FLOAT16: case GA_BFLOAT16: case GA_FLOAT32: case GA_FLOAT64: return KIND_FLOAT;
    case GA_COMPLEX64: case GA_COMPLEX128: return KIND_COMPLEX;
    default: return KIND_OTHER;
    }
}

/* double -> IEEE binary16 / bfloat16 bits, round to nearest even, straight
 * from the double so there is no double rounding. */
static uint16_t
small_float_bits(double x, int mbits, int ebits)
{
    int bias = (1 << (ebits - 1)) - 1;
    uint16_t sign = signbit(x) ? (uint16_t)(1u << (mbits + ebits)) : 0;
    uint16_t inf = (uint16_t)(((1u << ebits) - 1) << mbits);
    if (isnan(x))
        return sign | inf | (uint16_t)(1u << (mbits - 1));
    double a = fabs(x);
    if (isinf(a))
        return sign | inf;
    int emin = 1 - bias;
    if (a < ldexp(1.0, emin))   /* subnormal: count units of the last place */
        return sign | (uint16_t)rint(ldexp(a, mbits - emin));
    int e;
    double m = frexp(a, &e);    /* a = m * 2**e, m in [0.5, 1) */
    double q = rint(ldexp(m, mbits + 1));
    int E = e - 1;
    if (q >= ldexp(1.0, mbits + 1)) {
        q = ldexp(1.0, mbits);
        E++;
    }
    if (E > bias)
        return sign | inf;
    return sign | (uint16_t)((E + bias) << mbits) | (uint16_t)((unsigned)q - (1u << mbits));
}

static int
store_int(pyga_Function *self, int i, const ga_param *p, ga_dtype t, PyObject *num, void *dst)
{
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(num, &overflow);
    unsigned long long u = 0;
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow > 0) {
        u = PyLong_AsUnsignedLongLong(num);
        if (u == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            goto range;
        }
        if (t != GA_UINT64)
            goto range;
        memcpy(dst, &u, 8);
        return 0;
    }
    if (overflow < 0)
        goto range;
    /* PTX types say only the width: NVRTC writes `int n` as .u32. */
    if (v < 0 && p && p->type_text[0] == '.')
        t = t == GA_UINT8 ? GA_INT8 : t == GA_UINT16 ? GA_INT16 : t == GA_UINT32 ? GA_INT32
          : t == GA_UINT64 ? GA_INT64 : t;
    switch (t) {
    case GA_BOOL: { unsigned char b = v != 0; memcpy(dst, &b, 1); return 0; }
    case GA_INT8: if (v < INT8_MIN || v > INT8_MAX) goto range; { int8_t x = (int8_t)v; memcpy(dst, &x, 1); } return 0;
    case GA_UINT8: if (v < 0 || v > UINT8_MAX) goto range; { uint8_t x = (uint8_t)v; memcpy(dst, &x, 1); } return 0;
    case GA_INT16: if (v < INT16_MIN || v > INT16_MAX) goto range; { int16_t x = (int16_t)v; memcpy(dst, &x, 2); } return 0;
    case GA_UINT16: if (v < 0 || v > UINT16_MAX) goto range; { uint16_t x = (uint16_t)v; memcpy(dst, &x, 2); } return 0;
    case GA_INT32: if (v < INT32_MIN || v > INT32_MAX) goto range; { int32_t x = (int32_t)v; memcpy(dst, &x, 4); } return 0;
    case GA_UINT32: if (v < 0 || v > (long long)UINT32_MAX) goto range; { uint32_t x = (uint32_t)v; memcpy(dst, &x, 4); } return 0;
    case GA_INT64: { int64_t x = v; memcpy(dst, &x, 8); } return 0;
    case GA_UINT64: if (v < 0) goto range; { uint64_t x = (uint64_t)v; memcpy(dst, &x, 8); } return 0;
    default: break;
    }
    PyErr_SetString(PyExc_SystemError, "store_int: not an integer type");
    return -1;
range: {
        char tt[96];
        pyga_param_type(p, tt, sizeof tt);
        PyObject *r = PyObject_Repr(num);
        const char *rs = r ? PyUnicode_AsUTF8(r) : NULL;
        if (!rs)
            PyErr_Clear();
        arg_error(PyExc_OverflowError, self, i, p, "is %s: %s is out of its range", tt,
                  rs ? rs : "the value");
        Py_XDECREF(r);
        return -1;
    }
}

/* A finite value that would round to infinity in the parameter's type is
 * an OverflowError; NaN and infinities pass as they are. */
static int
float_overflow(pyga_Function *self, int i, const ga_param *p, double d)
{
    char tt[96];
    pyga_param_type(p, tt, sizeof tt);
    return arg_error(PyExc_OverflowError, self, i, p, "is %s: %g is out of its range", tt, d);
}

static int
store_float(pyga_Function *self, int i, const ga_param *p, ga_dtype t, double d, void *dst)
{
    switch (t) {
    case GA_FLOAT16:
    case GA_BFLOAT16: {
        uint16_t h = t == GA_FLOAT16 ? small_float_bits(d, 10, 5) : small_float_bits(d, 7, 8);
        uint16_t inf = t == GA_FLOAT16 ? 0x7c00 : 0x7f80;
        if ((h & 0x7fff) == inf && isfinite(d))
            return float_overflow(self, i, p, d);
        memcpy(dst, &h, 2);
        return 0;
    }
    case GA_FLOAT32: {
        float f = (float)d;
        if (isinf(f) && isfinite(d))
            return float_overflow(self, i, p, d);
        memcpy(dst, &f, 4);
        return 0;
    }
    default:
        memcpy(dst, &d, 8);
        return 0;
    }
}

static int
store_complex(pyga_Function *self, int i, const ga_param *p, ga_dtype t, Py_complex c, void *dst)
{
    if (t == GA_COMPLEX64) {
        if ((isfinite(c.real) && isinf((float)c.real)) ||
            (isfinite(c.imag) && isinf((float)c.imag))) {
            char tt[96];
            pyga_param_type(p, tt, sizeof tt);
            return arg_error(PyExc_OverflowError, self, i, p, "is %s: (%g%+gj) is out of its range",
                             tt, c.real, c.imag);
        }
        float f[2] = {(float)c.real, (float)c.imag};
        memcpy(dst, f, 8);
        return 0;
    }
    double d[2] = {c.real, c.imag};
    memcpy(dst, d, 16);
    return 0;
}

/* A Python bool/int/float/complex (or a subclass that is not a NumPy
 * scalar) into a typed value parameter. */
static int
store_python_number(pyga_Function *self, int i, const ga_param *p, PyObject *o, void *dst)
{
    ga_dtype t = p->dtype;
    switch (dtype_kind(t)) {
    case KIND_BOOL:
    case KIND_INT:
        if (PyLong_Check(o))
            return store_int(self, i, p, t, o, dst);
        break;
    case KIND_FLOAT:
        if (PyFloat_Check(o))
            return store_float(self, i, p, t, PyFloat_AS_DOUBLE(o), dst);
        if (PyLong_Check(o)) {
            double d = PyLong_AsDouble(o);
            if (d == -1.0 && PyErr_Occurred()) {
                PyErr_Clear();
                char tt[96];
                pyga_param_type(p, tt, sizeof tt);
                return arg_error(PyExc_OverflowError, self, i, p,
                                 "is %s: the int is out of its range", tt);
            }
            return store_float(self, i, p, t, d, dst);
        }
        break;
    case KIND_COMPLEX:
        if (PyComplex_Check(o))
            return store_complex(self, i, p, t, PyComplex_AsCComplex(o), dst);
        if (PyFloat_Check(o) || PyLong_Check(o)) {
            Py_complex c = {PyFloat_Check(o) ? PyFloat_AS_DOUBLE(o) : PyLong_AsDouble(o), 0.0};
            if (c.real == -1.0 && PyErr_Occurred()) {
                PyErr_Clear();
                return arg_error(PyExc_OverflowError, self, i, p, "got an int out of range");
            }
            return store_complex(self, i, p, t, c, dst);
        }
        break;
    default:
        break;
    }
    return arg_type_error(self, i, p, o);
}

/* The bytes of NumPy scalar `o` (descriptor `d`) into dst.
 * PyArray_ScalarAsCtype hands back a pointer to the data, not the data,
 * for flexible types (np.void, np.bytes_, np.str_). */
static void
scalar_bytes(PyObject *o, PyArray_Descr *d, void *dst)
{
    if (PyTypeNum_ISEXTENDED(d->type_num)) {
        void *src = NULL;
        PyArray_ScalarAsCtype(o, &src);
        memcpy(dst, src, (size_t)PyDataType_ELSIZE(d));
    } else {
        PyArray_ScalarAsCtype(o, dst);
    }
}

/* A NumPy scalar into a typed value parameter: the same dtype goes by its
 * bytes, the same kind converts with a range check, anything else is an
 * error (a numpy.int32 given to a float is a bug, not a cast). */
static int
store_numpy_scalar(pyga_Function *self, int i, const ga_param *p, PyObject *o, void *dst)
{
    PyArray_Descr *d = PyArray_DescrFromScalar(o);
    if (!d)
        return -1;
    ga_dtype given = pyga_dtype_from_descr(d);
    size_t itemsize = (size_t)PyDataType_ELSIZE(d);
    Py_DECREF(d);
    ga_dtype t = p->dtype;
    if (given == t && itemsize == ga_dtype_size(t)) {
        PyArray_ScalarAsCtype(o, dst);
        return 0;
    }
    int kind = dtype_kind(t);
    if (given == GA_DTYPE_UNKNOWN || dtype_kind(given) != kind)
        return arg_type_error(self, i, p, o);
    switch (kind) {
    case KIND_BOOL:
        return arg_type_error(self, i, p, o);
    case KIND_INT: {
        PyObject *num = PyNumber_Index(o);
        if (!num)
            return -1;
        int r = store_int(self, i, p, t, num, dst);
        Py_DECREF(num);
        return r;
    }
    case KIND_FLOAT: {
        double v = PyFloat_AsDouble(o);
        if (v == -1.0 && PyErr_Occurred())
            return -1;
        return store_float(self, i, p, t, v, dst);
    }
    default: {
        Py_complex c = PyComplex_AsCComplex(o);
        if (c.real == -1.0 && PyErr_Occurred())
            return -1;
        return store_complex(self, i, p, t, c, dst);
    }
    }
}

static int
raw_address(pyga_Function *self, int i, const ga_param *p, PyObject *o, uint64_t *out)
{
    PyObject *num = PyNumber_Index(o);
    if (!num)
        return -1;
    unsigned long long u = PyLong_AsUnsignedLongLong(num);
    Py_DECREF(num);
    if (u == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        return arg_error(PyExc_OverflowError, self, i, p,
                         "is a pointer but got an int that is not a 64-bit address");
    }
    *out = u;
    return 1;
}

/* Device address of a pointer-like argument: 1 = found, 0 = not a
 * pointer-like object (nothing raised), -1 = error. `p` is NULL when the
 * parameters are unknown (no dtype check then). */
static int
pointer_of(pyga_Function *self, int i, const ga_param *p, PyObject *o, ga_device *dev,
           uint64_t *out)
{
    int check = p && p->kind == GA_PARAM_POINTER && p->dtype != GA_DTYPE_VOID &&
                p->dtype != GA_DTYPE_UNKNOWN;
    if (PyObject_TypeCheck(o, pyga.ndarray)) {
        pyga_ndarray *a = (pyga_ndarray *)o;
        if (a->device && dev && a->device != dev)
            return arg_error(PyExc_ValueError, self, i, p,
                             "is an array on device %d but the kernel runs on device %d",
                             ga_device_ordinal(a->device), ga_device_ordinal(dev));
        if (check && a->gdtype != p->dtype)
            return arg_type_error(self, i, p, o);
        *out = a->ptr;
        return 1;
    }
    if (o == Py_None) {
        *out = 0;
        return 1;
    }
    if (PyArray_Check(o)) {
        char tt[96];
        if (p) {
            pyga_param_type(p, tt, sizeof tt);
            return arg_error(PyExc_TypeError, self, i, p,
                             "is %s: host NumPy array passed to a device pointer parameter; "
                             "use gpuarray.asarray", tt);
        }
        return arg_error(PyExc_TypeError, self, i, p,
                         "is a host NumPy array: host NumPy array passed to a device pointer "
                         "parameter; use gpuarray.asarray");
    }
    if (pyga.Memory && PyObject_TypeCheck(o, pyga.Memory)) {
        *out = ((pyga_Memory *)o)->ptr;
        return 1;
    }
    if (pyga.MemoryPointer && PyObject_TypeCheck(o, pyga.MemoryPointer)) {
        /* Its layout belongs to memory.c; its `ptr` is the public way in. */
        PyObject *v = PyObject_GetAttrString(o, "ptr");
        if (!v)
            return -1;
        unsigned long long u = PyLong_AsUnsignedLongLong(v);
        Py_DECREF(v);
        if (u == (unsigned long long)-1 && PyErr_Occurred())
            return -1;
        *out = u;
        return 1;
    }
    if (PyLong_Check(o) && !PyBool_Check(o))
        return raw_address(self, i, p, o, out);
    /* CuPy arrays, PyTorch tensors, Numba device arrays... */
    PyObject *cai = PyObject_GetAttrString(o, "__cuda_array_interface__");
    if (!cai) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        /* Objects that are addresses (the pointer get_global returns). */
        if (!PyBool_Check(o) && !PyFloat_Check(o) && !PyArray_IsScalar(o, Generic) &&
            PyIndex_Check(o))
            return raw_address(self, i, p, o, out);
        return 0;
    }
    int rc = -1;
    PyObject *data = PyDict_Check(cai) ? PyDict_GetItemString(cai, "data") : NULL;
    PyObject *typestr = PyDict_Check(cai) ? PyDict_GetItemString(cai, "typestr") : NULL;
    if (!data || !PyTuple_Check(data) || PyTuple_GET_SIZE(data) < 1 || !typestr) {
        arg_error(PyExc_TypeError, self, i, p, "got a malformed __cuda_array_interface__");
        goto done;
    }
    unsigned long long u = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(data, 0));
    if (u == (unsigned long long)-1 && PyErr_Occurred())
        goto done;
    if (check) {
        PyArray_Descr *d = NULL;
        if (!PyArray_DescrConverter(typestr, &d))
            goto done;
        ga_dtype given = pyga_dtype_from_descr(d);
        Py_DECREF(d);
        if (given != p->dtype) {
            char tt[96];
            pyga_param_type(p, tt, sizeof tt);
            PyObject *ts = PyObject_Str(typestr);
            const char *s = ts ? PyUnicode_AsUTF8(ts) : NULL;
            if (!s)
                PyErr_Clear();
            arg_error(PyExc_TypeError, self, i, p,
                      "is %s but got a %.100s with typestr '%s'", tt, Py_TYPE(o)->tp_name,
                      s ? s : "?");
            Py_XDECREF(ts);
            goto done;
        }
    }
    *out = u;
    rc = 1;
done:
    Py_DECREF(cai);
    return rc;
}

/* An 8-byte value parameter learnt from PTX (".u64": NVRTC writes every
 * pointer so) or from the driver's layout (type unknown) may be a pointer. */
static int
maybe_pointer_param(const ga_param *p)
{
    return p->size == 8 && (p->type_text[0] == '.' || p->type_text[0] == '\0') &&
           (p->dtype == GA_DTYPE_UNKNOWN || p->dtype == GA_INT64 || p->dtype == GA_UINT64);
}

/* A value parameter of a type gpuarray cannot name (a struct, or anything
 * from a cubin). NumPy scalars (structured np.void too) go by their bytes
 * when their size is the parameter's; with no declared type at all (cubin)
 * Python numbers go by the size: 1/2/4/8-byte ints, 4/8-byte floats. */
static int
store_unknown(pyga_Function *self, int i, const ga_param *p, PyObject *o, ga_device *dev,
              void *dst, size_t cap, size_t *size)
{
    if (PyArray_IsScalar(o, Generic)) {
        PyArray_Descr *d = PyArray_DescrFromScalar(o);
        if (!d)
            return -1;
        size_t itemsize = (size_t)PyDataType_ELSIZE(d);
        if ((p->size && itemsize != p->size) || itemsize > cap || itemsize == 0) {
            char tt[96];
            pyga_param_type(p, tt, sizeof tt);
            Py_DECREF(d);
            return arg_error(PyExc_TypeError, self, i, p,
                             "needs %zu bytes (%s) but got a %s scalar of %zu bytes", p->size, tt,
                             Py_TYPE(o)->tp_name, itemsize);
        }
        scalar_bytes(o, d, dst);
        Py_DECREF(d);
        *size = itemsize;
        return 0;
    }
    if (maybe_pointer_param(p)) {
        uint64_t ptr;
        int r = pointer_of(self, i, NULL, o, dev, &ptr);
        if (r < 0)
            return -1;
        if (r > 0) {
            memcpy(dst, &ptr, 8);
            *size = 8;
            return 0;
        }
    }
    if (p->type_text[0] == '\0' && !PyArray_IsScalar(o, Generic)) {
        ga_dtype t = GA_DTYPE_UNKNOWN;
        if (PyLong_Check(o))
            t = p->size == 1 ? GA_INT8 : p->size == 2 ? GA_INT16 : p->size == 4 ? GA_INT32
              : p->size == 8 ? GA_INT64 : GA_DTYPE_UNKNOWN;
        else if (PyFloat_Check(o))
            t = p->size == 4 ? GA_FLOAT32 : p->size == 8 ? GA_FLOAT64 : GA_DTYPE_UNKNOWN;
        if (t != GA_DTYPE_UNKNOWN) {
            *size = p->size;
            if (dtype_kind(t) == KIND_FLOAT)
                return store_float(self, i, p, t, PyFloat_AS_DOUBLE(o), dst);
            /* Accept the unsigned range too: the C type may be unsigned. */
            ga_dtype ut = t == GA_INT8 ? GA_UINT8 : t == GA_INT16 ? GA_UINT16
                        : t == GA_INT32 ? GA_UINT32 : GA_UINT64;
            int ov = 0;
            long long v = PyLong_AsLongLongAndOverflow(o, &ov);
            if (v == -1 && PyErr_Occurred())
                return -1;
            return store_int(self, i, p, (ov == 0 && v < 0) ? t : ut, o, dst);
        }
    }
    char tt[96], g[160];
    pyga_param_type(p, tt, sizeof tt);
    describe(o, g, sizeof g);
    if (p->size)
        return arg_error(PyExc_TypeError, self, i, p,
                         "is %s (a type gpuarray cannot convert to) but got %s; pass a NumPy "
                         "scalar of %zu bytes (a structured np.void for a struct)", tt, g,
                         p->size);
    return arg_error(PyExc_TypeError, self, i, p,
                     "is %s (a type gpuarray cannot convert to) but got %s; pass a NumPy "
                     "scalar of its size (a structured np.void for a struct)", tt, g);
}

/* The NumPy scalar type whose bytes are exactly a `t`, for a fast path
 * that needs no descriptor lookup. */
static PyTypeObject *
numpy_scalar_type(ga_dtype t)
{
    switch (t) {
    case GA_BOOL: return &PyBoolArrType_Type;
    case GA_INT8: return &PyByteArrType_Type;
    case GA_UINT8: return &PyUByteArrType_Type;
    case GA_INT16: return &PyShortArrType_Type;
    case GA_UINT16: return &PyUShortArrType_Type;
    case GA_INT32: return &PyIntArrType_Type;
    case GA_UINT32: return &PyUIntArrType_Type;
    case GA_INT64: return sizeof(long) == 8 ? &PyLongArrType_Type : &PyLongLongArrType_Type;
    case GA_UINT64: return sizeof(long) == 8 ? &PyULongArrType_Type : &PyULongLongArrType_Type;
    case GA_FLOAT16: return &PyHalfArrType_Type;
    case GA_FLOAT32: return &PyFloatArrType_Type;
    case GA_FLOAT64: return &PyDoubleArrType_Type;
    case GA_COMPLEX64: return &PyCFloatArrType_Type;
    case GA_COMPLEX128: return &PyCDoubleArrType_Type;
    default: return NULL;
    }
}

/* The value of a scalar whose type numpy_scalar_type(t) matched. */
static void
numeric_scalar_bytes(PyObject *o, ga_dtype t, void *dst)
{
    switch (t) {
    case GA_BOOL: memcpy(dst, &PyArrayScalar_VAL(o, Bool), 1); break;
    case GA_INT8: memcpy(dst, &PyArrayScalar_VAL(o, Byte), 1); break;
    case GA_UINT8: memcpy(dst, &PyArrayScalar_VAL(o, UByte), 1); break;
    case GA_INT16: memcpy(dst, &PyArrayScalar_VAL(o, Short), 2); break;
    case GA_UINT16: memcpy(dst, &PyArrayScalar_VAL(o, UShort), 2); break;
    case GA_INT32: memcpy(dst, &PyArrayScalar_VAL(o, Int), 4); break;
    case GA_UINT32: memcpy(dst, &PyArrayScalar_VAL(o, UInt), 4); break;
    case GA_INT64:
        if (sizeof(long) == 8)
            memcpy(dst, &PyArrayScalar_VAL(o, Long), 8);
        else
            memcpy(dst, &PyArrayScalar_VAL(o, LongLong), 8);
        break;
    case GA_UINT64:
        if (sizeof(long) == 8)
            memcpy(dst, &PyArrayScalar_VAL(o, ULong), 8);
        else
            memcpy(dst, &PyArrayScalar_VAL(o, ULongLong), 8);
        break;
    case GA_FLOAT16: memcpy(dst, &PyArrayScalar_VAL(o, Half), 2); break;
    case GA_FLOAT32: memcpy(dst, &PyArrayScalar_VAL(o, Float), 4); break;
    case GA_FLOAT64: memcpy(dst, &PyArrayScalar_VAL(o, Double), 8); break;
    case GA_COMPLEX64: memcpy(dst, &PyArrayScalar_VAL(o, CFloat), 8); break;
    case GA_COMPLEX128: memcpy(dst, &PyArrayScalar_VAL(o, CDouble), 16); break;
    default: break;
    }
}

int
pyga_store_param(pyga_Function *self, int i, const ga_param *p, PyObject *o, ga_device *dev,
                 void *dst, size_t cap, size_t *size)
{
    if (p->kind == GA_PARAM_POINTER) {
        uint64_t ptr;
        int r = pointer_of(self, i, p, o, dev, &ptr);
        if (r < 0)
            return -1;
        if (r == 0)
            return arg_type_error(self, i, p, o);
        memcpy(dst, &ptr, 8);
        *size = 8;
        return 0;
    }
    if (p->dtype == GA_DTYPE_UNKNOWN || p->dtype == GA_DTYPE_VOID)
        return store_unknown(self, i, p, o, dev, dst, cap, size);
    *size = ga_dtype_size(p->dtype);
    if (*size > cap) {
        PyErr_Format(PyExc_ValueError, "%s(): arguments exceed %d bytes", pyga_function_cname(self),
                     PYGA_ARGBUF_BYTES);
        return -1;
    }
    /* The common cases first, by exact type. */
    if (PyFloat_CheckExact(o) || PyLong_CheckExact(o) || PyBool_Check(o) ||
        PyComplex_CheckExact(o))
        return store_python_number(self, i, p, o, dst);
    if (Py_IS_TYPE(o, numpy_scalar_type(p->dtype))) {
        numeric_scalar_bytes(o, p->dtype, dst);
        return 0;
    }
    if (PyArray_IsScalar(o, Generic))
        return store_numpy_scalar(self, i, p, o, dst);
    if (PyFloat_Check(o) || PyLong_Check(o) || PyComplex_Check(o))
        return store_python_number(self, i, p, o, dst);
    if (maybe_pointer_param(p)) {
        uint64_t ptr;
        int r = pointer_of(self, i, NULL, o, dev, &ptr);
        if (r < 0)
            return -1;
        if (r > 0) {
            memcpy(dst, &ptr, 8);
            return 0;
        }
    }
    return arg_type_error(self, i, p, o);
}

int
pyga_store_blind(pyga_Function *self, int i, PyObject *o, ga_device *dev, void *dst, size_t cap,
                 size_t *size)
{
    if (PyBool_Check(o)) {
        unsigned char b = o == Py_True;
        memcpy(dst, &b, 1);
        *size = 1;
        return 0;
    }
    if (PyArray_IsScalar(o, Generic)) {
        PyArray_Descr *d = PyArray_DescrFromScalar(o);
        if (!d)
            return -1;
        size_t itemsize = (size_t)PyDataType_ELSIZE(d);
        if (itemsize == 0 || itemsize > cap) {
            Py_DECREF(d);
            return arg_error(PyExc_TypeError, self, i, NULL, "is a NumPy scalar of %zu bytes",
                             itemsize);
        }
        scalar_bytes(o, d, dst);
        Py_DECREF(d);
        *size = itemsize;
        return 0;
    }
    if (PyLong_Check(o)) {
        int ov = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &ov);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (ov)
            return arg_error(PyExc_OverflowError, self, i, NULL, "does not fit in 64 bits");
        memcpy(dst, &v, 8);
        *size = 8;
        return 0;
    }
    if (PyFloat_Check(o)) {
        double d = PyFloat_AS_DOUBLE(o);
        memcpy(dst, &d, 8);
        *size = 8;
        return 0;
    }
    if (PyComplex_Check(o)) {
        Py_complex c = PyComplex_AsCComplex(o);
        double d[2] = {c.real, c.imag};
        memcpy(dst, d, 16);
        *size = 16;
        return 0;
    }
    uint64_t ptr;
    int r = pointer_of(self, i, NULL, o, dev, &ptr);
    if (r < 0)
        return -1;
    if (r == 0) {
        char g[160];
        describe(o, g, sizeof g);
        return arg_error(PyExc_TypeError, self, i, NULL, "has an unsupported type: %s", g);
    }
    memcpy(dst, &ptr, 8);
    *size = 8;
    return 0;
}
