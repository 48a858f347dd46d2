// shader.comp - the chapter's Rust-GPU shader (rust_gpu_shader.rs) in GLSL,
// line for line: 256 invocations a workgroup, input at binding 0, output at
// binding 1 of descriptor set 0, entry point main_cs (glslangValidator
// renames main), and the bounds check on the input's length that the Rust
// code has. Compiled at build time to SPIR-V 1.5 for Vulkan 1.2 (the
// chapter's target, spirv-unknown-vulkan1.2):
//   glslangValidator -V --target-env vulkan1.2 -e main_cs --source-entrypoint main
//       -o build/wgpu/shader.spv examples/10_spirv/shader.comp     (one line)
// The input is not declared readonly: glslang marks such a member so that
// wgpu's SPIR-V reader sees the buffer as read-write, and a read-only
// binding would then fail wgpu's validation.
#version 450

layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) buffer Input { float input_data[]; };
layout(std430, set = 0, binding = 1) buffer Output { float output_data[]; };

void main() {
    uint idx = gl_GlobalInvocationID.x;
    if (idx < uint(input_data.length())) {
        output_data[idx] = input_data[idx] * 2.0 + 1.0;
    }
}
