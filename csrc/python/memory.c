/* memory.c - device memory (Memory, MemoryPointer), the memory pool
 * (MemoryPool, get_default_memory_pool) and page-locked host memory
 * (PinnedMemory, alloc_pinned_memory, empty_pinned, zeros_pinned).
 *
 * Device memory comes from the core's stream-ordered pool: a Memory frees
 * its ga_buffer when the last reference goes, ordered on the stream it was
 * allocated on, which the Memory keeps alive. */
#include "pyga_internal.h"

#include <structmember.h>

typedef struct pyga_MemoryPointer {
    PyObject_HEAD
    PyObject *mem;     /* the Memory it points into (strong) */
    ga_devptr ptr;
} pyga_MemoryPointer;

typedef struct pyga_PinnedMemory {
    PyObject_HEAD
    void *ptr;         /* from ga_host_alloc */
    size_t size;       /* bytes asked for */
} pyga_PinnedMemory;

static PyTypeObject *PinnedMemory_Type;
static PyObject *default_pool;

#define MEM(o) ((pyga_Memory *)(o))
#define MPTR(o) ((pyga_MemoryPointer *)(o))
#define PINNED(o) ((pyga_PinnedMemory *)(o))

/* ------------------------------------------------------------- Memory type */

/* A Memory of `type`: gpuarray.Memory itself on the hot path of every
 * array (PyObject_GC_New, tracked once filled), or a Python subclass
 * (`class M(Memory)`, CuPy's custom allocators' pattern), whose tp_alloc
 * gives the subclass's size (its __dict__, weakrefs) and tracks the
 * object; the rest is Memory's. */
static PyObject *memory_alloc_type(PyTypeObject *type, ga_device *device, size_t nbytes,
                                   PyObject *stream_obj, ga_stream *stream)
{
    ga_buffer *buf;
    ga_status st = ga_buffer_alloc(device, nbytes, stream, &buf);
    if (st != GA_OK)
        return pyga_raise(st);
    const int exact = type == pyga.Memory;
    pyga_Memory *m = exact ? PyObject_GC_New(pyga_Memory, pyga.Memory)
                           : (pyga_Memory *)type->tp_alloc(type, 0);
    if (!m) {
        ga_buffer_free(buf);
        return NULL;
    }
    m->buffer = buf;
    m->ptr = ga_buffer_ptr(buf);
    m->size = nbytes;
    m->device = device;
    m->owner = NULL;
    m->stream = Py_NewRef(stream_obj);
    if (exact)
        PyObject_GC_Track(m);
    return (PyObject *)m;
}

PyObject *pyga_memory_alloc(ga_device *device, size_t nbytes, PyObject *stream_obj, ga_stream *stream)
{
    return memory_alloc_type(pyga.Memory, device, nbytes, stream_obj, stream);
}

static PyObject *Memory_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"size", NULL};
    Py_ssize_t size;
    if (type != pyga.Memory) {
        /* A subclass's __init__ may take more than the size (a pool, a
         * tag): Memory takes the first argument (or size=) and leaves the
         * rest to it, as object.__new__ does for an overridden __init__. */
        PyObject *size_obj = NULL;
        if (args && PyTuple_GET_SIZE(args) > 0)
            size_obj = PyTuple_GET_ITEM(args, 0);
        else if (kwds)
            size_obj = PyDict_GetItemString(kwds, "size");
        if (!size_obj) {
            PyErr_Format(PyExc_TypeError, "%.200s() needs the size in bytes (first argument or "
                         "size=)", type->tp_name);
            return NULL;
        }
        size = PyNumber_AsSsize_t(size_obj, PyExc_OverflowError);
        if (size == -1 && PyErr_Occurred())
            return NULL;
    } else if (!PyArg_ParseTupleAndKeywords(args, kwds, "n:Memory", kwlist, &size)) {
        return NULL;
    }
    if (size < 0) {
        PyErr_Format(PyExc_ValueError, "Memory: negative size %zd", size);
        return NULL;
    }
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    ga_stream *stream;
    PyObject *stream_obj = pyga_current_stream(&stream);
    return memory_alloc_type(type, dev, (size_t)size, stream_obj, stream);
}

static int Memory_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(MEM(self)->owner);
    Py_VISIT(MEM(self)->stream);
    return 0;
}

static int Memory_clear(PyObject *self)
{
    Py_CLEAR(MEM(self)->owner);
    return 0;
}

static void Memory_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    pyga_Memory *m = MEM(self);
    PyObject_GC_UnTrack(self);
    if (m->buffer)
        ga_buffer_free(m->buffer);   /* stream-ordered; a failure here has no one to tell */
    m->buffer = NULL;
    Py_CLEAR(m->owner);
    Py_CLEAR(m->stream);   /* after the free, which was queued on it */
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *Memory_get_ptr(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromUnsignedLongLong(MEM(self)->ptr);
}

static PyObject *Memory_get_size(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(MEM(self)->size);
}

static PyObject *Memory_get_device_id(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(ga_device_ordinal(MEM(self)->device));
}

static PyObject *Memory_get_device(PyObject *self, void *c)
{
    (void)c;
    return pyga_device_object(ga_device_ordinal(MEM(self)->device));
}

static PyObject *Memory_get_stream(PyObject *self, void *c)
{
    (void)c;
    PyObject *s = MEM(self)->stream;
    return Py_NewRef(s ? s : Py_None);
}

static PyObject *Memory_repr(PyObject *self)
{
    char buf[128];
    snprintf(buf, sizeof buf, "<Memory 0x%llx, %zu bytes, device %d>", (unsigned long long)MEM(self)->ptr,
             MEM(self)->size, ga_device_ordinal(MEM(self)->device));
    return PyUnicode_FromString(buf);
}

static PyGetSetDef Memory_getset[] = {
    {"ptr", Memory_get_ptr, NULL, "Device address as an int.", NULL},
    {"size", Memory_get_size, NULL, "Size in bytes.", NULL},
    {"device_id", Memory_get_device_id, NULL, "Ordinal of the device.", NULL},
    {"device", Memory_get_device, NULL, "The Device.", NULL},
    {"stream", Memory_get_stream, NULL, "The Stream it was allocated (and will be freed) on.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Memory_slots[] = {
    {Py_tp_doc, "Memory(size)\n--\n\n"
                "Device memory from the pool, allocated on the current stream of the\n"
                "current device and freed (ordered on that stream) when the last\n"
                "reference goes."},
    {Py_tp_new, Memory_new},
    {Py_tp_dealloc, Memory_dealloc},
    {Py_tp_traverse, Memory_traverse},
    {Py_tp_clear, Memory_clear},
    {Py_tp_repr, Memory_repr},
    {Py_tp_getset, Memory_getset},
    {0, NULL}
};

static PyType_Spec Memory_spec = {
    .name = "gpuarray.cuda.memory.Memory",
    .basicsize = sizeof(pyga_Memory),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .slots = Memory_slots,
};

/* ------------------------------------------------------ MemoryPointer type */

PyObject *pyga_memory_pointer(PyObject *mem, ga_devptr ptr)
{
    pyga_MemoryPointer *p = PyObject_GC_New(pyga_MemoryPointer, pyga.MemoryPointer);
    if (!p)
        return NULL;
    p->mem = Py_NewRef(mem);
    p->ptr = ptr;
    PyObject_GC_Track(p);
    return (PyObject *)p;
}

int pyga_memory_pointer_unpack(PyObject *o, PyObject **mem, ga_devptr *ptr)
{
    if (!PyObject_TypeCheck(o, pyga.MemoryPointer)) {
        PyErr_Format(PyExc_TypeError, "memptr must be a gpuarray.cuda.MemoryPointer, not %.200s",
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    *mem = MPTR(o)->mem;
    *ptr = MPTR(o)->ptr;
    return 0;
}

static PyObject *MemoryPointer_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type;
    static char *kwlist[] = {"mem", "offset", NULL};
    PyObject *mem;
    Py_ssize_t offset = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!|n:MemoryPointer", kwlist, pyga.Memory, &mem,
                                     &offset))
        return NULL;
    if (offset < 0 || (size_t)offset > MEM(mem)->size) {
        PyErr_Format(PyExc_ValueError, "MemoryPointer: offset %zd outside the %zu-byte memory",
                     offset, MEM(mem)->size);
        return NULL;
    }
    return pyga_memory_pointer(mem, MEM(mem)->ptr + (ga_devptr)offset);
}

static int MemoryPointer_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(MPTR(self)->mem);
    return 0;
}

static int MemoryPointer_clear(PyObject *self)
{
    Py_CLEAR(MPTR(self)->mem);
    return 0;
}

static void MemoryPointer_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(MPTR(self)->mem);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* Bytes from `p` to the end of its Memory; 0 if the Memory is gone. */
static size_t bytes_left(PyObject *p)
{
    PyObject *mem = MPTR(p)->mem;
    if (!mem)
        return 0;
    ga_devptr end = MEM(mem)->ptr + MEM(mem)->size;
    return MPTR(p)->ptr <= end ? (size_t)(end - MPTR(p)->ptr) : 0;
}

static int check_size(PyObject *p, Py_ssize_t size, const char *what)
{
    if (size < 0) {
        PyErr_Format(PyExc_ValueError, "%s: negative size %zd", what, size);
        return -1;
    }
    if ((size_t)size > bytes_left(p)) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes run past the end of the memory (%zu left)",
                     what, size, bytes_left(p));
        return -1;
    }
    return 0;
}

static ga_device *mptr_device(PyObject *p)
{
    return MEM(MPTR(p)->mem)->device;
}

static PyObject *MemoryPointer_get_ptr(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromUnsignedLongLong(MPTR(self)->ptr);
}

static PyObject *MemoryPointer_get_mem(PyObject *self, void *c)
{
    (void)c;
    return Py_NewRef(MPTR(self)->mem);
}

static PyObject *MemoryPointer_get_device_id(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(ga_device_ordinal(mptr_device(self)));
}

static PyObject *MemoryPointer_get_device(PyObject *self, void *c)
{
    (void)c;
    return pyga_device_object(ga_device_ordinal(mptr_device(self)));
}

static PyObject *MemoryPointer_int(PyObject *self)
{
    return PyLong_FromUnsignedLongLong(MPTR(self)->ptr);
}

static PyObject *MemoryPointer_offset(PyObject *p, PyObject *n, int sign)
{
    if (!PyObject_TypeCheck(p, pyga.MemoryPointer) || !PyIndex_Check(n))
        Py_RETURN_NOTIMPLEMENTED;
    Py_ssize_t off = PyNumber_AsSsize_t(n, PyExc_OverflowError);
    if (off == -1 && PyErr_Occurred())
        return NULL;
    off *= sign;
    ga_devptr base = MEM(MPTR(p)->mem)->ptr;
    ga_devptr ptr = MPTR(p)->ptr + (ga_devptr)off;
    if (ptr < base || ptr > base + MEM(MPTR(p)->mem)->size) {
        PyErr_Format(PyExc_ValueError, "MemoryPointer: offset %zd leaves the memory", off);
        return NULL;
    }
    return pyga_memory_pointer(MPTR(p)->mem, ptr);
}

static PyObject *MemoryPointer_add(PyObject *a, PyObject *b)
{
    return PyObject_TypeCheck(a, pyga.MemoryPointer) ? MemoryPointer_offset(a, b, 1)
                                                     : MemoryPointer_offset(b, a, 1);
}

static PyObject *MemoryPointer_sub(PyObject *a, PyObject *b)
{
    return MemoryPointer_offset(a, b, -1);
}

static PyObject *MemoryPointer_repr(PyObject *self)
{
    char buf[96];
    snprintf(buf, sizeof buf, "<MemoryPointer 0x%llx (device %d)>", (unsigned long long)MPTR(self)->ptr,
             ga_device_ordinal(mptr_device(self)));
    return PyUnicode_FromString(buf);
}

/* A host address given as an int or a ctypes pointer (CuPy takes both). */
static int host_address(PyObject *o, void **addr)
{
    PyObject *v = NULL;
    if (!PyLong_Check(o) && PyObject_HasAttrString(o, "value"))
        o = v = PyObject_GetAttrString(o, "value");
    if (!o)
        return -1;
    if (o == Py_None) {
        Py_XDECREF(v);
        PyErr_SetString(PyExc_ValueError, "host address is NULL");
        return -1;
    }
    *addr = PyLong_AsVoidPtr(o);
    Py_XDECREF(v);
    return PyErr_Occurred() ? -1 : 0;
}

enum copy_kind { COPY_FROM_DEVICE, COPY_FROM_HOST, COPY_TO_HOST };

static PyObject *mptr_copy(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                           enum copy_kind kind, int async, const char *fname)
{
    static const char *const names[] = {"src", "size", "stream"};
    static const char *const names_to[] = {"mem", "size", "stream"};
    PyObject *v[3];
    if (pyga_parse_args(fname, args, nargs, kwnames, kind == COPY_TO_HOST ? names_to : names,
                        async ? 3 : 2, async ? 3 : 2, 2, v) < 0)
        return NULL;
    Py_ssize_t size = PyNumber_AsSsize_t(v[1], PyExc_OverflowError);
    if (size == -1 && PyErr_Occurred())
        return NULL;
    if (check_size(self, size, fname) < 0)
        return NULL;
    ga_stream *stream;
    if (pyga_stream_arg(async ? v[2] : NULL, &stream, NULL) < 0)
        return NULL;
    ga_device *dev = mptr_device(self);
    ga_status st = GA_OK;
    if (kind == COPY_FROM_DEVICE) {
        if (!PyObject_TypeCheck(v[0], pyga.MemoryPointer)) {
            PyErr_Format(PyExc_TypeError, "%s: src must be a MemoryPointer", fname);
            return NULL;
        }
        if (check_size(v[0], size, fname) < 0)
            return NULL;
        st = ga_memcpy_dtod_async(dev, MPTR(self)->ptr, MPTR(v[0])->ptr, (size_t)size, stream);
        if (st == GA_OK && !async) {
            Py_BEGIN_ALLOW_THREADS
            st = ga_stream_synchronize(dev, stream);
            Py_END_ALLOW_THREADS
        }
    } else {
        void *host;
        if (host_address(v[0], &host) < 0)
            return NULL;
        Py_BEGIN_ALLOW_THREADS
        if (kind == COPY_FROM_HOST)
            st = async ? ga_memcpy_htod_async(dev, MPTR(self)->ptr, host, (size_t)size, stream)
                       : ga_memcpy_htod(dev, MPTR(self)->ptr, host, (size_t)size, stream);
        else
            st = async ? ga_memcpy_dtoh_async(dev, host, MPTR(self)->ptr, (size_t)size, stream)
                       : ga_memcpy_dtoh(dev, host, MPTR(self)->ptr, (size_t)size, stream);
        Py_END_ALLOW_THREADS
    }
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

#define COPY_METHOD(name, kind, async)                                                      \
    static PyObject *MemoryPointer_##name(PyObject *self, PyObject *const *args,             \
                                          Py_ssize_t nargs, PyObject *kw)                    \
    {                                                                                        \
        return mptr_copy(self, args, nargs, kw, kind, async, #name);                         \
    }
COPY_METHOD(copy_from_device, COPY_FROM_DEVICE, 0)
COPY_METHOD(copy_from_device_async, COPY_FROM_DEVICE, 1)
COPY_METHOD(copy_from_host, COPY_FROM_HOST, 0)
COPY_METHOD(copy_from_host_async, COPY_FROM_HOST, 1)
COPY_METHOD(copy_to_host, COPY_TO_HOST, 0)
COPY_METHOD(copy_to_host_async, COPY_TO_HOST, 1)

static PyObject *mptr_memset(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames, int async)
{
    static const char *const names[] = {"value", "size", "stream"};
    const char *fname = async ? "memset_async" : "memset";
    PyObject *v[3];
    if (pyga_parse_args(fname, args, nargs, kwnames, names, async ? 3 : 2, async ? 3 : 2, 2, v) < 0)
        return NULL;
    long value = PyLong_AsLong(v[0]);
    if (value == -1 && PyErr_Occurred())
        return NULL;
    if (value < 0 || value > 255) {
        PyErr_Format(PyExc_ValueError, "%s: value %ld is not a byte (0..255)", fname, value);
        return NULL;
    }
    Py_ssize_t size = PyNumber_AsSsize_t(v[1], PyExc_OverflowError);
    if ((size == -1 && PyErr_Occurred()) || check_size(self, size, fname) < 0)
        return NULL;
    ga_stream *stream;
    if (pyga_stream_arg(async ? v[2] : NULL, &stream, NULL) < 0)
        return NULL;
    ga_device *dev = mptr_device(self);
    ga_status st = ga_memset_async(dev, MPTR(self)->ptr, (uint32_t)value, 1, (size_t)size, stream);
    if (st == GA_OK && !async) {
        Py_BEGIN_ALLOW_THREADS
        st = ga_stream_synchronize(dev, stream);
        Py_END_ALLOW_THREADS
    }
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

static PyObject *MemoryPointer_memset(PyObject *self, PyObject *const *a, Py_ssize_t n, PyObject *k)
{
    return mptr_memset(self, a, n, k, 0);
}

static PyObject *MemoryPointer_memset_async(PyObject *self, PyObject *const *a, Py_ssize_t n, PyObject *k)
{
    return mptr_memset(self, a, n, k, 1);
}

#define FASTMETH(name, fn, doc) \
    {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL | METH_KEYWORDS, doc}

static PyMethodDef MemoryPointer_methods[] = {
    FASTMETH("copy_from_device", MemoryPointer_copy_from_device,
             "copy_from_device(src, size)\n--\n\nCopy size bytes from MemoryPointer src (waits)."),
    FASTMETH("copy_from_device_async", MemoryPointer_copy_from_device_async,
             "copy_from_device_async(src, size, stream=None)\n--\n\nQueue a device copy."),
    FASTMETH("copy_from_host", MemoryPointer_copy_from_host,
             "copy_from_host(mem, size)\n--\n\nCopy size bytes from host address mem."),
    FASTMETH("copy_from_host_async", MemoryPointer_copy_from_host_async,
             "copy_from_host_async(mem, size, stream=None)\n--\n\nQueue a host-to-device copy."),
    FASTMETH("copy_to_host", MemoryPointer_copy_to_host,
             "copy_to_host(mem, size)\n--\n\nCopy size bytes to host address mem."),
    FASTMETH("copy_to_host_async", MemoryPointer_copy_to_host_async,
             "copy_to_host_async(mem, size, stream=None)\n--\n\nQueue a device-to-host copy."),
    FASTMETH("memset", MemoryPointer_memset,
             "memset(value, size)\n--\n\nSet size bytes to the byte value (waits)."),
    FASTMETH("memset_async", MemoryPointer_memset_async,
             "memset_async(value, size, stream=None)\n--\n\nQueue a byte fill."),
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef MemoryPointer_getset[] = {
    {"ptr", MemoryPointer_get_ptr, NULL, "Device address as an int.", NULL},
    {"mem", MemoryPointer_get_mem, NULL, "The Memory pointed into.", NULL},
    {"device_id", MemoryPointer_get_device_id, NULL, "Ordinal of the device.", NULL},
    {"device", MemoryPointer_get_device, NULL, "The Device.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot MemoryPointer_slots[] = {
    {Py_tp_doc, "MemoryPointer(mem, offset=0)\n--\n\nAn address inside a Memory, keeping it alive."},
    {Py_tp_new, MemoryPointer_new},
    {Py_tp_dealloc, MemoryPointer_dealloc},
    {Py_tp_traverse, MemoryPointer_traverse},
    {Py_tp_clear, MemoryPointer_clear},
    {Py_tp_repr, MemoryPointer_repr},
    {Py_nb_int, MemoryPointer_int},
    {Py_nb_add, MemoryPointer_add},
    {Py_nb_subtract, MemoryPointer_sub},
    {Py_tp_methods, MemoryPointer_methods},
    {Py_tp_getset, MemoryPointer_getset},
    {0, NULL}
};

static PyType_Spec MemoryPointer_spec = {
    .name = "gpuarray.cuda.memory.MemoryPointer",
    .basicsize = sizeof(pyga_MemoryPointer),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = MemoryPointer_slots,
};

/* ---------------------------------------------------------- MemoryPool type */

/* The core keeps one pool per device; a MemoryPool object is a view of the
 * pool of the calling thread's current device (as CuPy's pools are). */

static PyObject *pool_bytes(ga_status (*fn)(ga_device *, size_t *))
{
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    size_t n = 0;
    ga_status st = fn(dev, &n);
    if (st != GA_OK)
        return pyga_raise(st);
    return PyLong_FromSize_t(n);
}

static PyObject *MemoryPool_used_bytes(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return pool_bytes(ga_mempool_used_bytes);
}

static PyObject *MemoryPool_total_bytes(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return pool_bytes(ga_mempool_total_bytes);
}

static PyObject *MemoryPool_free_bytes(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    size_t used = 0, total = 0;
    ga_status st = ga_mempool_used_bytes(dev, &used);
    if (st == GA_OK)
        st = ga_mempool_total_bytes(dev, &total);
    if (st != GA_OK)
        return pyga_raise(st);
    return PyLong_FromSize_t(total > used ? total - used : 0);
}

static PyObject *MemoryPool_free_all_blocks(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                            PyObject *kwnames)
{
    (void)self;
    static const char *const names[] = {"stream"};
    PyObject *v[1];
    if (pyga_parse_args("free_all_blocks", args, nargs, kwnames, names, 1, 1, 0, v) < 0)
        return NULL;
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_mempool_free_all_blocks(dev);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

static PyObject *MemoryPool_set_limit(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                      PyObject *kwnames)
{
    (void)self;
    static const char *const names[] = {"size", "fraction"};
    PyObject *v[2];
    if (pyga_parse_args("set_limit", args, nargs, kwnames, names, 2, 2, 0, v) < 0)
        return NULL;
    PyObject *size = v[0] == Py_None ? NULL : v[0], *fraction = v[1] == Py_None ? NULL : v[1];
    if (size && fraction) {
        PyErr_SetString(PyExc_ValueError, "set_limit: give size or fraction, not both");
        return NULL;
    }
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    size_t limit = 0;
    if (size) {
        Py_ssize_t n = PyNumber_AsSsize_t(size, PyExc_OverflowError);
        if (n == -1 && PyErr_Occurred())
            return NULL;
        if (n < 0) {
            PyErr_Format(PyExc_ValueError, "set_limit: negative size %zd", n);
            return NULL;
        }
        limit = (size_t)n;
    } else if (fraction) {
        double f = PyFloat_AsDouble(fraction);
        if (f == -1.0 && PyErr_Occurred())
            return NULL;
        if (!(f >= 0.0 && f <= 1.0)) {
            PyErr_Format(PyExc_ValueError, "set_limit: fraction must be in [0, 1], got %R", fraction);
            return NULL;
        }
        size_t free_bytes, total_bytes;
        ga_status st = ga_device_mem_info(dev, &free_bytes, &total_bytes);
        if (st != GA_OK)
            return pyga_raise(st);
        limit = (size_t)(f * (double)total_bytes);
    }
    ga_status st = ga_mempool_set_limit(dev, limit);
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

static PyObject *MemoryPool_get_limit(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return pool_bytes(ga_mempool_get_limit);
}

static PyObject *MemoryPool_malloc(PyObject *self, PyObject *arg)
{
    (void)self;
    Py_ssize_t size = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (size == -1 && PyErr_Occurred())
        return NULL;
    if (size < 0) {
        PyErr_Format(PyExc_ValueError, "malloc: negative size %zd", size);
        return NULL;
    }
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    ga_stream *stream;
    PyObject *stream_obj = pyga_current_stream(&stream);
    PyObject *mem = pyga_memory_alloc(dev, (size_t)size, stream_obj, stream);
    if (!mem)
        return NULL;
    PyObject *p = pyga_memory_pointer(mem, MEM(mem)->ptr);
    Py_DECREF(mem);
    return p;
}

static PyObject *MemoryPool_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    if ((args && PyTuple_GET_SIZE(args)) || (kwds && PyDict_GET_SIZE(kwds))) {
        PyErr_SetString(PyExc_TypeError, "MemoryPool() takes no arguments (allocators are not pluggable)");
        return NULL;
    }
    return type->tp_alloc(type, 0);
}

static void MemoryPool_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef MemoryPool_methods[] = {
    {"used_bytes", MemoryPool_used_bytes, METH_NOARGS,
     "used_bytes()\n--\n\nBytes in live allocations on the current device."},
    {"total_bytes", MemoryPool_total_bytes, METH_NOARGS,
     "total_bytes()\n--\n\nBytes the pool holds (live + cached)."},
    {"free_bytes", MemoryPool_free_bytes, METH_NOARGS,
     "free_bytes()\n--\n\nBytes the pool holds but has not handed out."},
    FASTMETH("free_all_blocks", MemoryPool_free_all_blocks,
             "free_all_blocks(stream=None)\n--\n\nGive cached blocks back to the driver "
             "(synchronizes the device; GIL released)."),
    FASTMETH("set_limit", MemoryPool_set_limit,
             "set_limit(size=None, fraction=None)\n--\n\n"
             "Cap used bytes at size, or at fraction of the device's memory; neither: no cap."),
    {"get_limit", MemoryPool_get_limit, METH_NOARGS, "get_limit()\n--\n\nThe cap (0: none)."},
    {"malloc", MemoryPool_malloc, METH_O,
     "malloc(size)\n--\n\nA MemoryPointer to size fresh bytes on the current stream."},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot MemoryPool_slots[] = {
    {Py_tp_doc, "MemoryPool()\n--\n\n"
                "The stream-ordered device memory pool of the current device."},
    {Py_tp_new, MemoryPool_new},
    {Py_tp_dealloc, MemoryPool_dealloc},
    {Py_tp_methods, MemoryPool_methods},
    {0, NULL}
};

static PyType_Spec MemoryPool_spec = {
    .name = "gpuarray.cuda.memory.MemoryPool",
    .basicsize = sizeof(PyObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = MemoryPool_slots,
};

/* ------------------------------------------------------ PinnedMemory type */

static PyObject *pinned_alloc(size_t nbytes)
{
    void *p;
    /* 0 bytes still gets a real block, so every PinnedMemory has one. */
    ga_status st = ga_host_alloc(nbytes ? nbytes : 1, &p);
    if (st != GA_OK)
        return pyga_raise(st);
    pyga_PinnedMemory *self = PyObject_New(pyga_PinnedMemory, PinnedMemory_Type);
    if (!self) {
        ga_host_free(p);
        return NULL;
    }
    self->ptr = p;
    self->size = nbytes;
    return (PyObject *)self;
}

static void PinnedMemory_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (PINNED(self)->ptr)
        ga_host_free(PINNED(self)->ptr);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *PinnedMemory_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type;
    static char *kwlist[] = {"size", NULL};
    Py_ssize_t size;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "n:PinnedMemory", kwlist, &size))
        return NULL;
    if (size < 0) {
        PyErr_Format(PyExc_ValueError, "PinnedMemory: negative size %zd", size);
        return NULL;
    }
    return pinned_alloc((size_t)size);
}

static int PinnedMemory_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    return PyBuffer_FillInfo(view, self, PINNED(self)->ptr, (Py_ssize_t)PINNED(self)->size, 0, flags);
}

static PyObject *PinnedMemory_get_ptr(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromVoidPtr(PINNED(self)->ptr);
}

static PyObject *PinnedMemory_get_size(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(PINNED(self)->size);
}

static Py_ssize_t PinnedMemory_len(PyObject *self)
{
    return (Py_ssize_t)PINNED(self)->size;
}

static PyGetSetDef PinnedMemory_getset[] = {
    {"ptr", PinnedMemory_get_ptr, NULL, "Host address as an int.", NULL},
    {"size", PinnedMemory_get_size, NULL, "Size in bytes.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot PinnedMemory_slots[] = {
    {Py_tp_doc, "PinnedMemory(size)\n--\n\n"
                "Page-locked host memory (a writable buffer), freed when the last\n"
                "reference goes; the base of the arrays empty_pinned returns."},
    {Py_tp_new, PinnedMemory_new},
    {Py_tp_dealloc, PinnedMemory_dealloc},
    {Py_tp_getset, PinnedMemory_getset},
    {Py_bf_getbuffer, PinnedMemory_getbuffer},
    {Py_sq_length, PinnedMemory_len},
    {0, NULL}
};

static PyType_Spec PinnedMemory_spec = {
    .name = "gpuarray.cuda.memory.PinnedMemory",
    .basicsize = sizeof(pyga_PinnedMemory),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = PinnedMemory_slots,
};

/* ------------------------------------------------------ module functions */

static PyObject *get_default_memory_pool(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    return Py_NewRef(default_pool);
}

static PyObject *alloc(PyObject *m, PyObject *arg)
{
    (void)m;
    return MemoryPool_malloc(default_pool, arg);
}

static PyObject *alloc_pinned_memory(PyObject *m, PyObject *arg)
{
    (void)m;
    Py_ssize_t size = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (size == -1 && PyErr_Occurred())
        return NULL;
    if (size < 0) {
        PyErr_Format(PyExc_ValueError, "alloc_pinned_memory: negative size %zd", size);
        return NULL;
    }
    return pinned_alloc((size_t)size);
}

/* A NumPy array over fresh page-locked memory; its base is the
 * PinnedMemory, so the memory is freed with the last view of it. */
static PyObject *pinned_array(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                              const char *fname, int zero)
{
    static const char *const names[] = {"shape", "dtype", "order"};
    PyObject *v[3];
    if (pyga_parse_args(fname, args, nargs, kwnames, names, 3, 3, 1, v) < 0)
        return NULL;
    Py_ssize_t shape[PYGA_MAX_NDIM];
    int ndim = pyga_shape_arg(v[0], shape, fname);
    if (ndim < 0)
        return NULL;
    int fortran = 0;
    if (v[2] && v[2] != Py_None) {
        const char *order = PyUnicode_Check(v[2]) ? PyUnicode_AsUTF8(v[2]) : NULL;
        if (order && (!strcmp(order, "C") || !strcmp(order, "c"))) {
            fortran = 0;
        } else if (order && (!strcmp(order, "F") || !strcmp(order, "f"))) {
            fortran = 1;
        } else {
            PyErr_Format(PyExc_ValueError, "%s: order must be 'C' or 'F', not %R", fname, v[2]);
            return NULL;
        }
    }
    PyArray_Descr *descr = NULL;
    if (!PyArray_DescrConverter2(v[1] ? v[1] : Py_None, &descr))
        return NULL;
    if (!descr)
        descr = PyArray_DescrFromType(NPY_DOUBLE);
    if (PyDataType_REFCHK(descr)) {
        PyErr_Format(PyExc_TypeError, "%s: dtype %R holds Python objects; pinned memory cannot",
                     fname, (PyObject *)descr);
        Py_DECREF(descr);
        return NULL;
    }
    size_t nbytes = (size_t)PyDataType_ELSIZE(descr);
    for (int i = 0; i < ndim; i++) {
        if (shape[i] && nbytes > PY_SSIZE_T_MAX / (size_t)shape[i]) {
            Py_DECREF(descr);
            PyErr_Format(PyExc_ValueError, "%s: array is too big", fname);
            return NULL;
        }
        nbytes *= (size_t)shape[i];
    }
    PyObject *mem = pinned_alloc(nbytes);
    if (!mem) {
        Py_DECREF(descr);
        return NULL;
    }
    if (zero)
        memset(PINNED(mem)->ptr, 0, nbytes);
    npy_intp dims[PYGA_MAX_NDIM];
    for (int i = 0; i < ndim; i++)
        dims[i] = (npy_intp)shape[i];
    PyObject *arr = PyArray_NewFromDescr(&PyArray_Type, descr, ndim, dims, NULL, PINNED(mem)->ptr,
                                         NPY_ARRAY_WRITEABLE | (fortran ? NPY_ARRAY_F_CONTIGUOUS : 0),
                                         NULL);   /* steals descr */
    if (!arr) {
        Py_DECREF(mem);
        return NULL;
    }
    if (PyArray_SetBaseObject((PyArrayObject *)arr, mem) < 0) {   /* steals mem */
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

static PyObject *empty_pinned(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    return pinned_array(args, nargs, kwnames, "empty_pinned", 0);
}

static PyObject *zeros_pinned(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    return pinned_array(args, nargs, kwnames, "zeros_pinned", 1);
}

static PyObject *is_pinned(PyObject *m, PyObject *arg)
{
    (void)m;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE | PyBUF_ANY_CONTIGUOUS) < 0) {
        PyErr_Clear();
        if (!PyArray_Check(arg)) {
            PyErr_Format(PyExc_TypeError, "is_pinned: expected a buffer or a NumPy array, not %.200s",
                         Py_TYPE(arg)->tp_name);
            return NULL;
        }
        return PyBool_FromLong(ga_host_is_pinned(PyArray_DATA((PyArrayObject *)arg)));
    }
    int pinned = ga_host_is_pinned(view.buf);
    PyBuffer_Release(&view);
    return PyBool_FromLong(pinned);
}

static PyMethodDef memory_functions[] = {
    {"get_default_memory_pool", get_default_memory_pool, METH_NOARGS,
     "get_default_memory_pool()\n--\n\nThe device memory pool (acts on the current device)."},
    {"alloc", alloc, METH_O,
     "alloc(size)\n--\n\nA MemoryPointer to size fresh device bytes on the current stream."},
    {"alloc_pinned_memory", alloc_pinned_memory, METH_O,
     "alloc_pinned_memory(size)\n--\n\nA PinnedMemory of size page-locked host bytes."},
    FASTMETH("empty_pinned", empty_pinned,
             "empty_pinned(shape, dtype=None, order='C')\n--\n\n"
             "A NumPy array in page-locked host memory (contents undefined)."),
    FASTMETH("zeros_pinned", zeros_pinned,
             "zeros_pinned(shape, dtype=None, order='C')\n--\n\n"
             "A zero-filled NumPy array in page-locked host memory."),
    {"is_pinned", is_pinned, METH_O,
     "is_pinned(a)\n--\n\nWhether the host memory of buffer/array a is page-locked."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_memory(PyObject *m)
{
    pyga.Memory = (PyTypeObject *)PyType_FromSpec(&Memory_spec);
    if (!pyga.Memory)
        return -1;
    pyga.MemoryPointer = (PyTypeObject *)PyType_FromSpec(&MemoryPointer_spec);
    if (!pyga.MemoryPointer)
        return -1;
    pyga.MemoryPool = (PyTypeObject *)PyType_FromSpec(&MemoryPool_spec);
    if (!pyga.MemoryPool)
        return -1;
    PinnedMemory_Type = (PyTypeObject *)PyType_FromSpec(&PinnedMemory_spec);
    if (!PinnedMemory_Type)
        return -1;
    default_pool = pyga.MemoryPool->tp_alloc(pyga.MemoryPool, 0);
    if (!default_pool)
        return -1;
    if (PyModule_AddObjectRef(m, "Memory", (PyObject *)pyga.Memory) < 0
        || PyModule_AddObjectRef(m, "MemoryPointer", (PyObject *)pyga.MemoryPointer) < 0
        || PyModule_AddObjectRef(m, "MemoryPool", (PyObject *)pyga.MemoryPool) < 0
        || PyModule_AddObjectRef(m, "PinnedMemory", (PyObject *)PinnedMemory_Type) < 0)
        return -1;
    return PyModule_AddFunctions(m, memory_functions);
}
