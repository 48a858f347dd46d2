/* kernel.c - gpuarray._core's Program, Module and Function: compiling, loading, and launching fast. */
#include "pyga.h"
#include "structmember.h"
#include <numpy/arrayscalars.h>

#include <math.h>
#include <float.h>
#include <stdarg.h>
#include <string.h>

/* The argument buffer: CUDA caps a kernel's parameters at 4 KiB (32 KiB on
 * recent drivers, but 4 KiB is what every device takes), and each value gets
 * an aligned slot of at least 8 bytes, so 512 slots are the most that fit. */
#define PYGA_ARGBUF_BYTES 4096
#define PYGA_MAX_ARGS (PYGA_ARGBUF_BYTES / 8)

/* NumPy 1.x headers lack the 2.x accessor. */
#ifndef NPY_2_0_API_VERSION
#define PyDataType_ELSIZE(d) ((d)->elsize)
#endif

/* ------------------------------------------------------------------ types */

typedef struct pyga_Program {
    PyObject_HEAD
    ga_program *program;
    ga_cache_source source;     /* where the compile that made this object found it */
} pyga_Program;

typedef struct pyga_Module {
    PyObject_HEAD
    ga_module *module;
    ga_device *device;
    PyObject *program;          /* the pyga_Program it was loaded from, or NULL */
} pyga_Module;

/* A kernel. `fn` is NULL in a subclass instance (RawKernel) until the C side
 * has asked the instance's `_load()` to bind one with `_bind()`: this keeps
 * the compile lazy without a Python frame on the launch path. Everything the
 * launch checks against is read once and kept here (ready = 1). */
typedef struct pyga_Function {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    ga_function *fn;
    PyObject *module;           /* pyga_Module owning fn: keeps it loaded */
    ga_device *device;

    int ready;
    int known;                  /* parameters known (count checked) */
    int nparams;
    const ga_param *params;
    unsigned max_threads;       /* min(device limit, this function's limit) */
    unsigned max_block[3];
    unsigned max_grid[3];
    size_t smem_static;         /* the kernel's own __shared__ bytes */
    size_t smem_optin;          /* device's per-block limit after opting in */
    size_t smem_dynamic;        /* the function's current dynamic limit */
} pyga_Function;

/* Keyword names of a launch, interned once so that the usual case (the
 * caller's own interned identifiers) matches by pointer. */
static PyObject *kw_names[6];
static const char *const kw_cnames[6] = {
    "grid", "block", "args", "shared_mem", "stream", "enable_cooperative_groups"
};
static PyObject *str_load;      /* "_load" */

static PyObject *program_new_from(ga_program *program, ga_cache_source source);

/* ----------------------------------------------------------- small helpers */

static const char *
function_cname(pyga_Function *self)
{
    const char *name = self->fn ? ga_function_name(self->fn) : NULL;
    return name ? name : "kernel";
}

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

/* The declared type as written ("const float*"), or its dtype name. */
static void
param_type(const ga_param *p, char *buf, size_t len)
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
    PyErr_Format(exc, "%s(): argument %s %s", function_cname(self), pname, rest);
    return -1;
}

static int
arg_type_error(pyga_Function *self, int i, const ga_param *p, PyObject *o)
{
    char t[96], g[160];
    param_type(p, t, sizeof t);
    describe(o, g, sizeof g);
    return arg_error(PyExc_TypeError, self, i, p, "is %s but got %s", t, g);
}

/* Options tuple -> C array of strings borrowed from the tuple's items. */
static int
string_array(PyObject *seq, const char *what, const char ***out, int *count)
{
    *out = NULL;
    *count = 0;
    if (seq == NULL || seq == Py_None)
        return 0;
    if (!PyTuple_Check(seq) && !PyList_Check(seq)) {
        PyErr_Format(PyExc_TypeError, "%s must be a tuple of str, not %.100s", what,
                     Py_TYPE(seq)->tp_name);
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > INT_MAX / 2) {
        PyErr_Format(PyExc_ValueError, "too many %s", what);
        return -1;
    }
    const char **arr = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *arr);
    if (!arr) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s must be str, but item %zd is %.100s", what, i,
                         Py_TYPE(item)->tp_name);
            PyMem_Free(arr);
            return -1;
        }
        arr[i] = PyUnicode_AsUTF8(item);
        if (!arr[i]) {
            PyMem_Free(arr);
            return -1;
        }
    }
    *out = arr;
    *count = (int)n;
    return 0;
}

/* A tuple (new reference) of the strings in `o`: None (no strings), a
 * tuple or a list; anything else is a TypeError. */
static PyObject *
str_tuple(PyObject *o, const char *what)
{
    if (o == Py_None)
        return PyTuple_New(0);
    if (PyTuple_Check(o)) {
        Py_INCREF(o);
        return o;
    }
    if (PyList_Check(o))
        return PyList_AsTuple(o);
    PyErr_Format(PyExc_TypeError, "%s must be a tuple of str, not %.100s", what,
                 Py_TYPE(o)->tp_name);
    return NULL;
}

/* PyLong_AsInt is public only from Python 3.13. */
static int
as_int(PyObject *o, int *out)
{
    long v = PyLong_AsLong(o);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < INT_MIN || v > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "value does not fit in a C int");
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* `device` arguments of the module functions: None = the current device,
 * an int = that ordinal. */
static ga_device *
device_arg(PyObject *o)
{
    if (o == NULL || o == Py_None)
        return pyga_current_device();
    int ordinal;
    if (as_int(o, &ordinal) < 0)
        return NULL;
    ga_device *dev;
    ga_status st = ga_device_get(ordinal, &dev);
    if (st != GA_OK) {
        pyga_raise(st);
        return NULL;
    }
    return dev;
}

/* ================================================================ Program */

static void
program_dealloc(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    pyga_Program *self = (pyga_Program *)o;
    if (self->program)
        ga_program_release(self->program);
    tp->tp_free(o);
    Py_DECREF(tp);
}

static PyObject *
program_get_ptx(PyObject *o, void *c)
{
    (void)c;
    size_t size = 0;
    const char *ptx = ga_program_ptx(((pyga_Program *)o)->program, &size);
    if (!ptx)
        Py_RETURN_NONE;
    /* The size may count the terminating NUL; the text ends before it. */
    return PyUnicode_DecodeUTF8(ptx, (Py_ssize_t)strnlen(ptx, size ? size : strlen(ptx)),
                                "replace");
}

static PyObject *
program_image(pyga_Program *self, ga_image_kind want)
{
    size_t size = 0;
    ga_image_kind kind = GA_IMAGE_NONE;
    const void *image = ga_program_image(self->program, &size, &kind);
    if (!image || (want != GA_IMAGE_NONE && kind != want))
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize(image, (Py_ssize_t)size);
}

static PyObject *
program_get_cubin(PyObject *o, void *c)
{
    (void)c;
    return program_image((pyga_Program *)o, GA_IMAGE_CUBIN);
}

static PyObject *
program_get_image(PyObject *o, void *c)
{
    (void)c;
    return program_image((pyga_Program *)o, GA_IMAGE_NONE);
}

static PyObject *
program_get_image_kind(PyObject *o, void *c)
{
    (void)c;
    size_t size = 0;
    ga_image_kind kind = GA_IMAGE_NONE;
    ga_program_image(((pyga_Program *)o)->program, &size, &kind);
    switch (kind) {
    case GA_IMAGE_CUBIN: return PyUnicode_FromString("cubin");
    case GA_IMAGE_PTX: return PyUnicode_FromString("ptx");
    case GA_IMAGE_FATBIN: return PyUnicode_FromString("fatbin");
    case GA_IMAGE_HOST_SO: return PyUnicode_FromString("host_so");
    default: Py_RETURN_NONE;
    }
}

static PyObject *
program_get_log(PyObject *o, void *c)
{
    (void)c;
    const char *log = ga_program_log(((pyga_Program *)o)->program);
    return PyUnicode_DecodeUTF8(log ? log : "", (Py_ssize_t)strlen(log ? log : ""), "replace");
}

static PyObject *
program_get_cache_source(PyObject *o, void *c)
{
    (void)c;
    switch (((pyga_Program *)o)->source) {
    case GA_CACHE_MEMORY: return PyUnicode_FromString("memory");
    case GA_CACHE_DISK: return PyUnicode_FromString("disk");
    default: return PyUnicode_FromString("miss");
    }
}

static PyObject *
program_get_arch(PyObject *o, void *c)
{
    (void)c;
    return PyLong_FromLong(ga_program_arch(((pyga_Program *)o)->program));
}

static PyObject *
program_get_source(PyObject *o, void *c)
{
    (void)c;
    const char *src = ga_program_source(((pyga_Program *)o)->program);
    if (!src)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(src, (Py_ssize_t)strlen(src), "replace");
}

static PyObject *
program_lowered_name(PyObject *o, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "name expression must be str, not %.100s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    const char *expr = PyUnicode_AsUTF8(arg);
    if (!expr)
        return NULL;
    const char *low = ga_program_lowered_name(((pyga_Program *)o)->program, expr);
    if (!low)
        Py_RETURN_NONE;
    return PyUnicode_FromString(low);
}

static PyGetSetDef program_getset[] = {
    {"ptx", program_get_ptx, NULL, "PTX text of the program (None when not kept).", NULL},
    {"cubin", program_get_cubin, NULL, "CUBIN (ELF) bytes, or None when the image is PTX.", NULL},
    {"image", program_get_image, NULL, "The loadable image as bytes.", NULL},
    {"image_kind", program_get_image_kind, NULL, "'cubin', 'ptx' or 'fatbin'.", NULL},
    {"log", program_get_log, NULL, "The compiler's log ('' when silent).", NULL},
    {"cache_source", program_get_cache_source, NULL, "'miss', 'memory' or 'disk'.", NULL},
    {"arch", program_get_arch, NULL, "Target architecture, e.g. 90.", NULL},
    {"source", program_get_source, NULL, "CUDA C++ source text.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMethodDef program_methods[] = {
    {"lowered_name", program_lowered_name, METH_O,
     "lowered_name(name_expression) -> the mangled name, or None."},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot program_slots[] = {
    {Py_tp_dealloc, program_dealloc},
    {Py_tp_getset, program_getset},
    {Py_tp_methods, program_methods},
    {Py_tp_doc, "A compiled program (from gpuarray._core.compile)."},
    {0, NULL}
};

static PyType_Spec program_spec = {
    .name = "gpuarray._core.Program",
    .basicsize = sizeof(pyga_Program),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = program_slots,
};

static PyTypeObject *Program_Type;

static PyObject *
program_new_from(ga_program *program, ga_cache_source source)
{
    pyga_Program *self = PyObject_New(pyga_Program, Program_Type);
    if (!self) {
        ga_program_release(program);
        return NULL;
    }
    self->program = program;   /* takes over the caller's reference */
    self->source = source;
    return (PyObject *)self;
}

/* ================================================================= Module */

static int
module_traverse(PyObject *o, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(o));
    Py_VISIT(((pyga_Module *)o)->program);
    return 0;
}

static int
module_clear(PyObject *o)
{
    Py_CLEAR(((pyga_Module *)o)->program);
    return 0;
}

static void
module_dealloc(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    pyga_Module *self = (pyga_Module *)o;
    PyObject_GC_UnTrack(o);
    /* Functions hold a reference to their module, so none is left that
     * could launch from the unloaded code. A failure here (driver already
     * torn down at exit) has nobody to report to. */
    if (self->module)
        (void)ga_module_unload(self->module);
    self->module = NULL;
    module_clear(o);
    tp->tp_free(o);
    Py_DECREF(tp);
}

static PyObject *function_new_bound(pyga_Module *mod, ga_function *fn);

static PyObject *
module_get_function(PyObject *o, PyObject *arg)
{
    pyga_Module *self = (pyga_Module *)o;
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "kernel name must be str, not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    const char *name = PyUnicode_AsUTF8(arg);
    if (!name)
        return NULL;
    ga_function *fn;
    ga_status st = ga_module_get_function(self->module, name, &fn);
    if (st != GA_OK)
        return pyga_raise(st);
    return function_new_bound(self, fn);
}

static PyObject *
module_get_global(PyObject *o, PyObject *arg)
{
    pyga_Module *self = (pyga_Module *)o;
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "global name must be str, not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    const char *name = PyUnicode_AsUTF8(arg);
    if (!name)
        return NULL;
    ga_devptr ptr;
    size_t size;
    ga_status st = ga_module_get_global(self->module, name, &ptr, &size);
    if (st != GA_OK)
        return pyga_raise(st);
    /* A MemoryPointer (as CuPy returns) into foreign Memory that keeps the
     * module loaded: it copies, fills and wraps as an ndarray like any. */
    pyga_Memory *mem = PyObject_GC_New(pyga_Memory, pyga.Memory);
    if (!mem)
        return NULL;
    mem->buffer = NULL;
    mem->ptr = ptr;
    mem->size = size;
    mem->device = self->device;
    Py_INCREF(o);
    mem->owner = o;
    mem->stream = NULL;
    PyObject_GC_Track(mem);
    PyObject *mp = PyObject_CallFunction((PyObject *)pyga.MemoryPointer, "Oi", (PyObject *)mem, 0);
    Py_DECREF(mem);
    return mp;
}

static PyObject *
module_get_program(PyObject *o, void *c)
{
    (void)c;
    PyObject *p = ((pyga_Module *)o)->program;
    if (!p)
        Py_RETURN_NONE;
    Py_INCREF(p);
    return p;
}

static PyObject *
module_get_device_id(PyObject *o, void *c)
{
    (void)c;
    return PyLong_FromLong(ga_device_ordinal(((pyga_Module *)o)->device));
}

static PyGetSetDef module_getset[] = {
    {"program", module_get_program, NULL, "The Program it was loaded from, or None.", NULL},
    {"device_id", module_get_device_id, NULL, "Ordinal of the device it is loaded on.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMethodDef module_methods[] = {
    {"get_function", module_get_function, METH_O, "get_function(name) -> Function"},
    {"get_global", module_get_global, METH_O,
     "get_global(name) -> MemoryPointer to the __device__/__constant__ variable"},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot module_slots[] = {
    {Py_tp_dealloc, module_dealloc},
    {Py_tp_traverse, module_traverse},
    {Py_tp_clear, module_clear},
    {Py_tp_getset, module_getset},
    {Py_tp_methods, module_methods},
    {Py_tp_doc, "A module loaded on one device (from gpuarray._core.load_*)."},
    {0, NULL}
};

static PyType_Spec module_spec = {
    .name = "gpuarray._core.Module",
    .basicsize = sizeof(pyga_Module),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = module_slots,
};

static PyObject *
module_new_from(ga_module *module, ga_device *dev, PyObject *program)
{
    pyga_Module *self = PyObject_GC_New(pyga_Module, pyga.Module);
    if (!self) {
        (void)ga_module_unload(module);
        return NULL;
    }
    self->module = module;
    self->device = dev;
    Py_XINCREF(program);
    self->program = program;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

/* =============================================================== Function */

static PyObject *function_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                     PyObject *kwnames);

static int
function_traverse(PyObject *o, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(o));
    Py_VISIT(((pyga_Function *)o)->module);
    return 0;
}

static void
function_unbind(pyga_Function *self)
{
    self->fn = NULL;
    self->device = NULL;
    self->ready = 0;
    self->params = NULL;
}

static int
function_clear(PyObject *o)
{
    pyga_Function *self = (pyga_Function *)o;
    function_unbind(self);
    Py_CLEAR(self->module);
    return 0;
}

static void
function_dealloc(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    PyObject_GC_UnTrack(o);
    function_clear(o);
    tp->tp_free(o);
    Py_DECREF(tp);
}

/* Only subclasses (RawKernel) are made from Python; they start unbound and
 * their own __init__ takes the arguments. */
static PyObject *
function_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    if (type == pyga.Function) {
        PyErr_SetString(PyExc_TypeError,
                        "gpuarray._core.Function cannot be created directly; "
                        "use Module.get_function() or gpuarray.RawKernel");
        return NULL;
    }
    pyga_Function *self = (pyga_Function *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->vectorcall = function_vectorcall;
    return (PyObject *)self;
}

static PyObject *
function_new_bound(pyga_Module *mod, ga_function *fn)
{
    pyga_Function *self = PyObject_GC_New(pyga_Function, pyga.Function);
    if (!self)
        return NULL;
    memset((char *)self + sizeof(PyObject), 0, sizeof *self - sizeof(PyObject));
    self->vectorcall = function_vectorcall;
    self->fn = fn;
    self->device = mod->device;
    Py_INCREF(mod);
    self->module = (PyObject *)mod;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

/* _bind(function): take over another Function's kernel (RawKernel._load
 * calls it with the kernel of the device it was asked for). */
static PyObject *
function_bind(PyObject *o, PyObject *arg)
{
    pyga_Function *self = (pyga_Function *)o;
    if (!PyObject_TypeCheck(arg, pyga.Function) || ((pyga_Function *)arg)->fn == NULL) {
        PyErr_SetString(PyExc_TypeError, "_bind() needs a loaded gpuarray._core.Function");
        return NULL;
    }
    pyga_Function *src = (pyga_Function *)arg;
    PyObject *old = self->module;
    Py_XINCREF(src->module);
    function_unbind(self);
    self->module = src->module;
    self->fn = src->fn;
    self->device = src->device;
    Py_XDECREF(old);
    Py_RETURN_NONE;
}

/* Make sure the kernel is bound to `dev` (NULL: to any device). Unbound
 * subclass instances and those bound to another device ask their _load(). */
static int
function_ensure(pyga_Function *self, ga_device *dev)
{
    if (self->fn && (dev == NULL || dev == self->device))
        return 0;
    if (Py_IS_TYPE((PyObject *)self, pyga.Function)) {
        if (!self->fn) {
            PyErr_SetString(PyExc_RuntimeError, "kernel is not loaded");
            return -1;
        }
        PyErr_Format(PyExc_ValueError,
                     "%s(): the kernel is loaded on device %d but the launch stream "
                     "belongs to device %d",
                     function_cname(self), ga_device_ordinal(self->device),
                     ga_device_ordinal(dev));
        return -1;
    }
    PyObject *id;
    if (dev) {
        id = PyLong_FromLong(ga_device_ordinal(dev));
        if (!id)
            return -1;
    } else {
        id = Py_None;
        Py_INCREF(id);
    }
    PyObject *r = PyObject_CallMethodOneArg((PyObject *)self, str_load, id);
    Py_DECREF(id);
    if (!r)
        return -1;
    Py_DECREF(r);
    if (!self->fn || (dev && self->device != dev)) {
        PyErr_Format(PyExc_RuntimeError, "%.100s._load() did not bind a kernel for device %d",
                     Py_TYPE(self)->tp_name, dev ? ga_device_ordinal(dev) : -1);
        return -1;
    }
    return 0;
}

static int
attr_int(ga_status st, int value, int *out)
{
    if (st != GA_OK)
        return pyga_raise_int(st);
    *out = value;
    return 0;
}

/* Read once what every launch checks against: the parameters and limits. */
static int
function_prepare(pyga_Function *self)
{
    const ga_param *params = NULL;
    int count = 0, known = 0;
    ga_status st = ga_function_params(self->fn, &params, &count, &known);
    if (st != GA_OK)
        return pyga_raise_int(st);

    int v[12];
    static const int dev_attrs[8] = {
        GA_DEV_ATTR_MAX_THREADS_PER_BLOCK,
        GA_DEV_ATTR_MAX_BLOCK_DIM_X, GA_DEV_ATTR_MAX_BLOCK_DIM_Y, GA_DEV_ATTR_MAX_BLOCK_DIM_Z,
        GA_DEV_ATTR_MAX_GRID_DIM_X, GA_DEV_ATTR_MAX_GRID_DIM_Y, GA_DEV_ATTR_MAX_GRID_DIM_Z,
        GA_DEV_ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
    };
    for (int i = 0; i < 8; i++) {
        int x = 0;
        st = ga_device_attribute(self->device, dev_attrs[i], &x);
        if (attr_int(st, x, &v[i]) < 0)
            return -1;
    }
    if (v[7] <= 0) {   /* no opt-in on this device: the plain limit holds */
        int x = 0;
        st = ga_device_attribute(self->device, GA_DEV_ATTR_MAX_SHARED_MEMORY_PER_BLOCK, &x);
        if (attr_int(st, x, &v[7]) < 0)
            return -1;
    }
    static const int fn_attrs[3] = {
        GA_FUNC_ATTR_MAX_THREADS_PER_BLOCK, GA_FUNC_ATTR_SHARED_SIZE_BYTES,
        GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES,
    };
    for (int i = 0; i < 3; i++) {
        int x = 0;
        st = ga_function_attribute(self->fn, fn_attrs[i], &x);
        if (attr_int(st, x, &v[8 + i]) < 0)
            return -1;
    }

    self->params = params;
    self->nparams = count;
    self->known = known;
    /* A kernel's own limit can be lower than the device's (register use). */
    self->max_threads = (unsigned)(v[8] > 0 && v[8] < v[0] ? v[8] : v[0]);
    for (int i = 0; i < 3; i++) {
        self->max_block[i] = (unsigned)v[1 + i];
        self->max_grid[i] = (unsigned)v[4 + i];
    }
    self->smem_optin = (size_t)(v[7] > 0 ? v[7] : 0);
    self->smem_static = (size_t)(v[9] > 0 ? v[9] : 0);
    self->smem_dynamic = (size_t)(v[10] > 0 ? v[10] : 0);
    self->ready = 1;
    return 0;
}

/* ------------------------------------------------------- launch: geometry */

static int
dim_value(PyObject *item, const char *what, Py_ssize_t i, int scalar, unsigned *out)
{
    long long v;
    int overflow = 0;
    if (PyLong_Check(item)) {
        v = PyLong_AsLongLongAndOverflow(item, &overflow);
    } else if (!PyFloat_Check(item) && PyIndex_Check(item)) {   /* NumPy integers */
        PyObject *idx = PyNumber_Index(item);
        if (!idx)
            return -1;
        v = PyLong_AsLongLongAndOverflow(idx, &overflow);
        Py_DECREF(idx);
    } else {
        if (scalar)
            PyErr_Format(PyExc_TypeError, "%s must be an int or a tuple of 1 to 3 ints, not %.100s",
                         what, Py_TYPE(item)->tp_name);
        else
            PyErr_Format(PyExc_TypeError, "%s[%zd] must be an int, not %.100s", what, i,
                         Py_TYPE(item)->tp_name);
        return -1;
    }
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || v <= 0 || v > (long long)UINT32_MAX) {
        if (scalar)
            PyErr_Format(PyExc_ValueError, "%s must be a positive int below 2**32, got %R", what,
                         item);
        else
            PyErr_Format(PyExc_ValueError, "%s[%zd] must be a positive int below 2**32, got %R",
                         what, i, item);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static int
parse_dims(PyObject *o, const char *what, unsigned out[3])
{
    out[0] = out[1] = out[2] = 1;
    if (PyTuple_Check(o) || PyList_Check(o)) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
        if (n < 1 || n > 3) {
            PyErr_Format(PyExc_ValueError, "%s must have 1 to 3 dimensions, got %zd", what, n);
            return -1;
        }
        for (Py_ssize_t i = 0; i < n; i++)
            if (dim_value(PySequence_Fast_GET_ITEM(o, i), what, i, 0, &out[i]) < 0)
                return -1;
        return 0;
    }
    return dim_value(o, what, 0, 1, &out[0]);
}

static int
check_geometry(pyga_Function *self, const unsigned grid[3], const unsigned block[3])
{
    static const char axis[3] = {'x', 'y', 'z'};
    for (int i = 0; i < 3; i++) {
        if (block[i] > self->max_block[i]) {
            PyErr_Format(PyExc_ValueError,
                         "%s(): block dimension %c = %u exceeds the device's limit of %u",
                         function_cname(self), axis[i], block[i], self->max_block[i]);
            return -1;
        }
        if (grid[i] > self->max_grid[i]) {
            PyErr_Format(PyExc_ValueError,
                         "%s(): grid dimension %c = %u exceeds the device's limit of %u",
                         function_cname(self), axis[i], grid[i], self->max_grid[i]);
            return -1;
        }
    }
    unsigned long long threads = (unsigned long long)block[0] * block[1] * block[2];
    if (threads > self->max_threads) {
        PyErr_Format(PyExc_ValueError,
                     "%s(): block (%u, %u, %u) has %llu threads; this kernel allows at most %u "
                     "per block on this device",
                     function_cname(self), block[0], block[1], block[2], threads,
                     self->max_threads);
        return -1;
    }
    return 0;
}

/* Dynamic shared memory over the default limit needs the function's limit
 * raised first; do it here rather than let the driver refuse the launch. */
static int
check_shared(pyga_Function *self, size_t smem)
{
    if (smem <= self->smem_dynamic)
        return 0;
    size_t room = self->smem_optin > self->smem_static ? self->smem_optin - self->smem_static : 0;
    if (smem > room) {
        PyErr_Format(PyExc_ValueError,
                     "%s(): shared_mem = %zu bytes exceeds the %zu bytes of dynamic shared "
                     "memory this kernel can have on this device (%zu per block, %zu static)",
                     function_cname(self), smem, room, self->smem_optin, self->smem_static);
        return -1;
    }
    ga_status st = ga_function_set_attribute(self->fn, GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                             (int)smem);
    if (st != GA_OK)
        return pyga_raise_int(st);
    self->smem_dynamic = smem;
    return 0;
}

/* ----------------------------------------------------- launch: arguments */

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
        param_type(p, tt, sizeof tt);
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
    param_type(p, tt, sizeof tt);
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
            param_type(p, tt, sizeof tt);
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
                param_type(p, tt, sizeof tt);
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
            param_type(p, tt, sizeof tt);
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
            param_type(p, tt, sizeof tt);
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
            param_type(p, tt, sizeof tt);
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
    param_type(p, tt, sizeof tt);
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

/* Pack argument i against its declared parameter. */
static int
store_param(pyga_Function *self, int i, const ga_param *p, PyObject *o, ga_device *dev,
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
        PyErr_Format(PyExc_ValueError, "%s(): arguments exceed %d bytes", function_cname(self),
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

/* No parameter information at all: pack as CuPy does (Python int as int64,
 * float as double, bool as one byte, complex as complex128, NumPy scalars by
 * their bytes, arrays and addresses as pointers). */
static int
store_blind(pyga_Function *self, int i, PyObject *o, ga_device *dev, void *dst, size_t cap,
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

/* ------------------------------------------------------------ launch */

static PyObject *
function_launch(pyga_Function *self, PyObject *grid_o, PyObject *block_o, PyObject *args_o,
                PyObject *smem_o, PyObject *stream_o, PyObject *coop_o)
{
    ga_stream *stream;
    ga_device *dev;
    PyObject *stream_obj;

    if (coop_o && coop_o != Py_False) {
        int t = PyObject_IsTrue(coop_o);
        if (t < 0)
            return NULL;
        if (t) {
            PyErr_SetString(PyExc_NotImplementedError,
                            "cooperative launches are not supported by gpuarray yet");
            return NULL;
        }
    }

    /* The stream decides the device the kernel runs on. */
    if (stream_o == NULL || stream_o == Py_None) {
        stream_obj = pyga_current_stream(&stream);
    } else if (PyObject_TypeCheck(stream_o, pyga.Stream)) {
        stream_obj = stream_o;
        stream = ((pyga_Stream *)stream_o)->stream;
    } else if (pyga_stream_arg(stream_o, &stream, &stream_obj) < 0) {
        return NULL;
    }
    /* The null stream belongs to every device: the current one runs it. */
    dev = ((pyga_Stream *)stream_obj)->device;
    if (!dev && !(dev = pyga_current_device()))
        return NULL;

    /* Forms first: a malformed launch fails before a first use compiles. */
    unsigned grid[3], block[3];
    if (parse_dims(grid_o, "grid", grid) < 0 || parse_dims(block_o, "block", block) < 0)
        return NULL;
    size_t smem = 0;
    if (smem_o && smem_o != Py_None) {
        if (!PyLong_Check(smem_o) && !PyIndex_Check(smem_o)) {
            PyErr_Format(PyExc_TypeError, "shared_mem must be an int, not %.100s",
                         Py_TYPE(smem_o)->tp_name);
            return NULL;
        }
        PyObject *num = PyNumber_Index(smem_o);
        if (!num)
            return NULL;
        int ov = 0;
        long long v = PyLong_AsLongLongAndOverflow(num, &ov);
        Py_DECREF(num);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        if (ov || v < 0) {
            PyErr_Format(PyExc_ValueError, "shared_mem must be a non-negative int, got %R", smem_o);
            return NULL;
        }
        smem = (size_t)v;
    }
    if (!PyTuple_Check(args_o) && !PyList_Check(args_o)) {
        PyErr_Format(PyExc_TypeError, "%s(): args must be a tuple or a list, not %.100s",
                     function_cname(self), Py_TYPE(args_o)->tp_name);
        return NULL;
    }

    if (self->fn == NULL || dev != self->device) {
        if (function_ensure(self, dev) < 0)
            return NULL;
    }
    if (!self->ready && function_prepare(self) < 0)
        return NULL;
    if (check_geometry(self, grid, block) < 0 || (smem && check_shared(self, smem) < 0))
        return NULL;

    /* A list could change under us while an argument's conversion runs
     * Python code; a tuple cannot. Tuples (the usual case) are used as is. */
    PyObject *tuple;
    if (PyTuple_Check(args_o)) {
        tuple = args_o;
        Py_INCREF(tuple);
    } else if (!(tuple = PyList_AsTuple(args_o))) {
        return NULL;
    }

    Py_ssize_t nargs = PyTuple_GET_SIZE(tuple);
    if (self->known && nargs != self->nparams) {
        PyErr_Format(PyExc_TypeError, "%s() takes %d argument%s (%zd given)", function_cname(self),
                     self->nparams, self->nparams == 1 ? "" : "s", nargs);
        goto fail;
    }
    if (nargs > PYGA_MAX_ARGS) {
        PyErr_Format(PyExc_ValueError, "%s(): at most %d kernel arguments are supported",
                     function_cname(self), PYGA_MAX_ARGS);
        goto fail;
    }

    _Alignas(16) unsigned char buf[PYGA_ARGBUF_BYTES];
    void *ptrs[PYGA_MAX_ARGS + 1];
    size_t off = 0;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        PyObject *o = PyTuple_GET_ITEM(tuple, i);
        size_t size = 0;
        if (off >= PYGA_ARGBUF_BYTES) {
            PyErr_Format(PyExc_ValueError, "%s(): arguments exceed %d bytes", function_cname(self),
                         PYGA_ARGBUF_BYTES);
            goto fail;
        }
        int r = self->known
              ? store_param(self, (int)i, &self->params[i], o, dev, buf + off,
                            PYGA_ARGBUF_BYTES - off, &size)
              : store_blind(self, (int)i, o, dev, buf + off, PYGA_ARGBUF_BYTES - off, &size);
        if (r < 0)
            goto fail;
        ptrs[i] = buf + off;
        /* Each value in its own slot (8 bytes, or 16 for bigger ones);
         * the driver copies each into the kernel's own parameter layout. */
        size_t align = size > 8 ? 16 : 8;
        off += (size + align - 1) & ~(align - 1);
        if (off > PYGA_ARGBUF_BYTES) {
            PyErr_Format(PyExc_ValueError, "%s(): arguments exceed %d bytes", function_cname(self),
                         PYGA_ARGBUF_BYTES);
            goto fail;
        }
    }
    Py_DECREF(tuple);
    ptrs[nargs] = NULL;

    /* Kept under the GIL: the launch only queues work and releasing and
     * taking the GIL again would cost more than the launch itself. */
    ga_status st = ga_launch(self->fn, grid, block, smem, stream, ptrs);
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;

fail:
    Py_DECREF(tuple);
    return NULL;
}

/* The array operators' launch (operators.c): arguments already in place,
 * on the current stream, which must run on `dev`. The kernel's parameters
 * were checked when the general path launched it with the same kinds of
 * arguments, so only the device and the geometry are checked here. */
int pyga_function_launch_packed(PyObject *f, ga_device *dev, unsigned grid, unsigned block,
                                void **params)
{
    pyga_Function *self = (pyga_Function *)f;
    ga_stream *stream;
    PyObject *stream_obj = pyga_current_stream(&stream);
    ga_device *sdev = ((pyga_Stream *)stream_obj)->device;
    if (sdev && sdev != dev)
        return 1;
    if (self->fn == NULL || dev != self->device) {
        if (function_ensure(self, dev) < 0)
            return -1;
    }
    if (!self->ready && function_prepare(self) < 0)
        return -1;
    unsigned g[3] = {grid, 1, 1}, b[3] = {block, 1, 1};
    if (check_geometry(self, g, b) < 0)
        return -1;
    ga_status st = ga_launch(self->fn, g, b, 0, stream, params);
    return st == GA_OK ? 0 : pyga_raise_int(st);
}

static int
set_kw(PyObject *name, PyObject *value, PyObject **slots, Py_ssize_t nargs)
{
    int k = -1;
    for (int j = 0; j < 6; j++)
        if (name == kw_names[j]) {
            k = j;
            break;
        }
    if (k < 0) {
        for (int j = 0; j < 6; j++)
            if (PyUnicode_Check(name) && PyUnicode_Compare(name, kw_names[j]) == 0) {
                k = j;
                break;
            }
        if (PyErr_Occurred())
            return -1;
    }
    if (k < 0) {
        PyErr_Format(PyExc_TypeError, "kernel launch got an unexpected keyword argument '%S'", name);
        return -1;
    }
    if (k < nargs || slots[k]) {
        PyErr_Format(PyExc_TypeError, "kernel launch got multiple values for argument '%S'", name);
        return -1;
    }
    slots[k] = value;
    return 0;
}

static PyObject *
launch_slots(pyga_Function *self, PyObject **s)
{
    if (!s[0] || !s[1] || !s[2]) {
        PyErr_SetString(PyExc_TypeError,
                        "kernel launch takes (grid, block, args, shared_mem=0, stream=None)");
        return NULL;
    }
    return function_launch(self, s[0], s[1], s[2], s[3], s[4], s[5]);
}

static PyObject *
function_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyObject *s[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs > 5) {
        PyErr_Format(PyExc_TypeError, "kernel launch takes at most 5 positional arguments (%zd given)",
                     nargs);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        s[i] = args[i];
    if (kwnames) {
        Py_ssize_t nk = PyTuple_GET_SIZE(kwnames);
        for (Py_ssize_t i = 0; i < nk; i++)
            if (set_kw(PyTuple_GET_ITEM(kwnames, i), args[nargs + i], s, nargs) < 0)
                return NULL;
    }
    return launch_slots((pyga_Function *)callable, s);
}

/* Python 3.11 and older do not give a Python subclass (RawKernel) the
 * vectorcall slot, so the tuple form must be as cheap. */
static PyObject *
function_call(PyObject *callable, PyObject *args, PyObject *kwargs)
{
    PyObject *s[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    if (nargs > 5) {
        PyErr_Format(PyExc_TypeError, "kernel launch takes at most 5 positional arguments (%zd given)",
                     nargs);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        s[i] = PyTuple_GET_ITEM(args, i);
    if (kwargs) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(kwargs, &pos, &k, &v))
            if (set_kw(k, v, s, nargs) < 0)
                return NULL;
    }
    return launch_slots((pyga_Function *)callable, s);
}

/* ------------------------------------------------------------ attributes */

static PyObject *
function_attribute(pyga_Function *self, int attribute)
{
    if (function_ensure(self, NULL) < 0)
        return NULL;
    int v = 0;
    ga_status st = ga_function_attribute(self->fn, attribute, &v);
    if (st != GA_OK)
        return pyga_raise(st);
    return PyLong_FromLong(v);
}

static int
function_set_attr(pyga_Function *self, int attribute, PyObject *value)
{
    if (!value) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete a kernel attribute");
        return -1;
    }
    int v;
    if (as_int(value, &v) < 0)
        return -1;
    if (function_ensure(self, NULL) < 0)
        return -1;
    ga_status st = ga_function_set_attribute(self->fn, attribute, v);
    if (st != GA_OK)
        return pyga_raise_int(st);
    if (attribute == GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES && self->ready)
        self->smem_dynamic = (size_t)(v > 0 ? v : 0);
    return 0;
}

/* CU_FUNC_ATTRIBUTE_CACHE_MODE_CA and _PREFERRED_SHARED_MEMORY_CARVEOUT:
 * gpuarray.h lists only the attributes the library itself uses, and these
 * are the driver's own numbers. */
#define PYGA_FUNC_ATTR_CACHE_MODE_CA 7
#define PYGA_FUNC_ATTR_PREFERRED_CARVEOUT 9

#define FN_ATTR_GETTER(cname, attr)                                          \
    static PyObject *fn_get_##cname(PyObject *o, void *c)                    \
    {                                                                        \
        (void)c;                                                             \
        return function_attribute((pyga_Function *)o, attr);                 \
    }

FN_ATTR_GETTER(max_threads_per_block, GA_FUNC_ATTR_MAX_THREADS_PER_BLOCK)
FN_ATTR_GETTER(shared_size_bytes, GA_FUNC_ATTR_SHARED_SIZE_BYTES)
FN_ATTR_GETTER(const_size_bytes, GA_FUNC_ATTR_CONST_SIZE_BYTES)
FN_ATTR_GETTER(local_size_bytes, GA_FUNC_ATTR_LOCAL_SIZE_BYTES)
FN_ATTR_GETTER(num_regs, GA_FUNC_ATTR_NUM_REGS)
FN_ATTR_GETTER(ptx_version, GA_FUNC_ATTR_PTX_VERSION)
FN_ATTR_GETTER(binary_version, GA_FUNC_ATTR_BINARY_VERSION)
FN_ATTR_GETTER(cache_mode_ca, PYGA_FUNC_ATTR_CACHE_MODE_CA)
FN_ATTR_GETTER(max_dynamic_shared_size_bytes, GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES)
FN_ATTR_GETTER(preferred_shared_memory_carveout, PYGA_FUNC_ATTR_PREFERRED_CARVEOUT)

static int
fn_set_max_dynamic_shared_size_bytes(PyObject *o, PyObject *v, void *c)
{
    (void)c;
    return function_set_attr((pyga_Function *)o, GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES, v);
}

static int
fn_set_preferred_shared_memory_carveout(PyObject *o, PyObject *v, void *c)
{
    (void)c;
    return function_set_attr((pyga_Function *)o, PYGA_FUNC_ATTR_PREFERRED_CARVEOUT, v);
}

static const struct { const char *name; int attr; } fn_attr_table[] = {
    {"max_threads_per_block", GA_FUNC_ATTR_MAX_THREADS_PER_BLOCK},
    {"shared_size_bytes", GA_FUNC_ATTR_SHARED_SIZE_BYTES},
    {"const_size_bytes", GA_FUNC_ATTR_CONST_SIZE_BYTES},
    {"local_size_bytes", GA_FUNC_ATTR_LOCAL_SIZE_BYTES},
    {"num_regs", GA_FUNC_ATTR_NUM_REGS},
    {"ptx_version", GA_FUNC_ATTR_PTX_VERSION},
    {"binary_version", GA_FUNC_ATTR_BINARY_VERSION},
    {"cache_mode_ca", PYGA_FUNC_ATTR_CACHE_MODE_CA},
    {"max_dynamic_shared_size_bytes", GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES},
    {"preferred_shared_memory_carveout", PYGA_FUNC_ATTR_PREFERRED_CARVEOUT},
};

/* CuPy's RawKernel.attributes: every attribute, -1 where the driver has
 * none. */
static PyObject *
fn_get_attributes(PyObject *o, void *c)
{
    (void)c;
    pyga_Function *self = (pyga_Function *)o;
    if (function_ensure(self, NULL) < 0)
        return NULL;
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    for (size_t i = 0; i < sizeof fn_attr_table / sizeof fn_attr_table[0]; i++) {
        int v = -1;
        if (ga_function_attribute(self->fn, fn_attr_table[i].attr, &v) != GA_OK)
            v = -1;
        PyObject *x = PyLong_FromLong(v);
        if (!x || PyDict_SetItemString(d, fn_attr_table[i].name, x) < 0) {
            Py_XDECREF(x);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(x);
    }
    return d;
}

static PyObject *
fn_get_params(PyObject *o, void *c)
{
    (void)c;
    pyga_Function *self = (pyga_Function *)o;
    if (function_ensure(self, NULL) < 0)
        return NULL;
    if (!self->ready && function_prepare(self) < 0)
        return NULL;
    if (!self->known)
        Py_RETURN_NONE;
    PyObject *list = PyList_New(self->nparams);
    if (!list)
        return NULL;
    for (int i = 0; i < self->nparams; i++) {
        char tt[96];
        param_type(&self->params[i], tt, sizeof tt);
        PyObject *t = Py_BuildValue("(ss)", self->params[i].name, tt);
        if (!t) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, t);
    }
    return list;
}

static PyObject *
fn_get_kernel_name(PyObject *o, void *c)
{
    (void)c;
    pyga_Function *self = (pyga_Function *)o;
    if (function_ensure(self, NULL) < 0)
        return NULL;
    return PyUnicode_FromString(function_cname(self));
}

static PyObject *
fn_get_module(PyObject *o, void *c)
{
    (void)c;
    PyObject *m = ((pyga_Function *)o)->module;
    if (!m)
        Py_RETURN_NONE;
    Py_INCREF(m);
    return m;
}

static PyObject *
fn_get_device_id(PyObject *o, void *c)
{
    (void)c;
    pyga_Function *self = (pyga_Function *)o;
    if (!self->device)
        Py_RETURN_NONE;
    return PyLong_FromLong(ga_device_ordinal(self->device));
}

static PyObject *
fn_get_loaded(PyObject *o, void *c)
{
    (void)c;
    return PyBool_FromLong(((pyga_Function *)o)->fn != NULL);
}

/* `name`, `code` and the like are left to RawKernel, which defines them as
 * properties; the C type's own name getter is `kernel_name`. */
static PyGetSetDef function_getset[] = {
    {"kernel_name", fn_get_kernel_name, NULL, "The kernel's name (or name expression).", NULL},
    {"params", fn_get_params, NULL,
     "Declared parameters as a list of (name, type), or None when unknown.", NULL},
    {"module", fn_get_module, NULL, "The gpuarray._core.Module holding the kernel.", NULL},
    {"device_id", fn_get_device_id, NULL, "Device the kernel is loaded on (None before).", NULL},
    {"_loaded", fn_get_loaded, NULL, NULL, NULL},
    {"attributes", fn_get_attributes, NULL, "All kernel attributes as a dict.", NULL},
    {"max_threads_per_block", fn_get_max_threads_per_block, NULL, NULL, NULL},
    {"shared_size_bytes", fn_get_shared_size_bytes, NULL, NULL, NULL},
    {"const_size_bytes", fn_get_const_size_bytes, NULL, NULL, NULL},
    {"local_size_bytes", fn_get_local_size_bytes, NULL, NULL, NULL},
    {"num_regs", fn_get_num_regs, NULL, NULL, NULL},
    {"ptx_version", fn_get_ptx_version, NULL, NULL, NULL},
    {"binary_version", fn_get_binary_version, NULL, NULL, NULL},
    {"cache_mode_ca", fn_get_cache_mode_ca, NULL, NULL, NULL},
    {"max_dynamic_shared_size_bytes", fn_get_max_dynamic_shared_size_bytes,
     fn_set_max_dynamic_shared_size_bytes, NULL, NULL},
    {"preferred_shared_memory_carveout", fn_get_preferred_shared_memory_carveout,
     fn_set_preferred_shared_memory_carveout, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMethodDef function_methods[] = {
    {"_bind", function_bind, METH_O, "_bind(function): use another Function's kernel."},
    {NULL, NULL, 0, NULL}
};

static PyMemberDef function_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(pyga_Function, vectorcall), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

static PyType_Slot function_slots[] = {
    {Py_tp_new, function_tp_new},
    {Py_tp_dealloc, function_dealloc},
    {Py_tp_traverse, function_traverse},
    {Py_tp_clear, function_clear},
    {Py_tp_call, function_call},
    {Py_tp_getset, function_getset},
    {Py_tp_methods, function_methods},
    {Py_tp_members, function_members},
    {Py_tp_doc, "A kernel: f(grid, block, args, shared_mem=0, stream=None) launches it."},
    {0, NULL}
};

static PyType_Spec function_spec = {
    .name = "gpuarray._core.Function",
    .basicsize = sizeof(pyga_Function),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE |
             Py_TPFLAGS_HAVE_VECTORCALL,
    .slots = function_slots,
};

/* ======================================================= module functions */

/* Give the CompileException that pyga_raise made the request's options,
 * source name and source, so a user can reproduce the failure. */
static PyObject *
raise_compile(ga_status st, PyObject *options, const char *name, PyObject *source)
{
    pyga_raise(st);
    if (st != GA_ERROR_COMPILE || !pyga.CompileException)
        return NULL;
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *value = PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
#endif
    if (value && PyObject_TypeCheck(value, (PyTypeObject *)pyga.CompileException)) {
        PyObject *opts = options && options != Py_None ? PySequence_Tuple(options) : PyTuple_New(0);
        PyObject *n = PyUnicode_FromString(name);
        if (!opts || !n || PyObject_SetAttrString(value, "options", opts) < 0 ||
            PyObject_SetAttrString(value, "name", n) < 0 ||
            PyObject_SetAttrString(value, "source", source) < 0)
            PyErr_Clear();   /* the original error is the one to report */
        Py_XDECREF(opts);
        Py_XDECREF(n);
    }
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(value);
#else
    PyErr_Restore(type, value, tb);
#endif
    return NULL;
}

static PyObject *
py_compile(PyObject *m, PyObject *args, PyObject *kwds)
{
    (void)m;
    static char *kwlist[] = {"source", "options", "name_expressions", "source_name", "arch",
                             "device", "no_cache", NULL};
    PyObject *source, *options = Py_None, *exprs = Py_None, *dev_o = Py_None;
    const char *source_name = NULL;
    int arch = 0, no_cache = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|OOziOp:compile", kwlist, &source, &options,
                                     &exprs, &source_name, &arch, &dev_o, &no_cache))
        return NULL;
    if (arch < 0) {
        PyErr_Format(PyExc_ValueError, "arch must be >= 0, got %d", arch);
        return NULL;
    }

    /* device=None: the current device when CUDA is usable, else none (NVRTC
     * needs no GPU: the newest architecture is targeted); -1: none. */
    ga_device *dev = NULL;
    if (dev_o == Py_None) {
        dev = pyga_current_device();
        if (!dev)
            PyErr_Clear();
    } else {
        int ordinal;
        if (as_int(dev_o, &ordinal) < 0)
            return NULL;
        if (ordinal >= 0 && !(dev = device_arg(dev_o)))
            return NULL;
    }

    const char *src = PyUnicode_AsUTF8(source);
    if (!src)
        return NULL;
    /* Tuples of our own: the strings are read with the GIL released, when
     * another thread could change a list it was given. */
    PyObject *opt_t = str_tuple(options, "options");
    if (!opt_t)
        return NULL;
    PyObject *expr_t = exprs == Py_None ? NULL : str_tuple(exprs, "name_expressions");
    if (exprs != Py_None && !expr_t) {
        Py_DECREF(opt_t);
        return NULL;
    }
    PyObject *result = NULL;
    const char **opts = NULL, **names = NULL;
    int nopts = 0, nnames = 0;
    if (string_array(opt_t, "options", &opts, &nopts) < 0 ||
        string_array(expr_t, "name_expressions", &names, &nnames) < 0)
        goto done;
    ga_compile_request req = {
        .source = src,
        .source_name = source_name,
        .options = opts,
        .num_options = nopts,
        .name_expressions = names,
        .num_name_expressions = nnames,
        .arch = arch,
        .no_cache = no_cache,
    };
    ga_program *program = NULL;
    ga_cache_source found = GA_CACHE_MISS;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_program_compile(dev, &req, &program);
    /* The core shares one program among cache hits and keeps the latest
     * lookup's source in it: read it at once, for this compile. */
    if (st == GA_OK)
        found = ga_program_cache_source(program);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        raise_compile(st, opt_t, source_name && source_name[0] ? source_name : "kernel.cu", source);
    else
        result = program_new_from(program, found);
done:
    PyMem_Free(opts);
    PyMem_Free(names);
    Py_DECREF(opt_t);
    Py_XDECREF(expr_t);
    return result;
}

static PyObject *
py_load_program(PyObject *m, PyObject *args, PyObject *kwds)
{
    (void)m;
    static char *kwlist[] = {"program", "device", NULL};
    PyObject *prog, *dev_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!|O:load_program", kwlist, Program_Type, &prog,
                                     &dev_o))
        return NULL;
    ga_device *dev = device_arg(dev_o);
    if (!dev)
        return NULL;
    ga_module *module = NULL;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_module_load_program(dev, ((pyga_Program *)prog)->program, &module);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    return module_new_from(module, dev, prog);
}

static PyObject *
py_load_data(PyObject *m, PyObject *args, PyObject *kwds)
{
    (void)m;
    static char *kwlist[] = {"kind", "data", "device", NULL};
    const char *kind_s;
    PyObject *data, *dev_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "sO|O:load_data", kwlist, &kind_s, &data, &dev_o))
        return NULL;
    ga_image_kind kind;
    if (strcmp(kind_s, "ptx") == 0)
        kind = GA_IMAGE_PTX;
    else if (strcmp(kind_s, "cubin") == 0)
        kind = GA_IMAGE_CUBIN;
    else if (strcmp(kind_s, "fatbin") == 0)
        kind = GA_IMAGE_FATBIN;
    else {
        PyErr_Format(PyExc_ValueError, "kind must be 'ptx', 'cubin' or 'fatbin', not '%s'", kind_s);
        return NULL;
    }
    /* PTX text goes NUL-terminated (size 0); the str/bytes objects keep a
     * NUL after their data, and `data` stays referenced by the caller. */
    const char *image;
    Py_ssize_t size;
    if (PyUnicode_Check(data)) {
        image = PyUnicode_AsUTF8AndSize(data, &size);
        if (!image)
            return NULL;
    } else if (PyBytes_Check(data)) {
        image = PyBytes_AS_STRING(data);
        size = PyBytes_GET_SIZE(data);
    } else {
        PyErr_Format(PyExc_TypeError, "data must be str or bytes, not %.100s",
                     Py_TYPE(data)->tp_name);
        return NULL;
    }
    if (kind == GA_IMAGE_PTX && (Py_ssize_t)strlen(image) != size) {
        PyErr_SetString(PyExc_ValueError, "PTX text must not contain NUL characters");
        return NULL;
    }
    ga_device *dev = device_arg(dev_o);
    if (!dev)
        return NULL;
    ga_module *module = NULL;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_module_load_data(dev, kind, image, kind == GA_IMAGE_PTX ? 0 : (size_t)size, &module);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    return module_new_from(module, dev, NULL);
}

static PyObject *
py_load_file(PyObject *m, PyObject *args, PyObject *kwds)
{
    (void)m;
    static char *kwlist[] = {"path", "device", NULL};
    PyObject *path_o, *dev_o = Py_None, *path_b = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|O:load_file", kwlist, PyUnicode_FSConverter,
                                     &path_b, &dev_o))
        return NULL;
    path_o = path_b;
    ga_device *dev = device_arg(dev_o);
    if (!dev) {
        Py_DECREF(path_o);
        return NULL;
    }
    const char *path = PyBytes_AS_STRING(path_o);
    ga_module *module = NULL;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_module_load_file(dev, path, &module);
    Py_END_ALLOW_THREADS
    Py_DECREF(path_o);
    if (st != GA_OK)
        return pyga_raise(st);
    return module_new_from(module, dev, NULL);
}

static PyObject *
py_cache_dir(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    const char *d = ga_cache_dir();
    if (!d)
        Py_RETURN_NONE;
    return PyUnicode_DecodeFSDefault(d);
}

static PyObject *
py_cache_clear_memory(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    ga_cache_clear_memory();
    Py_RETURN_NONE;
}

static PyObject *
py_current_device_id(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    return PyLong_FromLong(pyga_current_device_id());
}

static PyMethodDef kernel_functions[] = {
    {"compile", (PyCFunction)(void (*)(void))py_compile, METH_VARARGS | METH_KEYWORDS,
     "compile(source, options=(), name_expressions=None, source_name=None, arch=0, "
     "device=None, no_cache=False) -> Program\n\n"
     "Compile CUDA C++ with NVRTC through gpuarray's caches. device=None targets the\n"
     "current device when CUDA is usable, else the newest architecture; -1 never\n"
     "touches the driver."},
    {"load_program", (PyCFunction)(void (*)(void))py_load_program, METH_VARARGS | METH_KEYWORDS,
     "load_program(program, device=None) -> Module"},
    {"load_data", (PyCFunction)(void (*)(void))py_load_data, METH_VARARGS | METH_KEYWORDS,
     "load_data(kind, data, device=None) -> Module; kind is 'ptx', 'cubin' or 'fatbin'."},
    {"load_file", (PyCFunction)(void (*)(void))py_load_file, METH_VARARGS | METH_KEYWORDS,
     "load_file(path, device=None) -> Module (.ptx, .cubin or .fatbin)."},
    {"compile_cache_dir", py_cache_dir, METH_NOARGS, "The on-disk kernel cache directory."},
    {"compile_cache_clear_memory", py_cache_clear_memory, METH_NOARGS,
     "Drop the in-memory compile cache."},
    {"_kernel_current_device", py_current_device_id, METH_NOARGS,
     "Ordinal of the calling thread's current device."},
    {NULL, NULL, 0, NULL}
};

/* ================================================================== init */

static int
add_type(PyObject *m, PyTypeObject *tp, const char *name)
{
    Py_INCREF(tp);
    if (PyModule_AddObject(m, name, (PyObject *)tp) < 0) {
        Py_DECREF(tp);
        return -1;
    }
    return 0;
}

int
pyga_init_kernel(PyObject *m)
{
    for (int i = 0; i < 6; i++)
        if (!kw_names[i] && !(kw_names[i] = PyUnicode_InternFromString(kw_cnames[i])))
            return -1;
    if (!str_load && !(str_load = PyUnicode_InternFromString("_load")))
        return -1;

    Program_Type = (PyTypeObject *)PyType_FromSpec(&program_spec);
    if (!Program_Type)
        return -1;
    pyga.Module = (PyTypeObject *)PyType_FromSpec(&module_spec);
    if (!pyga.Module)
        return -1;
    pyga.Function = (PyTypeObject *)PyType_FromSpec(&function_spec);
    if (!pyga.Function)
        return -1;
    if (add_type(m, Program_Type, "Program") < 0 || add_type(m, pyga.Module, "Module") < 0 ||
        add_type(m, pyga.Function, "Function") < 0)
        return -1;
    if (PyModule_AddFunctions(m, kernel_functions) < 0)
        return -1;
    /* gpuarray.cuda.compiler re-exports the class from here when errors.c
     * has not put it on the module itself. */
    if (pyga.CompileException && !PyObject_HasAttrString(m, "CompileException")) {
        Py_INCREF(pyga.CompileException);
        if (PyModule_AddObject(m, "CompileException", pyga.CompileException) < 0) {
            Py_DECREF(pyga.CompileException);
            return -1;
        }
    }
    return 0;
}
