/* vulkan_version.c - the chapter's Rust-GPU shader (7.4) as SPIR-V run by
 * plain Vulkan from C: what wgpu does under the hood on Linux, by hand.
 * Instance, the first physical device with a compute queue (a discrete GPU
 * preferred), a device, two device-local storage buffers (filled and read
 * back through a host-visible staging buffer, as wgpu does), a descriptor set
 * and a compute pipeline from the SPIR-V module (entry point main_cs), one
 * dispatch, a fence. The SPIR-V comes from GLSL (shader.comp, compiled by
 * glslangValidator), not from Rust: rust_gpu_shader.rs says why.
 *
 *   build/wgpu/vulkan_version [build/wgpu/shader.spv]   (built by make demo)
 *
 * output = input * 2 + 1 over 1000 floats (last 1999, sum 1000000), then over
 * 16,776,960 floats, checked and timed (dispatch + fence wait, median of 5);
 * the same `result:` and `time:` lines as the other versions. Vulkan's limit
 * on workgroups is the device's (maxComputeWorkGroupCount[0], printed: 65535
 * on lavapipe, far more on NVIDIA's driver); the size is WebGPU's 65535 x 256.
 * Exit 77 (skipped) when there is no Vulkan driver or device, 1 on errors. */
#define _GNU_SOURCE
#include <vulkan/vulkan.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The second size: 16,776,960 floats, WebGPU's largest 1-D dispatch (65535
 * workgroups of 256), or EXAMPLE_BIG_N (the tests run a smaller one). */
static unsigned big_n(void)
{
    const char *s = getenv("EXAMPLE_BIG_N");
    long v = s ? strtol(s, NULL, 10) : 65535L * 256;
    if (v < 1024 || v > 65535L * 256) {
        fprintf(stderr, "EXAMPLE_BIG_N=%s: must be 1024 .. 16776960\n", s);
        exit(2);
    }
    return (unsigned)v;
}
#define BIG_N big_n()


#define CHECK(call)                                                                   \
    do {                                                                              \
        VkResult r_ = (call);                                                         \
        if (r_ != VK_SUCCESS) {                                                       \
            fprintf(stderr, "vulkan_version: %s failed: VkResult %d\n", #call, r_); \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

static VkDevice device;
static VkPhysicalDevice physical;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint32_t *read_spirv(const char *path, size_t *bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("skipped: no SPIR-V: %s is not built (make demo builds it with glslangValidator, "
               "Debian: glslang-tools)\n", path);
        exit(77);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    uint32_t *words = size > 0 && size % 4 == 0 ? malloc(size) : NULL;
    if (!words || fread(words, 1, size, f) != (size_t)size || words[0] != 0x07230203u) {
        fprintf(stderr, "vulkan_version: %s is not a SPIR-V module\n", path);
        exit(1);
    }
    fclose(f);
    *bytes = (size_t)size;
    return words;
}

/* A buffer and its memory. The shader's buffers are device-local (on a
 * discrete GPU, its own memory: the dispatch is timed on it, as CUDA's
 * kernel is); the staging buffer is host-visible and mapped (system memory),
 * the one the host fills and reads. */
struct buffer {
    VkBuffer buf;
    VkDeviceMemory mem;
    float *map; /* NULL for a device-local buffer */
};

static struct buffer make_buffer(VkDeviceSize size, int staging)
{
    struct buffer b = {0};
    VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
                             .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                                      (staging ? 0 : VK_BUFFER_USAGE_STORAGE_BUFFER_BIT),
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    CHECK(vkCreateBuffer(device, &bi, NULL, &b.buf));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device, b.buf, &req);
    VkPhysicalDeviceMemoryProperties props;
    vkGetPhysicalDeviceMemoryProperties(physical, &props);
    VkMemoryPropertyFlags want = staging ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                                         : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
    uint32_t type = UINT32_MAX;
    for (uint32_t i = 0; i < props.memoryTypeCount && type == UINT32_MAX; i++)
        if ((req.memoryTypeBits & (1u << i)) && (props.memoryTypes[i].propertyFlags & want) == want)
            type = i;
    if (type == UINT32_MAX) {
        fprintf(stderr, "vulkan_version: no %s memory type\n", staging ? "host-visible coherent" : "device-local");
        exit(1);
    }
    VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = req.size,
                               .memoryTypeIndex = type};
    CHECK(vkAllocateMemory(device, &ai, NULL, &b.mem));
    CHECK(vkBindBufferMemory(device, b.buf, b.mem, 0));
    if (staging)
        CHECK(vkMapMemory(device, b.mem, 0, size, 0, (void **)&b.map));
    return b;
}

static void free_buffer(struct buffer *b)
{
    if (b->map)
        vkUnmapMemory(device, b->mem);
    vkDestroyBuffer(device, b->buf, NULL);
    vkFreeMemory(device, b->mem, NULL);
}

/* Copy `bytes` from src to dst and wait: one command buffer, one fence.
 * The barriers order it after earlier shader work and before the host's
 * reads. */
static void copy_buffer(VkQueue queue, VkCommandPool pool, VkFence fence, VkBuffer src, VkBuffer dst,
                        VkDeviceSize bytes)
{
    VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = pool,
                                      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1};
    VkCommandBuffer cmd;
    CHECK(vkAllocateCommandBuffers(device, &ai, &cmd));
    VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                   .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
    CHECK(vkBeginCommandBuffer(cmd, &bi));
    VkMemoryBarrier before = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
                              .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before,
                         0, NULL, 0, NULL);
    VkBufferCopy region = {0, 0, bytes};
    vkCmdCopyBuffer(cmd, src, dst, 1, &region);
    VkMemoryBarrier after = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                             .dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_SHADER_READ_BIT};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &after, 0, NULL, 0,
                         NULL);
    CHECK(vkEndCommandBuffer(cmd));
    VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd};
    CHECK(vkQueueSubmit(queue, 1, &si, fence));
    CHECK(vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX));
    CHECK(vkResetFences(device, 1, &fence));
    vkFreeCommandBuffers(device, pool, 1, &cmd);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "build/wgpu/shader.spv";
    size_t code_bytes;
    uint32_t *code = read_spirv(path, &code_bytes);

    /* Instance: Vulkan 1.2, the chapter's target (spirv-unknown-vulkan1.2). */
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO, .pApplicationName = "vulkan_version",
                             .apiVersion = VK_API_VERSION_1_2};
    VkInstanceCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app};
    VkInstance instance;
    VkResult r = vkCreateInstance(&ici, NULL, &instance);
    if (r == VK_ERROR_INCOMPATIBLE_DRIVER || r == VK_ERROR_INITIALIZATION_FAILED) {
        printf("skipped: no Vulkan driver: vkCreateInstance returned %d (no ICD found; Debian: "
               "mesa-vulkan-drivers for lavapipe on the CPU, or the GPU vendor's driver)\n", r);
        return 77;
    }
    CHECK(r);

    /* Physical device: a discrete GPU if there is one, else the first with
     * a compute queue (lavapipe on a machine without a GPU). */
    uint32_t ndev = 0;
    CHECK(vkEnumeratePhysicalDevices(instance, &ndev, NULL));
    if (ndev == 0) {
        printf("skipped: no Vulkan device: the loader found a driver but no device\n");
        return 77;
    }
    VkPhysicalDevice *devs = calloc(ndev, sizeof *devs);
    CHECK(vkEnumeratePhysicalDevices(instance, &ndev, devs));
    uint32_t family = UINT32_MAX;
    int best = -1;
    for (uint32_t d = 0; d < ndev; d++) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(devs[d], &p);
        uint32_t nq = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(devs[d], &nq, NULL);
        VkQueueFamilyProperties qs[16];
        nq = nq > 16 ? 16 : nq;
        vkGetPhysicalDeviceQueueFamilyProperties(devs[d], &nq, qs);
        for (uint32_t q = 0; q < nq; q++) {
            if (!(qs[q].queueFlags & VK_QUEUE_COMPUTE_BIT))
                continue;
            int score = p.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU ? 2 : 1;
            if (score > best) {
                best = score;
                physical = devs[d];
                family = q;
            }
            break;
        }
    }
    free(devs);
    if (best < 0) {
        printf("skipped: no Vulkan device with a compute queue\n");
        return 77;
    }
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(physical, &props);
    static const char *types[] = {"Other", "IntegratedGPU", "DiscreteGPU", "VirtualGPU", "CPU"};
    int t = props.deviceType <= 4 ? (int)props.deviceType : 0;
    printf("device: %s (type %s, Vulkan %u.%u, driver %#x%s\n", props.deviceName, types[t],
           VK_API_VERSION_MAJOR(props.apiVersion), VK_API_VERSION_MINOR(props.apiVersion), props.driverVersion,
           props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ? ", a SOFTWARE device: the GPU here is the CPU)" : ")");
    printf("limit: maxComputeWorkGroupCount[0] = %u (WebGPU: 65535)\n",
           props.limits.maxComputeWorkGroupCount[0]);

    float priority = 1.0f;
    VkDeviceQueueCreateInfo qci = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO, .queueFamilyIndex = family,
                                   .queueCount = 1, .pQueuePriorities = &priority};
    VkDeviceCreateInfo dci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .queueCreateInfoCount = 1,
                              .pQueueCreateInfos = &qci};
    CHECK(vkCreateDevice(physical, &dci, NULL, &device));
    VkQueue queue;
    vkGetDeviceQueue(device, family, 0, &queue);

    /* Descriptor set layout: bindings 0 and 1 of set 0, storage buffers, as
     * the shader declares them. */
    VkDescriptorSetLayoutBinding binds[2];
    for (uint32_t i = 0; i < 2; i++)
        binds[i] = (VkDescriptorSetLayoutBinding){.binding = i, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                  .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
    VkDescriptorSetLayoutCreateInfo dli = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                           .bindingCount = 2, .pBindings = binds};
    VkDescriptorSetLayout set_layout;
    CHECK(vkCreateDescriptorSetLayout(device, &dli, NULL, &set_layout));
    VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
                                      .pSetLayouts = &set_layout};
    VkPipelineLayout pipeline_layout;
    CHECK(vkCreatePipelineLayout(device, &pli, NULL, &pipeline_layout));

    VkShaderModuleCreateInfo smi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = code_bytes,
                                    .pCode = code};
    VkShaderModule module;
    CHECK(vkCreateShaderModule(device, &smi, NULL, &module));
    free(code);
    VkComputePipelineCreateInfo cpi = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = module, .pName = "main_cs"},
        .layout = pipeline_layout};
    VkPipeline pipeline;
    CHECK(vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &cpi, NULL, &pipeline));

    VkDescriptorPoolSize pool_size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 4};
    VkDescriptorPoolCreateInfo dpi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .maxSets = 2,
                                      .poolSizeCount = 1, .pPoolSizes = &pool_size};
    VkDescriptorPool pool;
    CHECK(vkCreateDescriptorPool(device, &dpi, NULL, &pool));
    VkCommandPoolCreateInfo cpci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, .queueFamilyIndex = family};
    VkCommandPool cmd_pool;
    CHECK(vkCreateCommandPool(device, &cpci, NULL, &cmd_pool));
    VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence fence;
    CHECK(vkCreateFence(device, &fci, NULL, &fence));

    /* Two sizes: 1000 floats (the chapter's), then BIG_N (timed). */
    uint32_t sizes[2] = {1000, BIG_N};
    for (int s = 0; s < 2; s++) {
        uint32_t n = sizes[s];
        VkDeviceSize bytes = (VkDeviceSize)n * sizeof(float);
        struct buffer in = make_buffer(bytes, 0), out = make_buffer(bytes, 0), staging = make_buffer(bytes, 1);
        for (uint32_t i = 0; i < n; i++)
            staging.map[i] = (float)i;
        copy_buffer(queue, cmd_pool, fence, staging.buf, in.buf, bytes);

        VkDescriptorSetAllocateInfo dsai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                            .descriptorPool = pool, .descriptorSetCount = 1,
                                            .pSetLayouts = &set_layout};
        VkDescriptorSet set;
        CHECK(vkAllocateDescriptorSets(device, &dsai, &set));
        VkDescriptorBufferInfo infos[2] = {{in.buf, 0, VK_WHOLE_SIZE}, {out.buf, 0, VK_WHOLE_SIZE}};
        VkWriteDescriptorSet writes[2];
        for (uint32_t i = 0; i < 2; i++)
            writes[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set,
                                               .dstBinding = i, .descriptorCount = 1,
                                               .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                               .pBufferInfo = &infos[i]};
        vkUpdateDescriptorSets(device, 2, writes, 0, NULL);

        /* One command buffer, recorded once, submitted 1 + 5 times. */
        VkCommandBufferAllocateInfo cbai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                            .commandPool = cmd_pool, .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                            .commandBufferCount = 1};
        VkCommandBuffer cmd;
        CHECK(vkAllocateCommandBuffers(device, &cbai, &cmd));
        VkCommandBufferBeginInfo cbbi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        CHECK(vkBeginCommandBuffer(cmd, &cbbi));
        vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
        vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_layout, 0, 1, &set, 0, NULL);
        vkCmdDispatch(cmd, (n + 255) / 256, 1, 1);
        CHECK(vkEndCommandBuffer(cmd));
        VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd};

        double times[6];
        for (int rep = 0; rep < (s ? 6 : 1); rep++) {
            double t0 = now_ms();
            CHECK(vkQueueSubmit(queue, 1, &si, fence));
            CHECK(vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX));
            times[rep] = now_ms() - t0;
            CHECK(vkResetFences(device, 1, &fence));
            if (rep == 0) /* the result back, through the staging buffer */
                copy_buffer(queue, cmd_pool, fence, out.buf, staging.buf, bytes);
            if (rep == 0 && s == 0) {
                double sum = 0;
                for (uint32_t i = 0; i < n; i++)
                    sum += staging.map[i];
                printf("output[999] = %.1f\n", staging.map[999]);
                printf("result: out_last=%.1f\nresult: out_sum=%.1f\n", staging.map[999], sum);
            } else if (rep == 0) {
                long mismatches = 0;
                for (uint32_t i = 0; i < n; i++)
                    mismatches += staging.map[i] != (float)i * 2.0f + 1.0f;
                printf("result: big_n=%u\nresult: big_last=%.1f\nresult: big_mismatches=%ld\n", n,
                       staging.map[n - 1], mismatches);
            }
        }
        if (s) {
            /* times[0] was the first submission (checked above); the median
             * of the 5 after it. */
            qsort(times + 1, 5, sizeof times[0], cmp);
            printf("time: big_ms=%.4f ms (submit + fence wait, n = %u, device-local buffers, median of 5)\n",
                   times[3], n);
            printf("time: big_gbps=%.2f GB/s (read + write)\n", 2.0 * bytes / times[3] / 1e6);
        }
        vkFreeCommandBuffers(device, cmd_pool, 1, &cmd);
        free_buffer(&in);
        free_buffer(&out);
        free_buffer(&staging);
    }

    vkDestroyFence(device, fence, NULL);
    vkDestroyCommandPool(device, cmd_pool, NULL);
    vkDestroyDescriptorPool(device, pool, NULL);
    vkDestroyPipeline(device, pipeline, NULL);
    vkDestroyShaderModule(device, module, NULL);
    vkDestroyPipelineLayout(device, pipeline_layout, NULL);
    vkDestroyDescriptorSetLayout(device, set_layout, NULL);
    vkDestroyDevice(device, NULL);
    vkDestroyInstance(instance, NULL);
    return 0;
}
