/* kernel_function.c - gpuarray._core.Function, a kernel (base of
 * RawKernel): its lifetime, binding (lazy in subclasses), what every launch
 * checks against, and the kernel attributes. kernel_launch.c launches it. */
#include "kernel_internal.h"
#include "structmember.h"

#include <string.h>

static PyObject *str_load;      /* "_load" */

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
    self->vectorcall = pyga_function_vectorcall;
    return (PyObject *)self;
}

PyObject *
pyga_function_new_bound(pyga_Module *mod, ga_function *fn)
{
    pyga_Function *self = PyObject_GC_New(pyga_Function, pyga.Function);
    if (!self)
        return NULL;
    memset((char *)self + sizeof(PyObject), 0, sizeof *self - sizeof(PyObject));
    self->vectorcall = pyga_function_vectorcall;
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

int
pyga_function_ensure(pyga_Function *self, ga_device *dev)
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
                     pyga_function_cname(self), ga_device_ordinal(self->device),
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

int
pyga_function_prepare(pyga_Function *self)
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

/* ------------------------------------------------------------ attributes */

static PyObject *
function_attribute(pyga_Function *self, int attribute)
{
    if (pyga_function_ensure(self, NULL) < 0)
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
    if (pyga_as_int(value, &v) < 0)
        return -1;
    if (pyga_function_ensure(self, NULL) < 0)
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
    if (pyga_function_ensure(self, NULL) < 0)
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
    if (pyga_function_ensure(self, NULL) < 0)
        return NULL;
    if (!self->ready && pyga_function_prepare(self) < 0)
        return NULL;
    if (!self->known)
        Py_RETURN_NONE;
    PyObject *list = PyList_New(self->nparams);
    if (!list)
        return NULL;
    for (int i = 0; i < self->nparams; i++) {
        char tt[96];
        pyga_param_type(&self->params[i], tt, sizeof tt);
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
    if (pyga_function_ensure(self, NULL) < 0)
        return NULL;
    return PyUnicode_FromString(pyga_function_cname(self));
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
    {Py_tp_call, pyga_function_call},
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

int
pyga_init_kernel_function(void)
{
    if (!str_load && !(str_load = PyUnicode_InternFromString("_load")))
        return -1;
    pyga.Function = (PyTypeObject *)PyType_FromSpec(&function_spec);
    if (!pyga.Function)
        return -1;
    return 0;
}
