// The chapter's Rust-GPU shader (7.4, "Rust-GPU コード例"), verbatim. It is
// NOT built: rust-gpu needs its own pinned nightly toolchain (with rustc-dev)
// and the spirv-std / spirv-builder crates, none of which can be fetched
// here; `cargo build --target spirv-unknown-vulkan1.2` (the chapter's command)
// fails with "could not find specification for target". The chapter's slip:
// `global_invocation_id` is a vector of u32, so `id` should be `UVec3`, not
// `Vec3` (f32). shader.comp is the same shader in GLSL, compiled to SPIR-V
// by glslangValidator; that SPIR-V is what runs, not Rust's.
#![cfg_attr(target_arch = "spirv", no_std)]

use spirv_std::glam::{Vec3, vec3};
use spirv_std::spirv;

#[spirv(compute(threads(256)))]
pub fn main_cs(
    #[spirv(global_invocation_id)] id: Vec3,
    #[spirv(storage_buffer, descriptor_set = 0, binding = 0)] input: &[f32],
    #[spirv(storage_buffer, descriptor_set = 0, binding = 1)] output: &mut [f32],
) {
    let idx = id.x as usize;
    if idx < input.len() {
        output[idx] = input[idx] * 2.0 + 1.0;
    }
}
