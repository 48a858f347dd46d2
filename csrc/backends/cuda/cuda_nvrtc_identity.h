/* cuda_nvrtc_identity.h - what a process needs to know of NVRTC to look a
 * program up in the kernel cache (its version, the architectures it
 * compiles for, whether it makes cubins), recorded in the cache directory so
 * that a later process can have it without loading NVRTC. */
#ifndef GPUARRAY_BACKENDS_CUDA_NVRTC_IDENTITY_H
#define GPUARRAY_BACKENDS_CUDA_NVRTC_IDENTITY_H

#include "ga_private.h"

#include <limits.h>

#define NVRTC_IDENTITY_MAX_ARCHS 64

typedef struct nvrtc_identity {
    int version;                 /* major*1000 + minor*10 */
    int can_cubin;
    int num_archs;
    int archs[NVRTC_IDENTITY_MAX_ARCHS];   /* ascending */
    char path[PATH_MAX];         /* the library the dynamic linker loaded */
} nvrtc_identity;

/* Fill *id from the record when it still describes the NVRTC this process
 * would load: same search environment, same library file, nothing changed
 * in the directories searched. 1 when it does, 0 otherwise (no record,
 * stale, unreadable, caching off). */
GA_INTERNAL int nvrtc_identity_read(nvrtc_identity *id);

/* Record the NVRTC just loaded (best effort: a failure only costs the next
 * process a load). */
GA_INTERNAL void nvrtc_identity_write(const nvrtc_identity *id);

#endif /* GPUARRAY_BACKENDS_CUDA_NVRTC_IDENTITY_H */
