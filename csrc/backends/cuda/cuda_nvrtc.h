/* cuda_nvrtc.h - the CUDA backend's compiler half (NVRTC), kept in its own
 * file so the driver half (cuda.c) stays about the driver. cuda.c puts these
 * into ga_cuda_backend's compiler slots; they need no driver or GPU. */
#ifndef GPUARRAY_BACKENDS_CUDA_NVRTC_H
#define GPUARRAY_BACKENDS_CUDA_NVRTC_H

#include "ga_private.h"

GA_INTERNAL ga_status ga_cuda_compiler_load(void);
/* Load NVRTC itself (before a compile) and check what came from the record
 * without it; *changed = 1 when that differed (targets and keys computed
 * before are then stale). */
GA_INTERNAL ga_status ga_cuda_compiler_confirm(int *changed);
GA_INTERNAL int ga_cuda_compiler_version(void);
GA_INTERNAL const char *ga_cuda_compiler_path(void);
GA_INTERNAL ga_status ga_cuda_compiler_target(int device_arch, int *arch, int *is_real);
GA_INTERNAL ga_status ga_cuda_compile(const ga_compile_request *req, int arch, int is_real,
                                      ga_compiled_output *out);

#endif /* GPUARRAY_BACKENDS_CUDA_NVRTC_H */
