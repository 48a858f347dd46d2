#!/usr/bin/env bash
# scripts/install_optional.sh - install the Debian packages that gpuarray's
# optional parts need, so that their tests and demo columns run instead of
# skipping. `make test` and `make demo` never install system packages
# themselves; .ci/run calls this before `make test`, and a user runs it once
# as root (or with sudo) on Debian or Ubuntu:
#
#   sudo scripts/install_optional.sh            # every group
#   sudo scripts/install_optional.sh vulkan     # only the named groups
#
# A group whose packages cannot be installed is reported and skipped: the
# tests that need it then skip, naming the missing package.
set -uo pipefail

# Each group: the packages it installs and what they are for. Groups are
# added here (one function each); the list of names at the bottom runs them.

# (groups are filled in by the parts that need them)

# wgpu and Vulkan (examples/09_wgpu, examples/10_spirv): the Vulkan loader and
# its headers (the plain-Vulkan C program), Mesa's software Vulkan driver
# lavapipe (a Vulkan device on the CPU, for wgpu and Vulkan alike), glslang
# (GLSL -> SPIR-V at build time) and spirv-tools (spirv-val checks it).
group_wgpu() { echo libvulkan1 libvulkan-dev mesa-vulkan-drivers glslang-tools spirv-tools; }
group_vulkan() { group_wgpu; }   # the same packages, under the name the usage line above gives

# hostfault: the fuzz test of kernel arguments (tests/test_host_faults.py);
# the venv sees Debian's package through --system-site-packages.
group_hostfault() { echo python3-hypothesis; }

# hip: ROCm 5.2's HIP runtime and hiprtc (the libraries, and the headers
# tests/c/test_hip_abi.c checks the backend's own declarations against),
# and LLVM 15, whose llvm-objdump/llvm-readelf read AMD code objects.
group_hip() { echo libamdhip64-dev llvm-15; }

ALL_GROUPS=(wgpu hostfault hip)

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_optional: no apt-get here; install the packages named in README.md by hand" >&2
    exit 0
fi
SUDO=()
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
        echo "install_optional: needs root (or sudo) to install Debian packages" >&2; exit 1
    fi
fi

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=("${ALL_GROUPS[@]}")
[ ${#groups[@]} -eq 0 ] && exit 0

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq || echo "install_optional: apt-get update failed; trying the cached lists" >&2
status=0
for g in "${groups[@]}"; do
    if ! declare -F "group_$g" >/dev/null; then
        echo "install_optional: unknown group '$g' (known: ${ALL_GROUPS[*]})" >&2; status=2; continue
    fi
    read -r -a pkgs <<<"$("group_$g")"
    echo "install_optional: $g: ${pkgs[*]}"
    if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; then
        echo "install_optional: $g: could not install ${pkgs[*]}; its tests will skip" >&2
    fi
done
exit $status
