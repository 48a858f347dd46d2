/* kernel_fixture.h - the opening every kernel-running C test shares: device
 * 0 of the active backend and one kernel compiled from source, or the exit
 * status that skips the test (77: no backend, no compiler) or fails it. */
#ifndef GPUARRAY_TESTS_C_KERNEL_FIXTURE_H
#define GPUARRAY_TESTS_C_KERNEL_FIXTURE_H

#include "gpuarray.h"

#include <stdio.h>

/* 0 with *dev, *prog, *mod and *fn set (release them with
 * ga_module_unload and ga_program_release), else the exit status. */
static int open_kernel(const char *source, const char *name, ga_device **dev, ga_program **prog,
                       ga_module **mod, ga_function **fn)
{
    ga_status st = ga_device_get(0, dev);
    if (st == GA_ERROR_NO_DRIVER || st == GA_ERROR_NO_DEVICE) {
        printf("SKIP: %s\n", ga_last_error());
        return 77;
    }
    if (st != GA_OK) {
        printf("FAIL ga_device_get: %s\n", ga_last_error());
        return 1;
    }
    printf("backend: %s\n", ga_backend_name());
    ga_compile_request req = {0};
    req.source = source;
    *prog = NULL;
    *mod = NULL;
    st = ga_program_compile(*dev, &req, prog);
    if (st == GA_ERROR_NO_COMPILER) {
        printf("SKIP: no kernel compiler: %s\n", ga_last_error());
        return 77;
    }
    if (st || ga_module_load_program(*dev, *prog, mod) || ga_module_get_function(*mod, name, fn)) {
        printf("FAIL compiling the kernel: %s\n", ga_last_error());
        return 1;
    }
    return 0;
}

#endif /* GPUARRAY_TESTS_C_KERNEL_FIXTURE_H */
