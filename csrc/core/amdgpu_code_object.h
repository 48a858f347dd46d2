/* amdgpu_code_object.h - what gpuarray reads from an AMD GPU code object
 * (the ELF that hiprtc makes): each kernel's metadata from the
 * NT_AMDGPU_METADATA note (a MessagePack map, code object v3 and later)
 * and whether its kernel descriptor symbol (<name>.kd) is there. The hip
 * backend takes parameter layouts from it (HIP has no cuFuncGetParamInfo),
 * and the check tool its registers, LDS and spills. No LLVM needed. */
#ifndef GPUARRAY_CORE_AMDGPU_CODE_OBJECT_H
#define GPUARRAY_CORE_AMDGPU_CODE_OBJECT_H

#include "ga_private.h"

#include <stddef.h>
#include <stdint.h>

#define GA_AMDGPU_NAME_MAX 512

typedef struct ga_amdgpu_arg {
    uint64_t offset;                 /* .offset in the kernarg segment */
    uint64_t size;                   /* .size */
    char value_kind[32];             /* .value_kind: by_value, global_buffer, hidden_* ... */
} ga_amdgpu_arg;

typedef struct ga_amdgpu_kernel {
    char name[GA_AMDGPU_NAME_MAX];   /* .name (the mangled name, or the extern "C" one) */
    char symbol[GA_AMDGPU_NAME_MAX]; /* .symbol, e.g. "saxpy.kd" */
    int has_descriptor;              /* the symbol table holds .symbol */
    int num_args;                    /* all of .args, hidden ones included */
    ga_amdgpu_arg *args;             /* malloc'd */
    /* -1 where the metadata does not say */
    int64_t vgpr_count, sgpr_count, agpr_count, vgpr_spill_count, sgpr_spill_count;
    int64_t group_segment_fixed_size;     /* static LDS bytes */
    int64_t private_segment_fixed_size;   /* scratch bytes per work item */
    int64_t kernarg_segment_size, max_flat_workgroup_size, wavefront_size;
} ga_amdgpu_kernel;

typedef struct ga_amdgpu_code_object {
    char target[128];                /* amdhsa.target, e.g. "amdgcn-amd-amdhsa--gfx90a" */
    int num_kernels;
    ga_amdgpu_kernel *kernels;       /* malloc'd */
} ga_amdgpu_code_object;

/* Parse `image` (an ELF64 AMDGPU code object). GA_ERROR_INVALID_VALUE
 * naming what is wrong when it is not one, or has no metadata note. The
 * result owns its memory: free with ga_amdgpu_code_object_clear. */
GA_INTERNAL ga_status ga_amdgpu_code_object_read(const void *image, size_t size,
                                                 ga_amdgpu_code_object *co);
GA_INTERNAL void ga_amdgpu_code_object_clear(ga_amdgpu_code_object *co);
/* The kernel named `name` (its .name, or .symbol without ".kd"), or NULL. */
GA_INTERNAL const ga_amdgpu_kernel *ga_amdgpu_find_kernel(const ga_amdgpu_code_object *co,
                                                          const char *name);
/* 1 when an argument is one the compiler adds (hidden_*), not the kernel's. */
GA_INTERNAL int ga_amdgpu_arg_is_hidden(const ga_amdgpu_arg *arg);

#endif /* GPUARRAY_CORE_AMDGPU_CODE_OBJECT_H */
