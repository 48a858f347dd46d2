/* device.c - gpuarray.cuda.Device and the calling thread's current device.
 *
 * The current device is per thread (as in the CUDA runtime and CuPy):
 * an int in C thread-local storage, default 0, with its ga_device* cached
 * so that every allocation finds it in a load. Device objects are one per
 * ordinal and stateless; the `with` stack of previous devices lives in the
 * thread's state dict. */
#include <string.h>

#include "pyga_internal.h"

#define MAX_DEVICES 64

static _Thread_local int tls_device_id;          /* 0 by default */
static _Thread_local ga_device *tls_device;      /* handle of tls_device_id, or NULL */

static PyObject *device_objects[MAX_DEVICES];    /* one Device per ordinal */

/* ---------------------------------------------------------- current device */

ga_device *pyga_current_device(void)
{
    ga_device *dev = tls_device;
    if (dev)
        return dev;
    ga_status st = ga_device_get(tls_device_id, &dev);
    if (st != GA_OK) {
        pyga_raise(st);
        return NULL;
    }
    tls_device = dev;
    return dev;
}

int pyga_current_device_id(void)
{
    return tls_device_id;
}

static int check_ordinal(int id)
{
    if (id < 0) {
        PyErr_Format(PyExc_ValueError, "invalid device ordinal %d: must be >= 0", id);
        return -1;
    }
    if (id >= MAX_DEVICES) {
        PyErr_Format(PyExc_ValueError, "invalid device ordinal %d: gpuarray supports %d devices",
                     id, MAX_DEVICES);
        return -1;
    }
    return 0;
}

/* Validates `id` against the devices present, so that a bad ordinal fails
 * where it is given rather than at the next allocation. */
static ga_device *device_handle(int id)
{
    if (check_ordinal(id) < 0)
        return NULL;
    int count = 0;
    ga_status st = ga_device_count(&count);
    if (st != GA_OK) {
        pyga_raise(st);
        return NULL;
    }
    if (id >= count) {
        PyErr_Format(PyExc_ValueError, "invalid device ordinal %d: %d device%s present", id, count,
                     count == 1 ? "" : "s");
        return NULL;
    }
    ga_device *dev;
    st = ga_device_get(id, &dev);
    if (st != GA_OK) {
        pyga_raise(st);
        return NULL;
    }
    return dev;
}

int pyga_set_current_device(int id)
{
    if (id == tls_device_id && tls_device)
        return 0;
    ga_device *dev = device_handle(id);
    if (!dev)
        return -1;
    tls_device_id = id;
    tls_device = dev;
    return 0;
}

/* A device= argument (the Array API's, on the creation functions): None,
 * a Device or an ordinal; its ordinal, -1 for None, -2 with an exception. */
int pyga_device_arg(PyObject *device, const char *fname)
{
    if (device == Py_None)
        return -1;
    if (PyObject_TypeCheck(device, pyga.Device))
        return ((pyga_Device *)device)->id;
    if (PyLong_Check(device) && !PyBool_Check(device)) {
        long id = PyLong_AsLong(device);
        if (id == -1 && PyErr_Occurred())
            return -2;
        if (id < 0 || id >= MAX_DEVICES) {
            PyErr_Format(PyExc_ValueError, "%s: invalid device ordinal %ld", fname, id);
            return -2;
        }
        return (int)id;
    }
    PyErr_Format(PyExc_TypeError,
                 "%s: device must be a gpuarray.cuda.Device (as ndarray.device gives), its "
                 "ordinal or None, not %R", fname, device);
    return -2;
}

/* ------------------------------------------------------------ Device type */

PyObject *pyga_device_object(int id)
{
    if (id >= 0 && id < MAX_DEVICES && device_objects[id])
        return Py_NewRef(device_objects[id]);
    ga_device *dev = device_handle(id);
    if (!dev)
        return NULL;
    pyga_Device *self = PyObject_New(pyga_Device, pyga.Device);
    if (!self)
        return NULL;
    self->id = id;
    self->device = dev;
    device_objects[id] = Py_NewRef((PyObject *)self);   /* lives forever */
    return (PyObject *)self;
}

static PyObject *Device_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type;
    static char *kwlist[] = {"device", NULL};
    PyObject *arg = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:Device", kwlist, &arg))
        return NULL;
    int id;
    if (arg == Py_None) {
        id = tls_device_id;
    } else if (PyObject_TypeCheck(arg, pyga.Device)) {
        id = ((pyga_Device *)arg)->id;
    } else {
        long v = PyLong_AsLong(arg);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        if (v < INT_MIN || v > INT_MAX) {
            PyErr_Format(PyExc_ValueError, "invalid device ordinal %ld", v);
            return NULL;
        }
        id = (int)v;
    }
    return pyga_device_object(id);
}

static void Device_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

#define DEV(o) ((pyga_Device *)(o))

static PyObject *Device_use(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (pyga_set_current_device(DEV(self)->id) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* The `with` stack: a list of previous ordinals in the thread's dict. */
static PyObject *device_stack(void)
{
    PyObject *tdict = PyThreadState_GetDict();
    if (!tdict) {
        PyErr_SetString(PyExc_RuntimeError, "gpuarray: no thread state dict");
        return NULL;
    }
    PyObject *stack = PyDict_GetItemString(tdict, "gpuarray.device_stack");
    if (stack)
        return stack;
    stack = PyList_New(0);
    if (!stack)
        return NULL;
    int rc = PyDict_SetItemString(tdict, "gpuarray.device_stack", stack);
    Py_DECREF(stack);   /* the dict keeps it */
    return rc < 0 ? NULL : stack;
}

static PyObject *Device_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *stack = device_stack();
    if (!stack)
        return NULL;
    PyObject *prev = PyLong_FromLong(tls_device_id);
    if (!prev)
        return NULL;
    int rc = PyList_Append(stack, prev);
    Py_DECREF(prev);
    if (rc < 0)
        return NULL;
    if (pyga_set_current_device(DEV(self)->id) < 0) {
        PySequence_DelItem(stack, PyList_GET_SIZE(stack) - 1);
        return NULL;
    }
    return Py_NewRef(self);
}

static PyObject *Device_exit(PyObject *self, PyObject *args)
{
    (void)self, (void)args;
    PyObject *stack = device_stack();
    if (!stack)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(stack);
    if (n == 0) {
        PyErr_SetString(PyExc_RuntimeError, "Device.__exit__ without a matching __enter__");
        return NULL;
    }
    int prev = (int)PyLong_AsLong(PyList_GET_ITEM(stack, n - 1));
    if (PyList_SetSlice(stack, n - 1, n, NULL) < 0)
        return NULL;
    if (pyga_set_current_device(prev) < 0)
        return NULL;
    Py_RETURN_FALSE;
}

static PyObject *Device_synchronize(PyObject *self, PyObject *unused)
{
    (void)unused;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_device_synchronize(DEV(self)->device);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

static PyObject *Device_get_id(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(DEV(self)->id);
}

static PyObject *Device_get_name(PyObject *self, void *c)
{
    (void)c;
    char name[256];
    ga_status st = ga_device_name(DEV(self)->device, name, sizeof name);
    if (st != GA_OK)
        return pyga_raise(st);
    name[sizeof name - 1] = '\0';
    return PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "replace");
}

static PyObject *Device_get_compute_capability(PyObject *self, void *c)
{
    (void)c;
    int major, minor;
    ga_status st = ga_device_compute_capability(DEV(self)->device, &major, &minor);
    if (st != GA_OK)
        return pyga_raise(st);
    return PyUnicode_FromFormat("%d%d", major, minor);
}

static PyObject *Device_get_mem_info(PyObject *self, void *c)
{
    (void)c;
    size_t free_bytes, total_bytes;
    ga_status st = ga_device_mem_info(DEV(self)->device, &free_bytes, &total_bytes);
    if (st != GA_OK)
        return pyga_raise(st);
    return Py_BuildValue("(nn)", (Py_ssize_t)free_bytes, (Py_ssize_t)total_bytes);
}

/* The CUDA runtime's cudaDeviceAttr names without the prefix, as CuPy's
 * Device.attributes has them; numbering shared with CUdevice_attribute. */
static const struct { int attr; const char *name; } attribute_names[] = {
    {1, "MaxThreadsPerBlock"}, {2, "MaxBlockDimX"}, {3, "MaxBlockDimY"}, {4, "MaxBlockDimZ"},
    {5, "MaxGridDimX"}, {6, "MaxGridDimY"}, {7, "MaxGridDimZ"},
    {8, "MaxSharedMemoryPerBlock"}, {9, "TotalConstantMemory"}, {10, "WarpSize"},
    {11, "MaxPitch"}, {12, "MaxRegistersPerBlock"}, {13, "ClockRate"},
    {14, "TextureAlignment"}, {15, "GpuOverlap"}, {16, "MultiProcessorCount"},
    {17, "KernelExecTimeout"}, {18, "Integrated"}, {19, "CanMapHostMemory"},
    {20, "ComputeMode"}, {21, "MaxTexture1DWidth"}, {22, "MaxTexture2DWidth"},
    {23, "MaxTexture2DHeight"}, {24, "MaxTexture3DWidth"}, {25, "MaxTexture3DHeight"},
    {26, "MaxTexture3DDepth"}, {27, "MaxTexture2DLayeredWidth"},
    {28, "MaxTexture2DLayeredHeight"}, {29, "MaxTexture2DLayeredLayers"},
    {30, "SurfaceAlignment"}, {31, "ConcurrentKernels"}, {32, "EccEnabled"},
    {33, "PciBusId"}, {34, "PciDeviceId"}, {35, "TccDriver"}, {36, "MemoryClockRate"},
    {37, "GlobalMemoryBusWidth"}, {38, "L2CacheSize"}, {39, "MaxThreadsPerMultiProcessor"},
    {40, "AsyncEngineCount"}, {41, "UnifiedAddressing"}, {42, "MaxTexture1DLayeredWidth"},
    {43, "MaxTexture1DLayeredLayers"}, {45, "MaxTexture2DGatherWidth"},
    {46, "MaxTexture2DGatherHeight"}, {47, "MaxTexture3DWidthAlt"},
    {48, "MaxTexture3DHeightAlt"}, {49, "MaxTexture3DDepthAlt"}, {50, "PciDomainId"},
    {51, "TexturePitchAlignment"}, {52, "MaxTextureCubemapWidth"},
    {53, "MaxTextureCubemapLayeredWidth"}, {54, "MaxTextureCubemapLayeredLayers"},
    {55, "MaxSurface1DWidth"}, {56, "MaxSurface2DWidth"}, {57, "MaxSurface2DHeight"},
    {58, "MaxSurface3DWidth"}, {59, "MaxSurface3DHeight"}, {60, "MaxSurface3DDepth"},
    {61, "MaxSurface1DLayeredWidth"}, {62, "MaxSurface1DLayeredLayers"},
    {63, "MaxSurface2DLayeredWidth"}, {64, "MaxSurface2DLayeredHeight"},
    {65, "MaxSurface2DLayeredLayers"}, {66, "MaxSurfaceCubemapWidth"},
    {67, "MaxSurfaceCubemapLayeredWidth"}, {68, "MaxSurfaceCubemapLayeredLayers"},
    {69, "MaxTexture1DLinearWidth"}, {70, "MaxTexture2DLinearWidth"},
    {71, "MaxTexture2DLinearHeight"}, {72, "MaxTexture2DLinearPitch"},
    {73, "MaxTexture2DMipmappedWidth"}, {74, "MaxTexture2DMipmappedHeight"},
    {75, "ComputeCapabilityMajor"}, {76, "ComputeCapabilityMinor"},
    {77, "MaxTexture1DMipmappedWidth"}, {78, "StreamPrioritiesSupported"},
    {79, "GlobalL1CacheSupported"}, {80, "LocalL1CacheSupported"},
    {81, "MaxSharedMemoryPerMultiprocessor"}, {82, "MaxRegistersPerMultiprocessor"},
    {83, "ManagedMemory"}, {84, "IsMultiGpuBoard"}, {85, "MultiGpuBoardGroupID"},
    {86, "HostNativeAtomicSupported"}, {87, "SingleToDoublePrecisionPerfRatio"},
    {88, "PageableMemoryAccess"}, {89, "ConcurrentManagedAccess"},
    {90, "ComputePreemptionSupported"}, {91, "CanUseHostPointerForRegisteredMem"},
    {95, "CooperativeLaunch"}, {96, "CooperativeMultiDeviceLaunch"},
    {97, "MaxSharedMemoryPerBlockOptin"}, {98, "CanFlushRemoteWrites"},
    {99, "HostRegisterSupported"}, {100, "PageableMemoryAccessUsesHostPageTables"},
    {101, "DirectManagedMemAccessFromHost"}, {106, "MaxBlocksPerMultiprocessor"},
    {108, "MaxPersistingL2CacheSize"}, {109, "MaxAccessPolicyWindowSize"},
    {111, "ReservedSharedMemoryPerBlock"}, {112, "SparseCudaArraySupported"},
    {113, "HostRegisterReadOnlySupported"}, {114, "TimelineSemaphoreInteropSupported"},
    {115, "MemoryPoolsSupported"}, {116, "GPUDirectRDMASupported"},
    {117, "GPUDirectRDMAFlushWritesOptions"}, {118, "GPUDirectRDMAWritesOrdering"},
    {119, "MemoryPoolSupportedHandleTypes"}, {120, "ClusterLaunch"},
    {121, "DeferredMappingCudaArraySupported"}, {125, "IpcEventSupport"},
    {126, "MemSyncDomainCount"}, {130, "NumaConfig"}, {131, "NumaId"},
    {133, "MpsEnabled"}, {134, "HostNumaId"}, {135, "D3D12CigSupported"},
    {138, "VulkanCigSupported"}, {139, "GpuPciDeviceId"}, {140, "GpuPciSubsystemId"},
    {142, "HostNumaMemoryPoolsSupported"}, {143, "HostNumaMultinodeIpcSupported"},
    {144, "HostMemoryPoolsSupported"}, {147, "OnlyPartialHostNativeAtomicSupported"},
};

/* Every attribute the driver knows (those it rejects are left out), plus
 * 'Name' as bytes, as the document reads it: props['Name'].decode(). */
static PyObject *Device_get_attributes(PyObject *self, void *c)
{
    (void)c;
    ga_device *dev = DEV(self)->device;
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    for (size_t i = 0; i < sizeof attribute_names / sizeof attribute_names[0]; i++) {
        int value;
        ga_status st = ga_device_attribute(dev, attribute_names[i].attr, &value);
        if (st == GA_ERROR_INVALID_VALUE || st == GA_ERROR_UNSUPPORTED || st == GA_ERROR_DRIVER)
            continue;   /* an attribute this driver does not know */
        if (st != GA_OK) {
            Py_DECREF(d);
            return pyga_raise(st);
        }
        PyObject *v = PyLong_FromLong(value);
        if (!v || PyDict_SetItemString(d, attribute_names[i].name, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    char name[256];
    ga_status st = ga_device_name(dev, name, sizeof name);
    if (st != GA_OK) {
        Py_DECREF(d);
        return pyga_raise(st);
    }
    name[sizeof name - 1] = '\0';
    PyObject *b = PyBytes_FromString(name);
    if (!b || PyDict_SetItemString(d, "Name", b) < 0) {
        Py_XDECREF(b);
        Py_DECREF(d);
        return NULL;
    }
    Py_DECREF(b);
    return d;
}

/* Names the backend, so that a host-backend device never calls itself CUDA
 * (the Array API's ndarray.device and cupy.cuda.Device are this one type):
 * <CUDA Device 0>, <HIP Device 0>, <host Device 0>. */
static PyObject *Device_repr(PyObject *self)
{
    const char *backend = ga_backend_name();
    const char *label = !backend                  ? "no-backend"
                        : !strcmp(backend, "cuda") ? "CUDA"
                        : !strcmp(backend, "hip")  ? "HIP"
                                                   : backend;
    return PyUnicode_FromFormat("<%s Device %d>", label, DEV(self)->id);
}

static Py_hash_t Device_hash(PyObject *self)
{
    return DEV(self)->id == -1 ? -2 : DEV(self)->id;
}

static PyObject *Device_richcompare(PyObject *a, PyObject *b, int op)
{
    if (!PyObject_TypeCheck(b, pyga.Device) || (op != Py_EQ && op != Py_NE))
        Py_RETURN_NOTIMPLEMENTED;
    int eq = DEV(a)->id == DEV(b)->id;
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static PyObject *Device_index(PyObject *self)
{
    return PyLong_FromLong(DEV(self)->id);
}

static int can_access_peer(int id, int peer);

static PyObject *Device_can_access_peer(PyObject *self, PyObject *peer)
{
    long p = PyLong_AsLong(peer);
    if (p == -1 && PyErr_Occurred())
        return NULL;
    if (p < 0 || p > INT_MAX) {
        PyErr_Format(PyExc_ValueError, "invalid device ordinal %ld", p);
        return NULL;
    }
    int can = can_access_peer(DEV(self)->id, (int)p);
    return can < 0 ? NULL : PyBool_FromLong(can);
}

static PyMethodDef Device_methods[] = {
    {"can_access_peer", Device_can_access_peer, METH_O,
     "can_access_peer(peer)\n--\n\nWhether this device can address device `peer`'s memory directly."},
    {"use", Device_use, METH_NOARGS,
     "use()\n--\n\nMake this the calling thread's current device."},
    {"synchronize", Device_synchronize, METH_NOARGS,
     "synchronize()\n--\n\nWait for all work on the device (GIL released)."},
    {"__enter__", Device_enter, METH_NOARGS, NULL},
    {"__exit__", Device_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef Device_getset[] = {
    {"id", Device_get_id, NULL, "The device ordinal.", NULL},
    {"name", Device_get_name, NULL, "The device's name, e.g. 'NVIDIA H100 80GB HBM3'.", NULL},
    {"compute_capability", Device_get_compute_capability, NULL,
     "Compute capability as a string, e.g. '90' (as in CuPy).", NULL},
    {"mem_info", Device_get_mem_info, NULL, "(free, total) device memory in bytes.", NULL},
    {"attributes", Device_get_attributes, NULL,
     "Dict of device attributes, CuPy's keys ('MaxThreadsPerBlock', ...) plus 'Name' (bytes).",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Device_slots[] = {
    {Py_tp_doc, "Device(device=None)\n--\n\n"
                "A CUDA device (None: the calling thread's current device). Usable as a\n"
                "context manager that makes it current and restores the previous one."},
    {Py_tp_new, Device_new},
    {Py_tp_dealloc, Device_dealloc},
    {Py_tp_repr, Device_repr},
    {Py_tp_hash, Device_hash},
    {Py_tp_richcompare, Device_richcompare},
    {Py_nb_index, Device_index},
    {Py_nb_int, Device_index},
    {Py_tp_methods, Device_methods},
    {Py_tp_getset, Device_getset},
    {0, NULL}
};

static PyType_Spec Device_spec = {
    .name = "gpuarray.cuda.Device",
    .basicsize = sizeof(pyga_Device),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Device_slots,
};

/* ------------------------------------------------------ module functions */

static PyObject *get_device_count(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    int count = 0;
    ga_status st = ga_device_count(&count);
    if (st != GA_OK)
        return pyga_raise(st);
    return PyLong_FromLong(count);
}

static PyObject *get_device_id(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    return PyLong_FromLong(tls_device_id);
}

static PyObject *set_device_id(PyObject *m, PyObject *arg)
{
    (void)m;
    long id = PyLong_AsLong(arg);
    if (id == -1 && PyErr_Occurred())
        return NULL;
    if (id < 0 || id > INT_MAX) {
        PyErr_Format(PyExc_ValueError, "invalid device ordinal %ld: must be >= 0", id);
        return NULL;
    }
    if (pyga_set_current_device((int)id) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *device_attribute(PyObject *m, PyObject *args)
{
    (void)m;
    int id, attr, value;
    if (!PyArg_ParseTuple(args, "ii:device_attribute", &id, &attr))
        return NULL;
    PyObject *dev = pyga_device_object(id);
    if (!dev)
        return NULL;
    ga_status st = ga_device_attribute(DEV(dev)->device, attr, &value);
    Py_DECREF(dev);
    if (st != GA_OK)
        return pyga_raise(st);
    return PyLong_FromLong(value);
}

/* Whether device `id` can address device `peer`'s memory directly. */
static int can_access_peer(int id, int peer)
{
    ga_device *dev = device_handle(id), *pdev = dev ? device_handle(peer) : NULL;
    if (!pdev)
        return -1;
    int can = 0;
    ga_status st = ga_device_can_access_peer(dev, pdev, &can);
    if (st != GA_OK)
        return pyga_raise_int(st);
    return can;
}

static PyObject *device_can_access_peer(PyObject *m, PyObject *args)
{
    (void)m;
    int id, peer;
    if (!PyArg_ParseTuple(args, "ii:device_can_access_peer", &id, &peer))
        return NULL;
    int can = can_access_peer(id, peer);
    return can < 0 ? NULL : PyLong_FromLong(can);
}

static PyMethodDef device_functions[] = {
    {"device_can_access_peer", device_can_access_peer, METH_VARARGS,
     "device_can_access_peer(device_id, peer_id)\n--\n\n1 when the device can address the peer's\n"
     "memory directly (peer-to-peer), else 0 (also for device_id == peer_id, as in CUDA)."},
    {"device_attribute", device_attribute, METH_VARARGS,
     "device_attribute(device_id, attribute)\n--\n\nOne attribute by its CUDA number."},
    {"get_device_count", get_device_count, METH_NOARGS,
     "get_device_count()\n--\n\nNumber of devices (raises CUDAUnavailableError without CUDA)."},
    {"get_device_id", get_device_id, METH_NOARGS,
     "get_device_id()\n--\n\nOrdinal of the calling thread's current device."},
    {"set_device_id", set_device_id, METH_O,
     "set_device_id(id)\n--\n\nMake device `id` current on the calling thread."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_device(PyObject *m)
{
    pyga.Device = (PyTypeObject *)PyType_FromSpec(&Device_spec);
    if (!pyga.Device)
        return -1;
    if (PyModule_AddObjectRef(m, "Device", (PyObject *)pyga.Device) < 0)
        return -1;
    return PyModule_AddFunctions(m, device_functions);
}
