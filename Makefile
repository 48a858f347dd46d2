# Makefile - build, test, demo and benchmark gpuarray.
#
#   make build   .venv (only missing packages installed), the extension
#                gpuarray._core in place, build/libgpuarray.{so,a}, C tests
#   make test    build, then the C tests (exit 77 = skipped) and pytest
#   make demo    build, then every example of the textbook (examples/NN_*/)
#                in every version this machine can run (scripts/demo.py)
#   make bench   build, then benchmarks/bench.py (GPU only)
#   make clean   remove what the build made (keeps .venv; `make distclean`
#                removes it too)
#
# Everything is incremental: objects depend on the headers they include
# (-MMD), the extension is rebuilt only when a C file or header changed.

PYTHON    ?= python3
VENV      ?= .venv
VPY       := $(VENV)/bin/python
BUILD     ?= build
CUDA_HOME ?= /usr/local/cuda
NPROC     := $(shell nproc 2>/dev/null || echo 2)

CC        ?= cc
# Files that need POSIX/GNU declarations define _GNU_SOURCE themselves; an
# undeclared function is an error, never a silent int-valued call.
CSTD      := -std=c11
WARN      := -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration
INCLUDES  := -Icsrc/include -Icsrc/core -Icsrc/loaders -Icsrc/backends/cuda -Icsrc/backends/hip -Icsrc/backends/host
LIB_CFLAGS := -O2 -fPIC -fvisibility=hidden $(CSTD) $(WARN) $(INCLUDES) -pthread
LIB_LDLIBS := -pthread -ldl -lm

# Tests and pytest: extra arguments from the command line or gpu_check.sh.
PYTEST_ARGS  ?=
TEST_TIMEOUT ?= 3000
C_TEST_TIMEOUT ?= 300

LIB_SRCS  := $(sort $(wildcard csrc/core/*.c csrc/backends/*/*.c csrc/loaders/*.c))
LIB_OBJS  := $(patsubst csrc/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
PY_SRCS   := $(sort $(wildcard csrc/python/*.c))
ALL_HDRS  := $(wildcard csrc/*/*.h csrc/*/*/*.h csrc/*/*.def csrc/*/*.inc csrc/*/*.fn)
# The host backend's kernel runtime: its own shared library, because the
# kernel modules it compiles link against it (one copy of the per-thread
# CUDA state, initial-exec TLS); found next to libgpuarray.so.
HOSTRT_SRCS := $(sort $(wildcard csrc/hostrt/*.c))
HOSTRT_OBJS := $(patsubst csrc/%.c,$(BUILD)/obj/%.o,$(HOSTRT_SRCS))
HOSTRT_SO := $(BUILD)/libgpuarray_hostrt.so
LIB_SO    := $(BUILD)/libgpuarray.so
LIB_A     := $(BUILD)/libgpuarray.a
C_TESTS   := $(patsubst tests/c/%.c,$(BUILD)/%,$(sort $(wildcard tests/c/test_*.c)))
EXAMPLE_BINS := $(patsubst examples/%/c_version.c,$(BUILD)/examples/%,$(sort $(wildcard examples/[0-9][0-9]_*/c_version.c)))
DRIVER_BENCH := $(BUILD)/c_driver_bench
EXT_SUFFIX := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)
EXT       := gpuarray/_core$(EXT_SUFFIX)
VENV_OK   := $(VENV)/.gpuarray-ready

# A recipe that fails leaves no half-made target behind to look up to date.
.DELETE_ON_ERROR:

.PHONY: all build artifacts venv ext lib ctests test demo bench bench-host c-graph-bench clean distclean help
.DEFAULT_GOAL := build

all: build

help:
	@sed -n '3,12p' Makefile

# ------------------------------------------------------------------ build
build: $(VENV_OK)
	@$(MAKE) --no-print-directory -j$(NPROC) artifacts

artifacts: $(EXT) $(LIB_SO) $(LIB_A) $(HOSTRT_SO) $(C_TESTS)

venv: $(VENV_OK)

$(VENV_OK): scripts/setup_venv.py
	$(PYTHON) scripts/setup_venv.py $(VENV)

ext: $(EXT)

# setup.py compiles only the out-of-date objects, in parallel. An extension
# links even with undefined symbols; loading it (dlopen RTLD_NOW, without
# running its init) names any at build time rather than at import.
$(EXT): $(LIB_SRCS) $(PY_SRCS) $(HOSTRT_SRCS) $(ALL_HDRS) setup.py pyproject.toml | $(VENV_OK)
	$(VPY) -W ignore setup.py -q build_ext --inplace
	@$(VPY) -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])' $@ || \
	    { echo "make: $@ has unresolved symbols (see above)"; exit 1; }
	@touch $@

lib: $(LIB_SO) $(LIB_A)

$(BUILD)/obj/%.o: csrc/%.c
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -MMD -MP -c $< -o $@

$(LIB_SO): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libgpuarray.so -o $@ $(LIB_OBJS) $(LIB_LDLIBS)

$(HOSTRT_SO): $(HOSTRT_OBJS)
	$(CC) -shared -Wl,-soname,libgpuarray_hostrt.so -o $@ $(HOSTRT_OBJS) $(LIB_LDLIBS)

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $(LIB_OBJS)

ctests: $(C_TESTS)

# C programs link the shared library and find it next to themselves.
$(BUILD)/test_%: tests/c/test_%.c $(LIB_SO) $(HOSTRT_SO) $(ALL_HDRS) $(wildcard tests/c/*.h)
	$(CC) -O1 -g $(CSTD) $(WARN) $(INCLUDES) -o $@ $< -L$(BUILD) -lgpuarray \
	    -Wl,-rpath,'$$ORIGIN' $(LIB_LDLIBS) -lm

# The C version of each example: build/examples/NN_name from
# examples/NN_name/c_version.c, finding the library one directory up.
$(BUILD)/examples/%: examples/%/c_version.c $(LIB_SO) csrc/include/gpuarray.h
	@mkdir -p $(@D)
	$(CC) -O2 $(CSTD) $(WARN) -Icsrc/include -o $@ $< -L$(BUILD) -lgpuarray \
	    -Wl,-rpath,'$$ORIGIN/..' $(LIB_LDLIBS)

# The wgpu and Vulkan versions of examples 09 and 10 (build/wgpu/): the
# SPIR-V of examples/10_spirv/shader.comp (glslangValidator, Debian
# glslang-tools), the plain-Vulkan program (vulkan.h and libvulkan.so, Debian
# libvulkan-dev) and the wgpu-native C program (the headers and library of
# the wgpu wheel, found through the venv's python). Each one that cannot be
# built here says what is missing; one that was built elsewhere and carried
# here (the GPU machine has no glslang and no vulkan.h) is kept as it is.
WGPU_DIR  := $(BUILD)/wgpu
WGPU_BINS := $(WGPU_DIR)/shader.spv $(WGPU_DIR)/vulkan_version $(WGPU_DIR)/wgpu_native
WGPU_RES   = $(shell $(VPY) -c 'import os, wgpu; print(os.path.dirname(wgpu.__file__) + "/resources")' 2>/dev/null)
keep_or_fail = if [ -f $@ ]; then echo "make: keeping the carried $@ ($(1))"; touch $@; \
	       else echo "make: cannot build $@: $(1)"; exit 1; fi

.PHONY: wgpu-examples
wgpu-examples: $(WGPU_BINS)

$(WGPU_DIR)/shader.spv: examples/10_spirv/shader.comp
	@mkdir -p $(@D)
	@if command -v glslangValidator >/dev/null; then \
	    echo "glslangValidator -V --target-env vulkan1.2 -e main_cs --source-entrypoint main -o $@ $<"; \
	    glslangValidator -V --target-env vulkan1.2 -e main_cs --source-entrypoint main -o $@ $<; \
	else $(call keep_or_fail,no glslangValidator here: Debian package glslang-tools); fi

$(WGPU_DIR)/vulkan_version: examples/10_spirv/vulkan_version.c
	@mkdir -p $(@D)
	@if printf '#include <vulkan/vulkan.h>\n' | $(CC) -E -x c - >/dev/null 2>&1; then \
	    echo "$(CC) -O2 $(CSTD) $(WARN) -o $@ $< -lvulkan"; \
	    $(CC) -O2 $(CSTD) $(WARN) -o $@ $< -lvulkan; \
	else $(call keep_or_fail,no vulkan/vulkan.h here: Debian package libvulkan-dev); fi

$(WGPU_DIR)/wgpu_native: examples/09_wgpu/wgpu_native.c | $(VENV_OK)
	@mkdir -p $(@D)
	@R='$(WGPU_RES)'; if [ -n "$$R" ] && [ -f "$$R/webgpu.h" ]; then \
	    echo "$(CC) -O2 $(CSTD) $(WARN) -I$$R -o $@ $< -L$$R -l:libwgpu_native-release.so -Wl,-rpath,$$R"; \
	    $(CC) -O2 $(CSTD) $(WARN) -I"$$R" -o $@ $< -L"$$R" -l:libwgpu_native-release.so -Wl,-rpath,"$$R"; \
	else $(call keep_or_fail,wgpu is not importable by $(VPY): PyPI package wgpu); fi

# Plain C on the CUDA driver API + NVRTC, for the benchmarks only: needs the
# toolkit's headers (the GPU machine has them); links the driver's stub, the
# real libcuda.so.1 is found at run time.
$(DRIVER_BENCH): benchmarks/c_driver_bench.c
	@mkdir -p $(@D)
	$(CC) -O2 $(CSTD) -Wall -Wextra -I$(CUDA_HOME)/include -o $@ $< \
	    -L$(CUDA_HOME)/lib64/stubs -L$(CUDA_HOME)/targets/x86_64-linux/lib/stubs -lcuda \
	    -L$(CUDA_HOME)/lib64 -lnvrtc -Wl,-rpath,$(CUDA_HOME)/lib64 -lm

# The plain-C graph replay of bench_fuse.py (same toolkit needs as above).
GRAPH_BENCH := $(BUILD)/c_graph_bench
c-graph-bench: $(GRAPH_BENCH)
$(GRAPH_BENCH): benchmarks/c_graph_bench.c
	@mkdir -p $(@D)
	$(CC) -O2 $(CSTD) -Wall -Wextra -I$(CUDA_HOME)/include -o $@ $< \
	    -L$(CUDA_HOME)/lib64/stubs -L$(CUDA_HOME)/targets/x86_64-linux/lib/stubs -lcuda \
	    -L$(CUDA_HOME)/lib64 -lnvrtc -Wl,-rpath,$(CUDA_HOME)/lib64 -lm

-include $(LIB_OBJS:.o=.d)

# ------------------------------------------------------------------- test
# scripts/run_tests.sh: the C tests first (exit 77 = skipped, with the reason
# they print), then pytest, whose closing line stays the last of the run.
# Both always run; it fails if either failed, and pytest's "no tests
# collected" (exit 5) is a failure.
test: build
	@PYTHON=$(VPY) C_TEST_TIMEOUT=$(C_TEST_TIMEOUT) TEST_TIMEOUT=$(TEST_TIMEOUT) \
	    bash scripts/run_tests.sh $(C_TESTS) -- $(PYTEST_ARGS)

# ------------------------------------------------------------------- demo
# A C version that fails to build shows as such in the demo's table.
demo: build
	@$(MAKE) --no-print-directory -k $(EXAMPLE_BINS) || echo "demo: building some C examples failed (see above)"
	@$(VPY) scripts/demo_deps.py || echo "demo: installing the demo's Python packages failed (see above)"
	@$(MAKE) --no-print-directory -k wgpu-examples || echo "demo: building some wgpu/Vulkan versions failed (see above)"
	@$(VPY) scripts/demo.py

# ------------------------------------------------------------------ bench
# The plain-C driver bench builds only where the toolkit's cuda.h exists;
# bench.py says so when it is missing.
bench: build
	@if [ -f $(CUDA_HOME)/include/cuda.h ]; then \
	    $(MAKE) --no-print-directory $(DRIVER_BENCH) || echo "bench: building $(DRIVER_BENCH) failed"; \
	else echo "bench: no $(CUDA_HOME)/include/cuda.h: the plain-C column is skipped"; fi
	@C_DRIVER_BENCH=$(DRIVER_BENCH) $(VPY) benchmarks/bench.py $(BENCH_ARGS)
	@$(VPY) benchmarks/bench_array.py || echo "bench: bench_array.py failed" 

# The host (CPU) backend beside a plain C loop on all cores; runs anywhere.
HOST_SAXPY_C := $(BUILD)/c_host_saxpy
$(HOST_SAXPY_C): benchmarks/c_host_saxpy.c
	@mkdir -p $(@D)
	$(CC) -O2 $(CSTD) -Wall -Wextra -pthread -o $@ $<

bench-host: build $(HOST_SAXPY_C)
	@$(VPY) benchmarks/bench_host.py --c-saxpy $(HOST_SAXPY_C)

# ------------------------------------------------------------------ clean
clean:
	rm -rf $(BUILD) gpuarray/_core*.so gpuarray/*.egg-info *.egg-info dist
	find . \( -path ./$(VENV) -o -path ./.git \) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
