/* operators.c - ndarray's binary operators (x + y, x * 2.0, x < y, x += y...)
 * as C slots, so that the common case costs what CuPy's or PyTorch's
 * does in C: a table look-up, the output's allocation and one launch.
 *
 * The common case is two C-contiguous arrays of the same shape and
 * strides, or a C-contiguous array with a Python int or float. Its kernel
 * is the one the general path (gpuarray/_ufuncs.py) generated, compiled
 * and launched for the same dtypes: that path registers it here with
 * _register_operator_kernel() after a launch of that shape succeeded, so
 * this file never decides types or writes kernels. Everything else (a
 * first use, broadcasting, views, NumPy scalars, a Python int out of the
 * loop type's range, errors) goes to the Python operator functions that
 * _set_operator_fallbacks() installs, which say what NumPy would.
 *
 * Why in C: a Python-level __add__ costs about 1 us of interpreter time
 * per call on top of the launch; this path costs about 0.1 us. */
#include "pyga_internal.h"

#include <math.h>

enum {
    OP_ADD, OP_SUB, OP_MUL, OP_TRUEDIV, OP_FLOORDIV, OP_MOD, OP_POW,
    OP_AND, OP_OR, OP_XOR, OP_LSHIFT, OP_RSHIFT,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_COUNT
};

/* The NumPy ufunc behind each operator (how Python registers kernels) and
 * the operator's name (how Python installs the fallbacks). */
static const char *const op_ufunc[OP_COUNT] = {
    "add", "subtract", "multiply", "true_divide", "floor_divide", "remainder", "power",
    "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
};
static const char *const op_name[OP_COUNT] = {
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor", "lshift",
    "rshift", "eq", "ne", "lt", "le", "gt", "ge",
};

/* Must match gpuarray/_elementwise.py: the dense kernels' block size and
 * grid cap (a grid-stride loop covers the rest). */
#define FAST_BLOCK 256u
#define FAST_MAX_BLOCKS (1u << 18)

/* A Python scalar operand: only int and float (bool, complex and NumPy
 * scalars take the Python path). */
enum { SCALAR_INT, SCALAR_FLOAT, SCALAR_KINDS };

typedef struct op_kernel {
    PyObject *kernel;            /* a Function (RawKernel): out, operands, long long n */
    PyArray_Descr *out_descr;    /* the result's dtype */
    ga_dtype out_dtype;
    ga_dtype scalar_dtype;       /* the scalar parameter's type (array-scalar forms) */
    unsigned per_block;          /* elements per block of the dense kernel */
} op_kernel;

/* Array-array by both dtypes; array-scalar and scalar-array by the array's
 * dtype and the scalar's kind. An entry with kernel == NULL is unknown. */
static op_kernel table_aa[OP_COUNT][GA_DTYPE_COUNT][GA_DTYPE_COUNT];
static op_kernel table_as[OP_COUNT][GA_DTYPE_COUNT][SCALAR_KINDS];
static op_kernel table_sa[OP_COUNT][GA_DTYPE_COUNT][SCALAR_KINDS];

/* Python functions for everything the tables do not cover:
 * fallback[op][0] is x op y, [1] the reflected y op x (called with x
 * first), [2] x op= y. */
static PyObject *fallback[OP_COUNT][3];

#define ARR(o) ((pyga_ndarray *)(o))

/* --------------------------------------------------------- scalar values */

/* A kernel parameter holding one scalar, in the parameter's own type. */
typedef union scalar_param {
    int8_t i8; uint8_t u8; int16_t i16; uint16_t u16; int32_t i32; uint32_t u32;
    int64_t i64; uint64_t u64; float f32; double f64;
} scalar_param;

static int scalar_kind(PyObject *o)
{
    if (Py_IS_TYPE(o, &PyFloat_Type))
        return SCALAR_FLOAT;
    if (Py_IS_TYPE(o, &PyLong_Type))     /* not bool: a subclass of int */
        return SCALAR_INT;
    return -1;
}

/* `o` (a Python int or float) as a value of `dt`, the way NumPy converts a
 * weak scalar. Returns 1 when done, 0 when the Python path must decide (an
 * int out of range is NumPy's OverflowError there, a float overflowing
 * float32 its warning), -1 on error. */
static int scalar_value(PyObject *o, ga_dtype dt, scalar_param *p)
{
    double d;
    if (Py_IS_TYPE(o, &PyFloat_Type)) {
        d = PyFloat_AS_DOUBLE(o);
        if (dt == GA_FLOAT64) {
            p->f64 = d;
            return 1;
        }
        if (dt == GA_FLOAT32) {
            p->f32 = (float)d;
            return isfinite(p->f32) || !isfinite(d);
        }
        return 0;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow)
        return 0;
    switch (dt) {
    case GA_INT8:   if (v < INT8_MIN || v > INT8_MAX) return 0; p->i8 = (int8_t)v; return 1;
    case GA_UINT8:  if (v < 0 || v > UINT8_MAX) return 0; p->u8 = (uint8_t)v; return 1;
    case GA_INT16:  if (v < INT16_MIN || v > INT16_MAX) return 0; p->i16 = (int16_t)v; return 1;
    case GA_UINT16: if (v < 0 || v > UINT16_MAX) return 0; p->u16 = (uint16_t)v; return 1;
    case GA_INT32:  if (v < INT32_MIN || v > INT32_MAX) return 0; p->i32 = (int32_t)v; return 1;
    case GA_UINT32: if (v < 0 || v > UINT32_MAX) return 0; p->u32 = (uint32_t)v; return 1;
    case GA_INT64:  p->i64 = v; return 1;
    case GA_UINT64: if (v < 0) return 0; p->u64 = (uint64_t)v; return 1;
    case GA_FLOAT32:
    case GA_FLOAT64:
        /* exact in a double, so that the one rounding is NumPy's */
        if (v > (1LL << 53) || v < -(1LL << 53))
            return 0;
        if (dt == GA_FLOAT64)
            p->f64 = (double)v;
        else
            p->f32 = (float)v;
        return 1;
    default:
        return 0;
    }
}

static int scalar_dtype_supported(ga_dtype dt)
{
    switch (dt) {
    case GA_INT8: case GA_UINT8: case GA_INT16: case GA_UINT16: case GA_INT32: case GA_UINT32:
    case GA_INT64: case GA_UINT64: case GA_FLOAT32: case GA_FLOAT64:
        return 1;
    default:
        return 0;
    }
}

/* ----------------------------------------------------------- the launches */

/* Launch `k` over n elements with params (out, x, y, &n). Returns 0 or -1,
 * or 1 when the launch is not this path's to make (the kernel runs on the
 * stream's device, which is not the arrays'). */
static int launch(const op_kernel *k, Py_ssize_t n, ga_device *dev, void *out_ptr, void *x,
                  void *y)
{
    long long count = (long long)n;
    unsigned long long blocks = ((unsigned long long)n + k->per_block - 1) / k->per_block;
    unsigned grid = blocks < FAST_MAX_BLOCKS ? (unsigned)blocks : FAST_MAX_BLOCKS;
    void *params[5] = {out_ptr, x, y, &count, NULL};
    return pyga_function_launch_packed(k->kernel, dev, grid, FAST_BLOCK, params);
}

/* The operands of a same-geometry array-array launch. */
static int same_geometry(const pyga_ndarray *a, const pyga_ndarray *b)
{
    if (a->ndim != b->ndim || !a->c_contiguous || !b->c_contiguous || a->device != b->device)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    return 1;
}

/* Sentinel: the fast path does not apply (no exception set). */
#define NOT_FAST ((PyObject *)&fallback)

/* What a fast launch needs besides x: the kernel, the device, and the
 * launch argument carrying y (its pointer, or its value in the loop type). */
typedef struct fast_operand {
    const op_kernel *k;
    ga_device *dev;
    void *arg;                   /* &ptr or &scalar */
    ga_devptr ptr;
    scalar_param scalar;
} fast_operand;

/* Fill *o for x op y (reflected: y op x, x still the array). 1 when the
 * fast path applies, 0 when it does not, -1 with an exception. */
static int fast_operands(int op, pyga_ndarray *x, PyObject *y, int reflected, fast_operand *o)
{
    if (!x->c_contiguous || x->gdtype >= GA_DTYPE_COUNT)
        return 0;
    if (Py_IS_TYPE(y, pyga.ndarray)) {
        pyga_ndarray *b = ARR(y);
        if (b->gdtype >= GA_DTYPE_COUNT || !same_geometry(x, b))
            return 0;
        /* the array-array table is by (left dtype, right dtype) */
        o->k = reflected ? &table_aa[op][b->gdtype][x->gdtype] : &table_aa[op][x->gdtype][b->gdtype];
        if (!o->k->kernel)
            return 0;
        o->ptr = b->ptr;
        o->arg = &o->ptr;
    } else {
        int kind = scalar_kind(y);
        if (kind < 0)
            return 0;
        o->k = reflected ? &table_sa[op][x->gdtype][kind] : &table_as[op][x->gdtype][kind];
        if (!o->k->kernel)
            return 0;
        int r = scalar_value(y, o->k->scalar_dtype, &o->scalar);
        if (r <= 0)
            return r;
        o->arg = &o->scalar;
    }
    if (!(o->dev = pyga_current_device()))
        return -1;
    return x->device == o->dev;
}

/* x op y, or (reflected) y op x with x the array: a new array, NULL with
 * an exception, or NOT_FAST. */
static PyObject *fast_binary(int op, pyga_ndarray *x, PyObject *y, int reflected)
{
    fast_operand o;
    int r = fast_operands(op, x, y, reflected, &o);
    if (r <= 0)
        return r < 0 ? NULL : NOT_FAST;
    PyObject *out = pyga_ndarray_empty(x->ndim, x->shape, o.k->out_descr, 0);
    if (!out || x->size == 0)
        return out;
    ga_devptr optr = ARR(out)->ptr, xptr = x->ptr;
    r = reflected ? launch(o.k, x->size, o.dev, &optr, o.arg, &xptr)
                  : launch(o.k, x->size, o.dev, &optr, &xptr, o.arg);
    if (r == 0)
        return out;
    Py_DECREF(out);
    return r < 0 ? NULL : NOT_FAST;
}

/* x op= y when the result has x's dtype and y cannot overlap x other than
 * being x itself: x, NULL with an exception, or NOT_FAST. */
static PyObject *fast_inplace(int op, pyga_ndarray *x, PyObject *y)
{
    if (Py_IS_TYPE(y, pyga.ndarray) && ARR(y)->ptr != x->ptr) {
        ga_devptr b = ARR(y)->ptr;
        size_t nbytes = (size_t)x->size * (size_t)PyDataType_ELSIZE(x->descr);
        ga_devptr lo = x->ptr < b ? x->ptr : b, hi = x->ptr < b ? b : x->ptr;
        if (hi - lo < nbytes)
            return NOT_FAST;      /* overlapping: the Python path copies y first */
    }
    fast_operand o;
    int r = fast_operands(op, x, y, 0, &o);
    if (r <= 0)
        return r < 0 ? NULL : NOT_FAST;
    if (o.k->out_dtype != x->gdtype)
        return NOT_FAST;
    if (x->size) {
        ga_devptr xptr = x->ptr;
        r = launch(o.k, x->size, o.dev, &xptr, &xptr, o.arg);
        if (r != 0)
            return r < 0 ? NULL : NOT_FAST;
    }
    return Py_NewRef(x);
}

/* ------------------------------------------------------------ the slots */

static PyObject *call_fallback(int op, int form, PyObject *x, PyObject *y)
{
    PyObject *f = fallback[op][form];
    if (!f)
        Py_RETURN_NOTIMPLEMENTED;
    PyObject *args[2] = {x, y};
    return PyObject_Vectorcall(f, args, 2, NULL);
}

/* The binary slot: Python calls it for `l op r` when either is an ndarray
 * (its subclasses included). */
static PyObject *binary(int op, PyObject *l, PyObject *r)
{
    if (PyObject_TypeCheck(l, pyga.ndarray)) {
        if (Py_IS_TYPE(l, pyga.ndarray)) {
            PyObject *res = fast_binary(op, ARR(l), r, 0);
            if (res != NOT_FAST)
                return res;
        }
        return call_fallback(op, 0, l, r);
    }
    if (PyObject_TypeCheck(r, pyga.ndarray)) {
        if (Py_IS_TYPE(r, pyga.ndarray)) {
            PyObject *res = fast_binary(op, ARR(r), l, 1);
            if (res != NOT_FAST)
                return res;
        }
        return call_fallback(op, 1, r, l);
    }
    Py_RETURN_NOTIMPLEMENTED;
}

static PyObject *inplace(int op, PyObject *x, PyObject *y)
{
    if (Py_IS_TYPE(x, pyga.ndarray)) {
        PyObject *res = fast_inplace(op, ARR(x), y);
        if (res != NOT_FAST)
            return res;
    }
    return call_fallback(op, 2, x, y);
}

#define BINARY_SLOTS(fn, OP) \
    PyObject *pyga_nb_##fn(PyObject *l, PyObject *r) { return binary(OP, l, r); } \
    PyObject *pyga_nb_inplace_##fn(PyObject *x, PyObject *y) { return inplace(OP, x, y); }

BINARY_SLOTS(add, OP_ADD)
BINARY_SLOTS(subtract, OP_SUB)
BINARY_SLOTS(multiply, OP_MUL)
BINARY_SLOTS(true_divide, OP_TRUEDIV)
BINARY_SLOTS(floor_divide, OP_FLOORDIV)
BINARY_SLOTS(remainder, OP_MOD)
BINARY_SLOTS(and, OP_AND)
BINARY_SLOTS(or, OP_OR)
BINARY_SLOTS(xor, OP_XOR)
BINARY_SLOTS(lshift, OP_LSHIFT)
BINARY_SLOTS(rshift, OP_RSHIFT)

/* pow(x, y, z) with a modulus is not an array operation (NumPy: TypeError
 * via NotImplemented). */
PyObject *pyga_nb_power(PyObject *l, PyObject *r, PyObject *mod)
{
    if (mod != Py_None)
        Py_RETURN_NOTIMPLEMENTED;
    return binary(OP_POW, l, r);
}

PyObject *pyga_nb_inplace_power(PyObject *x, PyObject *y, PyObject *mod)
{
    if (mod != Py_None)
        Py_RETURN_NOTIMPLEMENTED;
    return inplace(OP_POW, x, y);
}

/* Comparisons: Python calls the ndarray's slot with the array first,
 * reflecting the operator itself (2 < x is x > 2). */
PyObject *pyga_tp_richcompare(PyObject *x, PyObject *y, int cmp)
{
    static const int ops[6] = {
        [Py_LT] = OP_LT, [Py_LE] = OP_LE, [Py_EQ] = OP_EQ,
        [Py_NE] = OP_NE, [Py_GT] = OP_GT, [Py_GE] = OP_GE,
    };
    int op = ops[cmp];
    if (Py_IS_TYPE(x, pyga.ndarray)) {
        PyObject *res = fast_binary(op, ARR(x), y, 0);
        if (res != NOT_FAST)
            return res;
    }
    return call_fallback(op, 0, x, y);
}

/* ------------------------------------------------------ Python interface */

static int op_index(PyObject *name, const char *const *names)
{
    const char *s = PyUnicode_AsUTF8(name);
    if (!s)
        return -1;
    for (int i = 0; i < OP_COUNT; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    PyErr_Format(PyExc_ValueError, "no ndarray operator is named %R", name);
    return -1;
}

/* A dtype argument as a ga_dtype; GA_DTYPE_UNKNOWN for one gpuarray does
 * not know (not an error: such an operand just has no fast path). */
static int dtype_arg(PyObject *o, ga_dtype *dt)
{
    PyArray_Descr *d = NULL;
    if (!PyArray_DescrConverter(o, &d))
        return -1;
    *dt = pyga_dtype_from_descr(d);
    Py_DECREF(d);
    return 0;
}

static PyObject *set_operator_fallbacks(PyObject *m, PyObject *table)
{
    if (!PyDict_Check(table)) {
        PyErr_SetString(PyExc_TypeError, "_set_operator_fallbacks: expected a dict");
        return NULL;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(table, &pos, &key, &value)) {
        int op = op_index(key, op_name);
        if (op < 0)
            return NULL;
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 3) {
            PyErr_Format(PyExc_TypeError, "_set_operator_fallbacks: %R: expected (op, rop, iop)",
                         key);
            return NULL;
        }
        for (int form = 0; form < 3; form++) {
            PyObject *f = PyTuple_GET_ITEM(value, form);
            Py_XSETREF(fallback[op][form], f == Py_None ? NULL : Py_NewRef(f));
        }
    }
    Py_RETURN_NONE;
}

static PyObject *register_operator_kernel(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError,
                        "_register_operator_kernel(ufunc_name, form, left, right, kernel, "
                        "out_dtype, per_block) takes 7 arguments");
        return NULL;
    }
    int op = op_index(args[0], op_ufunc);
    if (op < 0) {
        PyErr_Clear();            /* a ufunc without an operator: nothing to do */
        Py_RETURN_FALSE;
    }
    const char *form = PyUnicode_AsUTF8(args[1]);
    if (!form)
        return NULL;
    if (!PyObject_TypeCheck(args[4], pyga.Function)) {
        PyErr_SetString(PyExc_TypeError, "_register_operator_kernel: kernel must be a Function");
        return NULL;
    }
    long per_block = PyLong_AsLong(args[6]);
    if (per_block == -1 && PyErr_Occurred())
        return NULL;
    if (per_block <= 0 || per_block > (1L << 20)) {
        PyErr_SetString(PyExc_ValueError, "_register_operator_kernel: bad per_block");
        return NULL;
    }
    PyArray_Descr *out_descr = NULL;
    if (!PyArray_DescrConverter(args[5], &out_descr))
        return NULL;
    op_kernel entry = {.kernel = args[4], .out_descr = out_descr,
                       .out_dtype = pyga_dtype_from_descr(out_descr),
                       .per_block = (unsigned)per_block};
    op_kernel *slot = NULL;

    /* form "aa": left and right are the dtypes; "as"/"sa": the array's
     * dtype and (the scalar's type, its loop dtype). */
    if (strcmp(form, "aa") == 0) {
        ga_dtype a, b;
        if (dtype_arg(args[2], &a) < 0 || dtype_arg(args[3], &b) < 0)
            goto fail;
        if (a != GA_DTYPE_UNKNOWN && b != GA_DTYPE_UNKNOWN)
            slot = &table_aa[op][a][b];
    } else if (strcmp(form, "as") == 0 || strcmp(form, "sa") == 0) {
        int as = form[0] == 'a';
        PyObject *arr = as ? args[2] : args[3], *sc = as ? args[3] : args[2];
        ga_dtype a, st;
        if (!PyTuple_Check(sc) || PyTuple_GET_SIZE(sc) != 2) {
            PyErr_SetString(PyExc_TypeError,
                            "_register_operator_kernel: the scalar is (type, loop dtype)");
            goto fail;
        }
        PyObject *type = PyTuple_GET_ITEM(sc, 0);
        int kind = type == (PyObject *)&PyFloat_Type ? SCALAR_FLOAT
                 : type == (PyObject *)&PyLong_Type ? SCALAR_INT : -1;
        if (dtype_arg(arr, &a) < 0 || dtype_arg(PyTuple_GET_ITEM(sc, 1), &st) < 0)
            goto fail;
        entry.scalar_dtype = st;
        if (kind >= 0 && a != GA_DTYPE_UNKNOWN && scalar_dtype_supported(st))
            slot = as ? &table_as[op][a][kind] : &table_sa[op][a][kind];
    } else {
        PyErr_Format(PyExc_ValueError, "_register_operator_kernel: unknown form %R", args[1]);
        goto fail;
    }
    if (!slot || entry.out_dtype == GA_DTYPE_UNKNOWN) {
        Py_DECREF(out_descr);
        Py_RETURN_FALSE;
    }
    Py_XDECREF(slot->kernel);
    Py_XDECREF(slot->out_descr);
    Py_INCREF(entry.kernel);
    *slot = entry;                 /* takes the descr's reference */
    Py_RETURN_TRUE;

fail:
    Py_DECREF(out_descr);
    return NULL;
}

static PyObject *clear_operator_kernels(PyObject *m, PyObject *unused)
{
    op_kernel *tables[3] = {&table_aa[0][0][0], &table_as[0][0][0], &table_sa[0][0][0]};
    size_t counts[3] = {sizeof table_aa / sizeof(op_kernel), sizeof table_as / sizeof(op_kernel),
                        sizeof table_sa / sizeof(op_kernel)};
    for (int t = 0; t < 3; t++) {
        for (size_t i = 0; i < counts[t]; i++) {
            op_kernel *e = &tables[t][i];
            PyObject *k = e->kernel;
            PyObject *d = (PyObject *)e->out_descr;
            memset(e, 0, sizeof *e);
            Py_XDECREF(k);
            Py_XDECREF(d);
        }
    }
    Py_RETURN_NONE;
}

static PyMethodDef operator_functions[] = {
    {"_set_operator_fallbacks", set_operator_fallbacks, METH_O,
     "_set_operator_fallbacks({name: (op, rop, iop)})\n--\n\n"
     "The Python functions ndarray's operators call where the C fast path does not apply."},
    {"_register_operator_kernel", (PyCFunction)(void (*)(void))register_operator_kernel,
     METH_FASTCALL,
     "_register_operator_kernel(ufunc_name, form, left, right, kernel, out_dtype, per_block)\n--\n\n"
     "Record the dense kernel of an operator for the C fast path. form 'aa': left and right\n"
     "are dtypes; 'as'/'sa': the array's dtype and (scalar type, loop dtype). Returns whether\n"
     "the fast path can use it."},
    {"_clear_operator_kernels", clear_operator_kernels, METH_NOARGS,
     "_clear_operator_kernels()\n--\n\nForget every registered operator kernel."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_operators(PyObject *m)
{
    return PyModule_AddFunctions(m, operator_functions);
}
