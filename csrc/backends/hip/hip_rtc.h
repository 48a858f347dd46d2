/* hip_rtc.h - the HIP backend's compiler half (hiprtc): CUDA-spelled C++ to
 * an AMD GPU code object, with no device and without hipInit, so AMD code
 * can be built and checked anywhere. hip.c puts these into ga_hip_backend's
 * compiler slots.
 *
 * Architectures travel as ints like CUDA's sm numbers do: the gfx number
 * read as hexadecimal (gfx90a = 0x90a, gfx1030 = 0x1030), which every AMD
 * target name is. */
#ifndef GPUARRAY_BACKENDS_HIP_RTC_H
#define GPUARRAY_BACKENDS_HIP_RTC_H

#include "ga_private.h"

/* Target when no device says (ga_program_compile with no device, arch 0):
 * gfx90a (MI200), which every ROCm since 4.3 compiles for. */
#define GA_HIP_DEFAULT_ARCH 0x90a

GA_INTERNAL ga_status ga_hip_compiler_load(void);
GA_INTERNAL int ga_hip_compiler_version(void);
GA_INTERNAL const char *ga_hip_compiler_path(void);
GA_INTERNAL ga_status ga_hip_compiler_target(int device_arch, int *arch, int *is_real);
GA_INTERNAL ga_status ga_hip_compile(const ga_compile_request *req, int arch, int is_real,
                                     ga_compiled_output *out);
GA_INTERNAL const char *ga_hip_compiler_fingerprint(void);

/* "gfx90a" from 0x90a into buf (at least 16 bytes); returns buf. */
GA_INTERNAL char *ga_hip_arch_name(int arch, char *buf, size_t size);
/* 0x90a from "gfx90a" (also "gfx90a:sramecc+:xnack-": features dropped),
 * or 0 when it is not a gfx name. */
GA_INTERNAL int ga_hip_arch_parse(const char *name);

/* Device `device`'s gcnArchName ("gfx90a:sramecc+:xnack-"), from hip.c. */
GA_INTERNAL ga_status ga_hip_device_arch_name(int device, char *name, size_t len);

/* The HIP dialect prelude put before every source (hip_prelude.c). */
GA_INTERNAL extern const char ga_hip_prelude[];
GA_INTERNAL const char *ga_hip_prelude_text(void);

#endif /* GPUARRAY_BACKENDS_HIP_RTC_H */
