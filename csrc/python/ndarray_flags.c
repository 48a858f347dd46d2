/* ndarray_flags.c - the Flags type of ndarray.flags: c_contiguous,
 * f_contiguous and owndata, as attributes and by key (flags['C']). */
#include "ndarray_internal.h"

/* ndarray.flags: a small read-only record, as CuPy's. */
typedef struct {
    PyObject_HEAD
    int c_contiguous, f_contiguous, owndata;
} Flags;
static PyTypeObject *Flags_Type;

PyObject *pyga_ndarray_get_flags(PyObject *self, void *c)
{
    (void)c;
    Flags *f = (Flags *)Flags_Type->tp_alloc(Flags_Type, 0);
    if (!f)
        return NULL;
    f->c_contiguous = ARR(self)->c_contiguous;
    f->f_contiguous = ARR(self)->f_contiguous;
    f->owndata = ARR(self)->base == NULL;
    return (PyObject *)f;
}

static PyObject *Flags_get(PyObject *self, void *which)
{
    Flags *f = (Flags *)self;
    int v = which == (void *)0 ? f->c_contiguous : which == (void *)1 ? f->f_contiguous : f->owndata;
    return PyBool_FromLong(v);
}

static PyObject *Flags_getitem(PyObject *self, PyObject *key)
{
    static const char *const keys[][3] = {
        {"C_CONTIGUOUS", "C", "CONTIGUOUS"}, {"F_CONTIGUOUS", "F", "FORTRAN"}, {"OWNDATA", "O", NULL}};
    const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
    for (int i = 0; k && i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (keys[i][j] && !strcmp(k, keys[i][j]))
                return Flags_get(self, (void *)(intptr_t)i);
    PyErr_Format(PyExc_KeyError, "%R", key);
    return NULL;
}

static PyObject *Flags_repr(PyObject *self)
{
    Flags *f = (Flags *)self;
    return PyUnicode_FromFormat("  C_CONTIGUOUS : %s\n  F_CONTIGUOUS : %s\n  OWNDATA : %s",
                                f->c_contiguous ? "True" : "False", f->f_contiguous ? "True" : "False",
                                f->owndata ? "True" : "False");
}

static PyObject *Flags_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args, (void)kwds;
    return type->tp_alloc(type, 0);
}

static void Flags_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyGetSetDef Flags_getset[] = {
    {"c_contiguous", Flags_get, NULL, NULL, (void *)0},
    {"f_contiguous", Flags_get, NULL, NULL, (void *)1},
    {"owndata", Flags_get, NULL, NULL, (void *)2},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Flags_slots[] = {
    {Py_tp_new, Flags_new},
    {Py_tp_dealloc, Flags_dealloc},
    {Py_tp_repr, Flags_repr},
    {Py_tp_getset, Flags_getset},
    {Py_mp_subscript, Flags_getitem},
    {0, NULL}
};

static PyType_Spec Flags_spec = {
    .name = "gpuarray._core.Flags",
    .basicsize = sizeof(Flags),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Flags_slots,
};

int pyga_init_ndarray_flags(void)
{
    Flags_Type = (PyTypeObject *)PyType_FromSpec(&Flags_spec);
    if (!Flags_Type)
        return -1;
    return 0;
}
